"""``gdprguard scan`` and ``gdprguard redact``: JSON Lines in, JSON Lines out.

Input is streamed: each record is written as soon as it is processed. A bad line (invalid UTF-8
or JSON, a missing ``id``/``text``) stops the run with exit code 2 and a message naming the line
by number (never by its id, which may be an email address); on stdout every record before it has
already been written in full, nothing of the bad record is. With ``--output FILE`` the records go
to a temporary file that replaces FILE only when the whole input was processed: a failed or
interrupted run leaves FILE as it was.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated, Any, TextIO

import typer

from .._exceptions import InputError, UsageError
from ..text.encoding import UTF8, open_lines
from ._common import app_state, info, settings_from
from ._output import output_file

__all__ = ["iter_records", "register"]

_LANGS = ("auto", "en", "ja")
_PROGRESS_AFTER_S = 2.0
_PROGRESS_EVERY_S = 5.0

PathArg = Annotated[
    str,
    typer.Argument(
        metavar="PATH", help="JSON Lines file, or - for standard input", show_default=True
    ),
]
LanguageOpt = Annotated[
    str,
    typer.Option(
        "--language", metavar="LANG", help="auto (by script), en or ja; a record's own wins"
    ),
]
EntitiesOpt = Annotated[
    str | None,
    typer.Option(
        "--entities",
        metavar="TYPES",
        help="comma-separated types to report, e.g. EMAIL_ADDRESS,PHONE_NUMBER "
        "(all types: docs/detection.md)",
    ),
]
MinScoreOpt = Annotated[
    float | None,
    typer.Option("--min-score", metavar="SCORE", help="drop findings below this score (0-1)"),
]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="write to FILE (replaced only when the whole input succeeds) instead of stdout",
    ),
]
EncodingOpt = Annotated[
    str,
    typer.Option(
        "--encoding",
        metavar="NAME",
        help="the input's encoding: utf-8, auto (detects Shift_JIS/CP932, EUC-JP, ISO-2022-JP), "
        "or any codec name",
    ),
]
JsonLinesOpt = Annotated[
    bool,
    typer.Option("--json", help="accepted for uniformity: the output is always JSON Lines"),
]

#: JSON's names for what ``json.loads`` returns, for messages (never Python's class names)
_JSON_TYPES: dict[type, str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true/false",
    type(None): "null",
}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), "not a string")


def _open(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    p = Path(path)
    if not p.exists():
        raise InputError(f"input file {path} does not exist; pass a JSON Lines file or - for stdin")
    if p.is_dir():
        raise InputError(f"{path} is a directory; pass a JSON Lines file or - for stdin")
    try:
        return p.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


def iter_records(
    lines: Iterator[tuple[int, str]], source: str
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, record)`` for each non-blank line; raise InputError on a bad one."""
    example = '{"id": 1, "text": "..."}'
    for lineno, line in lines:
        if lineno == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{source} line {lineno}: not valid JSON ({exc.msg} at column {exc.colno}); "
                f"each line must be one JSON object such as {example}"
            ) from None
        except RecursionError:
            raise InputError(f"{source} line {lineno}: JSON nested too deeply") from None
        if not isinstance(record, dict):
            raise InputError(
                f"{source} line {lineno}: expected a JSON object such as {example}, "
                f"got {_json_type(record)}"
            )
        rid = record.get("id")
        if "id" not in record or isinstance(rid, bool) or not isinstance(rid, str | int):
            what = "missing" if "id" not in record else _json_type(rid)
            raise InputError(
                f'{source} line {lineno}: "id" must be a string or an integer, it is {what}'
            )
        if not isinstance(record.get("text"), str):
            what = "missing" if "text" not in record else _json_type(record["text"])
            raise InputError(f'{source} line {lineno}: "text" must be a string, it is {what}')
        lang = record.get("language")
        if lang is not None and lang not in _LANGS:
            raise InputError(
                f'{source} line {lineno}: "language" must be one of {", ".join(_LANGS)}'
            )
        yield lineno, record


def _write(out: TextIO, record: dict[str, Any]) -> None:
    try:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        out.write(line)
    except UnicodeEncodeError:  # lone surrogates, or a non-UTF-8 terminal: escape instead
        out.write(json.dumps(record, ensure_ascii=True, separators=(",", ":")) + "\n")


