"""The Zendesk Support API v2 flavor of the sandbox (a Flask app over ``SandboxState``).

Paths are served without the ``.json`` suffix; the server strips it before routing. Agents
(the second, non-admin credential) may read and add comments; everything destructive, the
redaction endpoints and the incremental exports answer 403 for them. This module holds the
routes; the JSON documents are in ``zendesk_views``, pagination in ``zendesk_paging``, error
answers and authentication in ``zendesk_http``, search and incremental exports in
``zendesk_exports``, webhooks and triggers in ``zendesk_webhooks``. Creating a ticket and
updating one (``PUT /tickets/{id}``) fire the triggers (``state.emit``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, g, request

from ..text.phone import phone_digits
from ._flask import add_sandbox_routes, api_router
from ._http import BadParameter, json_response
from ._routes import SandboxFlask
from .records import Attachment, Comment, Ticket, iso
from .state import SandboxState
from .webhooks import Automations
from .zendesk_exports import add_export_routes
from .zendesk_http import (
    ZendeskCredentials,
    admin_only,
    authenticate,
    closed,
    err,
    field_error,
    forbidden,
    ids_arg,
    not_found,
    zendesk_credentials,
)
from .zendesk_paging import BY_ID, COMMENT_SORTS, TICKET_SORTS, paginate, single_page
from .zendesk_redaction import apply_redaction_markup
from .zendesk_views import API, FIELD_KEYS, ZendeskViews
from .zendesk_webhooks import add_webhook_routes

__all__ = ["ZendeskCredentials", "build_zendesk_app", "zendesk_credentials"]


def build_zendesk_app(
    state: SandboxState,
    credentials: dict[str, str],
    incremental_lag_seconds: int = 60,
    automations: Automations | None = None,
) -> SandboxFlask:
    """The Zendesk flavor as a Flask app (with the webhook and trigger APIs when given the
    sandbox's ``automations``)."""
    app = SandboxFlask("gdprguard.sandbox.zendesk")
    views = ZendeskViews(state)
    data = state.data

    route = api_router(app, API)

    @app.before_request
    def _auth() -> Response | None:
        if request.path.startswith("/attachments/token/"):
            return None
        return authenticate(state, credentials)

    @app.errorhandler(BadParameter)
    def _bad_parameter(exc: BadParameter) -> Response:
        return err(400, "InvalidValue", exc.message)

    @app.errorhandler(404)
    def _missing(_exc: Exception) -> Response:
        return err(404, "InvalidEndpoint", "Not found")

    @app.errorhandler(405)
    def _method(_exc: Exception) -> Response:
        return err(405, "InvalidEndpoint", "Method not allowed")

    add_sandbox_routes(app, state, "zendesk", not_found)

    # --- users -------------------------------------------------------------------------------

    @route("/users/me")
    def me() -> Response:
        return json_response({"user": views.user(data.people[g.user_id])})

    @route("/users")
    def users() -> Response:
        role = request.args.get("role")
        people = [
            p for p in data.people.values() if not p.purged and (role is None or p.role == role)
        ]
        return paginate("users", people, views.user, views.path("/users"), BY_ID)

    @route("/users/show_many")
    def users_show_many() -> Response:
        ids = ids_arg()
        if isinstance(ids, Response):
            return ids
        found = [data.people[i] for i in ids if i in data.people and not data.people[i].purged]
        return single_page("users", [views.user(p) for p in found])

    @route("/users/search")
    def users_search() -> Response:
        query = (request.args.get("query") or request.args.get("external_id") or "").strip()
        if not query:
            return err(400, "InvalidValue", "query is required")
        wanted = query.lower()
        digits = phone_digits(wanted)
        found = []
        for p in data.people.values():
            if p.purged:
                continue
            emails = [e.lower() for e in (p.email, *p.extra_emails) if e]
            phone = phone_digits(p.phone or "")
            if (
                wanted in emails
                or (len(digits) >= 6 and phone and digits == phone)
                or wanted in p.name.lower()
                or (p.external_id and wanted == p.external_id.lower())
            ):
                found.append(p)
        return paginate("users", found, views.user, views.path("/users/search"), BY_ID)

    @route("/users/<int:uid>")
    def user_show(uid: int) -> Response:
        p = data.people.get(uid)
        if p is None or p.purged:
            return not_found()
        return json_response({"user": views.user(p)})

    @route("/users/<int:uid>", ("PUT",))
    def user_update(uid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        p = data.people.get(uid)
        if p is None or p.purged:
            return not_found()
        body = (request.get_json(silent=True) or {}).get("user")
        if not isinstance(body, dict):
            return field_error("user", "user is required", "InvalidValue")
        if body.get("email"):
            clash = any(o.id != uid and o.email == body["email"] for o in data.people.values())
            if clash:
                return field_error(
                    "email", "Email is already being used by another user", "DuplicateValue"
                )
        for name in ("name", "email", "phone", "external_id"):
            if name in body:
                setattr(p, name, body[name])
        if "tags" in body and isinstance(body["tags"], list):
            p.tags = [str(t) for t in body["tags"]]
        if "email" in body:
            p.extra_emails = []
        if "photo" in body and body["photo"] is None:
            state.remove_photo(p)  # other values are ignored: photos are set by upload
        p.updated_at = state.now()
        state.writes.record("person", uid, "update")
        return json_response({"user": views.user(p)})

    @route("/users/<int:uid>", ("DELETE",))
    def user_delete(uid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        p = data.people.get(uid)
        if p is None or p.purged or not p.active:
            return not_found()
        if p.role == "admin":
            return field_error("base", "You cannot delete the account owner", "InvalidValue")
        state.soft_delete_person(p)
        state.writes.record("person", uid, "delete")
        return json_response({"user": views.user(p)})

    @route("/users/destroy_many", ("DELETE",))
    def users_destroy_many() -> Response:
        if (denied := admin_only()) is not None:
            return denied
        ids = ids_arg()
        if isinstance(ids, Response):
            return ids

        def action() -> list[dict[str, Any]]:
            results = []
            for index, uid in enumerate(ids):
                p = data.people.get(uid)
                if p is None or p.purged or p.role == "admin":
                    results.append(
                        {
                            "index": index,
                            "id": uid,
                            "error": "UserNotFound" if p is None else "Failed",
                            "success": False,
                        }
                    )
                    continue
                if p.active:
                    state.soft_delete_person(p)
                    state.writes.record("person", uid, "delete")
                results.append(
                    {
                        "index": index,
                        "id": uid,
                        "action": "delete",
                        "success": True,
                        "status": "Deleted",
                    }
                )
            return results

        job = state.create_job("users.destroy_many", len(ids), action)
        return json_response({"job_status": views.job(job.id)})

    @route("/users/<int:uid>/identities")
    def identities(uid: int) -> Response:
        p = data.people.get(uid)
        if p is None or p.purged:
            return not_found()
        return single_page("identities", views.identities(p))

    @route("/users/<int:uid>/tickets/<relation>")
    def user_tickets(uid: int, relation: str) -> Response:
        if relation not in ("requested", "ccd", "assigned"):
            return not_found()
        if uid not in data.people:
            return not_found()
        # Like /tickets, these lists leave archived tickets out (search and exports have them).
        tickets = [t for t in state.tickets_of(uid, relation) if not state.is_archived(t)]
        return paginate(
            "tickets",
            tickets,
            views.ticket,
            views.path(f"/users/{uid}/tickets/{relation}"),
            TICKET_SORTS,
        )

    @route("/deleted_users")
    def deleted_users() -> Response:
        people = [p for p in data.people.values() if not p.active]
        return paginate("deleted_users", people, views.user, views.path("/deleted_users"), BY_ID)

    @route("/deleted_users/<int:uid>")
    def deleted_user_show(uid: int) -> Response:
        p = data.people.get(uid)
        if p is None or p.active:
            return not_found()
        return json_response({"deleted_user": views.user(p)})

    @route("/deleted_users/<int:uid>", ("DELETE",))
    def deleted_user_purge(uid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        p = data.people.get(uid)
        if p is None or p.active or p.purged:
            return not_found()
        state.purge_person(p)
        state.writes.record("person", uid, "purge")
        return json_response({"deleted_user": views.user(p)})

    @route("/users/<int:uid>/compliance_deletion_statuses")
    def compliance_statuses(uid: int) -> Response:
        p = data.people.get(uid)
        if p is None:
            return not_found()
        return json_response({"compliance_deletion_statuses": views.compliance_statuses(p)})

    # --- organizations -----------------------------------------------------------------------

    @route("/organizations")
    def organizations() -> Response:
        return paginate(
            "organizations",
            list(data.organizations.values()),
            views.organization,
            views.path("/organizations"),
            BY_ID,
        )

    @route("/organizations/<int:oid>")
    def organization_show(oid: int) -> Response:
        o = data.organizations.get(oid)
        return json_response({"organization": views.organization(o)}) if o else not_found()

    # --- tickets -----------------------------------------------------------------------------

    @route("/tickets")
    def tickets() -> Response:
        response = paginate(
            "tickets", state.listed_tickets(), views.ticket, views.path("/tickets"), TICKET_SORTS
        )
        response.headers["zendesk-ratelimit-tickets-index"] = "total=100; remaining=99; resets=41"
        return response

    @route("/tickets/show_many")
    def tickets_show_many() -> Response:
        ids = ids_arg()
        if isinstance(ids, Response):
            return ids
        found = [t for i in ids if (t := state.ticket(i)) is not None]
        return single_page("tickets", [views.ticket(t) for t in found])

    @route("/tickets/<int:tid>")
    def ticket_show(tid: int) -> Response:
        t = state.ticket(tid)
        return json_response({"ticket": views.ticket(t)}) if t else not_found()

    @route("/tickets", ("POST",))
    def ticket_create() -> Response:
        body = (request.get_json(silent=True) or {}).get("ticket")
        if not isinstance(body, dict) or not isinstance(body.get("comment"), dict):
            return field_error("description", "Description: cannot be blank", "BlankValue")
        requester_id = body.get("requester_id", g.user_id)
        if requester_id not in data.people:
            return field_error("requester", "Requester: is invalid", "InvalidValue")
        now = state.now()
        t = Ticket(
            id=state.new_id("ticket"),
            subject=str(body.get("subject") or ""),
            status=str(body.get("status") or "new"),
            priority=body.get("priority"),
            type=body.get("type"),
            channel="api",
            tags=[str(x) for x in body.get("tags") or []],
            requester_id=requester_id,
            submitter_id=g.user_id,
            assignee_id=body.get("assignee_id"),
            organization_id=data.people[requester_id].organization_id,
            group_id=2001,
            collaborator_ids=[],
            custom_fields={"order_number": None, "contact_phone": None, "product": None},
            created_at=now,
            updated_at=now,
        )
        data.tickets[t.id] = t
        comment = _add_comment(body["comment"], t)
        if isinstance(comment, Response):
            data.tickets.pop(t.id)
            return comment
        state.record_creation(t, comment)
        state.emit(t, "Create", comment)
        doc = {"ticket": views.ticket(t), "audit": views.audit(t, comment)}
        return json_response(doc, 201, {"Location": f"{views.base()}{API}/tickets/{t.id}.json"})

    def _add_comment(spec: dict[str, Any], t: Ticket) -> Comment | Response:
        body, html_body = spec.get("body"), spec.get("html_body")
        if not body and not html_body:
            return field_error("comment", "Comment: body cannot be blank", "BlankValue")
        uploads = []
        for token in spec.get("uploads") or []:
            upload = _uploads.pop(str(token), None)
            if upload is None:
                return field_error("uploads", "Upload token is invalid", "InvalidValue")
            uploads.append(upload)
        author = spec.get("author_id", g.user_id)
        kind = (
            "customer"
            if author == t.requester_id
            else ("agent" if spec.get("public", True) else "note")
        )
        return state.add_comment(
            t,
            author_id=author,
            body=body,
            html_body=html_body,
            public=bool(spec.get("public", True)),
            kind=kind,
            attachments=uploads,
        )

    _uploads: dict[str, Attachment] = {}

    @route("/uploads", ("POST",))
    def upload() -> Response:
        name = request.args.get("filename")
        if not name:
            return err(400, "InvalidValue", "filename is required")
        aid = state.new_id("attachment")
        token = hashlib.sha256(f"upload:{aid}".encode()).hexdigest()[:24]
        attachment = Attachment(
            aid,
            0,
            0,
            name,
            request.content_type or "application/octet-stream",
            request.get_data(),
            token,
        )
        _uploads[token] = attachment
        doc = views.attachment(attachment)
        return json_response(
            {
                "upload": {
                    "token": token,
                    "expires_at": iso(state.now() + 3 * 86400),
                    "attachments": [doc],
                    "attachment": doc,
                }
            },
            201,
        )

    @route("/tickets/<int:tid>", ("PUT",))
    def ticket_update(tid: int) -> Response:
        t = state.ticket(tid)
        if t is None:
            return not_found()
        body = (request.get_json(silent=True) or {}).get("ticket")
        if not isinstance(body, dict):
            return field_error("ticket", "ticket is required", "InvalidValue")
        if t.status == "closed" and set(body) - {"comment"}:
            return closed()
        if g.role != "admin" and set(body) - {"comment", "status"}:
            return forbidden()
        comment = None
        if isinstance(body.get("comment"), dict):
            if t.status == "closed":
                return closed()
            added = _add_comment(body["comment"], t)
            if isinstance(added, Response):
                return added
            comment = added
        changes: dict[str, Any] = {
            name: body[name]
            for name in ("subject", "status", "priority", "type", "assignee_id", "external_id")
            if name in body
        }
        if "tags" in body and isinstance(body["tags"], list):
            changes["tags"] = [str(x) for x in body["tags"]]
        for item in body.get("custom_fields") or []:
            field_id = item.get("id") if isinstance(item, dict) else None
            key = FIELD_KEYS.get(field_id) if isinstance(field_id, int) else None
            if key is not None:
                changes[f"custom_fields.{key}"] = item.get("value")
        # "via" is read-only in the real API too: ignored
        state.change_ticket(
            t, changes, author_id=g.user_id, audit_id=comment.audit_id if comment else None
        )
        state.writes.record("ticket", tid, "update")
        state.emit(t, "Change", comment)
        return json_response({"ticket": views.ticket(t), "audit": views.audit(t, comment)})

    @route("/tickets/<int:tid>", ("DELETE",))
    def ticket_delete(tid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        t = state.ticket(tid)
        if t is None:
            return not_found()
        state.soft_delete_ticket(t)
        state.writes.record("ticket", tid, "delete")
        return Response(status=204)

    @route("/tickets/destroy_many", ("DELETE",))
    def tickets_destroy_many() -> Response:
        if (denied := admin_only()) is not None:
            return denied
        ids = ids_arg()
        if isinstance(ids, Response):
            return ids

        def action() -> dict[str, Any]:
            for tid in ids:
                t = state.ticket(tid)
                if t is not None:
                    state.soft_delete_ticket(t)
                    state.writes.record("ticket", tid, "delete")
            return {"success": True}

        job = state.create_job("tickets.destroy_many", len(ids), action)
        return json_response({"job_status": views.job(job.id)})

    @route("/tickets/<int:tid>/comments")
    def comments(tid: int) -> Response:
        t = state.ticket(tid)
        if t is None:
            return not_found()
        return paginate(
            "comments",
            state.comments_of(t),
            views.comment,
            views.path(f"/tickets/{tid}/comments"),
            COMMENT_SORTS,
        )

    def _comment_of(tid: int, cid: int) -> tuple[Ticket, Comment] | Response:
        t = state.ticket(tid)
        c = data.comments.get(cid)
        if t is None or c is None or c.ticket_id != tid:
            return not_found()
        return t, c

    @route("/tickets/<int:tid>/comments/<int:cid>/redact", ("PUT",))
    def redact_legacy(tid: int, cid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        found = _comment_of(tid, cid)
        if isinstance(found, Response):
            return found
        t, c = found
        text = (request.get_json(silent=True) or {}).get("text")
        if not isinstance(text, str) or not text:
            return field_error("text", "text is required", "BlankValue")
        if t.status == "closed":
            return closed()
        state.redact_text(c, text)
        state.writes.record("comment", cid, "redact")
        return json_response({"comment": views.comment(c)})

    @route("/tickets/<int:tid>/comments/<int:cid>/make_private", ("PUT",))
    def make_private(tid: int, cid: int) -> Response:
        found = _comment_of(tid, cid)
        if isinstance(found, Response):
            return found
        found[1].public = False
        state.touch(found[0])
        state.writes.record("comment", cid, "update")
        return Response(status=200)

    @route("/comment_redactions/<int:cid>", ("PUT",))
    def redact_agent_workspace(cid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        body = request.get_json(silent=True) or {}
        tid = body.get("ticket_id")
        if not isinstance(tid, int):
            return field_error("ticket_id", "ticket_id is required", "BlankValue")
        t = data.tickets.get(tid)
        c = data.comments.get(cid)
        if t is None or t.deleted_at is not None or c is None or c.ticket_id != tid:
            return not_found()
        markup = body.get("html_body")
        urls = body.get("external_attachment_urls") or []
        if markup is None and not urls:
            return field_error(
                "html_body", "html_body or external_attachment_urls is required", "BlankValue"
            )
        if markup is not None:
            redacted = apply_redaction_markup(markup, c.html_body)
            if redacted is None:
                return field_error(
                    "html_body",
                    "html_body must be the comment's current html_body with <redact> tags added",
                    "InvalidValue",
                )
            state.replace_comment_html(c, redacted)
            state.writes.record("comment", cid, "redact")
        for url in urls:
            for attachment in state.attachments_of(c):
                if views.attachment(attachment)["content_url"] == url:
                    state.redact_attachment(attachment)
                    state.writes.record("attachment", attachment.id, "redact")
        return json_response({"comment": views.comment(c)})

    @route("/tickets/<int:tid>/comments/<int:cid>/attachments/<int:aid>/redact", ("PUT",))
    def redact_attachment(tid: int, cid: int, aid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        found = _comment_of(tid, cid)
        if isinstance(found, Response):
            return found
        t, c = found
        attachment = data.attachments.get(aid)
        if attachment is None or aid not in c.attachment_ids:
            return not_found()
        if t.status == "closed":
            return closed()
        before = views.attachment(attachment)  # the real API answers with the old metadata
        state.redact_attachment(attachment)
        state.writes.record("attachment", aid, "redact")
        return json_response({"attachment": before})

    @route("/attachments/<int:aid>")
    def attachment_show(aid: int) -> Response:
        a = data.attachments.get(aid)
        return json_response({"attachment": views.attachment(a)}) if a else not_found()

    @route("/ticket_fields")
    def ticket_fields() -> Response:
        return single_page("ticket_fields", views.ticket_fields())

    # --- deleted tickets ---------------------------------------------------------------------

    @route("/deleted_tickets")
    def deleted_tickets() -> Response:
        return paginate(
            "deleted_tickets",
            state.deleted_tickets(),
            views.deleted_ticket,
            views.path("/deleted_tickets"),
            TICKET_SORTS,
        )

    @route("/deleted_tickets/<int:tid>/restore", ("PUT",))
    def deleted_restore(tid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        t = state.ticket(tid, deleted=True)
        if t is None:
            return not_found()
        state.restore_ticket(t)
        state.writes.record("ticket", tid, "restore")
        return Response(status=200)

    @route("/deleted_tickets/restore_many", ("PUT",))
    def deleted_restore_many() -> Response:
        if (denied := admin_only()) is not None:
            return denied
        ids = ids_arg()
        if isinstance(ids, Response):
            return ids
        for tid in ids:
            t = state.ticket(tid, deleted=True)
            if t is not None:
                state.restore_ticket(t)
                state.writes.record("ticket", tid, "restore")
        return Response(status=200)

    def _purge_job(ids: list[int]) -> Response:
        def action() -> dict[str, Any]:
            for tid in ids:
                t = state.ticket(tid, deleted=True)
                if t is not None:
                    state.purge_ticket(t)
                    state.writes.record("ticket", tid, "purge")
            return {"success": True}

        job = state.create_job("deleted_tickets.destroy", len(ids), action)
        return json_response({"job_status": views.job(job.id)})

    @route("/deleted_tickets/<int:tid>", ("DELETE",))
    def deleted_purge(tid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        if state.ticket(tid, deleted=True) is None:
            return not_found()
        return _purge_job([tid])

    @route("/deleted_tickets/destroy_many", ("DELETE",))
    def deleted_purge_many() -> Response:
        if (denied := admin_only()) is not None:
            return denied
        ids = ids_arg()
        if isinstance(ids, Response):
            return ids
        return _purge_job(ids)

    # --- jobs --------------------------------------------------------------------------------

    @route("/job_statuses/<job_id>")
    def job_status(job_id: str) -> Response:
        if job_id not in state.jobs:
            return not_found()
        return json_response({"job_status": views.job(job_id)})

    @route("/job_statuses")
    def job_statuses() -> Response:
        return single_page("job_statuses", [views.job(j) for j in state.jobs])

    @route("/job_statuses/show_many")
    def job_statuses_many() -> Response:
        ids = [i for i in request.args.get("ids", "").split(",") if i in state.jobs]
        return json_response({"job_statuses": [views.job(i) for i in ids]})

    add_export_routes(app, state, views, incremental_lag_seconds)
    if automations is not None:
        add_webhook_routes(route, automations, views)
    return app
