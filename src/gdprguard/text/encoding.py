"""Reading text files whatever their encoding: UTF-8, or the Japanese legacy encodings mail
archives and exports still use (Shift_JIS/CP932, EUC-JP, ISO-2022-JP).

:func:`open_lines` yields a file's lines decoded; with ``encoding="auto"`` it looks at the
first 64 KiB and picks the encoding (UTF-8 whenever it decodes, else the most plausible
Japanese one, by charset-normalizer), and says which it chose.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import IO

from .._exceptions import InputError

__all__ = ["SAMPLE_BYTES", "UTF8", "detect_encoding", "open_lines", "resolve_encoding"]

SAMPLE_BYTES = 64 * 1024
#: what "auto" chooses among, in order of preference when several decode
_CANDIDATES = ("utf_8", "cp932", "euc_jp", "iso2022_jp")


def resolve_encoding(name: str) -> str:
    """The codec's canonical name, or ``auto`` (``InputError`` for an unknown one)."""
    if name.lower() == "auto":
        return "auto"
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InputError(
            f"--encoding {name!r} is not an encoding Python knows; use auto, utf-8, cp932 "
            "(Shift_JIS as Windows writes it), euc-jp or iso-2022-jp"
        ) from None


def _complete(sample: bytes, encoding: str) -> bool:
    """Whether *sample* decodes, ignoring a character cut off at its end."""
    try:
        codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


_JIS_ESCAPES = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b(B")
UTF8 = codecs.lookup("utf-8").name


def detect_encoding(sample: bytes) -> str:
    """The encoding of *sample*: UTF-8 when it decodes as UTF-8, else the best Japanese one.

    ISO-2022-JP is 7-bit (it would pass for ASCII), so its escape sequences are looked for
    first."""
    if any(escape in sample for escape in _JIS_ESCAPES[:2]) and _complete(sample, "iso2022_jp"):
        return codecs.lookup("iso2022_jp").name
    if _complete(sample, "utf_8"):
        return UTF8
    decodable = [name for name in _CANDIDATES[1:] if _complete(sample, name)]
    if len(decodable) == 1:
        return codecs.lookup(decodable[0]).name
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=list(decodable or _CANDIDATES[1:])).best()
    if best is None:
        raise InputError(
            "cannot tell this input's encoding (not UTF-8, Shift_JIS, EUC-JP or ISO-2022-JP); "
            "pass --encoding NAME"
        )
    return codecs.lookup(best.encoding).name


def open_lines(
    stream: IO[bytes], encoding: str, source: str
) -> tuple[str, Iterator[tuple[int, str]]]:
    """``(encoding used, iterator of (line number, decoded line))`` for *stream*."""
    chosen = resolve_encoding(encoding)
    sample = b""
    if chosen == "auto":
        sample = stream.read(SAMPLE_BYTES)
        chosen = detect_encoding(sample)

    def raw_lines() -> Iterator[bytes]:
        if sample:
            head = sample.splitlines(keepends=True)
            tail = b"" if head[-1].endswith((b"\n", b"\r")) else head.pop()
            yield from head
            rest = stream.readline()
            if tail or rest:
                yield tail + rest
        yield from stream

    def lines() -> Iterator[tuple[int, str]]:
        for number, raw in enumerate(raw_lines(), 1):
            try:
                yield number, raw.decode(chosen)
            except UnicodeDecodeError as exc:
                name = "UTF-8" if chosen == UTF8 else chosen
                hint = (
                    "convert the file to UTF-8, or pass --encoding auto (or the file's encoding, "
                    "e.g. cp932 for Shift_JIS)"
                    if chosen == UTF8
                    else "check the encoding (--encoding)"
                )
                raise InputError(
                    f"{source} line {number}: not valid {name} (byte 0x{raw[exc.start]:02x} at "
                    f"byte {exc.start + 1}); {hint}"
                ) from None

    return chosen, lines()
