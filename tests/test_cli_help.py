"""``--help`` on every command: plain text, well wrapped, with a one-line example; completion.

Before: every flag showed a ``<bool>`` placeholder (even ``--help``), ``connector test`` showed
"name  a name from  [required]" (``[connectors.NAME]`` was eaten as markup), and the help of
``sandbox serve`` and ``keys rotate`` broke lines where the source did, not where the terminal
does.
"""

from __future__ import annotations

import itertools
import re

import pytest
import typer

from gdprguard.cli.main import app, main

WIDTH = 78  # click wraps help text to 78 columns (80 less its margin)


def _command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        paths.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if not getattr(sub, "hidden", False):
                walk(sub, [*path, name])

    walk(root, [])
    return paths


COMMANDS = _command_paths()


def _help(capsys: pytest.CaptureFixture[str], path: list[str], flag: str = "--help") -> str:
    assert main([*path, flag]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def _paragraphs(help_text: str) -> list[list[str]]:
    """The description's paragraphs (between the usage line and the first section)."""
    body = help_text.split("\n\n", 1)[1]
    body = re.split(r"\n(?:Arguments|Options|Commands):\n", body, maxsplit=1)[0]
    return [block.splitlines() for block in body.split("\n\n") if block.strip()]


def test_every_command_is_covered() -> None:
    names = {" ".join(path) for path in COMMANDS}
    assert {"", "init", "doctor", "scan", "redact", "keys status", "connector test"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "gdprguard")
def test_help_is_plain_well_wrapped_and_ends_with_an_example(
    capsys: pytest.CaptureFixture[str], path: list[str]
) -> None:
    text = _help(capsys, path)
    assert text.startswith(f"Usage: gdprguard {' '.join(path)}".rstrip())
    assert "<bool>" not in text and "\x1b[" not in text and "╭" not in text
    examples = [line.strip() for line in text.splitlines() if line.strip().startswith("Example:")]
    assert len(examples) == 1, "one `Example: gdprguard ...` line in the help"
    assert examples[0].startswith(f"Example: gdprguard {' '.join(path)}".rstrip())
    for paragraph in _paragraphs(text):
        if paragraph[0].strip().startswith("Example:"):
            assert len(paragraph) == 1, "the example is one line (put \\b before it)"
            continue
        for line, following in itertools.pairwise(paragraph):
            assert len(line) <= WIDTH, line
            word = following.split()[0]
            assert len(line.rstrip()) + 1 + len(word) > WIDTH, f"wrapped early: {line!r}"
            assert not re.search(r"[a-z]-$", line), f"broken at a hyphen: {line!r}"


def test_short_help_flag_and_literal_brackets(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys, ["connector", "test"], "-h")
    assert "[connectors.NAME]" in text and "[required]" in text


def test_shell_completion_is_installable_and_completes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # bash as if detected: a test runner need not have a shell among its ancestors (a detached
    # CI job, an xdist worker whose parent shell has exited), and detection walks the ancestors
    monkeypatch.setattr("typer.completion._get_shell_name", lambda: "bash")
    assert main(["--show-completion", "bash"]) == 0
    script = capsys.readouterr().out
    assert "_GDPRGUARD_COMPLETE=complete_bash" in script and "complete " in script
    monkeypatch.setenv("_GDPRGUARD_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "gdprguard keys r")
    monkeypatch.setenv("COMP_CWORD", "2")
    assert main([]) == 0
    assert capsys.readouterr().out.split() == ["rotate", "retire"]
