"""Zendesk Support API connector: endpoints only (JSON mapping in ``_zendesk_json``).

Wire format: ``/work/shared/helpdesk-api.md`` (and developer.zendesk.com).

- Reading: lists use cursor pagination (``page[size]=100``, stop on ``meta.has_more``). Lists
  and views omit *archived* tickets (closed for more than 120 days: most of a long history), so
  every full walk reads the cursor-based incremental export instead (1000 tickets a call), and
  comments come in bulk from the ticket-events export with ``include=comment_events``.
- Redaction: ``PUT /comment_redactions/{id}`` with ``<redact>`` tags plus a ``redact``
  attribute on every element that would keep a redacted value (a ``mailto:`` link's ``href``);
  it works on closed and archived tickets, for attachments too (``external_attachment_urls``).
  Where that endpoint is missing (no Agent Workspace) the legacy endpoints are used, which
  refuse closed tickets.
- Real time: ``install_webhook`` creates a webhook and a trigger that calls it on new tickets
  and comments (``_zendesk_webhook``); the calls are signed with the webhook's secret.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal

from .._config import ConnectorConfig
from .._exceptions import (
    AuthenticationError,
    ConfigError,
    FatalAPIError,
    HelpdeskError,
    NotFoundError,
)
from ..models import Attachment, Comment, Person, Ticket
from . import _zendesk_json as json_
from . import _zendesk_webhook
from ._common import ApiV2Connector, build_http, phone_matches, safe_id, secret, unique
from .auth import BearerAuth, ZendeskTokenAuth
from .base import (
    DeletionResult,
    Identity,
    NotRedactableError,
    RedactionResult,
    RedactTarget,
    WebhookInstall,
)
from .capabilities import Capabilities
from .htmltext import REDACTION_CHAR, HtmlText, TextRange, resolve_targets
from .http import ApiResponse, HttpClient
from .pagination import (
    OffsetPaginator,
    PageRequest,
    ZendeskCursorPaginator,
    iter_pages,
)
from .redact_markup import mark_redacted_elements
from .sync import CommentExport, ExportPage, SyncState, TicketExport

__all__ = ["ZendeskConnector"]

log = logging.getLogger("gdprguard.connectors.zendesk")

Outcome = Literal["deleted", "already_deleted"]
PAGE_SIZE = 100
EXPORT_PAGE_SIZE = 1000
#: a background job is polled after this many seconds, then twice as long each time, at most
#: JOB_POLL_MAX apart: short jobs (one ticket's purge) finish without a second's wait each
JOB_POLL_FIRST = 0.25
JOB_POLL_MAX = 4.0
JOB_TIMEOUT = 600.0
#: The incremental exports leave out the last minute; a full walk reads tickets changed in this
#: many last seconds from the ticket list instead (they cannot be archived yet).
RECENT_SECONDS = 600
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: Endpoint families with a limit of their own, known before any answer names them (the
#: ``zendesk-ratelimit-<family>`` header of one export then holds back all of them).
ENDPOINT_FAMILIES = (("incremental-exports", "incremental/"),)

CAPABILITIES = Capabilities(
    permanent_ticket_delete=True,
    permanent_person_delete=True,
    redactable_comment_kinds=frozenset({"comment"}),
    attachment_redaction="replace",
    bulk_comment_export=True,
    closed_ticket_updates=False,
    closed_ticket_redaction=True,
    field_history=True,
    archives_closed_tickets=True,
    archive_after_days=json_.ARCHIVE_AFTER_DAYS,
    webhook_install=True,
)


class ZendeskConnector(ApiV2Connector):
    """A Zendesk Support account (API token as ``email/token``, or an OAuth bearer token)."""

    type: ClassVar[str] = "zendesk"
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    export_page_size: int = EXPORT_PAGE_SIZE
    event_page_size: int | None = None
    """``per_page`` of the ticket-events export (None: the API's 1000)."""

    def __init__(
        self, name: str, http: HttpClient, *, now: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__(name, http)
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        for family, prefix in ENDPOINT_FAMILIES:
            http.endpoint_limits.declare(family, self._path(prefix))

    @classmethod
    def from_config(cls, name: str, config: ConnectorConfig, **options: Any) -> ZendeskConnector:
        """API-token auth when ``email`` is set, else the token is used as an OAuth bearer token."""
        token = secret(config, name)
        auth = ZendeskTokenAuth(config.email, token) if config.email else BearerAuth(token)
        return cls(name, build_http(name, config, auth, **options))

    @classmethod
    def config_notes(cls, config: ConnectorConfig) -> list[str]:
        """How this configuration will be used, for ``connector add`` to show."""
        if not config.email:
            return ["no email given, so the token is sent as an OAuth bearer token"]
        return []

    # -- helpers -----------------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.http.get(self._path(path), params).body or {}

    def _cursor_items(
        self, path: str, key: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        first = PageRequest(self._path(path), {**(params or {}), "page[size]": PAGE_SIZE})
        for _, response in iter_pages(self.http, first, ZendeskCursorPaginator()):
            yield from _items(response, key)

    def _ticket(self, data: Mapping[str, Any]) -> Ticket:
        return json_.ticket(data, self.name, self.now())

    def _comment(self, ticket_id: str, data: Mapping[str, Any]) -> Comment:
        return json_.comment(ticket_id, data, self.name)

    def _person(
        self, data: Mapping[str, Any], identities: Sequence[Mapping[str, Any]] = ()
    ) -> Person:
        return json_.person(data, self.name, identities)

    # -- reading -----------------------------------------------------------------------------

    def verify(self) -> Identity:
        """``GET /users/me``; Zendesk answers an anonymous user (no id) to unauthenticated calls."""
        user = self._get("users/me").get("user") or {}
        if user.get("id") is None:
            raise AuthenticationError(
                "GET /api/v2/users/me: the helpdesk did not recognise the credentials; check the "
                "email and API token"
            )
        role = user.get("role")
        return Identity(id=str(user["id"]), role=role, is_admin=role == "admin", helpdesk=self.type)

    def iter_tickets(self) -> Iterator[Ticket]:
        """Every live ticket once: the incremental export (archived ones included, 1000 a call),
        then the ticket list newest first for what changed too recently to be exported."""
        started = self.now()
        seen: set[str] = set()
        for ticket in self.export_tickets():
            if ticket.id not in seen:
                seen.add(ticket.id)
                if not ticket.deleted:
                    yield ticket
        horizon = started - timedelta(seconds=RECENT_SECONDS)
        for item in self._cursor_items("tickets", "tickets", {"sort": "-updated_at"}):
            ticket = self._ticket(item)
            if ticket.updated_at is not None and ticket.updated_at < horizon:
                break
            if ticket.id not in seen:
                seen.add(ticket.id)
                yield ticket

    def export_tickets(
        self, state: SyncState | None = None, *, since: datetime | None = None
    ) -> TicketExport:
        """Cursor-based incremental export (Admin only; archived tickets included, deleted ones
        as ``deleted``)."""
        if state is None:
            start = int((since or EPOCH).timestamp())
            state = SyncState(
                helpdesk=self.type, connector=self.name, position={"start_time": max(0, start)}
            )
        return TicketExport(self.type, state, self._export_page, connector=self.name)

    def _export_page(self, position: Mapping[str, Any]) -> ExportPage[Ticket]:
        params: dict[str, Any] = {"per_page": self.export_page_size}
        if "cursor" in position:
            params["cursor"] = position["cursor"]
        else:
            params["start_time"] = position.get("start_time", 0)
        body = self.http.get(self._path("incremental/tickets/cursor"), params).body or {}
        cursor = body.get("after_cursor")
        end = bool(body.get("end_of_stream"))
        if not cursor and not end:
            raise FatalAPIError("incremental export: no after_cursor before end_of_stream")
        return ExportPage(
            items=[self._ticket(t) for t in body.get("tickets") or []],
            next_position={"cursor": cursor} if cursor else dict(position),
            end_of_stream=end,
        )

    def export_comment_events(
        self, state: SyncState | None = None, *, since: datetime | None = None
    ) -> CommentExport:
        """Every comment, in bulk: ``GET /incremental/ticket_events?include=comment_events``.

        Time-based (``start_time`` → ``end_time``/``end_of_stream``), up to 1000 ticket updates
        a call; Admin only; the API allows 10 calls a minute (30 with High Volume). Comments
        arrive in the order they were written, each once, with the update's ``system``
        metadata; a comment's text is as it is now (redactions included).
        """
        if state is None:
            start = int((since or EPOCH).timestamp())
            state = SyncState(
                helpdesk=self.type,
                connector=self.name,
                stream="comment_events",
                position={"start_time": max(0, start)},
            )
        return CommentExport(self.type, state, self._events_page, connector=self.name)

    def _events_page(self, position: Mapping[str, Any]) -> ExportPage[Comment]:
        start = int(position.get("start_time", 0))
        params: dict[str, Any] = {"start_time": start, "include": "comment_events"}
        if self.event_page_size is not None:
            params["per_page"] = self.event_page_size
        response = self.http.get(self._path("incremental/ticket_events"), params)
        items = _items(response, "ticket_events")
        body = response.body
        end = bool(body.get("end_of_stream"))
        end_time = body.get("end_time")
        if not isinstance(end_time, int):
            if not end:
                raise FatalAPIError("ticket events export: no end_time before end_of_stream")
            end_time = start
        comments: list[Comment] = []
        again: set[str] = set()  # comments at end_time: the next page starts there again
        for item in items:
            found = json_.event_comments(item, self.name)
            comments += found
            if item.get("timestamp") == end_time:
                again.update(c.id for c in found)
        following = max(start, end_time)
        if following == start and items and not end:
            following = start + 1  # a full page of one second: it is never split, move on
        return ExportPage(comments, {"start_time": following}, end, frozenset(again))

    def iter_tickets_by_requester(self, person_id: str) -> Iterator[Ticket]:
        """Search (archived tickets included), then the user's requested list (what the search
        index has not caught up with yet)."""
        pid = safe_id(person_id, "person")
        seen: set[str] = set()
        params = {"query": f"requester:{pid}", "filter[type]": "ticket"}
        sources = (
            self._cursor_items("search/export", "results", params),
            self._cursor_items(f"users/{pid}/tickets/requested", "tickets"),
        )
        for source in sources:
            for item in source:
                ticket = self._ticket(item)
                if ticket.id not in seen and ticket.requester_id == pid and not ticket.deleted:
                    seen.add(ticket.id)
                    yield ticket

    def get_ticket(self, ticket_id: str) -> Ticket:
        tid = safe_id(ticket_id, "ticket")
        return self._ticket(self._get(f"tickets/{tid}")["ticket"])

    def iter_comments(self, ticket_id: str) -> Iterator[Comment]:
        tid = safe_id(ticket_id, "ticket")
        for item in self._cursor_items(f"tickets/{tid}/comments", "comments"):
            yield self._comment(tid, item)

    def _identities(self, person_id: str) -> list[dict[str, Any]]:
        try:
            return list(self._cursor_items(f"users/{person_id}/identities", "identities"))
        except NotFoundError as exc:
            if exc.error_code == "RecordNotFound":
                raise
            return []  # identities endpoint not offered: the user record is all there is

    def get_person(self, person_id: str) -> Person:
        pid = safe_id(person_id, "person")
        user = self._get(f"users/{pid}")["user"]
        return self._person(user, self._identities(pid))

    def get_people(self, person_ids: Sequence[str]) -> list[Person]:
        """Many people in few calls (``GET /users/show_many``, 100 ids a call).

        Each person carries their primary email and phone; secondary identities need
        :meth:`get_person` (one more call each), which data-subject searches use.
        """
        ids = [safe_id(pid, "person") for pid in dict.fromkeys(person_ids)]
        found: list[Person] = []
        for start in range(0, len(ids), 100):
            chunk = ids[start : start + 100]
            body = self._get("users/show_many", {"ids": ",".join(chunk)})
            found += [self._person(user, ()) for user in body.get("users") or []]
        return found

    def find_people(
        self, *, email: str | None = None, phone: str | None = None, name: str | None = None
    ) -> list[Person]:
        """``/users/search`` per identifier; emails and phones must match exactly (not in notes)."""
        found: dict[str, Person] = {}
        for value, kind in ((email, "email"), (phone, "phone"), (name, "name")):
            if not value:
                continue
            first = PageRequest(self._path("users/search"), {"query": value})
            for _, response in iter_pages(self.http, first, OffsetPaginator()):
                for user in _items(response, "users"):
                    person = self._person(user)
                    if person.id in found or not self._matches(person, kind, value):
                        continue
                    found[person.id] = person
        return list(found.values())

    def _matches(self, person: Person, kind: str, value: str) -> bool:
        if kind == "name":
            return True
        if self._identifier_match(person, kind, value):
            return True
        full = self._person({"id": person.id}, self._identities(person.id))
        return self._identifier_match(full, kind, value)

    @staticmethod
    def _identifier_match(person: Person, kind: str, value: str) -> bool:
        if kind == "email":
            return value.strip().lower() in (e.lower() for e in person.emails)
        return any(phone_matches(value, p) for p in person.phones)

    # -- redaction ---------------------------------------------------------------------------

    def redact_comment(self, comment: Comment, targets: Sequence[RedactTarget]) -> RedactionResult:
        try:
            ranges = resolve_targets(comment.body, targets)
        except ValueError as exc:
            raise ConfigError(f"comment {comment.id}: {exc}") from None
        if not ranges:
            return RedactionResult(
                ticket_id=comment.ticket_id, comment_id=comment.id, method="comment_redactions",
                redacted=0, comment=comment,
            )  # fmt: skip
        if comment.html_body:
            projected = HtmlText(comment.html_body)
            found, missed = projected.locate(comment.body, ranges)
            if found and not missed:
                values = [comment.body[r.start : r.end] for r in ranges]
                markup = mark_redacted_elements(projected.wrap_redact(found), values)
                try:
                    return self._redact_new(comment, markup, len(found))
                except NotFoundError as exc:
                    if exc.error_code == "RecordNotFound":
                        raise
                    log.info("comment_redactions unavailable; using the legacy endpoint")
        return self._redact_legacy(comment, ranges)

    def _redact_new(self, comment: Comment, html_body: str, count: int) -> RedactionResult:
        tid, cid = safe_id(comment.ticket_id, "ticket"), safe_id(comment.id, "comment")
        payload = {"ticket_id": _numeric(tid), "html_body": html_body}
        try:
            response = self.http.request(
                "PUT", self._path(f"comment_redactions/{cid}"), json_body=payload
            )
        except FatalAPIError as exc:
            if exc.retried and isinstance(exc, HelpdeskError):
                # An earlier attempt may have applied before the connection dropped.
                current = self._find_comment(tid, cid)
                if current is not None and _masked(current) >= _masked(comment) + 1:
                    return RedactionResult(
                        ticket_id=tid, comment_id=cid, method="comment_redactions",
                        redacted=count, comment=current,
                    )  # fmt: skip
            raise
        data = (response.body or {}).get("comment")
        updated = (
            self._comment(tid, data) if isinstance(data, dict) else self._find_comment(tid, cid)
        )
        return RedactionResult(
            ticket_id=tid, comment_id=cid, method="comment_redactions", redacted=count,
            comment=updated,
        )  # fmt: skip

    def _redact_legacy(self, comment: Comment, ranges: Sequence[TextRange]) -> RedactionResult:
        tid, cid = safe_id(comment.ticket_id, "ticket"), safe_id(comment.id, "comment")
        values = unique(comment.body[r.start : r.end] for r in ranges)
        updated: Comment | None = None
        for value in values:
            try:
                response = self.http.request(
                    "PUT", self._path(f"tickets/{tid}/comments/{cid}/redact"),
                    json_body={"text": value},
                )  # fmt: skip
            except NotFoundError:
                raise
            except FatalAPIError as exc:
                raise NotRedactableError(
                    f"comment {cid} of ticket {tid} could not be redacted ({exc.status}); the "
                    "legacy endpoint refuses closed tickets: delete the ticket instead",
                    status=exc.status,
                ) from None
            data = (response.body or {}).get("comment")
            if isinstance(data, dict):
                updated = self._comment(tid, data)
        return RedactionResult(
            ticket_id=tid, comment_id=cid, method="legacy_redact", redacted=len(ranges),
            comment=updated,
        )  # fmt: skip

    def _find_comment(self, ticket_id: str, comment_id: str) -> Comment | None:
        return next((c for c in self.iter_comments(ticket_id) if c.id == comment_id), None)

    def download_attachment(self, attachment: Attachment) -> bytes:
        """The attached file's bytes (for a data-subject export); NotFoundError if it is gone."""
        if not attachment.content_url:
            raise NotFoundError(f"attachment {attachment.id} has no content URL", status=404)
        return self.http.fetch_file(attachment.content_url)

    def redact_attachment(self, comment: Comment, attachment_id: str) -> None:
        """``PUT /comment_redactions/{id}`` with the file's ``external_attachment_urls`` (works on
        closed and archived tickets); the legacy attachment endpoint where that one is missing.

        Zendesk replaces the file with an empty ``redacted.txt``.
        """
        tid, cid = safe_id(comment.ticket_id, "ticket"), safe_id(comment.id, "comment")
        aid = safe_id(attachment_id, "attachment")
        url = _content_url(comment, aid)
        if url is None:
            current = self._find_comment(tid, cid)
            url = _content_url(current, aid) if current is not None else None
            if url is None:
                raise NotFoundError(f"attachment {aid} is not on comment {cid} of ticket {tid}")
        payload = {"ticket_id": _numeric(tid), "external_attachment_urls": [url]}
        try:
            self.http.request("PUT", self._path(f"comment_redactions/{cid}"), json_body=payload)
            return
        except NotFoundError as exc:
            if exc.error_code == "RecordNotFound":
                raise
            log.info("comment_redactions unavailable; using the legacy attachment endpoint")
        path = self._path(f"tickets/{tid}/comments/{cid}/attachments/{aid}/redact")
        try:
            self.http.request("PUT", path, json_body={})
        except FatalAPIError as exc:
            if isinstance(exc, NotFoundError):
                raise
            raise NotRedactableError(
                f"attachment {aid} of comment {cid} could not be redacted ({exc.status}); "
                "without comment_redactions closed tickets refuse it: delete the ticket instead",
                status=exc.status,
            ) from None

    def update_ticket_fields(
        self,
        ticket: Ticket,
        *,
        subject: str | None = None,
        custom_fields: Mapping[str, Any] | None = None,
    ) -> Ticket:
        """``PUT /tickets/{id}`` with the new subject and ``custom_fields`` ``[{id, value}]``.

        A closed ticket answers 422 (``ClosedPrevents``), raised as NotRedactableError. Zendesk
        keeps the earlier values in the ticket's audits, which only deleting the ticket removes.
        """
        tid = safe_id(ticket.id, "ticket")
        change: dict[str, Any] = {}
        if subject is not None:
            change["subject"] = subject
        if custom_fields:
            change["custom_fields"] = [
                {"id": _numeric(key), "value": value} for key, value in custom_fields.items()
            ]
        if not change:
            return ticket
        try:
            body = self.http.request(
                "PUT", self._path(f"tickets/{tid}"), json_body={"ticket": change}
            ).body
        except FatalAPIError as exc:
            if exc.status != 422:
                raise
            raise NotRedactableError(
                f"ticket {tid}: Zendesk refused the change to its subject or fields "
                f"({exc.status}); "
                "a closed ticket cannot be edited: delete it to remove them",
                status=exc.status,
            ) from None
        data = body.get("ticket") if isinstance(body, dict) else None
        return self._ticket(data) if isinstance(data, dict) else self.get_ticket(tid)

    # -- deletion ----------------------------------------------------------------------------

    def delete_ticket(self, ticket_id: str, *, permanent: bool = False) -> DeletionResult:
        """``DELETE /tickets/{id}``; with ``permanent``, then ``DELETE /deleted_tickets/{id}``."""
        tid = safe_id(ticket_id, "ticket")
        soft = self._delete(f"tickets/{tid}", tolerate_missing=permanent)
        if not permanent:
            return DeletionResult(kind="ticket", id=tid, permanent=False, outcome=soft)
        try:
            response = self.http.request("DELETE", self._path(f"deleted_tickets/{tid}"))
        except NotFoundError as exc:
            if soft == "deleted" or exc.retried:
                return DeletionResult(
                    kind="ticket", id=tid, permanent=True, outcome="already_deleted"
                )
            raise
        job_id = self._wait_for_job(response)
        return DeletionResult(
            kind="ticket", id=tid, permanent=True, outcome="deleted", job_id=job_id
        )

    def delete_person(self, person_id: str, *, permanent: bool = False) -> DeletionResult:
        """``DELETE /users/{id}``; with ``permanent``, then ``DELETE /deleted_users/{id}``."""
        pid = safe_id(person_id, "person")
        soft = self._delete(f"users/{pid}", tolerate_missing=permanent)
        if not permanent:
            return DeletionResult(kind="person", id=pid, permanent=False, outcome=soft)
        purged = self._delete(f"deleted_users/{pid}", tolerate_missing=soft == "already_deleted")
        return DeletionResult(
            kind="person", id=pid, permanent=True,
            outcome="already_deleted" if soft == purged == "already_deleted" else "deleted",
        )  # fmt: skip

    def _delete(self, path: str, *, tolerate_missing: bool) -> Outcome:
        try:
            self.http.request("DELETE", self._path(path))
        except NotFoundError as exc:
            if tolerate_missing or exc.retried:
                return "already_deleted"
            raise
        return "deleted"

    def _wait_for_job(self, response: ApiResponse) -> str | None:
        job = (response.body or {}).get("job_status") if isinstance(response.body, dict) else None
        if not isinstance(job, dict):
            return None
        job_id = str(job.get("id"))
        waited = 0.0
        interval = JOB_POLL_FIRST
        while job.get("status") in ("queued", "working"):
            if waited >= JOB_TIMEOUT:
                raise FatalAPIError(f"job {job_id} did not finish within {JOB_TIMEOUT:.0f}s")
            self.http.clock.sleep(interval)
            waited += interval
            interval = min(interval * 2, JOB_POLL_MAX)
            job = self._get(f"job_statuses/{safe_id(job_id, 'job')}").get("job_status") or {}
        if job.get("status") != "completed":
            raise FatalAPIError(f"job {job_id} ended as {job.get('status')}")
        results = job.get("results")
        if isinstance(results, dict) and results.get("success") is False:
            raise FatalAPIError(f"job {job_id} completed without success")
        return job_id

    # -- real-time redaction ------------------------------------------------------------------

    def install_webhook(self, url: str, *, name: str) -> WebhookInstall:
        """Make Zendesk call *url* on every new ticket and comment (admin rights needed).

        Creates the webhook ``name`` (or reuses the one of that name, pointing it at *url*) and
        a trigger of the same title; idempotent. Returns their ids and the signing secret.
        """
        return _zendesk_webhook.install(self.http, url, name)

    def uninstall_webhook(self, *, name: str) -> int:
        """Delete the trigger(s) and webhook(s) called *name*; how many were deleted (0: none)."""
        return _zendesk_webhook.uninstall(self.http, name)

    def anonymize_person(self, person_id: str) -> Person:
        """Overwrite name, email, phone and free-text fields with placeholders; remove the photo.

        ``"photo": null`` removes the profile photo; an account that ignores it returns the
        person with ``photo`` still set, which callers can see.
        """
        pid = safe_id(person_id, "person")
        payload = {
            "user": {
                "name": f"Anonymised user {pid}",
                "email": f"anonymised-{pid}@example.invalid",
                "phone": None,
                "alias": None,
                "notes": None,
                "details": None,
                "external_id": None,
                "photo": None,
            }
        }
        body = self.http.request("PUT", self._path(f"users/{pid}"), json_body=payload).body or {}
        return self._person(body.get("user") or self._get(f"users/{pid}")["user"])


def _items(response: ApiResponse, key: str) -> list[dict[str, Any]]:
    body = response.body if isinstance(response.body, dict) else {}
    items = body.get(key)
    if not isinstance(items, list):
        raise FatalAPIError(f"{response.url.split('?')[0]}: answer has no '{key}' list")
    return items


def _content_url(comment: Comment, attachment_id: str) -> str | None:
    return next(
        (a.content_url for a in comment.attachments if a.id == attachment_id and a.content_url),
        None,
    )


def _numeric(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _masked(comment: Comment) -> int:
    return comment.body.count(REDACTION_CHAR) + (comment.html_body or "").count(REDACTION_CHAR)
