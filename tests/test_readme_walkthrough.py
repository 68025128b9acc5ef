"""The README's command blocks, run as written, in order, in an empty folder, against a sandbox.

Each ``gdprguard`` line of the README's set-up, connect, retention, data-subject and keys blocks
is taken from the README itself and run with only its placeholders filled in (the sandbox's port
and token, the plan ids the earlier commands printed, a seeded person's address, a directory).
So a README edit that breaks the newcomer's path fails here. Lines that start long-running
servers (``sandbox serve &``, ``serve``, ``console``), ask for input (``user add``, ``keys
shred``) or reach the network (``install-webhook``) are started differently or left to their own
tests; ``schedule --install`` runs without ``--install`` (no crontab is written here).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

import _walkthrough
from _cli_helpdesk import run_cli
from _walkthrough import empty_folder, subject_free_to_erase

helpdesk = _walkthrough.helpdesk  # the fixture
ROOT = Path(__file__).resolve().parents[1]
_BLOCK = re.compile(r"```bash\n(.*?)```", re.DOTALL)
#: left to their own tests: they serve forever, prompt, or call out to the network
_NOT_HERE = ("sandbox serve", "serve ", "console ", "user add", "keys shred", "install-webhook",
             "demo")  # fmt: skip


def _readme_commands() -> list[list[str]]:
    """The README's gdprguard command lines, continuation lines joined, comments dropped."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands: list[list[str]] = []
    for block in _BLOCK.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            if not line.startswith("gdprguard "):
                continue
            words = shlex.split(line, comments=True)
            rest = " ".join(words[1:]) + " "
            if any(rest.startswith(skip) for skip in _NOT_HERE) or words[1:2] == ["scan"]:
                continue  # scan/redact examples run in test_docs_examples
            if words[1:2] == ["redact"]:
                continue
            commands.append(words[1:])
    return commands


def _fill(words: list[str], values: dict[str, str]) -> list[str]:
    out = []
    for word in words:
        for placeholder, value in values.items():
            word = word.replace(placeholder, value)
        out.append(word)
    if out[:1] == ["schedule"]:
        out = [w for w in out if w != "--install"]
    return out


def test_the_readme_commands_work_as_written_in_an_empty_folder(
    tmp_path: Path,
    helpdesk: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commands = _readme_commands()
    names = [c[0] for c in commands]
    for expected in ("init", "connector", "policy", "sweep", "dsar", "keys", "audit", "backup"):
        assert expected in names, f"the README lost its {expected} example"
    workdir = empty_folder(tmp_path, helpdesk, monkeypatch, "newcomer")
    creds = helpdesk.credentials
    person = subject_free_to_erase(helpdesk)
    values = {
        "http://127.0.0.1:8765": creds["url"],
        "admin@sandbox.example.com": creds["email"],
        "jane@example.com": person["email"],
        "jane.zip": str(tmp_path / "export.zip"),
        "DIR": str(tmp_path / "backup"),
    }
    ran: list[str] = []
    for words in commands:
        argv = _fill(words, values)
        if "PLAN_ID" in words:
            continue  # run below, with the id the planning command printed
        code, out, err = run_cli(capsys, *argv)
        ran.append(" ".join(argv[:2]))
        assert code == 0, (argv[:3], err[-2000:])
        assert "Traceback" not in err
        if argv[:1] == ["sweep"]:
            plan_id = re.search(r"\bpl-[0-9TZ]+-[0-9a-f]+", out)
            assert plan_id, out
            values["PLAN_ID"] = plan_id.group()
            apply = next(c for c in commands if c[:1] == ["sweep"] and "PLAN_ID" in c)
            code, out, err = run_cli(capsys, *_fill(apply, values))
            assert code == 0, err[-2000:]
            assert json.loads(out)["status"] in ("applied", "applied-with-failures")
        if argv[:2] == ["dsar", "erase"] and "--apply" not in argv:
            plan_id = re.search(r"\ber-[0-9TZ]+-[0-9a-f]+", out)
            assert plan_id, out
            erase = next(c for c in commands if c[:2] == ["dsar", "erase"] and "PLAN_ID" in c)
            code, out, err = run_cli(capsys, *_fill(erase, {**values, "PLAN_ID": plan_id.group()}))
            assert code in (0, 1), err[-2000:]  # 1: incomplete, what no API can change
            assert "completed" in out or "incomplete" in out
        if argv[:2] == ["dsar", "export"]:
            assert (tmp_path / "export.zip").stat().st_size > 0
    assert {"init", "doctor", "connector", "policy", "sweep", "schedule", "dsar", "keys",
            "audit", "backup", "restore"} <= {r.split(" ")[0] for r in ran}  # fmt: skip
    assert (tmp_path / "backup").is_dir()
    # nothing outside the folder's .gdprguard home and its gdprguard.toml and policies/
    assert sorted(p.name for p in workdir.iterdir()) == [".gdprguard", "gdprguard.toml", "policies"]
