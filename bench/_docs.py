"""Writing a benchmark's table into docs/benchmarks.md between its markers."""

from __future__ import annotations

from pathlib import Path

__all__ = ["BENCHMARKS_DOC", "replace_section"]

BENCHMARKS_DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def replace_section(name: str, heading: str, body: str, doc: Path = BENCHMARKS_DOC) -> None:
    """Put *body* between ``<!-- bench:NAME:start/end -->`` in *doc*; a new section (under
    *heading*) is appended at the end the first time."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    section = f"{start}\n{body}\n{end}"
    text = doc.read_text(encoding="utf-8")
    if start in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n## {heading}\n\n" + section + "\n"
    doc.write_text(text, encoding="utf-8")
