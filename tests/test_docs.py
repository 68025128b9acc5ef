"""The README tells the truth: its quickstart matches CI and its Python example runs."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_quickstart_is_two_commands_and_ci_runs_the_second() -> None:
    quickstart = README.split("## Quickstart", 1)[1]
    first_block = re.search(r"```bash\n(.*?)```", quickstart, flags=re.DOTALL)
    assert first_block is not None
    lines = [line for line in first_block.group(1).splitlines() if line.strip()]
    assert len(lines) == 2
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert lines[1] in ci_script.splitlines()
    # CI runs the first line too (in a fresh virtualenv), so it must name a real command.
    assert lines[0] in ci_script.splitlines()
    command = re.search(r"&& gdprguard (\w[\w-]*)", lines[0])
    assert command is not None, "the first line installs gdprguard, then runs a command"
    from gdprguard.cli.main import app

    assert command.group(1) in {c.name for c in app.registered_commands}
    sample = re.search(r"gdprguard scan (\S+)", lines[0])
    assert sample is None or (ROOT / sample.group(1)).is_file()


def test_python_example_prints_what_its_comment_says() -> None:
    (example,) = [block for block in _blocks("python") if "redact_text" in block]
    expected = re.search(r"print\(.*\)\s+# (.+)", example)
    assert expected is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(example, "README.md", "exec"), {})
    assert out.getvalue().strip() == expected.group(1).strip()


def test_every_linked_doc_exists() -> None:
    for target in re.findall(r"\]\((docs/[^)]+)\)", README):
        assert (ROOT / target).is_file(), target


TROUBLESHOOTING = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")

Setup = Callable[[Path, Path], None]  # (working directory, home) -> None


def _plain(text: str) -> str:
    return " ".join(text.replace("`", "").split())


def _init(_cwd: Path, _home: Path) -> None:
    from gdprguard.cli.main import main

    assert main(["init", "--non-interactive"]) == 0


def _sealed(cwd: Path, home: Path) -> None:
    from gdprguard._config import load_settings
    from gdprguard.vault import Vault

    _init(cwd, home)
    with Vault.from_settings(load_settings()) as vault:
        vault.seal("r:1", b"x", kind="original", subject_id="s:1")


def _then(first: Setup, second: Callable[[Path], None]) -> Setup:
    def both(cwd: Path, home: Path) -> None:
        first(cwd, home)
        second(home)

    return both


def _file(name: str, text: str) -> Setup:
    return lambda cwd, _home: (cwd / name).write_text(text, encoding="utf-8") and None


def _empty_database(_cwd: Path, home: Path) -> None:
    from gdprguard.store import Store

    Store(f"sqlite:///{home / 'gdprguard.db'}").close()


# (what the user did, set-up, command line, a phrase of the message the docs must explain)
SCENARIOS: list[tuple[str, Setup | None, list[str], str]] = [
    ("no home", None, ["keys", "status"], "no gdprguard home at"),
    ("home, no database", lambda _c, h: h.mkdir(), ["audit", "verify"], "no gdprguard database at"),
    ("uninitialised database", _empty_database, ["keys", "status"], "has not been initialised"),
    (
        "lost master key",
        _then(_sealed, lambda h: (h / "master.key").unlink()),
        ["keys", "status"],
        "is missing, but the database holds data keys wrapped under",
    ),
    (
        "init over a lost master key",
        _then(_sealed, lambda h: (h / "master.key").unlink()),
        ["init", "--non-interactive"],
        "holds data keys, but the master key file",
    ),
    (
        "no pseudonym key",
        _then(_init, lambda h: (h / "pseudonym.key").unlink()),
        ["redact", "in.jsonl", "--operator", "pseudonym"],
        "no pseudonym key at",
    ),
    ("key typo", _file("gdprguard.toml", "[store]\nurl_ = 1\n"), ["audit", "list"], "no key"),
    ("section typo", _file("gdprguard.toml", "[keyz]\n"), ["audit", "list"], "not a known section"),
    ("no --config file", None, ["--config", "no.toml", "audit", "list"], "init writes one"),
    (
        "unset variable",
        _file("gdprguard.toml", '[detection]\npseudonym_key = "env:GG_NOT_SET"\n'),
        ["redact", "in.jsonl", "--operator", "pseudonym"],
        "which is not set; export",
    ),
    (
        "world-readable key",
        _then(_init, lambda h: (h / "master.key").chmod(0o644)),
        ["keys", "status"],
        "which lets other users read it",
    ),
    ("bad JSON line", _file("in.jsonl", "{nope\n"), ["scan", "in.jsonl"], "not valid JSON"),
    ("bad id", _file("in.jsonl", '{"id": null}\n'), ["scan", "in.jsonl"], '"id" must be a string'),
    (
        "literal token",
        None,
        ["connector", "add", "s", "--type", "zendesk", "--url", "https://a.test", "--token", "t0k"],
        "refusing to write a token in clear text",
    ),
    ("unknown connector", None, ["connector", "test", "nope"], "no connector named"),
    ("backup, no passphrase", _init, ["backup", "bk"], "no backup passphrase: set"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("setup", "argv", "phrase"),
    [pytest.param(setup, argv, phrase, id=what) for what, setup, argv, phrase in SCENARIOS],
)
def test_troubleshooting_explains_the_message_users_see(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    setup: Setup | None,
    argv: list[str],
    phrase: str,
) -> None:
    from gdprguard.cli.main import main

    home = tmp_path / "home"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GDPRGUARD_HOME", str(home))
    monkeypatch.delenv("GDPRGUARD_BACKUP_PASSPHRASE", raising=False)
    (tmp_path / "in.jsonl").write_text('{"id": 1, "text": "a@example.com"}\n', encoding="utf-8")
    if setup is not None:
        setup(tmp_path, home)
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err
    assert code in (1, 2), err
    assert _plain(phrase) in _plain(err), err
    assert _plain(phrase) in _plain(TROUBLESHOOTING), f"docs/troubleshooting.md lacks: {phrase}"
