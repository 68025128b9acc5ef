"""Freshdesk API v2 connector: endpoints and JSON ⇄ :mod:`gdprguard.models` only.

Wire format: ``/work/shared/helpdesk-api.md``. Lists follow the ``Link: rel="next"`` header.
Ticket scans and change exports walk ``updated_since`` windows ordered by ``updated_at`` (so the
300-page cap of ``GET /tickets`` never bites and a bookmark is a timestamp plus the ids seen at it).

What the API allows, modelled honestly: a ticket's description and *notes* can be edited, so they
are redacted in place; *replies* and incoming messages cannot (``Comment.redactable=False``,
:class:`NotRedactableError`), and a single ticket cannot be deleted permanently
(:class:`UnsupportedOperationError`); callers delete the ticket, or hard-delete the contact.
Nor can the API create automation rules: ``install_webhook`` refuses, and
:func:`freshdesk_automation_instructions` says which rules to create by hand.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from .._config import ConnectorConfig
from .._exceptions import AuthenticationError, ConfigError, FatalAPIError, NotFoundError
from ..models import Attachment, Comment, Person, Ticket
from ._common import (
    ApiV2Connector,
    build_http,
    mailbox,
    phone_matches,
    safe_id,
    secret,
    sid,
    unique,
)
from ._freshdesk_rules import freshdesk_automation_instructions
from .auth import FreshdeskKeyAuth
from .base import (
    DeletionResult,
    Identity,
    NotRedactableError,
    RedactionResult,
    RedactTarget,
    UnsupportedOperationError,
    WebhookInstall,
)
from .capabilities import Capabilities
from .htmltext import HtmlText, resolve_targets
from .http import ApiResponse
from .pagination import LinkHeaderPaginator, PageRequest, iter_pages
from .redact_markup import apply_redactions, mark_redacted_elements
from .sync import CommentExport, ExportPage, SyncState, TicketExport

__all__ = ["FreshdeskConnector", "freshdesk_automation_instructions"]

PER_PAGE = 100
MAX_PAGE = 300  # GET /tickets answers 400 beyond page 300
EPOCH = "1970-01-01T00:00:00Z"
NOTE_SOURCE = 2
STATUS = {2: "open", 3: "pending", 4: "resolved", 5: "closed"}
SOURCE = {
    1: "email", 2: "portal", 3: "phone", 5: "twitter", 6: "facebook", 7: "chat",
    9: "feedback_widget", 10: "outbound_email",
}  # fmt: skip
DESCRIPTION_PREFIX = "description-"
_CONTACT_EXTRA = (
    "address", "description", "job_title", "language", "time_zone", "twitter_id",
    "unique_external_id", "custom_fields", "tags", "view_all_tickets", "other_companies",
)  # fmt: skip
_CONVERSATION_META = (
    "source", "incoming", "private", "from_email", "to_emails", "cc_emails", "bcc_emails",
    "support_email", "updated_at",
)  # fmt: skip
CAPABILITIES = Capabilities(
    permanent_ticket_delete=False,
    permanent_person_delete=True,
    redactable_comment_kinds=frozenset({"note", "description"}),
    attachment_redaction="delete",
    bulk_comment_export=False,
    closed_ticket_updates=True,
    closed_ticket_redaction=True,
    archives_closed_tickets=False,
    webhook_install=False,
)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _emails(data: Mapping[str, Any], *keys: str) -> list[str]:
    found: list[str | None] = []
    for key in keys:
        value = data.get(key)
        found += [str(v) for v in value] if isinstance(value, list) else []
    return unique(found)


def _ticket(data: Mapping[str, Any], connector: str) -> Ticket:
    status, source = data.get("status"), data.get("source")
    return Ticket(
        id=str(data["id"]),
        connector=connector,
        subject=data.get("subject"),
        description=data.get("description_text"),
        status=STATUS.get(status, None if status is None else str(status)),  # type: ignore[arg-type]
        requester_id=sid(data.get("requester_id")),
        assignee_id=sid(data.get("responder_id")),
        organization_id=sid(data.get("company_id")),
        cc_emails=_emails(data, "cc_emails", "reply_cc_emails", "ticket_cc_emails"),
        forward_emails=_emails(data, "fwd_emails"),
        channel=SOURCE.get(source, None if source is None else str(source)),  # type: ignore[arg-type]
        tags=list(data.get("tags") or []),
        custom_fields=dict(data.get("custom_fields") or {}),
        created_at=data.get("created_at"),
        updated_at=data.get("updated_at"),
        deleted=bool(data.get("deleted", False)),
    )


def _attachment(data: Mapping[str, Any]) -> Attachment:
    """An attachment, or a contact's ``avatar`` (``avatar_url`` where attachments have
    ``attachment_url``)."""
    return Attachment(
        id=str(data["id"]),
        file_name=data.get("name") or data.get("file_name") or "",
        content_type=data.get("content_type"),
        size=data.get("size"),
        content_url=data.get("attachment_url") or data.get("avatar_url"),
    )


def _avatar(data: Any) -> Attachment | None:
    if not isinstance(data, dict) or data.get("id") is None:
        return None
    return _attachment(data)


def _conversation(ticket_id: str, data: Mapping[str, Any], connector: str) -> Comment:
    is_note = data.get("source") == NOTE_SOURCE and not data.get("incoming")
    return Comment(
        id=str(data["id"]),
        ticket_id=ticket_id,
        connector=connector,
        author_id=sid(data.get("user_id")),
        body=data.get("body_text") or "",
        html_body=data.get("body"),
        public=not data.get("private", False),
        created_at=data.get("created_at"),
        attachments=[_attachment(a) for a in data.get("attachments") or []],
        metadata={k: data[k] for k in _CONVERSATION_META if k in data},
        redactable=is_note,
        kind="note" if is_note else "reply",
        sender=mailbox(data.get("from_email")),
    )


def _description(data: Mapping[str, Any], connector: str) -> Comment:
    """The ticket's description as the first entry of its conversation (editable)."""
    tid = str(data["id"])
    return Comment(
        id=f"{DESCRIPTION_PREFIX}{tid}",
        ticket_id=tid,
        connector=connector,
        author_id=sid(data.get("requester_id")),
        body=data.get("description_text") or "",
        html_body=data.get("description"),
        public=True,
        created_at=data.get("created_at"),
        attachments=[_attachment(a) for a in data.get("attachments") or []],
        metadata={k: data[k] for k in ("cc_emails", "fwd_emails", "to_emails") if data.get(k)},
        redactable=True,
        kind="description",
    )


