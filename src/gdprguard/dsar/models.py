"""What a data-subject request finds and exports, as pydantic models.

:class:`ExportDocument` is ``data.json`` of an export (versioned by ``format_version``; its JSON
Schema is ``docs/dsar-export.schema.json``). Everything in it is the subject's own data, which is
why it only ever lives inside the export file (or sealed in the vault), never in the store, logs
or error messages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "FORMAT_VERSION",
    "Confidence",
    "ConnectorRead",
    "EmailSender",
    "Evidence",
    "ExportAttachment",
    "ExportComment",
    "ExportDocument",
    "ExportPerson",
    "ExportTicket",
    "Identifier",
    "IdentifierKind",
    "Problem",
    "RetentionRule",
    "Role",
]

#: version of ``data.json``; bumped on any incompatible change
FORMAT_VERSION = "1"

IdentifierKind = Literal["email", "phone", "name"]

Role = Literal["requester", "submitter", "cc", "follower", "author", "sender", "mention", "person"]
"""How a record relates to the subject: they requested the ticket, submitted it, were copied on
it, follow it, wrote a comment on it, sent the email it came from, are mentioned in it, or the
record is their person record."""

Confidence = Literal["certain", "high", "medium"]
"""``certain``: the helpdesk links the record to the subject's person record; ``high``: one of
the subject's email addresses or phone numbers appears in it; ``medium``: only their name does."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Identifier(_Model):
    """One identifier of the subject, as the officer gave it."""

    kind: IdentifierKind
    value: str


class Evidence(_Model):
    """How one match was found and how sure it is."""

    role: Role
    confidence: Confidence
    via: str = Field(
        description="what linked it: person-record, index, search, detection, ticket-field"
    )
    comment_id: str | None = Field(default=None, description="the comment, for author/mention")
    entity_type: str | None = Field(
        default=None, description="for a mention: the detected type (EMAIL_ADDRESS, PERSON, …)"
    )


class ExportAttachment(_Model):
    """A file attached to a comment: metadata always, the file itself with --attachments."""

    id: str
    file_name: str
    content_type: str | None = None
    size: int | None = None
    path: str | None = Field(
        default=None, description="where the file is inside the export ZIP, when included"
    )
    sha256: str | None = Field(default=None, description="of the included file")


class ExportPerson(_Model):
    """One person record of the subject in one helpdesk."""

    connector: str
    id: str
    name: str | None = None
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    role: str | None = Field(default=None, description="the helpdesk's role (end-user, agent…)")
    active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    organization_id: str | None = None
    photo: ExportAttachment | None = Field(default=None, description="profile photo metadata")
    extra: dict[str, object] = Field(
        default_factory=dict, description="other fields the helpdesk keeps about them"
    )
    evidence: list[Evidence] = Field(default_factory=list)


class EmailSender(_Model):
    """The sender of an email comment, as the mail header gave it."""

    address: str
    name: str | None = None


class ExportComment(_Model):
    """One comment (or Freshdesk conversation entry) of a ticket."""

    id: str
    author_id: str | None = None
    by_subject: bool = Field(description="written by the subject")
    created_at: datetime | None = None
    public: bool = True
    kind: str = "comment"
    body: str = Field(
        description="plain text; in a ticket where the subject is only mentioned, other "
        "people's personal data is withheld as <TYPE>"
    )
    sender: EmailSender | None = Field(
        default=None, description="who sent it, for email comments (name and address)"
    )
    attachments: list[ExportAttachment] = Field(default_factory=list)
    withheld: int = Field(default=0, description="pieces of other people's data withheld")


class ExportTicket(_Model):
    """A ticket the subject is on or mentioned in.

    ``scope`` is ``full`` for tickets the subject is a party to (requester, CC, follower,
    author): every comment, as the subject saw it. It is ``mentions`` for other people's tickets
    that mention the subject: only the comments that do, with others' data withheld.
    """

    connector: str
    id: str
    scope: Literal["full", "mentions"]
    roles: list[Role]
    subject_line: str | None = Field(default=None, description="the ticket's subject line")
    status: str | None = None
    channel: str | None = None
    archived: bool = False
    tags: list[str] = Field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    comments: list[ExportComment] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    retention: list[str] = Field(
        default_factory=list,
        description="names of the retention rules that apply to it under the active policy",
    )


class ConnectorRead(_Model):
    """One helpdesk searched: whether it could be read completely."""

    name: str
    type: str
    status: Literal["complete", "partial", "failed"]
    error: str | None = Field(default=None, description="an error code, never personal data")


class Problem(_Model):
    """Something not fatal met on the way, e.g. a ticket deleted between search and read."""

    connector: str
    record: str = Field(description="record reference, connector:kind:id")
    code: str = Field(description="not-found, forbidden, …")


class RetentionRule(_Model):
    """One rule of the active retention policy, for the subject's report."""

    policy: str
    rule: str
    description: str | None = None
    applies_to: str = Field(description="ticket, comment, attachment or person")
    action: str
    after: str | None = Field(default=None, description="e.g. '1y after solved'")


class ExportDocument(_Model):
    """``data.json``: everything found about one data subject."""

    format_version: Literal["1"] = "1"
    request_id: str
    generated_at: datetime
    identifiers: list[Identifier]
    connectors: list[ConnectorRead]
    people: list[ExportPerson] = Field(default_factory=list)
    tickets: list[ExportTicket] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    retention: list[RetentionRule] = Field(default_factory=list)
    controller: str | None = Field(
        default=None, description="who holds the data (from [dsar] controller in the config)"
    )
