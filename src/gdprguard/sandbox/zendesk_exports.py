"""Zendesk search and incremental export routes of the sandbox."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, request

from ._flask import api_router
from ._http import cursor_slice, decode_cursor, encode_cursor, int_arg, json_response, page_url
from .search import SearchError, zendesk_search
from .state import SandboxState
from .zendesk_http import admin_only, err, not_found
from .zendesk_paging import decode_incremental_cursor, encode_incremental_cursor, too_recent
from .zendesk_views import API, ZendeskViews

__all__ = ["add_export_routes"]


def add_export_routes(
    app: Flask, state: SandboxState, views: ZendeskViews, lag_seconds: int
) -> None:
    """Register ``/search``, ``/search/count``, ``/search/export`` and ``/incremental/...``
    (tickets and users, time- and cursor-based; ticket events, time-based).

    ``lag_seconds`` is how far behind now an incremental export must start and stops.
    """
    route = api_router(app, API)
    data = state.data

    # --- search ------------------------------------------------------------------------------

    @route("/search")
    def search() -> Response:
        query = request.args.get("query", "")
        if not query.strip():
            return err(400, "invalid", "query is required")
        page_no = int_arg(request, "page", 1) or 1
        per_page = min(max(int_arg(request, "per_page", 100) or 100, 1), 100)
        if page_no < 1 or (page_no - 1) * per_page >= 1000:
            return err(
                422,
                "invalid",
                "Invalid search: Requested response size was greater than Search Response Limits",
            )
        try:
            results = zendesk_search(state, query)
        except SearchError as exc:
            return err(400, "invalid", f"Invalid search: {exc}")
        sort_by = request.args.get("sort_by")
        if sort_by in ("created_at", "updated_at"):
            results.sort(
                key=lambda r: getattr(r[1], sort_by),
                reverse=request.args.get("sort_order", "desc") == "desc",
            )
        start = (page_no - 1) * per_page
        chunk = results[start : start + per_page]
        path = views.path("/search")
        has_next = start + per_page < min(len(results), 1000)
        return json_response(
            {
                "results": [views.search_result(k, r) for k, r in chunk],
                "facets": None,
                "next_page": page_url(request, path, {"page": page_no + 1}) if has_next else None,
                "previous_page": page_url(request, path, {"page": page_no - 1})
                if page_no > 1
                else None,
                "count": len(results),
            }
        )

    @route("/search/count")
    def search_count() -> Response:
        try:
            results = zendesk_search(state, request.args.get("query", ""))
        except SearchError as exc:
            return err(400, "invalid", f"Invalid search: {exc}")
        return json_response({"count": len(results)})

    @route("/search/export")
    def search_export() -> Response:
        query = request.args.get("query", "")
        kind = request.args.get("filter[type]")
        if kind not in ("ticket", "user", "organization", "group"):
            return err(
                400,
                "InvalidPaginationParameter",
                "filter[type] is required: ticket, user, organization or group",
            )
        if re.search(r"(^|\s)type:", query):
            return err(
                400, "invalid", "Invalid search: type is not allowed in the query; use filter[type]"
            )
        size = int_arg(request, "page[size]", 100) or 100
        if not 1 <= size <= 1000:
            return err(400, "InvalidPaginationParameter", "page[size] must be between 1 and 1000")
        try:
            results = (
                [r for k, r in zendesk_search(state, f"{query} type:{kind}") if k == kind]
                if kind != "group"
                else []
            )
        except SearchError as exc:
            return err(400, "invalid", f"Invalid search: {exc}")
        after = None
        raw = request.args.get("page[after]")
        if raw:
            payload = decode_cursor(raw)
            if not isinstance(payload, dict) or not isinstance(payload.get("v"), list):
                return err(400, "InvalidPaginationParameter", "invalid cursor")
            after = tuple(payload["v"])
        page = cursor_slice(
            sorted(results, key=lambda r: r.id), lambda r: (r.id,), size, after, None, False
        )
        last = encode_cursor({"o": "id", "v": [page.items[-1].id]}) if page.items else None
        path = views.path("/search/export")
        return json_response(
            {
                "results": [views.search_result(kind, r) for r in page.items],
                "facets": None,
                "meta": {"has_more": page.has_more, "after_cursor": last, "before_cursor": None},
                "links": {
                    "prev": None,
                    "next": page_url(request, path, {"page[after]": last})
                    if page.has_more
                    else None,
                },
            }
        )

    # --- incremental exports -----------------------------------------------------------------

    def _incremental_items(kind: str) -> list[Any]:
        if kind == "tickets":
            return sorted(data.tickets.values(), key=lambda t: (t.updated_at, t.id))
        return sorted((p for p in data.people.values()), key=lambda p: (p.updated_at, p.id))

    def _serialize_incremental(kind: str, record: Any) -> dict[str, Any]:
        return views.ticket(record, incremental=True) if kind == "tickets" else views.user(record)

    @route("/incremental/<kind>")
    def incremental_time(kind: str) -> Response:
        if kind not in ("tickets", "users"):
            return not_found()
        if (denied := admin_only()) is not None:
            return denied
        start = int_arg(request, "start_time")
        cutoff = state.now() - lag_seconds
        if start is None:
            return err(400, "InvalidValue", "start_time is required")
        if start > cutoff:
            return err(400, "InvalidValue", too_recent(lag_seconds))
        per_page = min(max(int_arg(request, "per_page", 1000) or 1000, 1), 1000)
        eligible = [r for r in _incremental_items(kind) if start <= r.updated_at < cutoff]
        chunk = eligible[:per_page]
        if chunk:  # never split records that share the last timestamp
            last_ts = chunk[-1].updated_at
            extra = len(chunk)
            while extra < len(eligible) and eligible[extra].updated_at == last_ts:
                extra += 1
            chunk = eligible[:extra]
        end_of_stream = len(chunk) == len(eligible)
        end_time = chunk[-1].updated_at + 1 if chunk else start
        path = views.path(f"/incremental/{kind}")
        return json_response(
            {
                kind: [_serialize_incremental(kind, r) for r in chunk],
                "count": len(chunk),
                "end_of_stream": end_of_stream,
                "next_page": page_url(request, path, {"start_time": end_time}),
                "end_time": end_time,
            }
        )

    @route("/incremental/ticket_events")
    def incremental_ticket_events() -> Response:
        """Time-based, as documented: ``end_time`` is the last update's timestamp and
        ``next_page`` starts there, so the updates of that second come again on the next page
        (a second is never split; a page holding only its start second moves on by one)."""
        if (denied := admin_only()) is not None:
            return denied
        start = int_arg(request, "start_time")
        cutoff = state.now() - lag_seconds
        if start is None:
            return err(400, "InvalidValue", "start_time is required")
        if start > cutoff:
            return err(400, "InvalidValue", too_recent(lag_seconds))
        per_page = min(max(int_arg(request, "per_page", 1000) or 1000, 1), 1000)
        with_comments = "comment_events" in request.args.get("include", "").split(",")
        eligible = sorted(
            (a for t in data.tickets.values() for a in t.audits if start <= a.created_at < cutoff),
            key=lambda a: (a.created_at, a.id),
        )
        chunk = eligible[:per_page]
        if chunk:  # never split the updates of one second
            last_ts = chunk[-1].created_at
            extra = len(chunk)
            while extra < len(eligible) and eligible[extra].created_at == last_ts:
                extra += 1
            chunk = eligible[:extra]
        end_of_stream = len(chunk) == len(eligible)
        end_time = chunk[-1].created_at if chunk else start
        if chunk and end_time == start and not end_of_stream:
            end_time = start + 1
        path = views.path("/incremental/ticket_events")
        return json_response(
            {
                "ticket_events": [views.ticket_event(a, with_comments) for a in chunk],
                "count": len(chunk),
                "end_of_stream": end_of_stream,
                "next_page": page_url(request, path, {"start_time": end_time}),
                "end_time": end_time,
            }
        )

    @route("/incremental/<kind>/cursor")
    def incremental_cursor(kind: str) -> Response:
        if kind not in ("tickets", "users"):
            return not_found()
        if (denied := admin_only()) is not None:
            return denied
        cutoff = state.now() - lag_seconds
        raw = request.args.get("cursor")
        if raw:
            position = decode_incremental_cursor(raw)
            if position is None:
                return err(400, "InvalidValue", "invalid cursor")
        else:
            start = int_arg(request, "start_time")
            if start is None:
                return err(400, "InvalidValue", "start_time or cursor is required")
            if start > cutoff:
                return err(400, "InvalidValue", too_recent(lag_seconds))
            position = (start, 0)
        per_page = min(max(int_arg(request, "per_page", 1000) or 1000, 1), 1000)
        eligible = [
            r
            for r in _incremental_items(kind)
            if (r.updated_at, r.id) > position and r.updated_at < cutoff
        ]
        chunk = eligible[:per_page]
        if chunk:
            position = (chunk[-1].updated_at, chunk[-1].id)
        after_cursor = encode_incremental_cursor(position)
        path = views.path(f"/incremental/{kind}/cursor")
        return json_response(
            {
                kind: [_serialize_incremental(kind, r) for r in chunk],
                "after_url": page_url(
                    request, path, {"cursor": after_cursor}, drop=("start_time",)
                ),
                "before_url": None,
                "after_cursor": after_cursor,
                "before_cursor": None,
                "end_of_stream": len(chunk) == len(eligible),
            }
        )