def _person(data: Mapping[str, Any], connector: str) -> Person:
    return Person(
        id=str(data["id"]),
        connector=connector,
        name=data.get("name"),
        emails=unique([data.get("email"), *(data.get("other_emails") or [])]),
        phones=unique([data.get("phone"), data.get("mobile")]),
        role="contact",
        active=not data.get("deleted", False),
        created_at=data.get("created_at"),
        updated_at=data.get("updated_at"),
        organization_id=sid(data.get("company_id")),
        photo=_avatar(data.get("avatar")),
        extra={k: data[k] for k in _CONTACT_EXTRA if data.get(k) not in (None, "", [], {})},
    )


class FreshdeskConnector(ApiV2Connector):
    """A Freshdesk account (API key)."""

    type: ClassVar[str] = "freshdesk"
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    export_page_size: int = PER_PAGE

    @classmethod
    def from_config(cls, name: str, config: ConnectorConfig, **options: Any) -> FreshdeskConnector:
        auth = FreshdeskKeyAuth(secret(config, name))
        return cls(name, build_http(name, config, auth, **options))

    @classmethod
    def config_notes(cls, config: ConnectorConfig) -> list[str]:
        """How this configuration will be used, for ``connector add`` to show."""
        if config.email:
            return ["Freshdesk authenticates with the API key alone; the email is not used"]
        return []

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.http.get(self._path(path), params).body

    def _link_items(self, path: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        first = PageRequest(self._path(path), {**params, "per_page": PER_PAGE})
        for _, response in iter_pages(self.http, first, LinkHeaderPaginator()):
            yield from _list(response)

    # -- reading -----------------------------------------------------------------------------

    def verify(self) -> Identity:
        """``GET /agents/me`` and its ``role_ids`` named by ``GET /roles``.

        Admin means holding an "Administrator" role ("Account Administrator" or "Administrator");
        an agent who may not even list roles (403) is not one.
        """
        me = self._get("agents/me")
        if not isinstance(me, dict) or me.get("id") is None:
            raise AuthenticationError("GET /api/v2/agents/me: no agent behind these credentials")
        held = set(me.get("role_ids") or [])
        try:
            roles = self._get("roles") or []
        except FatalAPIError as exc:
            if exc.status not in (403, 404):
                raise
            roles = []
        names = [str(r.get("name")) for r in roles if isinstance(r, dict) and r.get("id") in held]
        is_admin = any("administrator" in name.lower() for name in names)
        role = next((n for n in names if "administrator" in n.lower()), None)
        return Identity(
            id=str(me["id"]), role=role or (names[0] if names else me.get("type") or "agent"),
            is_admin=is_admin, helpdesk=self.type,
        )  # fmt: skip

    def iter_tickets(self) -> Iterator[Ticket]:
        yield from self.export_tickets()

    def export_tickets(
        self, state: SyncState | None = None, *, since: datetime | None = None
    ) -> TicketExport:
        """``GET /tickets?updated_since=T&order_by=updated_at&order_type=asc`` windows."""
        if state is None:
            start = _iso(since) if since is not None else EPOCH
            state = SyncState(
                helpdesk=self.type,
                connector=self.name,
                position={"updated_since": start, "page": 1},
            )
        return TicketExport(self.type, state, self._export_page, connector=self.name)

    def export_comment_events(
        self, state: SyncState | None = None, *, since: datetime | None = None
    ) -> CommentExport:
        """Freshdesk has no bulk comment export: UnsupportedOperationError."""
        raise UnsupportedOperationError(
            "Freshdesk has no bulk export of conversations (capabilities.bulk_comment_export is "
            "false); read them per ticket with iter_comments()"
        )

    def _export_page(self, position: Mapping[str, Any]) -> ExportPage[Ticket]:
        since, page = str(position["updated_since"]), int(position.get("page", 1))
        if page > MAX_PAGE:
            raise FatalAPIError(
                f"more than {MAX_PAGE * PER_PAGE} tickets share updated_at {since}; "
                "Freshdesk's list API cannot page past them"
            )
        params = {
            "updated_since": since, "order_by": "updated_at", "order_type": "asc",
            "include": "description", "per_page": self.export_page_size, "page": page,
        }  # fmt: skip
        response = self.http.get(self._path("tickets"), params)
        items = _list(response)
        tickets = [_ticket(t, self.name) for t in items]
        has_next = "next" in response.links
        stamps = [(t.updated_at, t.id) for t in tickets if t.updated_at is not None]
        newest = max((s for s, _ in stamps), default=None)
        if newest is not None and _iso(newest) > since:
            at_newest = frozenset(i for s, i in stamps if s == newest)
            nxt: dict[str, Any] = {"updated_since": _iso(newest), "page": 1}
            return ExportPage(tickets, nxt, end_of_stream=not has_next, carry_ids=at_newest)
        if has_next:
            return ExportPage(tickets, {"updated_since": since, "page": page + 1}, False)
        return ExportPage(
            tickets, dict(position), end_of_stream=True, carry_ids=frozenset(t.id for t in tickets)
        )

    def iter_tickets_by_requester(self, person_id: str) -> Iterator[Ticket]:
        pid = safe_id(person_id, "person")
        params = {"requester_id": pid, "updated_since": EPOCH, "include": "description"}
        for item in self._link_items("tickets", params):
            yield _ticket(item, self.name)

    def get_ticket(self, ticket_id: str) -> Ticket:
        tid = safe_id(ticket_id, "ticket")
        return _ticket(self._get(f"tickets/{tid}"), self.name)

    def iter_comments(self, ticket_id: str) -> Iterator[Comment]:
        """The description (as a ``kind="description"`` entry), then every conversation.

        One ``GET /tickets/{id}`` per ticket: lists carry neither the description's HTML nor its
        attachments.
        """
        tid = safe_id(ticket_id, "ticket")
        data = self._get(f"tickets/{tid}")
        yield _description(data, self.name)
        for item in self._link_items(f"tickets/{tid}/conversations", {}):
            yield _conversation(tid, item, self.name)

    def get_person(self, person_id: str) -> Person:
        pid = safe_id(person_id, "person")
        return _person(self._get(f"contacts/{pid}"), self.name)

    def find_people(
        self, *, email: str | None = None, phone: str | None = None, name: str | None = None
    ) -> list[Person]:
        """``/contacts?email=``, ``?phone=``/``?mobile=``, and autocomplete for names."""
        found: dict[str, Person] = {}

        def add(items: Iterator[dict[str, Any]], keep: Any = None) -> None:
            for item in items:
                person = _person(item, self.name)
                if person.id not in found and (keep is None or keep(person)):
                    found[person.id] = person

        if email:
            add(self._link_items("contacts", {"email": email.strip()}))
        if phone:

            def same_phone(p: Person) -> bool:
                return any(phone_matches(phone, x) for x in p.phones)

            for field in ("phone", "mobile"):
                add(self._link_items("contacts", {field: phone.strip()}), same_phone)
        if name:
            add(self._contacts_named(name))
        return list(found.values())

    def _contacts_named(self, name: str) -> Iterator[dict[str, Any]]:
        """``/contacts/autocomplete?term=`` (contact search has no name field), then each contact.

        Autocomplete answers at most 30 matches; a name that common needs an email or phone too.
        """
        for hit in self._get("contacts/autocomplete", {"term": name.strip()}) or []:
            if isinstance(hit, dict) and hit.get("id") is not None:
                try:
                    yield self._get(f"contacts/{safe_id(str(hit['id']), 'contact')}")
                except NotFoundError:
                    continue  # deleted between the two calls

    # -- redaction ---------------------------------------------------------------------------

    def redact_comment(self, comment: Comment, targets: Sequence[RedactTarget]) -> RedactionResult:
        """Edit the note or description with the spans masked; replies raise NotRedactableError."""
        if comment.kind not in ("note", "description"):
            raise NotRedactableError(
                f"conversation {comment.id} of ticket {comment.ticket_id} is a {comment.kind}; "
                "Freshdesk only lets notes be edited: delete the ticket to remove it"
            )
        try:
            ranges = resolve_targets(comment.body, targets)
        except ValueError as exc:
            raise ConfigError(f"comment {comment.id}: {exc}") from None
        tid = safe_id(comment.ticket_id, "ticket")
        if not ranges:
            return RedactionResult(
                ticket_id=tid, comment_id=comment.id, method="edit", redacted=0, comment=comment
            )
        html = comment.html_body
        if comment.kind == "description":
            current = self._get(f"tickets/{tid}")
            if (current or {}).get("description") != html:
                raise FatalAPIError(
                    f"ticket {tid}: the description changed since it was read; read it again"
                )
        projected = HtmlText(html or "")
        found, missed = projected.locate(comment.body, ranges)
        if missed or not found:
            raise NotRedactableError(
                f"comment {comment.id}: {missed} span(s) could not be located in its HTML; "
                "nothing was changed"
            )
        values = [comment.body[r.start : r.end] for r in ranges]
        masked = apply_redactions(mark_redacted_elements(projected.wrap_redact(found), values))
        if comment.kind == "description":
            body = self.http.request(
                "PUT", self._path(f"tickets/{tid}"), json_body={"description": masked}
            ).body
            updated = _description(body, self.name) if isinstance(body, dict) else None
        else:
            cid = safe_id(comment.id, "conversation")
            body = self.http.request(
                "PUT", self._path(f"conversations/{cid}"), json_body={"body": masked}
            ).body
            updated = _conversation(tid, body, self.name) if isinstance(body, dict) else None
        return RedactionResult(
            ticket_id=tid, comment_id=comment.id, method="edit", redacted=len(found),
            comment=updated,
        )  # fmt: skip

    def update_ticket_fields(
        self,
        ticket: Ticket,
        *,
        subject: str | None = None,
        custom_fields: Mapping[str, Any] | None = None,
    ) -> Ticket:
        """``PUT /tickets/{id}`` with the new ``subject`` and ``custom_fields`` (by ``cf_`` name).

        Freshdesk lets closed tickets change; a field that refuses the value (400) is raised as
        NotRedactableError, and nothing changed.
        """
        tid = safe_id(ticket.id, "ticket")
        payload: dict[str, Any] = {}
        if subject is not None:
            payload["subject"] = subject
        if custom_fields:
            payload["custom_fields"] = dict(custom_fields)
        if not payload:
            return ticket
        try:
            body = self.http.request("PUT", self._path(f"tickets/{tid}"), json_body=payload).body
        except FatalAPIError as exc:
            if exc.status not in (400, 422):
                raise
            raise NotRedactableError(
                f"ticket {tid}: Freshdesk refused the change to its subject or fields "
                f"({exc.status}); delete the ticket to remove them",
                status=exc.status,
            ) from None
        return _ticket(body, self.name) if isinstance(body, dict) else self.get_ticket(tid)

    def download_attachment(self, attachment: Attachment) -> bytes:
        """The attached file's bytes (for a data-subject export); NotFoundError if it is gone."""
        if not attachment.content_url:
            raise NotFoundError(f"attachment {attachment.id} has no content URL", status=404)
        return self.http.fetch_file(attachment.content_url)

    def redact_attachment(self, comment: Comment, attachment_id: str) -> None:
        """``DELETE /attachments/{id}``: Freshdesk removes the file."""
        self._delete_attachment(attachment_id)

    # -- deletion ----------------------------------------------------------------------------

    def delete_ticket(self, ticket_id: str, *, permanent: bool = False) -> DeletionResult:
        """``DELETE /tickets/{id}`` (to trash). Permanent deletion has no public endpoint."""
        tid = safe_id(ticket_id, "ticket")
        if permanent:
            raise UnsupportedOperationError(
                f"ticket {tid}: Freshdesk's API cannot permanently delete a single ticket (nothing "
                "was deleted); soft-delete it, or hard-delete its requester, which removes their "
                "tickets"
            )
        try:
            self.http.request("DELETE", self._path(f"tickets/{tid}"))
        except NotFoundError as exc:
            if not exc.retried:
                raise
            return DeletionResult(kind="ticket", id=tid, permanent=False, outcome="already_deleted")
        return DeletionResult(kind="ticket", id=tid, permanent=False, outcome="deleted")

    def delete_person(self, person_id: str, *, permanent: bool = False) -> DeletionResult:
        """``DELETE /contacts/{id}``, or ``DELETE /contacts/{id}/hard_delete?force=true``."""
        pid = safe_id(person_id, "person")
        path = f"contacts/{pid}/hard_delete" if permanent else f"contacts/{pid}"
        params = {"force": "true"} if permanent else None
        try:
            self.http.request("DELETE", self._path(path), params=params)
        except NotFoundError as exc:
            if not exc.retried:
                raise
            return DeletionResult(
                kind="person", id=pid, permanent=permanent, outcome="already_deleted"
            )
        return DeletionResult(kind="person", id=pid, permanent=permanent, outcome="deleted")

    def install_webhook(self, url: str, *, name: str) -> WebhookInstall:
        """Always refused: Freshdesk's API cannot create automation rules."""
        raise UnsupportedOperationError(
            "Freshdesk's API cannot create automation rules, so the webhook cannot be installed "
            "automatically; create the two rules by hand as "
            "freshdesk_automation_instructions() describes (`gdprguard connector "
            "install-webhook` prints them)"
        )

    def uninstall_webhook(self, *, name: str) -> int:
        """Always refused: the rules were created by hand, so they are removed by hand."""
        raise UnsupportedOperationError(
            "Freshdesk's API cannot delete automation rules; delete the gdprguard rules by hand "
            "in Admin > Workflows > Automations"
        )

    def anonymize_person(self, person_id: str) -> Person:
        """Overwrite name, emails, phones and free-text fields with placeholders; delete the
        avatar (``DELETE /attachments/{avatar id}``: an avatar is an attachment)."""
        pid = safe_id(person_id, "person")
        payload: dict[str, Any] = {
            "name": f"Anonymised contact {pid}",
            "email": f"anonymised-{pid}@example.invalid",
            "other_emails": [],
            "phone": None,
            "mobile": None,
            "address": None,
            "description": None,
            "job_title": None,
        }
        body = self.http.request("PUT", self._path(f"contacts/{pid}"), json_body=payload).body
        person = _person(
            body if isinstance(body, dict) else self._get(f"contacts/{pid}"), self.name
        )
        if person.photo is None:
            return person
        with contextlib.suppress(NotFoundError):  # already gone
            self._delete_attachment(person.photo.id)
        return person.model_copy(update={"photo": None})

    def _delete_attachment(self, attachment_id: str) -> None:
        """``DELETE /attachments/{id}`` (an answer of 404 after a retry counts as done)."""
        aid = safe_id(attachment_id, "attachment")
        try:
            self.http.request("DELETE", self._path(f"attachments/{aid}"))
        except NotFoundError as exc:
            if not exc.retried:
                raise


def _list(response: ApiResponse) -> list[dict[str, Any]]:
    if not isinstance(response.body, list):
        raise FatalAPIError(f"{response.url.split('?')[0]}: answer is not a JSON list")
    return response.body
