"""Where the command line writes: results on stdout, everything else on stderr.

* :func:`result` and :func:`emit_json`/:func:`emit_jsonl`: what the command was asked for, on
  stdout (``gdprguard audit list > entries.txt`` captures it).
* :func:`info`, :func:`warn`, :func:`error_line`: progress, notes, warnings and errors, on stderr.
* :func:`output_file`: ``--output FILE`` written to a temporary file next to it and renamed only
  when the command succeeds, so an interrupted or failed run never leaves a truncated file.

Colour is used only when the stream is a terminal and ``NO_COLOR`` is unset (https://no-color.org).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TextIO

import typer

from .._exceptions import UsageError

__all__ = [
    "colour_enabled",
    "emit_json",
    "emit_jsonl",
    "error_line",
    "info",
    "output_file",
    "paint",
    "result",
    "warn",
]


def colour_enabled(stream: IO[Any]) -> bool:
    """Whether to colour what goes to *stream*: a terminal, ``NO_COLOR`` unset, not ``dumb``."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def paint(text: str, stream: IO[Any], **style: Any) -> str:
    """*text* styled with click's ``style`` options when *stream* takes colour, else as is."""
    return typer.style(text, **style) if colour_enabled(stream) else text


def result(line: str) -> None:
    """One line of a command's human-readable result, on stdout."""
    typer.echo(line, color=colour_enabled(sys.stdout))


def info(message: str) -> None:
    """Progress, notes and status, always on stderr."""
    typer.echo(message, err=True, color=False)


def warn(message: str) -> None:
    """A warning on stderr (``warning:`` in yellow on a terminal)."""
    prefix = paint("warning:", sys.stderr, fg="yellow", bold=True)
    typer.echo(f"{prefix} {message}", err=True, color=colour_enabled(sys.stderr))


def error_line(message: str) -> None:
    """The one-line error a failing command ends with, on stderr."""
    prefix = paint("error:", sys.stderr, fg="red", bold=True)
    typer.echo(f"gdprguard: {prefix} {message}", err=True, color=colour_enabled(sys.stderr))


def emit_json(document: Any) -> None:
    """Print one JSON document on stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def emit_jsonl(record: Any) -> None:
    """Print one JSON Lines record on stdout."""
    sys.stdout.write(json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str))
    sys.stdout.write("\n")


@contextmanager
def output_file(path: str | None) -> Iterator[TextIO]:
    """A text stream for ``--output``: stdout for ``None`` or ``-``, else a temporary file that
    replaces *path* only if the block ends without an exception (or interrupt)."""
    if path is None or path == "-":
        try:
            yield sys.stdout
        finally:
            sys.stdout.flush()
        return
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"--output {path} is a directory; give a file name")
    if not target.parent.is_dir():
        raise UsageError(f"--output {path}: directory {target.parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise UsageError(f"--output {path}: cannot write there ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    """Keep an existing file's mode; a new one gets what the shell's ``>`` would give it."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
