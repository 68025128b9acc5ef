"""The connector seam: the :class:`HelpdeskConnector` Protocol and the values it exchanges.

A connector translates one helpdesk's API into :mod:`gdprguard.models` and back. Everything
generic (HTTP, retries, pacing, pagination, resumable export) lives in sibling modules, so a
connector is endpoints and JSON mapping only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from .._config import ConnectorConfig
from .._exceptions import FatalAPIError
from ..models import Comment, Person, Ticket
from .capabilities import Capabilities
from .sync import CommentExport, SyncState, TicketExport

__all__ = [
    "DeletionResult",
    "HelpdeskConnector",
    "Identity",
    "NotRedactableError",
    "RedactTarget",
    "RedactionResult",
    "Span",
    "UnsupportedOperationError",
    "WebhookInstall",
]


class NotRedactableError(FatalAPIError):
    """The helpdesk does not let this text be changed (e.g. a Freshdesk reply).

    Nothing was changed. Callers fall back to deleting the ticket (or the entry) when the data
    must go; ``Capabilities.can_redact`` tells beforehand.
    """


class UnsupportedOperationError(FatalAPIError):
    """The helpdesk's API cannot do this (e.g. permanently delete one Freshdesk ticket).

    Raised before anything is changed; ``connector.capabilities`` tells beforehand.
    """


class Identity(BaseModel):
    """Who the configured credentials are, and whether they may do what gdprguard needs."""

    model_config = ConfigDict(frozen=True)

    id: str
    role: str | None = None
    is_admin: bool
    helpdesk: str = Field(description="connector type, e.g. 'zendesk'")


class Span(BaseModel):
    """A stretch of a comment's plain ``body`` to redact: code-point offsets ``[start, end)``.

    Detection findings (``type``, ``start``, ``end``, ``score``) validate as spans directly.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    type: str | None = None


RedactTarget = Span | Mapping[str, Any] | str
"""A :class:`Span`, anything with ``start``/``end`` (a finding or its dict), or an exact string."""


class RedactionResult(BaseModel):
    """What a comment redaction did."""

    ticket_id: str
    comment_id: str
    method: Literal["comment_redactions", "legacy_redact", "edit"]
    redacted: int = Field(description="number of stretches of text that were redacted")
    comment: Comment | None = Field(default=None, description="the comment as it is now")


class DeletionResult(BaseModel):
    """What a delete did."""

    kind: Literal["ticket", "person"]
    id: str
    permanent: bool
    outcome: Literal["deleted", "already_deleted"]
    job_id: str | None = None


class WebhookInstall(BaseModel):
    """What ``install_webhook`` set up in the helpdesk: the webhook, the rules calling it and
    the secret its calls are signed with (a ``SecretStr``: it never prints; read it with
    ``secret.get_secret_value()``, once, to store it)."""

    model_config = ConfigDict(frozen=True)

    webhook_id: str
    trigger_ids: list[str]
    secret: SecretStr


@runtime_checkable
class HelpdeskConnector(Protocol):
    """One helpdesk account. Every id is the helpdesk's own id as a string.

    Every record it returns carries ``connector`` (its configured ``name``).
    """

    type: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    name: str

    @classmethod
    def from_config(cls, name: str, config: ConnectorConfig, **options: Any) -> HelpdeskConnector:
        """Build from a ``[connectors.NAME]`` section (``options`` tune HTTP: clock, retry…)."""
        ...

    def close(self) -> None:
        """Release network resources."""
        ...

    def verify(self) -> Identity:
        """Check the credentials; raises AuthenticationError (401) and similar when they fail."""
        ...

    def iter_tickets(self) -> Iterator[Ticket]:
        """Every live ticket, each once, archived ones included."""
        ...

    def export_tickets(
        self, state: SyncState | None = None, *, since: datetime | None = None
    ) -> TicketExport:
        """Tickets changed since *since* (or resuming from *state*); resumable via ``.state``.

        Includes archived tickets; a bookmark of another connector or stream is refused.
        """
        ...

    def export_comment_events(
        self, state: SyncState | None = None, *, since: datetime | None = None
    ) -> CommentExport:
        """Every comment added since *since* (or resuming from *state*), in bulk, resumable.

        Only where ``capabilities.bulk_comment_export``; otherwise UnsupportedOperationError
        (read comments per ticket with :meth:`iter_comments`).
        """
        ...

    def iter_tickets_by_requester(self, person_id: str) -> Iterator[Ticket]:
        """The tickets this person requested."""
        ...

    def get_ticket(self, ticket_id: str) -> Ticket:
        """One ticket (NotFoundError when it does not exist)."""
        ...

    def iter_comments(self, ticket_id: str) -> Iterator[Comment]:
        """A ticket's comments/conversations in order, with metadata and attachments."""
        ...

    def get_person(self, person_id: str) -> Person:
        """One person (user/contact)."""
        ...

    def find_people(
        self, *, email: str | None = None, phone: str | None = None, name: str | None = None
    ) -> list[Person]:
        """People matching any of the given identifiers."""
        ...

    def redact_comment(self, comment: Comment, targets: Sequence[RedactTarget]) -> RedactionResult:
        """Redact spans/strings of ``comment.body`` (NotRedactableError when impossible)."""
        ...

    def redact_attachment(self, comment: Comment, attachment_id: str) -> None:
        """Remove an attachment's content from the helpdesk (closed tickets too, where able)."""
        ...

    def update_ticket_fields(
        self,
        ticket: Ticket,
        *,
        subject: str | None = None,
        custom_fields: Mapping[str, Any] | None = None,
    ) -> Ticket:
        """Overwrite the subject and/or custom fields (keyed as in ``Ticket.custom_fields``), to
        redact them; the ticket as it is afterwards. NotRedactableError when the helpdesk refuses
        the change (a closed Zendesk ticket, a field that rejects the value): nothing changed."""
        ...

    def delete_ticket(self, ticket_id: str, *, permanent: bool = False) -> DeletionResult:
        """Soft-delete a ticket; ``permanent`` also purges it (or UnsupportedOperationError)."""
        ...

    def delete_person(self, person_id: str, *, permanent: bool = False) -> DeletionResult:
        """Soft-delete a person; ``permanent`` also purges them."""
        ...

    def anonymize_person(self, person_id: str) -> Person:
        """Replace the person's name, emails and phones with placeholders."""
        ...
