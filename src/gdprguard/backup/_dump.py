"""A logical, dialect-neutral dump of gdprguard's tables as JSON Lines.

One line per row, ``{"t": table, "r": {column: value}}``; bytes become ``{"$b": base64}`` and
timestamps ``{"$t": ISO 8601}``. The same dump restores into SQLite or PostgreSQL.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, select

from .._exceptions import VaultError
from ..store import metadata

__all__ = ["decode_row", "dump_lines", "iter_rows", "tables"]


def tables() -> list[Table]:
    """gdprguard's tables, parents before children (the order rows are inserted in)."""
    return list(metadata.sorted_tables)


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return {"$t": aware.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$b" in value:
            return base64.b64decode(value["$b"])
        if "$t" in value:
            return datetime.fromisoformat(value["$t"])
    return value


def dump_lines(connection: Connection, counts: dict[str, int]) -> Iterator[bytes]:
    """Every row of every table, as JSON Lines; fills *counts* per table as it goes."""
    for table in tables():
        counts[table.name] = 0
        order = list(table.primary_key.columns) or list(table.c)
        for row in connection.execute(select(table).order_by(*order)).mappings():
            record = {"t": table.name, "r": {k: _encode(v) for k, v in row.items()}}
            counts[table.name] += 1
            yield (json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def iter_rows(chunks: Iterator[bytes]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(table, encoded row)`` for each line of a dump given as byte chunks."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line:
                yield _parse(line)
    if pending.strip():
        yield _parse(pending)


def _parse(line: bytes) -> tuple[str, dict[str, Any]]:
    try:
        record = json.loads(line)
        return str(record["t"]), dict(record["r"])
    except (ValueError, KeyError, TypeError):
        raise VaultError("the backup's store dump is damaged") from None


def decode_row(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """A dumped row ready to insert into *table* (columns this version lacks are refused)."""
    unknown = set(row) - set(table.c.keys())
    if unknown:
        raise VaultError(
            f"the backup has columns {sorted(unknown)} in table {table.name} that this version "
            "of gdprguard does not know; restore it with the version that made it, or newer"
        )
    return {key: _decode(value) for key, value in row.items()}
