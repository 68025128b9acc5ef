"""The Freshdesk API v2 flavor of the sandbox (a Flask app over ``SandboxState``).

A ticket's first comment is its ``description``; the rest are conversations. Customer messages
and agent replies cannot be edited (only deleted); notes can (``PUT /conversations/{id}``). The
second, non-admin API key may read and write conversations but gets 403 on deletions.
Creating a ticket, replying, adding a note and updating a ticket announce the change to the
automation rules (``state.emit``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Response, g, request

from ..text.phone import phone_digits
from ._flask import add_sandbox_routes, api_router
from ._http import BadParameter, basic_credentials, int_arg, json_response, page_url
from ._routes import SandboxFlask
from .data import FIELDS
from .records import Attachment, Comment, Organization, Person, Ticket, iso
from .search import SearchError, freshdesk_contact_filter, freshdesk_ticket_filter
from .state import SandboxState

__all__ = ["build_freshdesk_app", "freshdesk_credentials"]

API = "/api/v2"
_STATUS = {"new": 2, "open": 2, "pending": 3, "hold": 3, "solved": 4, "closed": 5}
_STATUS_BACK = {2: "open", 3: "pending", 4: "solved", 5: "closed"}
_PRIORITY = {None: 1, "low": 1, "normal": 2, "high": 3, "urgent": 4}
_PRIORITY_BACK = {1: "low", 2: "normal", 3: "high", 4: "urgent"}
_SOURCE = {"email": 1, "web": 2, "voice": 3, "twitter": 5, "facebook": 6, "chat": 7, "api": 2}
_CF = {key: ids[1] for key, ids in FIELDS.items()}
_CF_BACK = {ids[1]: key for key, ids in FIELDS.items()}
_THIRTY_DAYS = 30 * 86400
SUPPORT_ADDRESS = "support@sandbox.example.com"


def _mailbox(name: str | None, address: str) -> str:
    """A mail header's ``"Name" <address>`` (the bare address without a name)."""
    if not name:
        return address
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def freshdesk_credentials(seed: int) -> dict[str, str]:
    """Deterministic sandbox API keys for a seed: an admin and a non-admin agent."""

    def key(role: str) -> str:
        return hashlib.sha256(f"gdprguard-sandbox:freshdesk:{role}:{seed}".encode()).hexdigest()[
            :20
        ]

    return {"api_key": key("admin"), "agent_api_key": key("agent")}


def _validation(
    field: str, message: str, code: str = "invalid_value", status: int = 400
) -> Response:
    errors = [{"field": field, "message": message, "code": code}]
    return json_response({"description": "Validation failed", "errors": errors}, status)


def _not_found() -> Response:
    return json_response(
        {"code": "not_found", "message": "The requested resource was not found"}, 404
    )


def _forbidden() -> Response:
    return json_response(
        {"code": "access_denied", "message": "You are not authorized to perform this action."}, 403
    )


def _parse_time(value: str) -> int | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return int(parsed.replace(tzinfo=datetime.now().astimezone().tzinfo).timestamp())
    return int(parsed.timestamp())


