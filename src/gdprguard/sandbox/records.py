"""The sandbox's flavor-neutral records: what both the Zendesk and the Freshdesk views serve.

Times are whole Unix seconds (UTC). Plain dataclasses rather than pydantic models: a 10k-ticket
dataset holds ~50k of them and must be generated in seconds; nothing here crosses a trust boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "Attachment",
    "Audit",
    "Comment",
    "Dataset",
    "Organization",
    "Person",
    "Photo",
    "Planted",
    "Ticket",
    "TicketEvent",
    "iso",
]


def iso(ts: int | None) -> str | None:
    """Unix seconds → ``2024-01-31T12:00:00Z`` (the format both APIs use)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Person:
    """A user (Zendesk) or contact/agent (Freshdesk)."""

    id: int
    name: str
    email: str | None
    phone: str | None
    locale: str  # "en-US" or "ja"
    role: str  # "end-user", "agent" or "admin"
    organization_id: int | None
    created_at: int
    updated_at: int
    time_zone: str
    address: str | None = None
    extra_emails: list[str] = field(default_factory=list)
    external_id: str | None = None
    tags: list[str] = field(default_factory=list)
    active: bool = True  # False once soft-deleted
    deleted_at: int | None = None  # soft deletion time
    purged: bool = False  # permanently deleted (Zendesk keeps a tombstone)
    photo: Photo | None = None  # Zendesk user photo, Freshdesk contact avatar


@dataclass
class Photo:
    """A profile photo and its thumbnail (attachments of no comment: ticket and comment id 0)."""

    image: Attachment
    thumbnail: Attachment


@dataclass
class Organization:
    """An organization (Zendesk) or company (Freshdesk)."""

    id: int
    name: str
    domain_names: list[str]
    created_at: int
    updated_at: int
    details: str = ""
    notes: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass
class Attachment:
    """A file on a comment."""

    id: int
    ticket_id: int
    comment_id: int
    file_name: str
    content_type: str
    content: bytes
    token: str
    inline: bool = False
    redacted: bool = False


@dataclass
class Comment:
    """A ticket comment (Zendesk) or the description/conversation entry (Freshdesk).

    ``kind`` is ``customer`` (written by the requester), ``agent`` (a public agent reply) or
    ``note`` (an internal note; Freshdesk lets only these be edited).
    """

    id: int
    ticket_id: int
    author_id: int
    body: str  # plain text
    html_body: str
    public: bool
    created_at: int
    channel: str
    kind: str
    audit_id: int
    metadata: dict[str, Any] = field(default_factory=dict)
    attachment_ids: list[int] = field(default_factory=list)
    updated_at: int = 0
    sender: dict[str, str] | None = None  # address and name an email comment came from, as sent


@dataclass
class Audit:
    """One update of a ticket (Zendesk's audit, one item of the ticket-events export).

    ``changes`` are ``(event_type, field, value, previous)`` with ``event_type`` ``Create`` or
    ``Change`` and ``field`` a neutral name (``subject``, ``status``, ``custom_fields.<key>``…);
    ``comment_id`` is the comment the update added, if any. Old values stay here after the
    ticket changes: audits are history.
    """

    id: int
    ticket_id: int
    created_at: int
    author_id: int
    channel: str
    comment_id: int | None = None
    changes: list[tuple[str, str, Any, Any]] = field(default_factory=list)


@dataclass
class Ticket:
    """A support ticket; its first comment is the description."""

    id: int
    subject: str
    status: str  # Zendesk vocabulary: new, open, pending, hold, solved, closed
    priority: str | None
    type: str | None
    channel: str  # email, web, chat, voice, twitter, facebook, api
    tags: list[str]
    requester_id: int
    submitter_id: int
    assignee_id: int | None
    organization_id: int | None
    group_id: int
    collaborator_ids: list[int]
    custom_fields: dict[str, Any]  # field key (see FIELDS in data.py) → value
    created_at: int
    updated_at: int
    comment_ids: list[int] = field(default_factory=list)
    via_from: dict[str, Any] | None = None
    external_id: str | None = None
    deleted_at: int | None = None  # soft-deleted (Zendesk deleted_tickets / Freshdesk trash)
    previous_status: str | None = None
    closed_at: int | None = None  # when it was closed (Zendesk archives it 120 days later)
    audits: list[Audit] = field(default_factory=list)


@dataclass(frozen=True)
class Planted:
    """One piece of personal data the generator put somewhere, for the ground truth.

    ``field`` is a neutral path: ``body`` (comment text), ``subject``, ``custom_fields.<key>``,
    ``via.source.from.address``/``.name`` (the ticket's sender), ``sender.address``/``.name``
    (an email comment's sender), ``metadata.system.<key>``, ``attachments.<id>.content``. Each
    flavor renames them to its own wire names.
    ``person_id`` is the person the value identifies (their name, first name, email address,
    phone number or postal address), None for values that name nobody (card numbers, IP
    addresses, ...).
    """

    ticket_id: int
    comment_id: int | None
    field: str
    type: str
    value: str
    person_id: int | None = None


@dataclass(frozen=True)
class TicketEvent:
    """A ticket was created (``Create``) or updated (``Change``), perhaps with a new comment.

    What business rules (Zendesk triggers, Freshdesk automations) are evaluated against; the
    sandbox emits one per API create/update and per simulated end-user message.
    """

    ticket: Ticket
    update_type: str  # "Create" or "Change"
    comment: Comment | None = None


@dataclass
class Dataset:
    """Everything the sandbox serves, keyed by id."""

    people: dict[int, Person]
    organizations: dict[int, Organization]
    tickets: dict[int, Ticket]
    comments: dict[int, Comment]
    attachments: dict[int, Attachment]
    planted: list[Planted]
    admin_id: int
    agent_id: int
    agent_ids: list[int]
    group_ids: list[int]
