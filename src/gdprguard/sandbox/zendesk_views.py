"""JSON documents of the Zendesk flavor: tickets, comments, users, organizations and the rest.

``ZendeskViews`` turns sandbox records into the wire format of the Zendesk Support API v2.
It reads the current request only for the host URL and the ``.json`` suffix of links.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import g, request

from .data import FIELDS
from .records import Attachment, Audit, Comment, Organization, Person, Ticket, iso
from .state import SandboxState

__all__ = ["API", "FIELD_KEYS", "ZendeskViews"]

API = "/api/v2"
FIELD_KEYS = {ids[0]: key for key, ids in FIELDS.items()}
_FIELD_IDS = {key: ids[0] for key, ids in FIELDS.items()}
SUPPORT_ADDRESS = "support@sandbox.example.com"
_STATUS_IDS = {"new": 1, "open": 2, "pending": 3, "hold": 4, "solved": 5, "closed": 6}
#: How the ticket-events export names a channel in an update's ``via`` [S].
_VIA_LABELS = {
    "email": "Mail", "web": "Web form", "chat": "Chat", "voice": "Voice", "twitter": "Twitter",
    "facebook": "Facebook", "api": "Web service",
}  # fmt: skip


class ZendeskViews:
    """Serialisers bound to one sandbox state."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def base(self) -> str:
        """Scheme and host of the current request, without a trailing slash."""
        return request.host_url.rstrip("/")

    def path(self, suffix: str) -> str:
        """The API path for ``suffix`` as the client spelt it (with or without ``.json``)."""
        json_ext = ".json" if request.environ.get("sandbox.json_suffix", True) else ""
        return f"{API}{suffix}{json_ext}"

    def attachment(self, a: Attachment) -> dict[str, Any]:
        """An attachment document."""
        content_url = f"{self.base()}/attachments/token/{a.token}/?name={quote(a.file_name)}"
        image = a.content_type.startswith("image/")
        return {
            "url": f"{self.base()}{API}/attachments/{a.id}.json",
            "id": a.id,
            "file_name": a.file_name,
            "content_url": content_url,
            "mapped_content_url": content_url,
            "content_type": a.content_type,
            "size": len(a.content),
            "width": 1 if image else None,
            "height": 1 if image else None,
            "inline": a.inline,
            "deleted": False,
            "malware_access_override": False,
            "malware_scan_result": "malware_not_found",
            "thumbnails": [],
        }

    def via(self, channel: str, sender: dict[str, Any] | None = None) -> dict[str, Any]:
        """A ``via`` object for a channel: an email's ``source.from`` names its sender (address,
        name and the addresses it was sent to, ``original_recipients``), ``source.to`` the
        support address it reached."""
        source: dict[str, Any] = {"from": {}, "to": {}, "rel": None}
        if channel == "email":
            source["to"] = {"name": "Sandbox Support", "address": SUPPORT_ADDRESS}
            if sender:
                source["from"] = {**sender, "original_recipients": [SUPPORT_ADDRESS]}
        return {"channel": channel, "source": source}

    def comment(self, c: Comment) -> dict[str, Any]:
        """A ticket comment document (an email comment names its sender in ``via``)."""
        return {
            "id": c.id,
            "type": "Comment",
            "author_id": c.author_id,
            "body": c.body,
            "html_body": c.html_body,
            "plain_body": c.body,
            "public": c.public,
            "attachments": [self.attachment(a) for a in self.state.attachments_of(c)],
            "audit_id": c.audit_id,
            "via": self.via(c.channel, c.sender),
            "created_at": iso(c.created_at),
            "metadata": {"system": dict(c.metadata.get("system", {})), "custom": {}},
        }

    def ticket(self, t: Ticket, incremental: bool = False) -> dict[str, Any]:
        """A ticket document (with ``generated_timestamp`` in incremental exports)."""
        first = self.state.data.comments.get(t.comment_ids[0]) if t.comment_ids else None
        custom = [{"id": _FIELD_IDS[k], "value": v} for k, v in t.custom_fields.items()]
        doc: dict[str, Any] = {
            "url": f"{self.base()}{API}/tickets/{t.id}.json",
            "id": t.id,
            "external_id": t.external_id,
            "via": self.via(t.channel, t.via_from),
            "created_at": iso(t.created_at),
            "updated_at": iso(t.updated_at),
            "type": t.type,
            "subject": t.subject,
            "raw_subject": t.subject,
            "description": first.body if first else "",
            "priority": t.priority,
            "status": "deleted" if t.deleted_at is not None else t.status,
            "recipient": "support@sandbox.example.com" if t.channel == "email" else None,
            "requester_id": t.requester_id,
            "submitter_id": t.submitter_id,
            "assignee_id": t.assignee_id,
            "organization_id": t.organization_id,
            "group_id": t.group_id,
            "collaborator_ids": list(t.collaborator_ids),
            "follower_ids": [],
            "email_cc_ids": list(t.collaborator_ids),
            "forum_topic_id": None,
            "problem_id": None,
            "has_incidents": False,
            "is_public": any(c.public for c in self.state.comments_of(t)),
            "due_at": None,
            "tags": list(t.tags),
            "custom_fields": custom,
            "fields": custom,
            "satisfaction_rating": None,
            "sharing_agreement_ids": [],
            "custom_status_id": _STATUS_IDS.get(t.status),
            "followup_ids": [],
            "ticket_form_id": 360000001,
            "brand_id": 360000002,
            "allow_channelback": False,
            "allow_attachments": True,
            "from_messaging_channel": False,
        }
        if incremental:
            doc["generated_timestamp"] = t.updated_at
        return doc

    def ticket_event(self, audit: Audit, with_comments: bool) -> dict[str, Any]:
        """One item of ``/incremental/ticket_events``: a ticket update and its child events.

        With ``include=comment_events`` a comment is a full ``Comment`` child event (as it is
        now: redactions show); without, only ``comment_present``/``comment_public``.
        """
        data = self.state.data
        comment = data.comments.get(audit.comment_id) if audit.comment_id else None
        via = _VIA_LABELS.get(audit.channel, "Web form")
        children: list[dict[str, Any]] = []
        if comment is not None:
            if with_comments:
                doc = self.comment(comment)
                children.append(
                    {
                        "id": comment.id,
                        "via": doc["via"],
                        "via_reference_id": None,
                        "type": "Comment",
                        "author_id": comment.author_id,
                        "body": doc["body"],
                        "html_body": doc["html_body"],
                        "plain_body": doc["plain_body"],
                        "public": comment.public,
                        "attachments": doc["attachments"],
                        "audit_id": audit.id,
                        "created_at": doc["created_at"],
                        "event_type": "Comment",
                    }
                )
            else:
                children.append(
                    {
                        "id": comment.id,
                        "via": via,
                        "via_reference_id": None,
                        "comment_present": True,
                        "comment_public": comment.public,
                        "event_type": "Comment",
                    }
                )
        for n, (event_type, name, value, previous) in enumerate(audit.changes, start=1):
            event = {
                "id": audit.id * 100 + n,
                "via": via,
                "via_reference_id": None,
                "field_name": _event_field(name),
                "value": value,
                "event_type": event_type,
            }
            if event_type == "Change":
                event["previous_value"] = previous
            children.append(event)
        system = dict(comment.metadata.get("system", {})) if comment is not None else {}
        return {
            "id": audit.id,
            "ticket_id": audit.ticket_id,
            "timestamp": audit.created_at,
            "created_at": iso(audit.created_at),
            "updater_id": audit.author_id,
            "via": via,
            "system": system,
            "metadata": {},
            "event_type": "Audit",
            "merged_ticket_ids": [],
            "child_events": children,
        }

    def deleted_ticket(self, t: Ticket) -> dict[str, Any]:
        """An entry of ``/deleted_tickets``."""
        data = self.state.data
        first = data.comments.get(t.comment_ids[0]) if t.comment_ids else None
        return {
            "id": t.id,
            "subject": t.subject,
            "description": first.body if first else "",
            "actor": {"id": data.admin_id, "name": data.people[data.admin_id].name},
            "previous_state": t.previous_status,
            "deleted_at": iso(t.deleted_at),
        }

    def audit(self, t: Ticket, comment: Comment | None) -> dict[str, Any]:
        """The audit answering a ticket create or update by the current user."""
        events = (
            []
            if comment is None
            else [
                {
                    "id": comment.id,
                    "type": "Comment",
                    "author_id": comment.author_id,
                    "body": comment.body,
                    "public": comment.public,
                }
            ]
        )
        return {
            "id": comment.audit_id if comment else self.state.new_id("audit"),
            "ticket_id": t.id,
            "created_at": iso(self.state.now()),
            "author_id": g.user_id,
            "metadata": {"system": {}, "custom": {}},
            "events": events,
        }

    def ticket_fields(self) -> list[dict[str, Any]]:
        """The custom ticket field definitions."""
        return [
            {
                "id": zid,
                "url": f"{self.base()}{API}/ticket_fields/{zid}.json",
                "type": "text",
                "title": title,
                "raw_title": title,
                "active": True,
                "key": key,
            }
            for key, (zid, _, title) in FIELDS.items()
        ]

    def user(self, p: Person) -> dict[str, Any]:
        """A user document."""
        return {
            "id": p.id,
            "url": f"{self.base()}{API}/users/{p.id}.json",
            "name": p.name,
            "email": p.email,
            "created_at": iso(p.created_at),
            "updated_at": iso(p.updated_at),
            "time_zone": p.time_zone,
            "iana_time_zone": "Asia/Tokyo" if p.time_zone == "Tokyo" else "America/Los_Angeles",
            "phone": p.phone,
            "shared_phone_number": False if p.phone else None,
            "photo": self.photo(p),
            "locale_id": 67 if p.locale == "ja" else 1,
            "locale": p.locale,
            "organization_id": p.organization_id,
            "role": p.role,
            "verified": True,
            "external_id": p.external_id,
            "tags": list(p.tags),
            "alias": "",
            "active": p.active,
            "shared": False,
            "shared_agent": False,
            "last_login_at": None,
            "two_factor_auth_enabled": False,
            "signature": None,
            "details": "",
            "notes": "",
            "role_type": None,
            "custom_role_id": None,
            "moderator": p.role != "end-user",
            "ticket_restriction": "requested" if p.role == "end-user" else None,
            "only_private_comments": False,
            "restricted_agent": p.role == "end-user",
            "suspended": False,
            "default_group_id": 2001 if p.role != "end-user" else None,
            "report_csv": p.role == "admin",
            "user_fields": {},
        }

    def photo(self, p: Person) -> dict[str, Any] | None:
        """A user's ``photo``: an attachment object with its ``thumbnails``."""
        if p.photo is None:
            return None
        thumbnails = [self.attachment(p.photo.thumbnail)]
        return {**self.attachment(p.photo.image), "thumbnails": thumbnails}

    def identities(self, p: Person) -> list[dict[str, Any]]:
        """A user's identities: each email (the first primary), then the phone number."""
        items = []
        for index, value in enumerate([p.email, *p.extra_emails]):
            if value:
                items.append(("email", value, index == 0))
        if p.phone:
            items.append(("phone_number", p.phone, False))
        uid = p.id
        return [
            {
                "url": f"{self.base()}{API}/users/{uid}/identities/{uid * 10 + n}.json",
                "id": uid * 10 + n,
                "user_id": uid,
                "type": kind,
                "value": value,
                "verified": True,
                "primary": primary or kind == "phone_number",
                "created_at": iso(p.created_at),
                "updated_at": iso(p.updated_at),
            }
            for n, (kind, value, primary) in enumerate(items)
        ]

    def compliance_statuses(self, p: Person) -> list[dict[str, Any]]:
        """A user's compliance deletion statuses: one once the user is purged."""
        if not p.purged:
            return []
        return [
            {
                "action_decision": "delete",
                "application": "all",
                "account_subdomain": "sandbox",
                "executer_id": self.state.data.admin_id,
                "user_id": p.id,
                "created_at": iso(p.updated_at),
            }
        ]

    def organization(self, o: Organization) -> dict[str, Any]:
        """An organization document."""
        return {
            "url": f"{self.base()}{API}/organizations/{o.id}.json",
            "id": o.id,
            "name": o.name,
            "shared_tickets": False,
            "shared_comments": False,
            "external_id": None,
            "created_at": iso(o.created_at),
            "updated_at": iso(o.updated_at),
            "domain_names": list(o.domain_names),
            "details": o.details,
            "notes": o.notes,
            "group_id": None,
            "tags": list(o.tags),
            "organization_fields": {},
        }

    def job(self, job_id: str) -> dict[str, Any]:
        """A job status document."""
        job = self.state.jobs[job_id]
        return {
            "id": job.id,
            "url": f"{self.base()}{API}/job_statuses/{job.id}.json",
            "total": job.total,
            "progress": job.total if job.status == "completed" else 0,
            "status": job.status,
            "message": job.message,
            "results": job.results,
        }

    def search_result(self, kind: str, record: Any) -> dict[str, Any]:
        """A search hit: the record's document plus ``result_type``."""
        serializers: dict[str, Callable[[Any], dict[str, Any]]] = {
            "ticket": self.ticket,
            "user": self.user,
            "organization": self.organization,
        }
        return {**serializers[kind](record), "result_type": kind}


def _event_field(name: str) -> str:
    """A neutral field name as a ticket event names it (custom fields by their id)."""
    if name.startswith("custom_fields."):
        return str(_FIELD_IDS[name.split(".", 1)[1]])
    return name
