"""Zendesk Support API connector: endpoints and JSON ⇄ :mod:`gdprguard.models` only.

Wire format: ``/work/shared/helpdesk-api.md`` (and developer.zendesk.com). Lists use cursor
pagination (``page[size]=100``, stop on ``meta.has_more``); changes come from the cursor-based
incremental export; comment redaction uses ``PUT /comment_redactions/{id}`` with ``<redact>``
tags, falling back to the legacy ``PUT /tickets/{t}/comments/{c}/redact`` where the new endpoint
is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
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
from ._common import ApiV2Connector, build_http, phone_matches, safe_id, secret, sid, unique
from .auth import BearerAuth, ZendeskTokenAuth
from .base import (
    DeletionResult,
    Identity,
    NotRedactableError,
    RedactionResult,
    RedactTarget,
)
from .htmltext import REDACTION_CHAR, HtmlText, TextRange, resolve_targets
from .http import ApiResponse
from .pagination import (
    OffsetPaginator,
    PageRequest,
    ZendeskCursorPaginator,
    iter_pages,
)
from .sync import ExportPage, SyncState, TicketExport

__all__ = ["ZendeskConnector"]

log = logging.getLogger("gdprguard.connectors.zendesk")

Outcome = Literal["deleted", "already_deleted"]
PAGE_SIZE = 100
EXPORT_PAGE_SIZE = 1000
JOB_POLL_INTERVAL = 1.0
JOB_TIMEOUT = 600.0
_USER_EXTRA = (
    "external_id", "alias", "time_zone", "iana_time_zone", "locale", "tags", "notes", "details",
    "shared_phone_number", "verified", "suspended", "user_fields", "signature", "last_login_at",
)  # fmt: skip


def _ticket(data: Mapping[str, Any]) -> Ticket:
    via = data.get("via") or {}
    custom = {
        str(field["id"]): field.get("value")
        for field in data.get("custom_fields") or []
        if isinstance(field, dict) and "id" in field
    }
    return Ticket(
        id=str(data["id"]),
        subject=data.get("subject"),
        description=data.get("description"),
        status=data.get("status"),
        requester_id=sid(data.get("requester_id")),
        assignee_id=sid(data.get("assignee_id")),
        organization_id=sid(data.get("organization_id")),
        channel=via.get("channel") if isinstance(via, dict) else None,
        tags=list(data.get("tags") or []),
        custom_fields=custom,
        created_at=data.get("created_at"),
        updated_at=data.get("updated_at"),
        deleted=data.get("status") == "deleted",
        extra=_ticket_extra(data, via),
    )


# Ticket fields outside the domain model that can carry personal data (who wrote in, from where).
_EXTRA_ID_LISTS = ("collaborator_ids", "email_cc_ids", "follower_ids", "submitter_id")


def _ticket_extra(data: Mapping[str, Any], via: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {
        key: data[key] for key in _EXTRA_ID_LISTS if data.get(key) not in (None, [])
    }
    source = via.get("source") if isinstance(via, dict) else None
    if isinstance(source, dict) and source.get("from"):
        extra["via_source_from"] = source["from"]
    return extra


def _attachment(data: Mapping[str, Any]) -> Attachment:
    return Attachment(
        id=str(data["id"]),
        file_name=data.get("file_name") or "",
        content_type=data.get("content_type"),
        size=data.get("size"),
        content_url=data.get("content_url"),
    )


def _comment(ticket_id: str, data: Mapping[str, Any]) -> Comment:
    body = data.get("plain_body")
    if body is None:
        body = data.get("body") or ""
    return Comment(
        id=str(data["id"]),
        ticket_id=ticket_id,
        author_id=sid(data.get("author_id")),
        body=body,
        html_body=data.get("html_body"),
        public=bool(data.get("public", True)),
        created_at=data.get("created_at"),
        attachments=[_attachment(a) for a in data.get("attachments") or []],
        metadata=dict(data.get("metadata") or {}),
        redactable=True,
        kind="comment",
    )


def _person(data: Mapping[str, Any], identities: Sequence[Mapping[str, Any]] = ()) -> Person:
    emails = [data.get("email")] + [i.get("value") for i in identities if i.get("type") == "email"]
    phones = [data.get("phone")] + [
        i.get("value") for i in identities if i.get("type") == "phone_number"
    ]
    return Person(
        id=str(data["id"]),
        name=data.get("name"),
        emails=unique(emails),
        phones=unique(phones),
        role=data.get("role"),
        active=bool(data.get("active", True)),
        created_at=data.get("created_at"),
        updated_at=data.get("updated_at"),
        organization_id=sid(data.get("organization_id")),
        extra={k: data[k] for k in _USER_EXTRA if data.get(k) not in (None, "", [], {})},
    )


class ZendeskConnector(ApiV2Connector):
    """A Zendesk Support account (API token as ``email/token``, or an OAuth bearer token)."""

    type: ClassVar[str] = "zendesk"
    export_page_size: int = EXPORT_PAGE_SIZE

    @classmethod
    def from_config(cls, name: str, config: ConnectorConfig, **options: Any) -> ZendeskConnector:
        """API-token auth when ``email`` is set, else the token is used as an OAuth bearer token."""
        token = secret(config, name)
        auth = ZendeskTokenAuth(config.email, token) if config.email else BearerAuth(token)
        return cls(name, build_http(name, config, auth, **options))

    # -- helpers -----------------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.http.get(self._path(path), params).body or {}

    def _cursor_items(
        self, path: str, key: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        first = PageRequest(self._path(path), {**(params or {}), "page[size]": PAGE_SIZE})
        for _, response in iter_pages(self.http, first, ZendeskCursorPaginator()):
            yield from _items(response, key)

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
        for item in self._cursor_items("tickets", "tickets"):
            yield _ticket(item)

    def export_tickets(
        self, state: SyncState | None = None, *, since: datetime | None = None
    ) -> TicketExport:
        """Cursor-based incremental export (Admin only; includes deleted tickets as deleted)."""
        if state is None:
            start = int((since or datetime(1970, 1, 1, tzinfo=UTC)).timestamp())
            state = SyncState(helpdesk=self.type, position={"start_time": max(0, start)})
        return TicketExport(self.type, state, self._export_page)

    def _export_page(self, position: Mapping[str, Any]) -> ExportPage:
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
            tickets=[_ticket(t) for t in body.get("tickets") or []],
            next_position={"cursor": cursor} if cursor else dict(position),
            end_of_stream=end,
        )

    def iter_tickets_by_requester(self, person_id: str) -> Iterator[Ticket]:
        pid = safe_id(person_id, "person")
        for item in self._cursor_items(f"users/{pid}/tickets/requested", "tickets"):
            yield _ticket(item)

    def get_ticket(self, ticket_id: str) -> Ticket:
        tid = safe_id(ticket_id, "ticket")
        return _ticket(self._get(f"tickets/{tid}")["ticket"])

    def iter_comments(self, ticket_id: str) -> Iterator[Comment]:
        tid = safe_id(ticket_id, "ticket")
        for item in self._cursor_items(f"tickets/{tid}/comments", "comments"):
            yield _comment(tid, item)

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
        return _person(user, self._identities(pid))

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
                    person = _person(user)
                    if person.id in found or not self._matches(person, kind, value):
                        continue
                    found[person.id] = person
        return list(found.values())

    def _matches(self, person: Person, kind: str, value: str) -> bool:
        if kind == "name":
            return True
        if self._identifier_match(person, kind, value):
            return True
        full = _person({"id": person.id}, self._identities(person.id))
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
                try:
                    return self._redact_new(comment, projected.wrap_redact(found), len(found))
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
        updated = _comment(tid, data) if isinstance(data, dict) else self._find_comment(tid, cid)
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
                updated = _comment(tid, data)
        return RedactionResult(
            ticket_id=tid, comment_id=cid, method="legacy_redact", redacted=len(ranges),
            comment=updated,
        )  # fmt: skip

    def _find_comment(self, ticket_id: str, comment_id: str) -> Comment | None:
        return next((c for c in self.iter_comments(ticket_id) if c.id == comment_id), None)

    def redact_attachment(self, comment: Comment, attachment_id: str) -> None:
        tid, cid = safe_id(comment.ticket_id, "ticket"), safe_id(comment.id, "comment")
        aid = safe_id(attachment_id, "attachment")
        path = self._path(f"tickets/{tid}/comments/{cid}/attachments/{aid}/redact")
        try:
            self.http.request("PUT", path, json_body={})
        except FatalAPIError as exc:
            if isinstance(exc, NotFoundError):
                raise
            raise NotRedactableError(
                f"attachment {aid} of comment {cid} could not be redacted ({exc.status}); "
                "closed tickets refuse it: delete the ticket instead",
                status=exc.status,
            ) from None

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
        while job.get("status") in ("queued", "working"):
            if waited >= JOB_TIMEOUT:
                raise FatalAPIError(f"job {job_id} did not finish within {JOB_TIMEOUT:.0f}s")
            self.http.clock.sleep(JOB_POLL_INTERVAL)
            waited += JOB_POLL_INTERVAL
            job = self._get(f"job_statuses/{safe_id(job_id, 'job')}").get("job_status") or {}
        if job.get("status") != "completed":
            raise FatalAPIError(f"job {job_id} ended as {job.get('status')}")
        results = job.get("results")
        if isinstance(results, dict) and results.get("success") is False:
            raise FatalAPIError(f"job {job_id} completed without success")
        return job_id

    def anonymize_person(self, person_id: str) -> Person:
        """Overwrite name, email, phone and free-text fields with placeholders."""
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
            }
        }
        body = self.http.request("PUT", self._path(f"users/{pid}"), json_body=payload).body or {}
        return _person(body.get("user") or self._get(f"users/{pid}")["user"])


def _items(response: ApiResponse, key: str) -> list[dict[str, Any]]:
    body = response.body if isinstance(response.body, dict) else {}
    items = body.get(key)
    if not isinstance(items, list):
        raise FatalAPIError(f"{response.url.split('?')[0]}: answer has no '{key}' list")
    return items


def _numeric(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _masked(comment: Comment) -> int:
    return comment.body.count(REDACTION_CHAR) + (comment.html_body or "").count(REDACTION_CHAR)