def build_freshdesk_app(state: SandboxState, credentials: dict[str, str]) -> SandboxFlask:
    """The Freshdesk flavor as a Flask app."""
    app = SandboxFlask("gdprguard.sandbox.freshdesk")
    data = state.data

    route = api_router(app, API)

    def base() -> str:
        return request.host_url.rstrip("/")

    def admin_only() -> Response | None:
        return _forbidden() if g.role != "admin" else None

    # --- serialisation -----------------------------------------------------------------------

    def attachment_doc(a: Attachment) -> dict[str, Any]:
        return {
            "id": a.id,
            "name": a.file_name,
            "content_type": a.content_type,
            "size": len(a.content),
            "created_at": iso(data.comments[a.comment_id].created_at)
            if a.comment_id in data.comments
            else None,
            "updated_at": iso(data.comments[a.comment_id].updated_at)
            if a.comment_id in data.comments
            else None,
            "attachment_url": f"{base()}/attachments/token/{a.token}/?name={quote(a.file_name)}",
            "thumb_url": None,
        }

    def body_html(c: Comment) -> str:
        return c.html_body.replace('<div class="zd-comment" dir="auto">', "<div>").replace(
            '<p dir="auto">', "<p>"
        )

    def email_of(pid: int | None) -> str | None:
        p = data.people.get(pid) if pid is not None else None
        return p.email if p else None

    def from_email(c: Comment) -> str | None:
        """``"Name" <address>`` as Freshdesk shows a conversation's sender: an incoming email as
        it was sent, other incoming messages with the contact's address, an agent's reply with
        the agent's name and the support address; notes have none."""
        if c.kind == "note":
            return None
        if c.kind != "customer":
            agent = data.people.get(c.author_id)
            return _mailbox(agent.name if agent else "Support", SUPPORT_ADDRESS)
        if c.sender:
            return _mailbox(c.sender.get("name"), c.sender["address"])
        author = data.people.get(c.author_id)
        if author is None or not author.email:
            return None
        return _mailbox(author.name, author.email)

    def avatar_doc(p: Person) -> dict[str, Any] | None:
        if p.photo is None:
            return None
        image = p.photo.image
        url = f"{base()}/attachments/token/{image.token}/?name={quote(image.file_name)}"
        return {
            "avatar_url": url,
            "content_type": image.content_type,
            "id": image.id,
            "name": image.file_name,
            "size": len(image.content),
            "created_at": iso(p.created_at),
            "updated_at": iso(p.created_at),
        }

    def conversation_doc(c: Comment) -> dict[str, Any]:
        t = data.tickets[c.ticket_id]
        incoming = c.kind == "customer"
        return {
            "body": body_html(c),
            "body_text": c.body,
            "id": c.id,
            "incoming": incoming,
            "private": not c.public,
            "user_id": c.author_id,
            "support_email": SUPPORT_ADDRESS if c.kind != "note" else None,
            "source": 2 if c.kind == "note" else 0,
            "category": 3 if c.kind == "note" else 2,
            "ticket_id": c.ticket_id,
            "to_emails": []
            if c.kind == "note"
            else [(SUPPORT_ADDRESS if incoming else email_of(t.requester_id)) or ""],
            "from_email": from_email(c),
            "cc_emails": [],
            "bcc_emails": None,
            "email_failure_count": None,
            "outgoing_failures": None,
            "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at),
            "attachments": [attachment_doc(a) for a in state.attachments_of(c)],
            "last_edited_at": iso(c.updated_at) if c.updated_at != c.created_at else None,
            "last_edited_user_id": None,
        }

    def ticket_doc(t: Ticket, *, description: bool = True) -> dict[str, Any]:
        first = data.comments.get(t.comment_ids[0]) if t.comment_ids else None
        ccs = [e for e in (email_of(p) for p in t.collaborator_ids) if e]
        doc: dict[str, Any] = {
            "cc_emails": ccs,
            "fwd_emails": [],
            "reply_cc_emails": ccs,
            "ticket_cc_emails": ccs,
            "fr_escalated": False,
            "spam": False,
            "email_config_id": None,
            "group_id": t.group_id,
            "priority": _PRIORITY.get(t.priority, 1),
            "requester_id": t.requester_id,
            "responder_id": t.assignee_id,
            "source": _SOURCE.get(t.channel, 2),
            "company_id": t.organization_id,
            "status": _STATUS.get(t.status, 2),
            "subject": t.subject,
            "association_type": None,
            "support_email": None,
            "to_emails": None,
            "product_id": None,
            "id": t.id,
            "type": t.type.capitalize() if t.type else None,
            "due_by": iso(t.created_at + 3 * 86400),
            "fr_due_by": iso(t.created_at + 86400),
            "is_escalated": False,
            "custom_fields": {_CF[k]: v for k, v in t.custom_fields.items()},
            "created_at": iso(t.created_at),
            "updated_at": iso(t.updated_at),
            "associated_tickets_count": None,
            "tags": list(t.tags),
            "nr_due_by": None,
            "nr_escalated": False,
        }
        if description:
            doc["description"] = body_html(first) if first else ""
            doc["description_text"] = first.body if first else ""
            doc["attachments"] = (
                [attachment_doc(a) for a in state.attachments_of(first)] if first else []
            )
        if t.deleted_at is not None:
            doc["deleted"] = True
        return doc

    def contact_doc(p: Person) -> dict[str, Any]:
        return {
            "active": True,
            "address": p.address,
            "avatar": avatar_doc(p),
            "company_id": p.organization_id,
            "description": None,
            "email": p.email,
            "id": p.id,
            "job_title": None,
            "language": "ja-JP" if p.locale == "ja" else "en",
            "mobile": None,
            "name": p.name,
            "phone": p.phone,
            "time_zone": p.time_zone,
            "twitter_id": None,
            "other_emails": list(p.extra_emails),
            "custom_fields": {},
            "tags": list(p.tags),
            "other_companies": [],
            "unique_external_id": p.external_id,
            "view_all_tickets": False,
            "deleted": p.deleted_at is not None,
            "created_at": iso(p.created_at),
            "updated_at": iso(p.updated_at),
        }

    def company_doc(o: Organization) -> dict[str, Any]:
        return {
            "id": o.id,
            "name": o.name,
            "description": o.details or None,
            "note": o.notes or None,
            "domains": list(o.domain_names),
            "custom_fields": {},
            "health_score": None,
            "account_tier": None,
            "renewal_date": None,
            "industry": None,
            "created_at": iso(o.created_at),
            "updated_at": iso(o.updated_at),
        }

    def agent_doc(p: Person) -> dict[str, Any]:
        admin = p.role == "admin"
        return {
            "available": True,
            "occasional": False,
            "id": p.id,
            "ticket_scope": 1,
            "signature": None,
            "group_ids": [2001],
            "role_ids": [1] if admin else [4],
            "skill_ids": [],
            "available_since": None,
            "type": "support_agent",
            "contact": {
                "active": True,
                "email": p.email,
                "job_title": None,
                "language": "en",
                "last_login_at": None,
                "mobile": None,
                "name": p.name,
                "phone": None,
                "time_zone": p.time_zone,
                "created_at": iso(p.created_at),
                "updated_at": iso(p.updated_at),
            },
            "created_at": iso(p.created_at),
            "updated_at": iso(p.updated_at),
        }

    # --- pagination --------------------------------------------------------------------------

    def paged(
        items: list[Any],
        serialize: Callable[[Any], dict[str, Any]],
        path: str,
        max_page: int | None = None,
    ) -> Response:
        page_no = int_arg(request, "page", 1) or 1
        per_page = int_arg(request, "per_page", 30) or 30
        if page_no < 1:
            return _validation("page", "It should be a Positive Number", "datatype_mismatch")
        if not 1 <= per_page <= 100:
            return _validation(
                "per_page", "It should be a Positive Number less than or equal to 100"
            )
        if max_page is not None and page_no > max_page:
            return _validation(
                "page",
                f"You cannot access tickets beyond the {max_page}th page. "
                "Please provide a smaller page number.",
            )
        start = (page_no - 1) * per_page
        chunk = items[start : start + per_page]
        headers = {}
        if start + per_page < len(items):
            following = page_url(request, API + path, {"page": page_no + 1, "per_page": per_page})
            headers["Link"] = f'<{following}>; rel="next"'
        return Response(
            json_response([serialize(i) for i in chunk]).get_data(),
            mimetype="application/json",
            headers=headers,
        )

    # --- auth and errors ---------------------------------------------------------------------

    @app.before_request
    def _auth() -> Response | None:
        if request.path.startswith("/attachments/token/"):
            return None
        pair = basic_credentials(request.headers.get("Authorization", ""))
        role = None
        if pair is not None:
            role = {credentials["api_key"]: "admin", credentials["agent_api_key"]: "agent"}.get(
                pair[0]
            )
        if role is None:
            return json_response(
                {
                    "code": "invalid_credentials",
                    "message": "You have to be logged in to perform this action.",
                },
                401,
            )
        g.role = role
        g.user_id = data.admin_id if role == "admin" else data.agent_id
        return None

    @app.errorhandler(BadParameter)
    def _bad_parameter(exc: BadParameter) -> Response:
        return _validation(exc.name, exc.message, "datatype_mismatch")

    @app.errorhandler(404)
    def _missing(_exc: Exception) -> Response:
        return _not_found()

    @app.errorhandler(405)
    def _method(_exc: Exception) -> Response:
        return json_response({"code": "method_not_allowed", "message": "Method not allowed"}, 405)

    def body_json() -> dict[str, Any] | Response:
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            return json_response(
                {"code": "invalid_json", "message": "Request body has invalid json format"}, 400
            )
        return payload

    # --- sandbox-only ------------------------------------------------------------------------

    add_sandbox_routes(app, state, "freshdesk", _not_found)

    # --- agents ------------------------------------------------------------------------------

    @route("/agents/me")
    def me() -> Response:
        return json_response(agent_doc(data.people[g.user_id]))

    @route("/agents")
    def agents() -> Response:
        staff = [data.people[i] for i in data.agent_ids]
        return paged(staff, agent_doc, "/agents")

    @route("/roles")
    def roles() -> Response:
        return json_response(
            [
                {
                    "id": 1,
                    "name": "Account Administrator",
                    "description": "Has complete control over the help desk",
                    "default": True,
                    "agent_type": 1,
                },
                {
                    "id": 4,
                    "name": "Agent",
                    "description": "Can log, view, reply, update and resolve tickets",
                    "default": True,
                    "agent_type": 1,
                },
            ]
        )

    # --- tickets -----------------------------------------------------------------------------

    @route("/tickets")
    def tickets() -> Response:
        args = request.args
        which = args.get("filter")
        if which not in (None, "deleted", "spam", "new_and_my_open", "watching"):
            return _validation(
                "filter",
                "It should be one of these values: 'new_and_my_open,watching,spam,deleted'",
            )
        items = state.deleted_tickets() if which == "deleted" else state.live_tickets()
        if which == "spam" or which == "watching":
            items = []
        if which == "new_and_my_open":
            items = [
                t
                for t in items
                if t.status in ("new", "open") and t.assignee_id in (None, g.user_id)
            ]
        if "requester_id" in args:
            rid = int_arg(request, "requester_id")
            items = [t for t in items if t.requester_id == rid]
        if "email" in args:
            wanted = args["email"].lower()
            ids = {p.id for p in data.people.values() if p.email and p.email.lower() == wanted}
            items = [t for t in items if t.requester_id in ids]
        if "company_id" in args:
            cid = int_arg(request, "company_id")
            items = [t for t in items if t.organization_id == cid]
        since_raw = args.get("updated_since")
        if since_raw is not None:
            since = _parse_time(since_raw)
            if since is None:
                return _validation(
                    "updated_since", "It should be in the 'valid date time' format", "invalid_value"
                )
            items = [t for t in items if t.updated_at >= since]
        elif not any(k in args for k in ("requester_id", "email", "company_id", "filter")):
            cutoff = state.now() - _THIRTY_DAYS
            items = [t for t in items if t.created_at >= cutoff]
        order_by = args.get("order_by", "created_at")
        if order_by not in ("created_at", "due_by", "updated_at", "status"):
            return _validation(
                "order_by",
                "It should be one of these values: 'created_at,due_by,updated_at,status'",
            )
        order_type = args.get("order_type", "desc")
        key: Callable[[Ticket], Any] = {
            "created_at": lambda t: (t.created_at, t.id),
            "due_by": lambda t: (t.created_at, t.id),
            "updated_at": lambda t: (t.updated_at, t.id),
            "status": lambda t: (_STATUS.get(t.status, 2), t.id),
        }[order_by]
        items = sorted(items, key=key, reverse=order_type != "asc")
        includes = {i for i in args.get("include", "").split(",") if i}
        if includes - {"description", "requester", "stats"}:
            return _validation(
                "include", "It should be one of these values: 'description,requester,stats'"
            )

        def serialize(t: Ticket) -> dict[str, Any]:
            doc = ticket_doc(t, description="description" in includes)
            doc.pop("attachments", None)
            if "requester" in includes:
                r = data.people.get(t.requester_id)
                doc["requester"] = (
                    {"id": r.id, "name": r.name, "email": r.email, "mobile": None, "phone": r.phone}
                    if r
                    else None
                )
            if "stats" in includes:
                doc["stats"] = {
                    "agent_responded_at": None,
                    "requester_responded_at": None,
                    "first_responded_at": None,
                    "status_updated_at": iso(t.updated_at),
                    "reopened_at": None,
                    "resolved_at": None,
                    "closed_at": iso(t.updated_at) if t.status == "closed" else None,
                    "pending_since": None,
                }
            return doc

        return paged(items, serialize, "/tickets", max_page=300)

    @route("/tickets/<int:tid>")
    def ticket_show(tid: int) -> Response:
        t = data.tickets.get(tid)
        if t is None:
            return _not_found()
        doc = ticket_doc(t)
        includes = {i for i in request.args.get("include", "").split(",") if i}
        if "conversations" in includes:
            doc["conversations"] = [conversation_doc(c) for c in state.comments_of(t)[1:11]]
        if "requester" in includes:
            r = data.people.get(t.requester_id)
            doc["requester"] = (
                {"id": r.id, "name": r.name, "email": r.email, "mobile": None, "phone": r.phone}
                if r
                else None
            )
        if "company" in includes and t.organization_id in data.organizations:
            o = data.organizations[t.organization_id]
            doc["company"] = {"id": o.id, "name": o.name}
        return json_response(doc)

    @route("/tickets", ("POST",))
    def ticket_create() -> Response:
        payload = body_json()
        if isinstance(payload, Response):
            return payload
        requester = None
        if "requester_id" in payload:
            requester = data.people.get(payload["requester_id"])
        elif "email" in payload:
            requester = next((p for p in data.people.values() if p.email == payload["email"]), None)
        if requester is None:
            return _validation(
                "requester_id",
                "There is no contact matching the given requester_id",
                "invalid_value",
            )
        if not payload.get("subject") or not payload.get("description"):
            return _validation(
                "description" if payload.get("subject") else "subject",
                "It should not be blank as this is a mandatory field",
                "missing_field",
            )
        now = state.now()
        t = Ticket(
            id=state.new_id("ticket"),
            subject=str(payload["subject"]),
            status=_STATUS_BACK.get(payload.get("status", 2), "open"),
            priority=_PRIORITY_BACK.get(payload.get("priority", 1), "low"),
            type=(payload.get("type") or "").lower() or None,
            channel="web",
            tags=[str(x) for x in payload.get("tags") or []],
            requester_id=requester.id,
            submitter_id=requester.id,
            assignee_id=payload.get("responder_id"),
            organization_id=requester.organization_id,
            group_id=2001,
            collaborator_ids=[],
            custom_fields={k: (payload.get("custom_fields") or {}).get(v) for k, v in _CF.items()},
            created_at=now,
            updated_at=now,
        )
        data.tickets[t.id] = t
        first = state.add_comment(
            t, author_id=requester.id, html_body=str(payload["description"]), kind="customer"
        )
        state.record_creation(t, first)
        state.emit(t, "Create", first)
        return json_response(ticket_doc(t), 201, {"Location": f"{base()}{API}/tickets/{t.id}"})

    @route("/tickets/<int:tid>", ("PUT",))
    def ticket_update(tid: int) -> Response:
        t = state.ticket(tid)
        if t is None:
            return _not_found()
        payload = body_json()
        if isinstance(payload, Response):
            return payload
        changes: dict[str, Any] = {}
        if "subject" in payload:
            changes["subject"] = str(payload["subject"])
        if "status" in payload:
            if payload["status"] not in _STATUS_BACK:
                return _validation("status", "It should be one of these values: '2,3,4,5'")
            changes["status"] = _STATUS_BACK[payload["status"]]
        if "priority" in payload:
            changes["priority"] = _PRIORITY_BACK.get(payload["priority"], t.priority)
        if "tags" in payload and isinstance(payload["tags"], list):
            changes["tags"] = [str(x) for x in payload["tags"]]
        for name, value in (payload.get("custom_fields") or {}).items():
            if name not in _CF_BACK:
                return _validation(name, "Unexpected/invalid field in request", "invalid_field")
            changes[f"custom_fields.{_CF_BACK[name]}"] = value
        if "description" in payload:
            first = data.comments.get(t.comment_ids[0]) if t.comment_ids else None
            if first is not None:
                state.replace_comment_html(first, str(payload["description"]))
        state.change_ticket(t, changes, author_id=g.user_id)
        state.writes.record("ticket", tid, "update")
        state.emit(t, "Change")
        return json_response(ticket_doc(t))

    @route("/tickets/<int:tid>", ("DELETE",))
    def ticket_delete(tid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        t = state.ticket(tid)
        if t is None:
            return _not_found()
        state.soft_delete_ticket(t)
        state.writes.record("ticket", tid, "delete")
        return Response(status=204)

    @route("/tickets/<int:tid>/restore", ("PUT",))
    def ticket_restore(tid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        t = state.ticket(tid, deleted=True)
        if t is None:
            return _not_found()
        state.restore_ticket(t)
        state.writes.record("ticket", tid, "restore")
        return Response(status=204)

    @route("/tickets/bulk_delete", ("POST",))
    def bulk_delete() -> Response:
        if (denied := admin_only()) is not None:
            return denied
        payload = body_json()
        if isinstance(payload, Response):
            return payload
        ids = (payload.get("bulk_action") or {}).get("ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
            return _validation(
                "ids", "It should be a/an Array of Positive Integers", "datatype_mismatch"
            )

        def action() -> list[dict[str, Any]]:
            results = []
            for tid in ids:
                t = state.ticket(tid)
                if t is not None:
                    state.soft_delete_ticket(t)
                    state.writes.record("ticket", tid, "delete")
                results.append({"id": tid, "success": t is not None})
            return results

        job = state.create_job("bulk_delete", len(ids), action)
        return json_response({"job_id": job.id, "href": f"{base()}{API}/jobs/{job.id}"}, 202)

    @route("/jobs/<job_id>")
    def job_show(job_id: str) -> Response:
        job = state.jobs.get(job_id)
        if job is None:
            return _not_found()
        done = job.status == "completed"
        return json_response(
            {
                "id": job.id,
                "job_type": job.kind,
                "status": "SUCCESS"
                if done
                else ("FAILED" if job.status == "failed" else "IN PROGRESS"),
                "data": job.results if done else [],
                "created_at": iso(int(job.ready_at - state.job_seconds)),
                "updated_at": iso(job.completed_at),
            }
        )

    # --- conversations -----------------------------------------------------------------------

    @route("/tickets/<int:tid>/conversations")
    def conversations(tid: int) -> Response:
        t = data.tickets.get(tid)
        if t is None:
            return _not_found()
        return paged(state.comments_of(t)[1:], conversation_doc, f"/tickets/{tid}/conversations")

    def _add(tid: int, note: bool) -> Response:
        t = state.ticket(tid)
        if t is None:
            return _not_found()
        payload = body_json()
        if isinstance(payload, Response):
            return payload
        body = payload.get("body")
        if not isinstance(body, str) or not body.strip():
            return _validation(
                "body", "It should not be blank as this is a mandatory field", "missing_field"
            )
        private = bool(payload.get("private", True)) if note else False
        author = payload.get("user_id", g.user_id)
        c = state.add_comment(
            t,
            author_id=author,
            html_body=body,
            public=not private,
            kind="note" if note else "agent",
        )
        state.writes.record("ticket", tid, "comment")
        state.emit(t, "Change", c)
        return json_response(conversation_doc(c), 201)

    @route("/tickets/<int:tid>/reply", ("POST",))
    def reply(tid: int) -> Response:
        return _add(tid, note=False)

    @route("/tickets/<int:tid>/notes", ("POST",))
    def note(tid: int) -> Response:
        return _add(tid, note=True)

    def _conversation(cid: int) -> Comment | None:
        c = data.comments.get(cid)
        if c is None:
            return None
        t = data.tickets.get(c.ticket_id)
        if t is None or not t.comment_ids or t.comment_ids[0] == cid:
            return None  # the description is not a conversation
        return c

    @route("/conversations/<int:cid>", ("PUT",))
    def conversation_update(cid: int) -> Response:
        c = _conversation(cid)
        if c is None:
            return _not_found()
        if c.kind != "note":
            return _validation(
                "id",
                "Only notes can be updated; replies and incoming messages cannot be edited",
                "inconsistent_state",
            )
        payload = body_json()
        if isinstance(payload, Response):
            return payload
        body = payload.get("body")
        if not isinstance(body, str) or not body.strip():
            return _validation(
                "body", "It should not be blank as this is a mandatory field", "missing_field"
            )
        state.replace_comment_html(c, body)
        state.writes.record("comment", cid, "update")
        return json_response(conversation_doc(c))

    @route("/conversations/<int:cid>", ("DELETE",))
    def conversation_delete(cid: int) -> Response:
        c = _conversation(cid)
        if c is None:
            return _not_found()
        state.delete_comment(c)
        state.writes.record("comment", cid, "delete")
        return Response(status=204)

    @route("/attachments/<int:aid>", ("DELETE",))
    def attachment_delete(aid: int) -> Response:
        a = data.attachments.get(aid)
        if a is not None:
            state.delete_attachment(a)
        else:  # a contact's avatar is an attachment too
            owner = next(
                (p for p in data.people.values() if p.photo and p.photo.image.id == aid), None
            )
            if owner is None:
                return _not_found()
            state.remove_photo(owner)
        state.writes.record("attachment", aid, "delete")
        return Response(status=204)

    # --- contacts and companies --------------------------------------------------------------

    @route("/contacts")
    def contacts() -> Response:
        args = request.args
        wanted_state = args.get("state")
        if wanted_state not in (None, "blocked", "deleted", "unverified", "verified"):
            return _validation(
                "state", "It should be one of these values: 'blocked,deleted,unverified,verified'"
            )
        people = [p for p in state.end_users() if not p.purged]
        if wanted_state == "deleted":
            people = [p for p in people if p.deleted_at is not None]
        elif wanted_state in ("blocked", "unverified"):
            people = []
        else:
            people = [p for p in people if p.deleted_at is None]
        if "email" in args:
            wanted = args["email"].lower()
            people = [
                p for p in people if wanted in [e.lower() for e in (p.email, *p.extra_emails) if e]
            ]
        for name in ("phone", "mobile"):
            if name in args:
                digits = phone_digits(args[name])
                people = [
                    p
                    for p in people
                    if name == "phone" and p.phone and phone_digits(p.phone) == digits
                ]
        if "company_id" in args:
            cid = int_arg(request, "company_id")
            people = [p for p in people if p.organization_id == cid]
        if "_updated_since" in args:
            since = _parse_time(args["_updated_since"])
            if since is None:
                return _validation("_updated_since", "It should be in the 'valid date time' format")
            people = [p for p in people if p.updated_at >= since]
        return paged(people, contact_doc, "/contacts")

    @route("/contacts/autocomplete")
    def contacts_autocomplete() -> Response:
        term = request.args.get("term", "").lower()
        if not term:
            return _validation(
                "term", "It should not be blank as this is a mandatory field", "missing_field"
            )
        found = [
            p
            for p in state.end_users()
            if not p.purged and p.deleted_at is None and term in p.name.lower()
        ]
        return json_response([{"id": p.id, "name": p.name} for p in found[:30]])

    def _contact(pid: int) -> Person | None:
        p = data.people.get(pid)
        return p if p is not None and p.role == "end-user" and not p.purged else None

    @route("/contacts/<int:pid>")
    def contact_show(pid: int) -> Response:
        p = _contact(pid)
        return json_response(contact_doc(p)) if p else _not_found()

    @route("/contacts/<int:pid>", ("PUT",))
    def contact_update(pid: int) -> Response:
        p = _contact(pid)
        if p is None:
            return _not_found()
        payload = body_json()
        if isinstance(payload, Response):
            return payload
        if payload.get("email") and any(
            o.id != pid and o.email == payload["email"] for o in data.people.values()
        ):
            return _validation("email", "It should be a unique value", "duplicate_value", 409)
        for name in ("name", "email", "phone", "address", "unique_external_id"):
            if name in payload:
                setattr(p, "external_id" if name == "unique_external_id" else name, payload[name])
        if "other_emails" in payload and isinstance(payload["other_emails"], list):
            p.extra_emails = [str(e) for e in payload["other_emails"]]
        if "tags" in payload and isinstance(payload["tags"], list):
            p.tags = [str(t) for t in payload["tags"]]
        p.updated_at = state.now()
        state.writes.record("person", pid, "update")
        return json_response(contact_doc(p))

    @route("/contacts/<int:pid>", ("DELETE",))
    def contact_delete(pid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        p = _contact(pid)
        if p is None or p.deleted_at is not None:
            return _not_found()
        state.soft_delete_person(p)
        state.writes.record("person", pid, "delete")
        return Response(status=204)

    @route("/contacts/<int:pid>/restore", ("PUT",))
    def contact_restore(pid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        p = _contact(pid)
        if p is None or p.deleted_at is None:
            return _not_found()
        state.restore_person(p)
        state.writes.record("person", pid, "restore")
        return Response(status=204)

    @route("/contacts/<int:pid>/hard_delete", ("DELETE",))
    def contact_hard_delete(pid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        p = _contact(pid)
        if p is None:
            return _not_found()
        force = request.args.get("force", "false").lower() == "true"
        if p.deleted_at is None and not force:
            return _validation(
                "contact_id",
                "The contact should be soft deleted before it can be hard deleted, "
                "or pass force=true",
                "inconsistent_state",
            )
        state.remove_person(p)
        state.writes.record("person", pid, "purge")
        return Response(status=204)

    @route("/companies")
    def companies() -> Response:
        return paged(list(data.organizations.values()), company_doc, "/companies")

    @route("/companies/<int:oid>")
    def company_show(oid: int) -> Response:
        o = data.organizations.get(oid)
        return json_response(company_doc(o)) if o else _not_found()

    # --- search ------------------------------------------------------------------------------

    def _search(
        items: list[Any],
        predicate_factory: Callable[[str], Callable[[Any], bool]],
        serialize: Callable[[Any], dict[str, Any]],
    ) -> Response:
        query = request.args.get("query")
        if query is None:
            return _validation(
                "query", "It should not be blank as this is a mandatory field", "missing_field"
            )
        page_no = int_arg(request, "page", 1) or 1
        if not 1 <= page_no <= 10:
            return _validation("page", "It should be a Positive Number less than or equal to 10")
        try:
            predicate = predicate_factory(query)
            found = [i for i in items if predicate(i)]
        except SearchError as exc:
            return _validation("query", str(exc), "invalid_value")
        start = (page_no - 1) * 30
        return json_response(
            {"results": [serialize(i) for i in found[start : start + 30]], "total": len(found)}
        )

    @route("/search/contacts")
    def search_contacts() -> Response:
        people = [p for p in state.end_users() if not p.purged and p.deleted_at is None]
        return _search(people, freshdesk_contact_filter, contact_doc)

    @route("/search/tickets")
    def search_tickets() -> Response:
        def factory(query: str) -> Callable[[Ticket], bool]:
            return freshdesk_ticket_filter(
                query,
                lambda t, name: t.custom_fields.get(_CF_BACK.get(name, ""), None),
                lambda t: _PRIORITY.get(t.priority, 1),
            )

        return _search(state.live_tickets(), factory, lambda t: ticket_doc(t, description=False))

    @route("/search/companies")
    def search_companies() -> Response:
        def factory(query: str) -> Callable[[Organization], bool]:
            from .search import _freshdesk_clauses

            clauses = _freshdesk_clauses(query)

            def match(o: Organization) -> bool:
                return any(
                    all(
                        (name == "name" and value.lower() == o.name.lower())
                        or (name == "domain" and value.lower() in o.domain_names)
                        for name, _, value in clause
                    )
                    for clause in clauses
                )

            return match

        return _search(list(data.organizations.values()), factory, company_doc)

    return app
