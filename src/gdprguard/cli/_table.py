"""Plain aligned text tables for human-readable results (no colour, no box drawing)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = ["table"]


def _width(text: str) -> int:
    """Columns *text* takes in a terminal (East Asian wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def table(
    headers: Sequence[str] | None, rows: Sequence[Sequence[object]], *, indent: int = 2
) -> list[str]:
    """Lines of a table: a header and a rule (unless *headers* is None), then *rows*; columns
    of numbers are right-aligned."""
    columns = len(headers) if headers is not None else max((len(r) for r in rows), default=0)
    cells = [[str(c) for c in row] for row in rows]
    if headers is not None:
        cells.insert(0, [str(h) for h in headers])
    numeric = [
        bool(rows) and all(isinstance(row[i], int | float) for row in rows) for i in range(columns)
    ]
    widths = [max(_width(row[i]) for row in cells) for i in range(columns)]

    def line(row: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _width(cell))
            parts.append(pad + cell if numeric[i] else cell + pad)
        return (" " * indent + "  ".join(parts)).rstrip()

    if headers is None:
        return [line(row) for row in cells]
    rule = " " * indent + "  ".join("-" * w for w in widths)
    return [line(cells[0]), rule, *(line(row) for row in cells[1:])]
