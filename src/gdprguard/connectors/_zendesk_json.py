"""Zendesk JSON → :mod:`gdprguard.models`: tickets, comments, ticket events, users.

Wire format: ``/work/shared/helpdesk-api.md``. Every record gets the configured connector name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ..models import Attachment, Comment, EmailContact, Person, Ticket
from ._common import sid, unique

__all__ = [
    "ARCHIVE_AFTER_DAYS",
    "attachment",
    "comment",
    "event_comments",
    "person",
    "ticket",
    "via_sender",
]

#: Zendesk archives tickets closed for more than this many days (its default).
ARCHIVE_AFTER_DAYS = 120

_USER_EXTRA = (
    "external_id", "alias", "time_zone", "iana_time_zone", "locale", "tags", "notes", "details",
    "shared_phone_number", "verified", "suspended", "user_fields", "signature", "last_login_at",
)  # fmt: skip


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _ids(values: Any) -> list[str]:
    return [str(v) for v in values] if isinstance(values, list) else []


def via_sender(via: Any) -> EmailContact | None:
    """The sender named by a ``via`` object (``source.from`` of an email: ``address``, ``name``).

    Other channels' ``from`` (a rule's ``id``/``title``, a label string in some exports) name
    no address and give None.
    """
    sender = _dict(_dict(_dict(via).get("source")).get("from"))
    address = sender.get("address")
    if not isinstance(address, str) or not address:
        return None
    name = sender.get("name")
    return EmailContact(address=address, name=name if isinstance(name, str) and name else None)


def ticket(data: Mapping[str, Any], connector: str, now: datetime) -> Ticket:
    """A ticket document (list, show, search or export).

    Zendesk does not say whether a ticket is archived; ``archived`` is inferred as closed and
    not updated for :data:`ARCHIVE_AFTER_DAYS` days before *now*.
    """
    via = _dict(data.get("via"))
    custom = {
        str(field["id"]): field.get("value")
        for field in data.get("custom_fields") or []
        if isinstance(field, dict) and "id" in field
    }
    followers = _ids(data.get("follower_ids"))
    ccs = _ids(data.get("email_cc_ids")) + [
        c for c in _ids(data.get("collaborator_ids")) if c not in followers
    ]
    status = data.get("status")
    result = Ticket(
        id=str(data["id"]),
        connector=connector,
        subject=data.get("subject"),
        description=data.get("description"),
        status=status,
        requester_id=sid(data.get("requester_id")),
        submitter_id=sid(data.get("submitter_id")),
        assignee_id=sid(data.get("assignee_id")),
        organization_id=sid(data.get("organization_id")),
        cc_ids=unique(ccs),
        follower_ids=followers,
        sender=via_sender(via),
        channel=via.get("channel"),
        tags=list(data.get("tags") or []),
        custom_fields=custom,
        created_at=data.get("created_at"),
        updated_at=data.get("updated_at"),
        deleted=status == "deleted",
    )
    if status == "closed" and result.updated_at is not None:
        archived = result.updated_at <= now - timedelta(days=ARCHIVE_AFTER_DAYS)
        result = result.model_copy(update={"archived": archived})
    return result


def attachment(data: Mapping[str, Any]) -> Attachment:
    """An attachment document (also a user's ``photo``)."""
    return Attachment(
        id=str(data["id"]),
        file_name=data.get("file_name") or "",
        content_type=data.get("content_type"),
        size=data.get("size"),
        content_url=data.get("content_url"),
    )


def comment(
    ticket_id: str,
    data: Mapping[str, Any],
    connector: str,
    metadata: Mapping[str, Any] | None = None,
) -> Comment:
    """A comment document (``/tickets/{id}/comments``, or a ``Comment`` ticket event).

    An email comment's sender comes from its ``via.source.from`` (both sources carry the
    ``via`` object; a string label, as update-level ``via`` is, names no sender).
    """
    body = data.get("plain_body")
    if body is None:
        body = data.get("body") or ""
    return Comment(
        id=str(data["id"]),
        ticket_id=ticket_id,
        connector=connector,
        author_id=sid(data.get("author_id")),
        body=body,
        html_body=data.get("html_body"),
        public=bool(data.get("public", True)),
        created_at=data.get("created_at"),
        attachments=[attachment(a) for a in data.get("attachments") or []],
        metadata=dict(metadata if metadata is not None else data.get("metadata") or {}),
        redactable=True,
        kind="comment",
        sender=via_sender(data.get("via")),
    )


def event_comments(item: Mapping[str, Any], connector: str) -> list[Comment]:
    """The comments of one ticket update from ``/incremental/ticket_events?include=comment_events``.

    The update's ``system`` (client, IP address, location) becomes each comment's
    ``metadata.system``, as ``/tickets/{id}/comments`` reports it (``metadata.custom`` too).
    """
    ticket_id = item.get("ticket_id")
    if ticket_id is None:
        return []
    system = _dict(item.get("system"))
    custom = _dict(_dict(item.get("metadata")).get("custom"))
    found = []
    for child in item.get("child_events") or []:
        if not isinstance(child, dict) or child.get("event_type") != "Comment":
            continue
        if "body" not in child and "html_body" not in child:
            continue  # comment_present only: the export was asked without comment_events
        child = {"created_at": item.get("created_at"), **child}
        metadata = {"system": dict(system), "custom": dict(custom)}
        found.append(comment(str(ticket_id), child, connector, metadata))
    return found


def person(
    data: Mapping[str, Any], connector: str, identities: Sequence[Mapping[str, Any]] = ()
) -> Person:
    """A user document, with the emails and phones of its identities and its ``photo``."""
    emails = [data.get("email")] + [i.get("value") for i in identities if i.get("type") == "email"]
    phones = [data.get("phone")] + [
        i.get("value") for i in identities if i.get("type") == "phone_number"
    ]
    return Person(
        id=str(data["id"]),
        connector=connector,
        name=data.get("name"),
        emails=unique(emails),
        phones=unique(phones),
        role=data.get("role"),
        active=bool(data.get("active", True)),
        created_at=data.get("created_at"),
        updated_at=data.get("updated_at"),
        organization_id=sid(data.get("organization_id")),
        photo=_photo(data.get("photo")),
        extra={k: data[k] for k in _USER_EXTRA if data.get(k) not in (None, "", [], {})},
    )


def _photo(data: Any) -> Attachment | None:
    """A user's ``photo`` (an attachment object, thumbnails aside), None when there is none."""
    if not isinstance(data, dict) or data.get("id") is None:
        return None
    return attachment(data)
