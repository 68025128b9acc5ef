"""Every guide in docs/ run as written: each ``gdprguard`` line of its shell blocks, in order, in
an empty folder, against a sandbox helpdesk.

The README has its own walkthrough (``test_readme_walkthrough.py``); this does the same for the
guides, one test per guide. Only placeholders are filled in: the sandbox's URL and admin e-mail
for the documented helpdesk, a seeded person for ``jane@example.com``, a temporary folder for a
path, and the plan and request ids that the guide's earlier commands printed (the guides show
made-up ones). A guide that starts after set-up (``init`` and ``connector add``, which the
quickstart shows) gets that set-up first. Lines that start long-running servers (``serve``,
``console``, ``sandbox serve``, ``demo``) are left to their own tests; a synopsis line
(``[--option]``, ``a|b``) is a summary, not a command; ``--install`` is dropped (no crontab or
systemd unit is written here). The folder holds a copy of the clone's ``examples/``, which the
scan examples read. Shell features other than ``> FILE`` are not interpreted.
"""

from __future__ import annotations

import io
import json
import re
import shlex
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import _walkthrough
from _cli_helpdesk import run_cli
from _walkthrough import empty_folder, subject_free_to_erase

helpdesk = _walkthrough.helpdesk  # the fixture
ROOT = Path(__file__).resolve().parents[1]
_BLOCK = re.compile(r"```(?:bash|sh|console)\n(.*?)```", re.DOTALL)
#: started by their own tests: they serve until stopped
_SERVERS = ("serve", "console", "demo")
_PLAN_ID = re.compile(r"\bpl-\d{8}T\d{6}Z-[0-9a-f]+")
_ERASE_ID = re.compile(r"\ber-\d{8}T\d{6}Z-[0-9a-f]+")
_REQUEST_ID = re.compile(r"\breq-\d{8}-[0-9a-f]+")
#: guides with no gdprguard command to run here (README has its own test)
_GUIDES = sorted(
    path.name
    for path in (ROOT / "docs").glob("*.md")
    if "gdprguard " in "".join(_BLOCK.findall(path.read_text(encoding="utf-8")))
)
#: commands whose exit code 1 is a documented answer, not a failure
_ONE_IS_AN_ANSWER = {
    ("status",): "something needs attention (a request is due, a run failed)",
    ("dsar", "erase"): "the erasure is incomplete: what no API can change is listed",
    ("dsar", "retry"): "the retried erasure is incomplete, as above",
}


@dataclass
class Command:
    """One documented command line, as words, with where its stdout goes."""

    where: str
    words: list[str]
    stdout_to: str | None = None


def _guide_commands(name: str) -> list[Command]:
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    commands: list[Command] = []
    for block in _BLOCK.finditer(text):
        first_line = text.count("\n", 0, block.start(1)) + 1
        for offset, line in enumerate(block.group(1).replace("\\\n", " ").splitlines()):
            line = line.strip().removeprefix("$ ").strip()
            if not line.startswith("gdprguard "):
                continue
            where = f"docs/{name}:{first_line + offset}"
            line = line.replace("$(date +%F)", "today")
            words = shlex.split(line, comments=True)
            stdout_to = None
            if ">" in words:
                at = words.index(">")
                words, stdout_to = words[:at], words[at + 1]
            args = words[1:]
            if args[0] in _SERVERS or args[:2] == ["sandbox", "serve"]:
                continue
            if any(w.startswith("[") or ("|" in w and not w.startswith("--")) for w in args):
                continue  # a synopsis
            commands.append(Command(where, args, stdout_to))
    return commands


