"""Changing ``gdprguard.toml`` in place: every new text is validated before it is written, the
write is atomic (a temporary file renamed over the old one, its mode kept), and the edits are
made on the text so that comments and layout survive.

Each edit is checked by parsing the result: when a hand-written file is laid out in a way the
text edit does not understand (dotted keys, inline tables), the whole file is rewritten through
tomli-w instead, which keeps every value and loses the comments.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from ._config import Settings, format_validation_error
from ._exceptions import ConfigError

__all__ = [
    "read_config_text",
    "validated_settings",
    "with_block_appended",
    "with_table_removed",
    "with_value_set",
    "write_atomically",
]

_TABLE = re.compile(r"^\s*\[(?!\[)(?P<inner>[^\n]*)\]\s*(?:#.*)?$")
_ARRAY_TABLE = re.compile(r"^\s*\[\[")
_BLANK_OR_COMMENT = re.compile(r"^\s*(?:#.*)?$")


def read_config_text(path: Path) -> str:
    """The configuration file's text ("" when it does not exist yet)."""
    try:
        return path.read_text(encoding="utf-8") if path.exists() else ""
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; save it as UTF-8 first") from None


def write_atomically(path: Path, text: str) -> None:
    """Replace *path* with *text* at once (readers see the old file or the new, never a part),
    keeping the file's mode (0644 for a new file)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def validated_settings(path: Path, text: str) -> Settings:
    """*text* as :class:`Settings`, or a ConfigError naming *path* and each problem."""
    try:
        return Settings.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}; fix it first") from None
    except ValidationError as exc:
        raise ConfigError(format_validation_error(path, exc)) from None


def with_table_removed(path: Path, text: str, table: Sequence[str]) -> str:
    """*text* without the table at *table* (e.g. ``("connectors", "support")``), validated.

    The lines from its ``[header]`` to the next header go; comments and blank lines just
    before the next header stay with it.
    """
    raw = tomllib.loads(text)
    expected = _without(raw, table)
    if expected == raw:
        return text  # nothing to remove
    lines = text.splitlines(keepends=True)
    span = _table_span(lines, table)
    edited = None
    if span is not None:
        start, end = span
        while end > start + 1 and _BLANK_OR_COMMENT.match(lines[end - 1]):
            end -= 1
        kept = lines[:start] + lines[end:]
        after_blank = start == len(kept) or not kept[start].strip()
        if start > 0 and not kept[start - 1].strip() and after_blank:
            del kept[start - 1]  # no double blank line where the table was
        edited = "".join(kept)
    return _checked(path, edited, expected)


def with_value_set(path: Path, text: str, table: str, key: str, value: str) -> str:
    """*text* with ``[table] key = "value"`` (replaced in place, else added), validated."""
    raw = tomllib.loads(text) if text.strip() else {}
    expected = {**raw, table: {**raw.get(table, {}), key: value}}
    assignment = tomli_w.dumps({key: value})
    lines = text.splitlines(keepends=True)
    span = _table_span(lines, (table,))
    if span is None:
        edited = with_block_appended(text, f"[{table}]\n{assignment}")
    else:
        start, end = span
        own = re.compile(rf"^\s*{re.escape(key)}\s*=")
        found = next((i for i in range(start + 1, end) if own.match(lines[i])), None)
        if found is None:
            lines.insert(start + 1, assignment)
        else:
            lines[found] = assignment
        edited = "".join(lines)
    return _checked(path, edited, expected)


def with_block_appended(text: str, block: str) -> str:
    """*text* with *block* added at its end, after one blank line."""
    if not text or text.endswith("\n\n"):
        return text + block
    return text + ("\n" if text.endswith("\n") else "\n\n") + block


def _checked(path: Path, edited: str | None, expected: dict[str, Any]) -> str:
    """*edited* if it parses to *expected*, else *expected* written out by tomli-w; either way
    validated as a whole configuration."""
    if edited is not None:
        try:
            if tomllib.loads(edited) == expected:
                validated_settings(path, edited)
                return edited
        except tomllib.TOMLDecodeError:
            pass
    text = tomli_w.dumps(expected)
    validated_settings(path, text)
    return text


def _without(raw: dict[str, Any], table: Sequence[str]) -> dict[str, Any]:
    if len(table) == 1:
        return {k: v for k, v in raw.items() if k != table[0]}
    head, *rest = table
    inner = raw.get(head)
    if not isinstance(inner, dict):
        return raw
    return {**raw, head: _without(inner, rest)}


def _header_path(line: str) -> tuple[str, ...] | None:
    """The keys a ``[a."b".c]`` header line names (None for anything else)."""
    found = _TABLE.match(line)
    if found is None:
        return None
    try:
        parsed: Any = tomllib.loads(f"[{found.group('inner')}]\n")
    except tomllib.TOMLDecodeError:
        return None
    keys: list[str] = []
    while isinstance(parsed, dict) and len(parsed) == 1:
        key, parsed = next(iter(parsed.items()))
        keys.append(key)
    return tuple(keys)


def _table_span(lines: list[str], table: Sequence[str]) -> tuple[int, int] | None:
    """The line range of the table *table*: its header up to the next header."""
    start = None
    for index, line in enumerate(lines):
        is_header = _ARRAY_TABLE.match(line) is not None or _TABLE.match(line) is not None
        if start is not None and is_header:
            return start, index
        if start is None and _header_path(line) == tuple(table):
            start = index
    return None if start is None else (start, len(lines))
