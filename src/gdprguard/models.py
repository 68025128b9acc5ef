"""The helpdesk domain model every connector translates to and from.

Nothing above ``gdprguard.connectors`` knows which helpdesk a record came from, except through
``connector`` (the configured connector name) and the helpdesk's own ids kept as strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Attachment", "Comment", "Person", "Ticket"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Person(_Record):
    """A requester, end user or contact as the helpdesk knows them."""

    id: str
    name: str | None = None
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    role: str | None = None
    active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    organization_id: str | None = None
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
    kind: Literal["comment", "reply", "note", "description"] = "comment"


class Ticket(_Record):
    """A support ticket."""

    id: str
    subject: str | None = None
    description: str | None = None
    status: str | None = None
    requester_id: str | None = None
    assignee_id: str | None = None
    organization_id: str | None = None
    channel: str | None = None
    tags: list[str] = Field(default_factory=list)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted: bool = False
    extra: dict[str, Any] = Field(
        default_factory=dict,
        description="helpdesk-specific fields that may carry personal data (e.g. Zendesk "
        "via.source.from, CC ids; Freshdesk cc_emails)",
    )