def _run(
    ctx: typer.Context,
    path: str,
    language: str,
    entities: str | None,
    min_score: float | None,
    operator: str | None,
    output: str | None,
    encoding: str = "utf-8",
) -> None:
    # Presidio and SudachiPy load here, not at import, so other commands start fast.
    from ..detect import OPERATORS, Detector, redact_text
    from ._state import pseudonym_key

    if language not in _LANGS:
        raise UsageError(f"--language must be one of {', '.join(_LANGS)}, got {language!r}")
    if min_score is not None and not 0.0 <= min_score <= 1.0:
        raise UsageError(f"--min-score must be between 0 and 1, got {min_score}")
    wanted = Detector.validate_entities(entities.split(",")) if entities else None
    if operator is not None and operator not in OPERATORS:
        raise UsageError(f"--operator must be one of {', '.join(OPERATORS)}, got {operator!r}")
    settings = settings_from(ctx)
    key = pseudonym_key(app_state(ctx)) if operator == "pseudonym" else None
    detector = Detector(settings.detection)
    source = "stdin" if path == "-" else path
    stream = _open(path)
    used, lines = open_lines(stream, encoding, source)
    if encoding.lower() == "auto" or used != UTF8:
        info(f"gdprguard: reading {source} as {used}")
    started = last_report = time.monotonic()
    count = nbytes = 0
    try:
        with output_file(output) as out:
            for _lineno, record in iter_records(lines, source):
                text: str = record["text"]
                findings = detector.analyze(
                    text, record.get("language") or language, entities=wanted, min_score=min_score
                )
                result: dict[str, Any] = {
                    "id": record["id"],
                    "entities": [f.to_dict() for f in findings],
                }
                if operator is not None:
                    result["text"] = redact_text(text, findings, operator, key=key)  # type: ignore[arg-type]
                _write(out, result)
                if out is sys.stdout:  # a pipe is block-buffered: let the reader see each record
                    out.flush()
                count += 1
                nbytes += len(text)
                now = time.monotonic()
                if now - started > _PROGRESS_AFTER_S and now - last_report > _PROGRESS_EVERY_S:
                    last_report = now
                    info(f"gdprguard: {count} records, {nbytes / 1e6:.1f}M characters processed")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if time.monotonic() - started > _PROGRESS_AFTER_S:
        info(f"gdprguard: done, {count} records")


def register(app: typer.Typer) -> None:
    """Add the ``scan`` and ``redact`` commands to *app*."""

    @app.command("scan")
    def scan(
        ctx: typer.Context,
        path: PathArg = "-",
        language: LanguageOpt = "auto",
        entities: EntitiesOpt = None,
        min_score: MinScoreOpt = None,
        output: OutputOpt = None,
        encoding: EncodingOpt = "utf-8",
        json_output: JsonLinesOpt = False,
    ) -> None:
        """Find personal data in JSON Lines records; prints one JSON line per record.

        Each input line is {"id": ..., "text": ..., "language"?: "en"|"ja"}; each output line
        gives the entities found with their offsets, never the text itself.

        \b
        Example: gdprguard scan tickets.jsonl --min-score 0.6 -o findings.jsonl
        """
        _run(ctx, path, language, entities, min_score, None, output, encoding)

    @app.command("redact")
    def redact(
        ctx: typer.Context,
        path: PathArg = "-",
        operator: Annotated[
            str,
            typer.Option(
                "--operator",
                metavar="OPERATOR",
                help="placeholder, mask or pseudonym (a stable keyed token per value)",
            ),
        ] = "placeholder",
        language: LanguageOpt = "auto",
        entities: EntitiesOpt = None,
        min_score: MinScoreOpt = None,
        output: OutputOpt = None,
        encoding: EncodingOpt = "utf-8",
        json_output: JsonLinesOpt = False,
    ) -> None:
        """Replace personal data in JSON Lines records; adds "text" to each output line.

        The pseudonym operator uses the home's pseudonym key (made by `gdprguard init`) or
        [detection] pseudonym_key, so the same value gets the same token wherever you run it.

        \b
        Example: gdprguard redact tickets.jsonl --operator pseudonym -o redacted.jsonl
        """
        _run(ctx, path, language, entities, min_score, operator, output, encoding)
