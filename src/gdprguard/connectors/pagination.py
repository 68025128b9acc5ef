"""Paginators: one small class per way a helpdesk says "there is more".

A paginator turns the answer for one page into the request for the next (or ``None``), and
:func:`iter_pages` drives it, refusing to loop when a helpdesk hands back the same token twice.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .._exceptions import FatalAPIError
from .http import ApiResponse, HttpClient

__all__ = [
    "IncrementalCursorPaginator",
    "LinkHeaderPaginator",
    "OffsetPaginator",
    "PageRequest",
    "Paginator",
    "ZendeskCursorPaginator",
    "iter_pages",
]


@dataclass(frozen=True)
class PageRequest:
    """Where the next page is: a path or absolute URL plus query parameters."""

    path: str
    params: Mapping[str, Any] | None = None


class Paginator(ABC):
    """Computes the request for the next page from the answer for the current one."""

    @abstractmethod
    def next_request(self, current: PageRequest, response: ApiResponse) -> PageRequest | None:
        """The next page, or ``None`` when this was the last."""


class ZendeskCursorPaginator(Paginator):
    """Zendesk cursor pagination (``page[size]``/``page[after]``).

    Stops on ``meta.has_more``, never on ``links.next``: Zendesk sends a non-null ``links.next``
    on the last page too.
    """

    def next_request(self, current: PageRequest, response: ApiResponse) -> PageRequest | None:
        body = response.body if isinstance(response.body, dict) else {}
        meta = body.get("meta") or {}
        if not meta.get("has_more"):
            return None
        cursor = meta.get("after_cursor")
        if not cursor:
            raise FatalAPIError(
                f"GET {current.path}: has_more without after_cursor; cannot continue"
            )
        params = dict(current.params or {})
        params.pop("page[before]", None)
        params["page[after]"] = cursor
        return PageRequest(current.path, params)


class OffsetPaginator(Paginator):
    """Zendesk offset pagination: follow ``next_page`` until it is null."""

    def next_request(self, current: PageRequest, response: ApiResponse) -> PageRequest | None:
        body = response.body if isinstance(response.body, dict) else {}
        nxt = body.get("next_page")
        return PageRequest(nxt) if nxt else None


class LinkHeaderPaginator(Paginator):
    """Freshdesk pagination: a ``Link: <…>; rel="next"`` header appears while there is more."""

    def next_request(self, current: PageRequest, response: ApiResponse) -> PageRequest | None:
        nxt = response.links.get("next")
        return PageRequest(nxt) if nxt else None


class IncrementalCursorPaginator(Paginator):
    """Zendesk cursor-based incremental export: follow ``after_cursor`` until ``end_of_stream``."""

    def next_request(self, current: PageRequest, response: ApiResponse) -> PageRequest | None:
        body = response.body if isinstance(response.body, dict) else {}
        if body.get("end_of_stream"):
            return None
        cursor = body.get("after_cursor")
        if not cursor:
            raise FatalAPIError(f"GET {current.path}: no after_cursor before end_of_stream")
        params = {k: v for k, v in (current.params or {}).items() if k != "start_time"}
        params["cursor"] = cursor
        return PageRequest(current.path, params)


def iter_pages(
    client: HttpClient, first: PageRequest, paginator: Paginator
) -> Iterator[tuple[PageRequest, ApiResponse]]:
    """Yield ``(request, response)`` for every page, detecting pagination loops."""
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    request: PageRequest | None = first
    while request is not None:
        key = (
            client.url_for(request.path),
            tuple(sorted((str(k), str(v)) for k, v in (request.params or {}).items())),
        )
        if key in seen:
            raise FatalAPIError(f"GET {first.path}: the helpdesk returned the same page twice")
        seen.add(key)
        response = client.get(request.path, request.params)
        yield request, response
        request = paginator.next_request(request, response)
