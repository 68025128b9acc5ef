"""The helpdesk domain model every connector translates to and from.

Nothing above ``gdprguard.connectors`` knows which helpdesk a record came from, except through
``connector`` (the configured connector name, e.g. ``support``) and the helpdesk's own ids kept as
strings. Everything that names or reaches a person is a typed field (requester, submitter, CC'd
people and addresses, followers, the sender of an email ticket), so DSAR and erasure code never
digs through helpdesk-specific keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Attachment", "Comment", "CommentKind", "EmailContact", "Person", "Ticket"]

CommentKind = Literal["comment", "reply", "note", "description"]
"""``comment`` (Zendesk), ``reply`` (Freshdesk reply or incoming message), ``note`` (Freshdesk
note), ``description`` (Freshdesk ticket description, shown as the first entry)."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmailContact(_Record):
    """An email address as a ticket records it (e.g. who wrote in), with the display name."""

    address: str
    name: str | None = None


class Person(_Record):
    """A requester, end user or contact as the helpdesk knows them."""

    id: str
    connector: str | None = Field(default=None, description="configured connector name")
    name: str | None = None
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    role: str | None = None
    active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    organization_id: str | None = None
    photo: Attachment | None = Field(
        default=None,
        description="profile photo (Zendesk user photo, Freshdesk contact avatar): personal data",
    )
    extra: dict[str, Any] = Field(default_factory=dict, description="helpdesk-specific fields")


class Attachment(_Record):
    """A file attached to a comment (metadata only; content is fetched on demand)."""

    id: str
    file_name: str
    content_type: str | None = None
    size: int | None = None
    content_url: str | None = None


class Comment(_Record):
    """A comment (Zendesk) or conversation entry (Freshdesk) on a ticket."""

    id: str
    ticket_id: str
    connector: str | None = Field(default=None, description="configured connector name")
    author_id: str | None = None
    body: str = Field(description="plain text")
    html_body: str | None = None
    public: bool = True
    created_at: datetime | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(
        default_factory=dict,
        description="e.g. Zendesk metadata.system (IP, location): personal data",
    )
    redactable: bool = Field(
        default=True,
        description="whether the helpdesk lets this entry's text be changed after the fact "
        "(Freshdesk replies cannot be edited; notes can)",
    )
    kind: CommentKind = "comment"
    sender: EmailContact | None = Field(
        default=None,
        description="who sent it, for email comments (Zendesk via.source.from, Freshdesk "
        "from_email)",
    )


class Ticket(_Record):
    """A support ticket."""

    id: str
    connector: str | None = Field(default=None, description="configured connector name")
    subject: str | None = None
    description: str | None = None
    status: str | None = Field(
        default=None,
        description="new, open, pending, hold, solved, resolved or closed (the helpdesk's word)",
    )
    archived: bool = Field(
        default=False,
        description="the helpdesk archived it (Zendesk: closed for more than 120 days): lists "
        "and views omit it, exports and direct reads still return it; like any closed ticket "
        "its fields cannot change, its comments can still be redacted and it can be deleted",
    )
    requester_id: str | None = None
    submitter_id: str | None = None
    assignee_id: str | None = None
    organization_id: str | None = None
    cc_ids: list[str] = Field(
        default_factory=list, description="people copied on the ticket (Zendesk CCs)"
    )
    follower_ids: list[str] = Field(default_factory=list, description="people following it")
    cc_emails: list[str] = Field(
        default_factory=list, description="addresses copied on the ticket (Freshdesk CC)"
    )
    forward_emails: list[str] = Field(
        default_factory=list, description="addresses the ticket was forwarded to"
    )
    sender: EmailContact | None = Field(
        default=None, description="who wrote in, for email tickets (Zendesk via.source.from)"
    )
    channel: str | None = None
    tags: list[str] = Field(default_factory=list)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted: bool = False
    extra: dict[str, Any] = Field(
        default_factory=dict, description="helpdesk-specific fields with no place in the model"
    )

    @property
    def closed(self) -> bool:
        """Whether the ticket is closed for good (closed or archived)."""
        return self.archived or self.status == "closed"

    def contact_ids(self) -> list[str]:
        """People on the ticket besides requester and assignee: submitter, CCs, followers.

        In a stable order, without duplicates and without the requester.
        """
        found = [self.submitter_id, *self.cc_ids, *self.follower_ids]
        return [pid for pid in dict.fromkeys(found) if pid and pid != self.requester_id]

    def contact_emails(self) -> list[str]:
        """Addresses on the ticket: the email sender, CC'd and forwarded-to addresses."""
        found = [self.sender.address if self.sender else None, *self.cc_emails]
        found += self.forward_emails
        return [a for a in dict.fromkeys(found) if a]
