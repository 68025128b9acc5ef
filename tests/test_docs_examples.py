"""Every `gdprguard` command line shown in the README and docs/ names a real command with real
options, so the documentation cannot drift from the CLI; the examples that need no helpdesk
run for real."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import typer

from gdprguard.cli.main import app, main

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"```(?:bash|sh|console)\n(.*?)```", re.DOTALL)


def _command_lines() -> list[tuple[str, int, str]]:
    """(file, line number, command) for each gdprguard command in a shell block; a command
    continued with a backslash is joined into one."""
    found: list[tuple[str, int, str]] = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for block in _BLOCK.finditer(text):
            line_number = text.count("\n", 0, block.start(1)) + 1
            for raw in re.split(r"(?<!\\)\n", block.group(1)):
                joined = raw.replace("\\\n", " ")
                for part in re.split(r"\s(?:&&|\|\||;|\|)\s", joined):
                    part = part.strip().removeprefix("$ ").strip()
                    if part.startswith("gdprguard "):
                        found.append((path.name, line_number, part))
                line_number += raw.count("\n") + 1
    return found


def _is_group(command: Any) -> bool:
    return hasattr(command, "get_command") and hasattr(command, "list_commands")


def _resolve(tokens: list[str]) -> tuple[Any, list[str]]:
    command: Any = typer.main.get_command(app)
    rest = list(tokens)
    while _is_group(command) and rest and not rest[0].startswith("-"):
        sub = command.get_command(click.Context(command), rest[0])
        if sub is None:
            break
        command, rest = sub, rest[1:]
    return command, rest


def _options(command: Any) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        names.update(param.opts)
        names.update(param.secondary_opts)
    return names


ROOT_OPTIONS = {"--config", "--home", "--verbose", "-v", "--version", "--install-completion",
                "--show-completion"}  # fmt: skip


@pytest.mark.parametrize(("where", "line", "command"), _command_lines(), ids=lambda v: str(v)[:60])
def test_documented_commands_and_options_exist(where: str, line: int, command: str) -> None:
    _check(where, line, command)


def test_the_check_catches_a_wrong_command_or_option() -> None:
    for wrong in ("gdprguard sweep --polcy x.yaml", "gdprguard swep --policy x.yaml",
                  "gdprguard dsar export --mail a@b.example --out x.zip"):  # fmt: skip
        with pytest.raises(AssertionError):
            _check("test", 1, wrong)


def _check(where: str, line: int, command: str) -> None:
    text = command.split(" #", 1)[0]
    try:
        tokens = shlex.split(text)[1:]
    except ValueError as exc:
        pytest.fail(f"{where}:{line}: cannot parse {text!r}: {exc}")
    while tokens and tokens[0] in ROOT_OPTIONS:
        tokens = tokens[2:] if tokens[0] in ("--config", "--home") else tokens[1:]
    if not tokens or tokens[0] in ("--help", "-h", "--version", "--install-completion"):
        return
    resolved, rest = _resolve(tokens)
    assert not _is_group(resolved), f"{where}:{line}: {text!r} names no command"
    known = _options(resolved)
    for token in rest:
        if token.startswith("--"):
            name = token.split("=", 1)[0]
            assert name in known, f"{where}:{line}: {resolved.name} has no option {name}"


def test_the_scan_and_policy_examples_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["scan", "examples/sample-tickets.jsonl", "--min-score", "0.6"]) == 0
    assert main(["policy", "check", "policies/default.yaml"]) == 0
    assert main(["policy", "check", "policies/jp-appi.yaml"]) == 0
    capsys.readouterr()
