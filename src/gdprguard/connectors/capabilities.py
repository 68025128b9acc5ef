"""What a helpdesk's API can do, declared by each connector so a plan knows before it runs.

A connector class carries ``capabilities`` (a frozen :class:`Capabilities`); code above
``gdprguard.connectors`` asks it instead of testing the helpdesk's type name::

    caps = connector.capabilities            # or get_connector_class(cfg.type).capabilities
    if "update_fields" not in caps.ticket_actions(ticket):
        ...                                   # closed/archived Zendesk ticket: delete instead
    if not caps.bulk_comment_export:
        comments = connector.iter_comments(ticket.id)
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..models import Comment, CommentKind, Ticket

__all__ = ["Capabilities", "TicketAction"]

TicketAction = Literal[
    "update_fields", "add_comment", "redact_comment", "redact_attachment", "delete", "purge"
]
"""``update_fields``: change subject, tags, custom fields (redact them in place);
``add_comment``; ``redact_comment`` / ``redact_attachment``: through the connector's redaction
methods; ``delete``: soft delete; ``purge``: permanent delete."""


class Capabilities(BaseModel):
    """The helpdesk API's abilities and limits that change what a plan can do."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    permanent_ticket_delete: bool = Field(
        description="delete_ticket(permanent=True) works (Freshdesk: no public endpoint)"
    )
    permanent_person_delete: bool = Field(description="delete_person(permanent=True) works")
    redactable_comment_kinds: frozenset[CommentKind] = Field(
        description="comment kinds whose text can be redacted in place (Freshdesk: notes and "
        "the description; replies cannot be edited, so redacting them means deleting the ticket)"
    )
    attachment_redaction: Literal["replace", "delete"] = Field(
        description="what redact_attachment does: replace the file with an empty one (Zendesk) "
        "or delete it (Freshdesk)"
    )
    bulk_comment_export: bool = Field(
        description="export_comment_events() streams every comment in bulk; when false, read "
        "comments per ticket with iter_comments()"
    )
    closed_ticket_updates: bool = Field(
        description="a closed ticket's subject, tags and fields can still change and comments "
        "can be added (Zendesk: no, it answers 422)"
    )
    closed_ticket_redaction: bool = Field(
        description="comments and attachments of closed (and archived) tickets can be redacted"
    )
    field_history: bool = Field(
        default=False,
        description="the ticket's history keeps earlier values of its subject and fields, and "
        "no API call removes them; only deleting the ticket does (Zendesk's audits)",
    )
    archives_closed_tickets: bool = Field(
        description="the helpdesk archives closed tickets: lists and views omit them; the "
        "connector's iter_tickets and exports still return them (Ticket.archived)"
    )
    archive_after_days: int | None = Field(
        default=None, description="days after closing that a ticket is archived"
    )
    webhook_install: bool = Field(
        default=False,
        description="install_webhook() creates the webhook and the rule that calls it through "
        "the API (Zendesk); when false an admin creates the rule by hand (Freshdesk)",
    )

    def ticket_actions(self, ticket: Ticket) -> frozenset[TicketAction]:
        """What can be done to *ticket* in its current state (deleted, closed, archived)."""
        if ticket.deleted:
            return frozenset({"purge"}) if self.permanent_ticket_delete else frozenset()
        actions: set[TicketAction] = {"delete"}
        if self.permanent_ticket_delete:
            actions.add("purge")
        if not ticket.closed or self.closed_ticket_updates:
            actions |= {"update_fields", "add_comment"}
        if not ticket.closed or self.closed_ticket_redaction:
            actions |= {"redact_comment", "redact_attachment"}
        return frozenset(actions)

    def can_redact(self, comment: Comment, ticket: Ticket | None = None) -> bool:
        """Whether *comment*'s text can be redacted in place (given its ticket, if known)."""
        if not comment.redactable or comment.kind not in self.redactable_comment_kinds:
            return False
        return ticket is None or "redact_comment" in self.ticket_actions(ticket)
