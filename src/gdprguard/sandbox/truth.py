"""The sandbox's ground truth: which planted personal data is still there, and where.

A planted value is reported while it is present in **any** place its field is served from, not
only the one it was planted in: a comment's value counts while it is in the plain text *or*
anywhere in the HTML (text, ``href``/``src``/``alt`` and other attributes, entity- and
percent-decoded), a subject or custom field's value while it is in the field *or* in the
ticket's history (Zendesk's ticket-events export keeps old values), and so on. ``places`` names
where it still is:

========================  ===================================================================
``text``                  comment plain text (Zendesk ``body``/``plain_body``, Freshdesk
                          ``body_text``/``description_text``)
``html``                  comment HTML (``html_body`` / ``body`` / ``description``), any part
``subject``               ticket subject
``custom_field``          the custom field it was planted in
``ticket_events``         ticket history (Zendesk audits and ticket-events export only)
``via``                   sender of an email ticket (Zendesk ``via.source.from``)
``sender``                sender of an email comment (Zendesk comment ``via.source.from``,
                          Freshdesk conversation ``from_email``)
``metadata``              comment ``metadata.system`` (Zendesk; also the events' ``system``)
``attachment``            attachment content
========================  ===================================================================

It also says whose data is where: each person's ``requested`` and ``cc`` tickets and
``authored`` comments, and each planted value's ``person_id`` (see ``docs/sandbox.md``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ..text.html import project_html
from .data import FIELDS
from .records import Planted, Ticket
from .state import SandboxState

__all__ = ["ground_truth"]


@dataclass
class _Relations:
    """Where each person is on record, in the flavor's wire ids."""

    requested: dict[int, list[int]] = field(default_factory=dict)
    cc: dict[int, list[int]] = field(default_factory=dict)
    authored: dict[int, list[list[int | None]]] = field(default_factory=dict)


def _relations(state: SandboxState, flavor: str) -> _Relations:
    """Tickets each person requested or is copied on, comments each wrote: every stored ticket,
    soft-deleted ones included (like planted values, they stay until purged)."""
    found = _Relations()
    people = state.data.people
    for ticket in sorted(state.data.tickets.values(), key=lambda t: t.id):
        found.requested.setdefault(ticket.requester_id, []).append(ticket.id)
        for pid in dict.fromkeys(ticket.collaborator_ids):
            person = people.get(pid)
            if flavor == "freshdesk" and (person is None or not person.email):
                continue  # Freshdesk copies addresses: without one, nothing names them
            found.cc.setdefault(pid, []).append(ticket.id)
        for index, cid in enumerate(ticket.comment_ids):
            comment = state.data.comments.get(cid)
            if comment is None:
                continue
            wire = None if flavor == "freshdesk" and index == 0 else cid  # the description
            found.authored.setdefault(comment.author_id, []).append([ticket.id, wire])
    return found


def ground_truth(state: SandboxState, flavor: str) -> dict[str, Any]:
    """What personal data is still present, in the flavor's ids and field names, and whose."""
    relations = _relations(state, flavor)
    people = [
        {
            "id": p.id,
            "name": p.name,
            "email": p.email,
            "phone": p.phone,
            "deleted": not p.active,
            "photo_id": p.photo.image.id if p.photo else None,
            "requested": relations.requested.get(p.id, []),
            "cc": relations.cc.get(p.id, []),
            "authored": relations.authored.get(p.id, []),
        }
        for p in state.end_users()
        if not p.purged
    ]
    planted = []
    for item in state.data.planted:
        ticket = state.data.tickets.get(item.ticket_id)
        if ticket is None:
            continue
        places = [name for name, text in _places(state, flavor, ticket, item) if item.value in text]
        mapped = _wire_field(flavor, item, ticket)
        if not places or mapped is None:
            continue
        comment_id, wire_field = mapped
        planted.append(
            {
                "ticket_id": item.ticket_id,
                "comment_id": comment_id,
                "field": wire_field,
                "type": item.type,
                "value": item.value,
                "places": list(dict.fromkeys(places)),
                "deleted": ticket.deleted_at is not None,
                "person_id": item.person_id,
            }
        )
    return {"people": people, "planted": planted, "writes": state.writes.totals()}


def _places(
    state: SandboxState, flavor: str, ticket: Ticket, item: Planted
) -> Iterator[tuple[str, str]]:
    """(place, text) pairs where the item's value may still be."""
    field = item.field
    if item.comment_id is None:
        if field == "subject":
            yield "subject", ticket.subject or ""
        elif field.startswith("custom_fields."):
            value = ticket.custom_fields.get(field.split(".", 1)[1])
            yield "custom_field", "" if value is None else str(value)
        elif field.startswith("via.source.from."):
            yield "via", str((ticket.via_from or {}).get(field.rsplit(".", 1)[1]) or "")
        if flavor == "zendesk" and (field == "subject" or field.startswith("custom_fields.")):
            yield "ticket_events", _history(ticket, field)
        return
    comment = state.data.comments.get(item.comment_id)
    if comment is None:
        return
    if field == "body":
        yield "text", comment.body
        markup = comment.html_body
        if item.value not in markup and item.value not in unquote(markup):
            markup = project_html(markup, "scan").text  # entity-encoded text and attributes
        yield "html", markup
    elif field.startswith("sender."):
        yield "sender", str((comment.sender or {}).get(field.rsplit(".", 1)[1]) or "")
    elif field.startswith("metadata.system."):
        yield "metadata", str(comment.metadata.get("system", {}).get(field.rsplit(".", 1)[1]) or "")
    elif field.startswith("attachments."):
        attachment = state.data.attachments.get(int(field.split(".")[1]))
        if attachment is not None:
            yield "attachment", attachment.content.decode("utf-8", "replace")


def _history(ticket: Ticket, field: str) -> str:
    """Every value *field* ever had in the ticket's audits, one per line."""
    values = []
    for audit in ticket.audits:
        for _kind, name, value, previous in audit.changes:
            if name == field:
                values += [str(v) for v in (value, previous) if v is not None]
    return "\n".join(values)


def _wire_field(flavor: str, item: Planted, ticket: Ticket) -> tuple[int | None, str] | None:
    """Map a neutral planted location to (comment_id, field) as the flavor serves it."""
    if item.field.startswith("custom_fields."):
        zendesk_id, freshdesk_name, _ = FIELDS[item.field.split(".", 1)[1]]
        return None, f"custom_fields.{zendesk_id if flavor == 'zendesk' else freshdesk_name}"
    if item.field.startswith("sender."):
        if flavor == "zendesk":
            return item.comment_id, "via.source.from." + item.field.split(".", 1)[1]
        if ticket.comment_ids and item.comment_id == ticket.comment_ids[0]:
            return None  # a Freshdesk description names no sender
        return item.comment_id, "from_email"
    if flavor == "zendesk":
        return item.comment_id, item.field
    if item.field.startswith(("metadata.", "via.")):
        return None  # Freshdesk has no such fields: the flavor does not serve them
    if (
        item.comment_id is not None
        and ticket.comment_ids
        and item.comment_id == ticket.comment_ids[0]
    ):
        if item.field == "body":
            return None, "description"
        return None, item.field  # attachments.<id>.content of the description
    return item.comment_id, item.field
