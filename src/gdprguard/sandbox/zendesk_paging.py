"""Zendesk list pagination for the sandbox: cursor and offset pages, incremental-export cursors."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from flask import Response, request

from ._http import cursor_slice, decode_cursor, encode_cursor, int_arg, json_response, page_url
from .zendesk_http import err

__all__ = [
    "BY_ID",
    "COMMENT_SORTS",
    "TICKET_SORTS",
    "SortKeys",
    "decode_incremental_cursor",
    "encode_incremental_cursor",
    "paginate",
    "single_page",
    "too_recent",
]

SortKeys = dict[str, Callable[[Any], tuple[Any, ...]]]

BY_ID: SortKeys = {"id": lambda r: (r.id,)}
TICKET_SORTS: SortKeys = {
    "id": lambda t: (t.id,),
    "created_at": lambda t: (t.created_at, t.id),
    "updated_at": lambda t: (t.updated_at, t.id),
    "status": lambda t: (t.status, t.id),
}
COMMENT_SORTS: SortKeys = {
    "id": lambda c: (c.id,),
    "created_at": lambda c: (c.created_at, c.id),
}


def single_page(key_name: str, docs: list[dict[str, Any]]) -> Response:
    """An offset-style list answer that holds everything in one page."""
    return json_response(
        {key_name: docs, "next_page": None, "previous_page": None, "count": len(docs)}
    )


def paginate(
    key_name: str,
    items: list[Any],
    serialize: Callable[[Any], dict[str, Any]],
    path: str,
    sorts: SortKeys,
    extra: dict[str, Any] | None = None,
    *,
    cursor_only: bool = False,
) -> Response:
    """Answer a list endpoint with cursor or offset pagination, whichever the request uses.

    ``path`` is the list's API path as links should name it; ``items`` come in id order.
    ``cursor_only`` lists (the Webhooks API) always answer with cursor pages.
    """
    args = request.args
    cursor_mode = (
        cursor_only
        or any(k.startswith("page[") for k in args)
        or ("page" not in args and "per_page" not in args and args.get("sort") is not None)
    )
    if cursor_mode:
        return _cursor_page(key_name, items, serialize, path, sorts, extra)
    page_no = int_arg(request, "page", 1) or 1
    per_page = min(max(int_arg(request, "per_page", 100) or 100, 1), 100)
    if page_no < 1:
        return err(400, "InvalidPaginationParameter", "page must be a positive integer")
    if page_no > 100:
        return err(
            400,
            "InvalidPaginationParameter",
            "Offset pagination is limited to the first 100 pages. Use cursor pagination instead.",
        )
    sort_by = args.get("sort_by", "id")
    key = sorts.get(sort_by, sorts["id"])
    ordered = sorted(items, key=key, reverse=args.get("sort_order") == "desc")
    start = (page_no - 1) * per_page
    chunk = ordered[start : start + per_page]
    doc = {
        key_name: [serialize(i) for i in chunk],
        **(extra or {}),
        "next_page": page_url(request, path, {"page": page_no + 1})
        if start + per_page < len(ordered)
        else None,
        "previous_page": page_url(request, path, {"page": page_no - 1}) if page_no > 1 else None,
        "count": len(ordered),
    }
    return json_response(doc)


def _cursor_page(
    key_name: str,
    items: list[Any],
    serialize: Callable[[Any], dict[str, Any]],
    path: str,
    sorts: SortKeys,
    extra: dict[str, Any] | None,
) -> Response:
    args = request.args
    size = int_arg(request, "page[size]", 100) or 100
    if size > 100 or size < 1:
        return err(400, "InvalidPaginationParameter", "page[size] must be between 1 and 100")
    sort = args.get("sort", "id")
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    if field not in sorts:
        return err(400, "InvalidPaginationParameter", f"sort by {field} is not supported")
    key = sorts[field]
    ordered = items if field == "id" else sorted(items, key=key)  # lists come in id order
    after = before = None
    for name in ("page[after]", "page[before]"):
        raw = args.get(name)
        if raw:
            payload = decode_cursor(raw)
            if (
                not isinstance(payload, dict)
                or payload.get("o") != sort
                or not isinstance(payload.get("v"), list)
            ):
                return err(400, "InvalidPaginationParameter", "invalid cursor")
            position = tuple(payload["v"])
            if name == "page[after]":
                after = position
            else:
                before = position
    page = cursor_slice(ordered, key, size, after, before, descending)
    first = encode_cursor({"o": sort, "v": list(key(page.items[0]))}) if page.items else None
    last = encode_cursor({"o": sort, "v": list(key(page.items[-1]))}) if page.items else None
    drop = ("page[after]", "page[before]")
    next_cursor = last or args.get("page[after]") or ""
    doc = {
        key_name: [serialize(i) for i in page.items],
        **(extra or {}),
        "meta": {"has_more": page.has_more, "after_cursor": last, "before_cursor": first},
        "links": {
            "prev": page_url(request, path, {"page[before]": first}, drop) if first else None,
            "next": page_url(request, path, {"page[after]": next_cursor}, drop),
        },
    }
    return json_response(doc)


def encode_incremental_cursor(position: tuple[int, int]) -> str:
    """The opaque cursor of a cursor-based incremental export at (updated_at, id)."""
    return base64.b64encode(f"{position[0]}.0||{position[1]}|".encode()).decode()


def decode_incremental_cursor(raw: str) -> tuple[int, int] | None:
    """Inverse of encode_incremental_cursor; None for garbage."""
    try:
        text = base64.b64decode(raw + "=" * (-len(raw) % 4)).decode()
        stamp, _, rest = text.partition("||")
        return int(float(stamp)), int(rest.rstrip("|") or 0)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def too_recent(lag: int) -> str:
    """The error description for an incremental export starting inside the lag window."""
    return f"Too recent start_time. Use a start_time older than {lag} seconds"