@dataclass
class Walk:
    """What the guide's earlier commands printed, for the later ones' placeholders."""

    values: dict[str, str]
    words: dict[str, str]
    plan_id: str | None = None
    erase_id: str | None = None
    request_id: str | None = None
    ran: list[str] = field(default_factory=list)

    def fill(self, command: Command) -> list[str]:
        out: list[str] = []
        previous = ""
        for word in command.words:
            for placeholder, value in self.values.items():
                word = word.replace(placeholder, value)
            if _PLAN_ID.fullmatch(word) or (previous == "--plan" and word == "ID"):
                word = self._need(self.erase_id if command.words[:1] == ["dsar"] else self.plan_id,
                                  command, "a plan id")  # fmt: skip
            elif _ERASE_ID.fullmatch(word):
                word = self._need(self.erase_id, command, "an erasure plan id")
            elif word in self.words:
                word = self.words[word]
            elif _REQUEST_ID.fullmatch(word):
                word = self._need(self.request_id, command, "a request id")
            out.append(word)
            previous = word
        return [w for w in out if w != "--install"]

    @staticmethod
    def _need(value: str | None, command: Command, what: str) -> str:
        assert value, f"{command.where}: uses {what} that no earlier command of the guide printed"
        return value

    def learn(self, out: str) -> None:
        for pattern, attribute in ((_PLAN_ID, "plan_id"), (_ERASE_ID, "erase_id"),
                                   (_REQUEST_ID, "request_id")):  # fmt: skip
            found = pattern.findall(out)
            if found:
                setattr(self, attribute, found[-1])


def test_every_guide_with_commands_is_walked() -> None:
    expected = {"quickstart.md", "admin-guide.md", "dsar.md", "sweeps.md", "policies.md",
                "connectors.md", "realtime.md", "console.md", "detection.md"}  # fmt: skip
    assert expected <= set(_GUIDES)


@pytest.mark.parametrize("guide", _GUIDES)
def test_the_guide_runs_as_written_in_an_empty_folder(
    guide: str,
    tmp_path: Path,
    helpdesk: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commands = _guide_commands(guide)
    workdir = empty_folder(tmp_path, helpdesk, monkeypatch, "admin")
    shutil.copytree(ROOT / "examples", workdir / "examples")  # the scan examples run in a clone
    creds = helpdesk.credentials
    monkeypatch.setenv("GG_USER_PASSWORD", "a long console passphrase 42")
    person = subject_free_to_erase(helpdesk)
    ticket_id = str(min(helpdesk.state.data.tickets))
    walk = Walk(
        {
            "https://acme.zendesk.com": creds["url"],
            "http://127.0.0.1:8765": creds["url"],
            "admin@acme.com": creds["email"],
            "dpo-bot@acme.com": creds["email"],
            "admin@sandbox.example.com": creds["email"],
            "jane@example.com": person["email"],
            "jane.zip": str(tmp_path / "jane.zip"),
            "jane-encrypted.zip": str(tmp_path / "jane-encrypted.zip"),
            "/backups/gdprguard-today": str(tmp_path / "backup"),
            "/backups/gdprguard-2025-01-31": str(tmp_path / "backup"),
            "4711": ticket_id,
        },
        {"NAME": "kenji"},  # the account the guide added before
    )
    names = [c.words[:1] for c in commands]
    if ["init"] not in names:
        _run(capsys, walk, Command("set-up", ["init", "--non-interactive"]))
    if not any(c.words[:2] == ["connector", "add"] for c in commands):
        _run(capsys, walk, Command("set-up", ["connector", "add", "support", "--type", "zendesk",
                                              "--url", creds["url"], "--email", creds["email"],
                                              "--token", "env:ZENDESK_TOKEN"]))  # fmt: skip
    for command in commands:
        if command.words[:1] == ["init"]:
            command = Command(command.where, [*command.words, "--non-interactive"])
        if command.words[:2] in (["user", "add"], ["user", "password"]):
            command = Command(command.where, [*command.words, "--password-env", "GG_USER_PASSWORD"])
        if command.words[:1] == ["restore"] and "--dry-run" not in command.words:
            monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # "asks before replacing"
        _run(capsys, walk, command)
    assert walk.ran, f"{guide}: no command ran"


def _run(capsys: pytest.CaptureFixture[str], walk: Walk, command: Command) -> None:
    argv = walk.fill(command)
    code, out, err = run_cli(capsys, *argv)
    allowed = {0} | ({1} if tuple(argv[:2]) in _ONE_IS_AN_ANSWER or tuple(argv[:1]) in
                     _ONE_IS_AN_ANSWER else set())  # fmt: skip
    assert code in allowed, f"{command.where}: {' '.join(argv[:3])} exited {code}: {err[-1500:]}"
    assert "Traceback" not in err, f"{command.where}: {err[-1500:]}"
    if command.stdout_to:
        Path(command.stdout_to).write_text(out, encoding="utf-8")
    walk.learn(out + err)
    if "--json" in argv and out.strip():
        json.loads(out)
    walk.ran.append(" ".join(argv[:2]))
