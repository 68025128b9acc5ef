"""Writing this package's blocks into the detection section of ``docs/benchmarks.md``."""

from __future__ import annotations

from pathlib import Path

from bench._docs import BENCHMARKS_DOC, replace_section

__all__ = [
    "PUBLIC_BLOCK",
    "THIRD_PARTY_BLOCK",
    "markers",
    "write_block",
]

PUBLIC_BLOCK = "detection-public"
THIRD_PARTY_BLOCK = "detection-third-party"
#: blocks of the detection section that ours go before, when they are not there yet
_BEFORE = ("<!-- bench:detection-notes:start -->", "<!-- bench:detection:end -->")


def markers(name: str) -> tuple[str, str]:
    """The start and end markers of block ``name``."""
    return f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"


def write_block(name: str, body: str, doc: Path = BENCHMARKS_DOC) -> None:
    """Replace block ``name`` in ``doc``; the first time, its markers are put inside the
    detection section, before the notes on the speed targets."""
    start, end = markers(name)
    text = doc.read_text(encoding="utf-8")
    if start not in text:
        anchor = next((a for a in _BEFORE if a in text), None)
        if anchor is None:
            raise ValueError(f"{doc} has no detection section; add its markers back")
        i = text.index(anchor)
        text = text[:i] + f"{start}\n{end}\n\n" + text[i:]
        doc.write_text(text, encoding="utf-8")
    replace_section(name, "Detection", body, doc)
