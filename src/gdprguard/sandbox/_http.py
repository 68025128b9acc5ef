"""HTTP helpers shared by the two flavors: JSON answers, URLs, cursors, Basic auth parsing."""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from flask import Request, Response

__all__ = [
    "CursorPage",
    "basic_credentials",
    "cursor_slice",
    "decode_cursor",
    "encode_cursor",
    "int_arg",
    "json_response",
    "page_url",
]

T = TypeVar("T")


class BadParameter(Exception):
    """A query parameter that cannot be parsed; views turn it into the flavor's 400."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def json_response(
    document: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A compact UTF-8 JSON answer, as both helpdesks send them."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json", headers=headers)


def int_arg(request: Request, name: str, default: int | None = None) -> int | None:
    """An integer query parameter, or ``default``; raises BadParameter when malformed."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadParameter(name, f"{name} must be an integer") from None


def page_url(request: Request, path: str, updates: dict[str, Any], drop: Sequence[str] = ()) -> str:
    """This request's URL with some query parameters replaced (None removes one)."""
    params: dict[str, Any] = {k: v for k, v in request.args.items() if k not in drop}
    for key, value in updates.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    base = request.host_url.rstrip("/") + path
    return f"{base}?{urlencode(params)}" if params else base


def encode_cursor(payload: Any) -> str:
    """Opaque base64-of-JSON cursor like Zendesk's."""
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> Any:
    """Inverse of encode_cursor; raises BadParameter on garbage."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.b64decode(padded.replace(" ", "+"), validate=False))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadParameter("page[after]", "invalid cursor") from None


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(user, password) from an ``Authorization: Basic`` header, or None."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


@dataclass
class CursorPage(Generic[T]):
    """One page of a keyset-paginated list."""

    items: list[T]
    has_more: bool


def cursor_slice(
    items: Sequence[T],
    key: Callable[[T], tuple[Any, ...]],
    size: int,
    after: tuple[Any, ...] | None,
    before: tuple[Any, ...] | None,
    descending: bool,
) -> CursorPage[T]:
    """Keyset pagination over ``items`` sorted ascending by ``key``, in either direction."""
    keys = items  # bisect with key= probes only O(log n) items
    if before is not None:
        if not descending:
            end = bisect_left(keys, before, key=key)
            start = max(0, end - size)
            return CursorPage(list(items[start:end]), start > 0)
        start = bisect_right(keys, before, key=key)
        chunk = list(items[start : start + size])
        return CursorPage(chunk[::-1], start + size < len(items))
    if not descending:
        start = bisect_right(keys, after, key=key) if after is not None else 0
        return CursorPage(list(items[start : start + size]), start + size < len(items))
    end = bisect_left(keys, after, key=key) if after is not None else len(items)
    start = max(0, end - size)
    return CursorPage(list(items[start:end])[::-1], start > 0)
