"""What a sweep knows about one ticket without its text: the facts a policy decides on.

``TicketFacts`` carries ids, statuses, tags, times and, per comment, the *types* of personal data
detection found (``EMAIL_ADDRESS``, ``JP_MY_NUMBER``…), never the text or the values. Build it by
hand, or from the connector's records with :func:`facts_from_records`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..models import Comment, Person, Ticket
from ._vocab import CLOSED_STATUSES, canonical_status

__all__ = [
    "STAFF_ROLES",
    "CommentFacts",
    "PersonFacts",
    "TicketFacts",
    "facts_from_records",
    "person_facts",
]

#: people with these roles are never anonymised or deleted by a retention rule
STAFF_ROLES = frozenset({"agent", "admin", "owner", "light_agent", "staff"})
_SYSTEM_KEYS = ("ip_address", "location", "latitude", "longitude")


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _utc(cls, value: Any) -> Any:
        return _aware(value) if isinstance(value, datetime) else value


class CommentFacts(_Facts):
    """One comment: when, who could see it, what kinds of personal data it holds."""

    id: str
    created_at: datetime | None = None
    public: bool = True
    kind: str = Field(default="comment", description="comment, reply, note or description")
    redactable: bool = Field(default=True, description="the helpdesk lets its text be changed")
    author_id: str | None = None
    entity_types: frozenset[str] = Field(
        default=frozenset(), description="types detection found in the text, e.g. EMAIL_ADDRESS"
    )
    attachment_ids: tuple[str, ...] = ()
    system_metadata: bool = Field(
        default=False, description="the helpdesk recorded the author's IP address or location"
    )


class PersonFacts(_Facts):
    """A person (the requester): when they were last active."""

    id: str
    role: str | None = None
    organization: str | None = None
    created_at: datetime | None = None
    last_activity_at: datetime | None = None
    deleted: bool = False

    @property
    def is_staff(self) -> bool:
        """Agents and admins are not data subjects of retention rules."""
        return (self.role or "").lower() in STAFF_ROLES


class TicketFacts(_Facts):
    """One ticket as the policy sees it: everything but the text."""

    connector: str = Field(description="the configured connector name, e.g. support")
    ticket_id: str
    status: str | None = Field(default=None, description="new, open, pending, hold, solved, closed")
    tags: frozenset[str] = frozenset()
    group: str | None = None
    brand: str | None = None
    channel: str | None = None
    organization: str | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    solved_at: datetime | None = Field(
        default=None, description="when it was solved, if the helpdesk says (see solved_time)"
    )
    archived: bool = False
    closed: bool | None = Field(
        default=None, description="no longer accepts updates; None: derived from the status"
    )
    deleted: bool = Field(default=False, description="soft-deleted (in the helpdesk's trash)")
    sender_recorded: bool = Field(
        default=False, description="the helpdesk keeps the sender's address (via.source.from)"
    )
    entity_types: frozenset[str] = Field(
        default=frozenset(), description="types found in the subject and fields"
    )
    comments: tuple[CommentFacts, ...] = ()
    requester: PersonFacts | None = None

    @field_validator("status", mode="after")
    @classmethod
    def _status(cls, value: str | None) -> str | None:
        return canonical_status(value)

    @property
    def is_closed(self) -> bool:
        """Closed (or archived): the helpdesk no longer lets the ticket itself be updated."""
        if self.closed is not None:
            return self.closed or self.archived
        return self.status == "closed" or self.archived

    @property
    def is_solved(self) -> bool:
        """Solved or closed."""
        return self.status in CLOSED_STATUSES

    @property
    def solved_time(self) -> datetime | None:
        """When the ticket was solved: ``solved_at``, else its last comment, else its last update.

        The last comment's time stands in when the helpdesk reports no solve time because it does
        not move when gdprguard redacts the ticket (its ``updated_at`` does). Open tickets: None.
        """
        if not self.is_solved:
            return None
        if self.solved_at is not None:
            return self.solved_at
        times = [c.created_at for c in self.comments if c.created_at is not None]
        if times:
            return max(times)
        return self.updated_at

    @property
    def all_entity_types(self) -> frozenset[str]:
        """Every type found anywhere in the ticket."""
        found = set(self.entity_types)
        for comment in self.comments:
            found |= comment.entity_types
        return frozenset(found)


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, str) and value:
        try:
            return _aware(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def _has_system_metadata(comment: Comment) -> bool:
    system = comment.metadata.get("system")
    return isinstance(system, Mapping) and any(system.get(k) for k in _SYSTEM_KEYS)


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def person_facts(person: Person, *, activity: Collection[datetime | None] = ()) -> PersonFacts:
    """A person's facts; last activity is the latest of their update, last login and *activity*."""
    times = [person.updated_at, _parse_time(person.extra.get("last_login_at")), *activity]
    known = [_aware(t) for t in times if t is not None]
    return PersonFacts(
        id=person.id,
        role=person.role,
        organization=person.organization_id,
        created_at=person.created_at,
        last_activity_at=max(known) if known else None,  # type: ignore[type-var]
        deleted=not person.active,
    )


def facts_from_records(
    connector: str,
    ticket: Ticket,
    comments: Sequence[Comment],
    requester: Person | None = None,
    *,
    comment_entities: Mapping[str, Collection[str]] | None = None,
    ticket_entities: Collection[str] = (),
    solved_at: datetime | None = None,
) -> TicketFacts:
    """Facts from the connector's records and detection's entity types per comment id.

    Group, brand, a solve time and the archived flag are read from the ticket's attributes
    (``group_id``, ``brand_id``, ``solved_at``, ``archived``) or, failing that, its ``extra``,
    where the connector provides them. The requester's last activity includes the comments they
    wrote on this ticket.
    """
    found = comment_entities or {}

    def attr(name: str) -> Any:
        value = getattr(ticket, name, None)
        return ticket.extra.get(name) if value is None else value

    status = None if ticket.status == "deleted" else ticket.status
    comment_facts = tuple(
        CommentFacts(
            id=c.id,
            created_at=c.created_at,
            public=c.public,
            kind=c.kind,
            redactable=c.redactable,
            author_id=c.author_id,
            entity_types=frozenset(found.get(c.id, ())),
            attachment_ids=tuple(a.id for a in c.attachments),
            system_metadata=_has_system_metadata(c),
        )
        for c in comments
    )
    person = None
    if requester is not None:
        own = [c.created_at for c in comments if c.author_id == requester.id]
        person = person_facts(requester, activity=own)
    return TicketFacts(
        connector=connector,
        ticket_id=ticket.id,
        status=status,
        tags=frozenset(ticket.tags),
        group=_text(attr("group_id")),
        brand=_text(attr("brand_id")),
        channel=ticket.channel,
        organization=ticket.organization_id,
        custom_fields=dict(ticket.custom_fields),
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        solved_at=solved_at or _parse_time(attr("solved_at")),
        archived=bool(attr("archived")),
        deleted=ticket.deleted,
        sender_recorded=bool(attr("sender") or attr("via_source_from")),
        entity_types=frozenset(ticket_entities),
        comments=comment_facts,
        requester=person,
    )
