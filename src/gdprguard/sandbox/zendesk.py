"""The Zendesk Support API v2 flavor of the sandbox (a Flask app over ``SandboxState``).

Paths are served without the ``.json`` suffix; the server strips it before routing. Agents
(the second, non-admin credential) may read and add comments; everything destructive, the
redaction endpoints and the incremental exports answer 403 for them.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, g, request

from ._http import (
    BadParameter,
    basic_credentials,
    cursor_slice,
    decode_cursor,
    encode_cursor,
    int_arg,
    json_response,
    page_url,
)
from .data import FIELDS
from .records import Attachment, Comment, Organization, Person, Ticket, iso
from .search import SearchError, zendesk_search
from .state import REDACTION_BLOCK, SandboxState, html_to_text

__all__ = ["ZendeskCredentials", "build_zendesk_app", "zendesk_credentials"]

API = "/api/v2"
_FIELD_IDS = {key: ids[0] for key, ids in FIELDS.items()}
_FIELD_KEYS = {ids[0]: key for key, ids in FIELDS.items()}
_REDACT_TAG = re.compile(r"<redact>(.*?)</redact>", re.DOTALL | re.IGNORECASE)
_REDACT_ATTR = re.compile(r"<a\b([^>]*?)\sredact(?:=\"[^\"]*\")?([^>]*)>", re.IGNORECASE)
_STATUS_IDS = {"new": 1, "open": 2, "pending": 3, "hold": 4, "solved": 5, "closed": 6}

ZendeskCredentials = dict[str, str]


def zendesk_credentials(seed: int) -> dict[str, str]:
    """Deterministic sandbox credentials for a seed: an admin and a non-admin agent."""

    def token(role: str) -> str:
        return hashlib.sha256(f"gdprguard-sandbox:zendesk:{role}:{seed}".encode()).hexdigest()[:40]

    return {
        "email": "admin@sandbox.example.com",
        "token": token("admin"),
        "agent_email": "agent@sandbox.example.com",
        "agent_token": token("agent"),
    }


def _err(status: int, error: str, description: str, **extra: Any) -> Response:
    return json_response({"error": error, "description": description, **extra}, status)


def _not_found() -> Response:
    return _err(404, "RecordNotFound", "Not found")


def _forbidden() -> Response:
    return _err(
        403,
        "Forbidden",
        "You do not have access to this page. Please contact the account owner of this help "
        "desk for further help.",
    )


def _field_error(field: str, description: str, error: str = "InvalidValue") -> Response:
    """422 RecordInvalid naming one field."""
    details = {field: [{"description": description, "error": error}]}
    return _err(422, "RecordInvalid", "Record validation errors", details=details)


def _closed() -> Response:
    return _field_error("status", "Status: closed prevents ticket update", "ClosedPrevents")


def _invalid(description: str, details: dict[str, Any] | None = None) -> Response:
    return _err(422, "RecordInvalid", description, details=details or {})


def _ids_arg(name: str = "ids") -> list[int] | Response:
    raw = request.args.get(name, "")
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        return _err(400, "InvalidValue", f"Parameter {name} must be a comma-separated list of ids")
    if len(ids) > 100:
        return json_response(
            {
                "error": "TooManyValues",
                "description": "Parameter  cannot specify more than 100 values",
                "max_count": 100,
            },
            400,
        )
    if not ids:
        return _err(400, "InvalidValue", f"Parameter {name} is required")
    return ids


class _Views:
    """Serialisers and view functions bound to one state."""

    def __init__(self, state: SandboxState, credentials: dict[str, str], lag_seconds: int) -> None:
        self.state = state
        self.credentials = credentials
        self.lag_seconds = lag_seconds

    # --- serialisation -----------------------------------------------------------------------

    def base(self) -> str:
        return request.host_url.rstrip("/")

    def path(self, suffix: str) -> str:
        json_ext = ".json" if request.environ.get("sandbox.json_suffix", True) else ""
        return f"{API}{suffix}{json_ext}"

    def attachment(self, a: Attachment) -> dict[str, Any]:
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

    def via(self, channel: str, ticket: Ticket | None = None) -> dict[str, Any]:
        source: dict[str, Any] = {"from": {}, "to": {}, "rel": None}
        if channel == "email":
            source["to"] = {"name": "Sandbox Support", "address": "support@sandbox.example.com"}
            if ticket is not None and ticket.via_from:
                source["from"] = dict(ticket.via_from)
        return {"channel": channel, "source": source}

    def comment(self, c: Comment) -> dict[str, Any]:
        ticket = self.state.data.tickets.get(c.ticket_id)
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
            "via": self.via(c.channel, ticket if c.channel == "email" else None),
            "created_at": iso(c.created_at),
            "metadata": {"system": dict(c.metadata.get("system", {})), "custom": {}},
        }

    def ticket(self, t: Ticket, incremental: bool = False) -> dict[str, Any]:
        first = self.state.data.comments.get(t.comment_ids[0]) if t.comment_ids else None
        custom = [{"id": _FIELD_IDS[k], "value": v} for k, v in t.custom_fields.items()]
        doc: dict[str, Any] = {
            "url": f"{self.base()}{API}/tickets/{t.id}.json",
            "id": t.id,
            "external_id": t.external_id,
            "via": self.via(t.channel, t),
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

    def user(self, p: Person) -> dict[str, Any]:
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
            "photo": None,
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

    def organization(self, o: Organization) -> dict[str, Any]:
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

    # --- auth --------------------------------------------------------------------------------

    def authenticate(self) -> Response | None:
        header = request.headers.get("Authorization", "")
        creds = self.credentials
        role = None
        if header.lower().startswith("bearer "):
            token = header[7:].strip()
            role = {creds["token"]: "admin", creds["agent_token"]: "agent"}.get(token)
        else:
            pair = basic_credentials(header)
            if pair is not None and pair[0].endswith("/token"):
                email = pair[0][: -len("/token")].lower()
                if (email, pair[1]) == (creds["email"], creds["token"]):
                    role = "admin"
                elif (email, pair[1]) == (creds["agent_email"], creds["agent_token"]):
                    role = "agent"
        if role is None:
            return json_response(
                {"error": "Couldn't authenticate you"},
                401,
                {"WWW-Authenticate": 'Basic realm="Web Password"'},
            )
        g.role = role
        g.user_id = self.state.data.admin_id if role == "admin" else self.state.data.agent_id
        return None


def _paginate(
    views: _Views,
    key_name: str,
    items: list[Any],
    serialize: Callable[[Any], dict[str, Any]],
    path_suffix: str,
    sorts: dict[str, Callable[[Any], tuple[Any, ...]]],
    extra: dict[str, Any] | None = None,
) -> Response:
    """Answer a list endpoint with cursor or offset pagination, whichever the request uses."""
    path = views.path(path_suffix)
    args = request.args
    cursor_mode = any(k.startswith("page[") for k in args) or (
        "page" not in args and "per_page" not in args and args.get("sort") is not None
    )
    if cursor_mode:
        size = int_arg(request, "page[size]", 100) or 100
        if size > 100 or size < 1:
            return _err(400, "InvalidPaginationParameter", "page[size] must be between 1 and 100")
        sort = args.get("sort", "id")
        descending = sort.startswith("-")
        field = sort.lstrip("-")
        if field not in sorts:
            return _err(400, "InvalidPaginationParameter", f"sort by {field} is not supported")
        key = sorts[field]
        ordered = items if field == "id" else sorted(items, key=key)  # lists come in id order
        after = before = None
        for name in ("page[after]", "page[before]"):
            raw = args.get(name)
            if raw:
                payload = decode_cursor(raw)
                if (
                    not isinstance(payload, dict)
                    or payload.get("o") != sort
                    or not isinstance(payload.get("v"), list)
                ):
                    return _err(400, "InvalidPaginationParameter", "invalid cursor")
                position = tuple(payload["v"])
                if name == "page[after]":
                    after = position
                else:
                    before = position
        page = cursor_slice(ordered, key, size, after, before, descending)
        first = encode_cursor({"o": sort, "v": list(key(page.items[0]))}) if page.items else None
        last = encode_cursor({"o": sort, "v": list(key(page.items[-1]))}) if page.items else None
        drop = ("page[after]", "page[before]")
        next_cursor = last or args.get("page[after]") or ""
        doc = {
            key_name: [serialize(i) for i in page.items],
            **(extra or {}),
            "meta": {"has_more": page.has_more, "after_cursor": last, "before_cursor": first},
            "links": {
                "prev": page_url(request, path, {"page[before]": first}, drop) if first else None,
                "next": page_url(request, path, {"page[after]": next_cursor}, drop),
            },
        }
        return json_response(doc)
    page_no = int_arg(request, "page", 1) or 1
    per_page = min(max(int_arg(request, "per_page", 100) or 100, 1), 100)
    if page_no < 1:
        return _err(400, "InvalidPaginationParameter", "page must be a positive integer")
    if page_no > 100:
        return _err(
            400,
            "InvalidPaginationParameter",
            "Offset pagination is limited to the first 100 pages. Use cursor pagination instead.",
        )
    sort_by = args.get("sort_by", "id")
    key = sorts.get(sort_by, sorts["id"])
    ordered = sorted(items, key=key, reverse=args.get("sort_order") == "desc")
    start = (page_no - 1) * per_page
    chunk = ordered[start : start + per_page]
    doc = {
        key_name: [serialize(i) for i in chunk],
        **(extra or {}),
        "next_page": page_url(request, path, {"page": page_no + 1})
        if start + per_page < len(ordered)
        else None,
        "previous_page": page_url(request, path, {"page": page_no - 1}) if page_no > 1 else None,
        "count": len(ordered),
    }
    return json_response(doc)


_BY_ID: dict[str, Callable[[Any], tuple[Any, ...]]] = {"id": lambda r: (r.id,)}
_TICKET_SORTS: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "id": lambda t: (t.id,),
    "created_at": lambda t: (t.created_at, t.id),
    "updated_at": lambda t: (t.updated_at, t.id),
    "status": lambda t: (t.status, t.id),
}
_COMMENT_SORTS: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "id": lambda c: (c.id,),
    "created_at": lambda c: (c.created_at, c.id),
}


def build_zendesk_app(
    state: SandboxState, credentials: dict[str, str], incremental_lag_seconds: int = 60
) -> Flask:
    """The Zendesk flavor as a Flask app."""
    app = Flask("gdprguard.sandbox.zendesk")
    views = _Views(state, credentials, incremental_lag_seconds)
    data = state.data

    def route(
        rule: str, methods: tuple[str, ...] = ("GET",)
    ) -> Callable[[Callable[..., Any]], Any]:
        return app.route(API + rule, methods=list(methods))

    def admin_only() -> Response | None:
        return _forbidden() if g.role != "admin" else None

    @app.before_request
    def _auth() -> Response | None:
        if request.path.startswith("/attachments/token/"):
            return None
        return views.authenticate()

    @app.errorhandler(BadParameter)
    def _bad_parameter(exc: BadParameter) -> Response:
        return _err(400, "InvalidValue", exc.message)

    @app.errorhandler(404)
    def _missing(_exc: Exception) -> Response:
        return _err(404, "InvalidEndpoint", "Not found")

    @app.errorhandler(405)
    def _method(_exc: Exception) -> Response:
        return _err(405, "InvalidEndpoint", "Method not allowed")

    # --- sandbox-only ------------------------------------------------------------------------

    @app.get("/_sandbox/ground-truth")
    def ground_truth() -> Response:
        return json_response(state.ground_truth("zendesk"))

    @app.get("/attachments/token/<token>/")
    def attachment_content(token: str) -> Response:
        for attachment in data.attachments.values():
            if attachment.token == token:
                return Response(attachment.content, mimetype=attachment.content_type)
        return _not_found()

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
        return _paginate(views, "users", people, views.user, "/users", _BY_ID)

    @route("/users/show_many")
    def users_show_many() -> Response:
        ids = _ids_arg()
        if isinstance(ids, Response):
            return ids
        found = [data.people[i] for i in ids if i in data.people and not data.people[i].purged]
        return json_response(
            {
                "users": [views.user(p) for p in found],
                "next_page": None,
                "previous_page": None,
                "count": len(found),
            }
        )

    @route("/users/search")
    def users_search() -> Response:
        query = (request.args.get("query") or request.args.get("external_id") or "").strip()
        if not query:
            return _err(400, "InvalidValue", "query is required")
        wanted = query.lower()
        digits = re.sub(r"\D", "", wanted)
        found = []
        for p in data.people.values():
            if p.purged:
                continue
            emails = [e.lower() for e in (p.email, *p.extra_emails) if e]
            phone = re.sub(r"\D", "", p.phone or "")
            if (
                wanted in emails
                or (len(digits) >= 6 and phone and digits == phone)
                or wanted in p.name.lower()
                or (p.external_id and wanted == p.external_id.lower())
            ):
                found.append(p)
        return _paginate(views, "users", found, views.user, "/users/search", _BY_ID)

    @route("/users/<int:uid>")
    def user_show(uid: int) -> Response:
        p = data.people.get(uid)
        if p is None or p.purged:
            return _not_found()
        return json_response({"user": views.user(p)})

    @route("/users/<int:uid>", ("PUT",))
    def user_update(uid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        p = data.people.get(uid)
        if p is None or p.purged:
            return _not_found()
        body = (request.get_json(silent=True) or {}).get("user")
        if not isinstance(body, dict):
            return _field_error("user", "user is required", "InvalidValue")
        if body.get("email"):
            clash = any(o.id != uid and o.email == body["email"] for o in data.people.values())
            if clash:
                return _field_error(
                    "email", "Email is already being used by another user", "DuplicateValue"
                )
        for name in ("name", "email", "phone", "external_id"):
            if name in body:
                setattr(p, name, body[name])
        if "tags" in body and isinstance(body["tags"], list):
            p.tags = [str(t) for t in body["tags"]]
        if "email" in body:
            p.extra_emails = []
        p.updated_at = state.now()
        return json_response({"user": views.user(p)})

    @route("/users/<int:uid>", ("DELETE",))
    def user_delete(uid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        p = data.people.get(uid)
        if p is None or p.purged or not p.active:
            return _not_found()
        if p.role == "admin":
            return _field_error("base", "You cannot delete the account owner", "InvalidValue")
        state.soft_delete_person(p)
        return json_response({"user": views.user(p)})

    @route("/users/destroy_many", ("DELETE",))
    def users_destroy_many() -> Response:
        if (denied := admin_only()) is not None:
            return denied
        ids = _ids_arg()
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
            return _not_found()
        items = []
        for index, value in enumerate([p.email, *p.extra_emails]):
            if value:
                items.append(("email", value, index == 0))
        if p.phone:
            items.append(("phone_number", p.phone, False))
        docs = [
            {
                "url": f"{views.base()}{API}/users/{uid}/identities/{uid * 10 + n}.json",
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
        return json_response(
            {"identities": docs, "next_page": None, "previous_page": None, "count": len(docs)}
        )

    @route("/users/<int:uid>/tickets/<relation>")
    def user_tickets(uid: int, relation: str) -> Response:
        if relation not in ("requested", "ccd", "assigned"):
            return _not_found()
        if uid not in data.people:
            return _not_found()
        tickets = state.tickets_of(uid, relation)
        return _paginate(
            views,
            "tickets",
            tickets,
            views.ticket,
            f"/users/{uid}/tickets/{relation}",
            _TICKET_SORTS,
        )

    @route("/deleted_users")
    def deleted_users() -> Response:
        people = [p for p in data.people.values() if not p.active]
        return _paginate(views, "deleted_users", people, views.user, "/deleted_users", _BY_ID)

    @route("/deleted_users/<int:uid>")
    def deleted_user_show(uid: int) -> Response:
        p = data.people.get(uid)
        if p is None or p.active:
            return _not_found()
        return json_response({"deleted_user": views.user(p)})

    @route("/deleted_users/<int:uid>", ("DELETE",))
    def deleted_user_purge(uid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        p = data.people.get(uid)
        if p is None or p.active or p.purged:
            return _not_found()
        state.purge_person(p)
        return json_response({"deleted_user": views.user(p)})

    @route("/users/<int:uid>/compliance_deletion_statuses")
    def compliance_statuses(uid: int) -> Response:
        p = data.people.get(uid)
        if p is None:
            return _not_found()
        statuses = []
        if p.purged:
            statuses.append(
                {
                    "action_decision": "delete",
                    "application": "all",
                    "account_subdomain": "sandbox",
                    "executer_id": data.admin_id,
                    "user_id": uid,
                    "created_at": iso(p.updated_at),
                }
            )
        return json_response({"compliance_deletion_statuses": statuses})

    # --- organizations -----------------------------------------------------------------------

    @route("/organizations")
    def organizations() -> Response:
        return _paginate(
            views,
            "organizations",
            list(data.organizations.values()),
            views.organization,
            "/organizations",
            _BY_ID,
        )

    @route("/organizations/<int:oid>")
    def organization_show(oid: int) -> Response:
        o = data.organizations.get(oid)
        return json_response({"organization": views.organization(o)}) if o else _not_found()

    # --- tickets -----------------------------------------------------------------------------

    @route("/tickets")
    def tickets() -> Response:
        response = _paginate(
            views, "tickets", state.live_tickets(), views.ticket, "/tickets", _TICKET_SORTS
        )
        response.headers["zendesk-ratelimit-tickets-index"] = "total=100; remaining=99; resets=41"
        return response

    @route("/tickets/show_many")
    def tickets_show_many() -> Response:
        ids = _ids_arg()
        if isinstance(ids, Response):
            return ids
        found = [t for i in ids if (t := state.ticket(i)) is not None]
        return json_response(
            {
                "tickets": [views.ticket(t) for t in found],
                "next_page": None,
                "previous_page": None,
                "count": len(found),
            }
        )

    @route("/tickets/<int:tid>")
    def ticket_show(tid: int) -> Response:
        t = state.ticket(tid)
        return json_response({"ticket": views.ticket(t)}) if t else _not_found()

    @route("/tickets", ("POST",))
    def ticket_create() -> Response:
        body = (request.get_json(silent=True) or {}).get("ticket")
        if not isinstance(body, dict) or not isinstance(body.get("comment"), dict):
            return _field_error("description", "Description: cannot be blank", "BlankValue")
        requester_id = body.get("requester_id", g.user_id)
        if requester_id not in data.people:
            return _field_error("requester", "Requester: is invalid", "InvalidValue")
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
        doc = {"ticket": views.ticket(t), "audit": _audit(t, comment)}
        return json_response(doc, 201, {"Location": f"{views.base()}{API}/tickets/{t.id}.json"})

    def _audit(t: Ticket, comment: Comment | None) -> dict[str, Any]:
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
            "id": comment.audit_id if comment else state.new_id("audit"),
            "ticket_id": t.id,
            "created_at": iso(state.now()),
            "author_id": g.user_id,
            "metadata": {"system": {}, "custom": {}},
            "events": events,
        }

    def _add_comment(spec: dict[str, Any], t: Ticket) -> Comment | Response:
        body, html_body = spec.get("body"), spec.get("html_body")
        if not body and not html_body:
            return _field_error("comment", "Comment: body cannot be blank", "BlankValue")
        uploads = []
        for token in spec.get("uploads") or []:
            upload = _uploads.pop(str(token), None)
            if upload is None:
                return _field_error("uploads", "Upload token is invalid", "InvalidValue")
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
            return _err(400, "InvalidValue", "filename is required")
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
            return _not_found()
        body = (request.get_json(silent=True) or {}).get("ticket")
        if not isinstance(body, dict):
            return _field_error("ticket", "ticket is required", "InvalidValue")
        if t.status == "closed" and set(body) - {"comment"}:
            return _closed()
        if g.role != "admin" and set(body) - {"comment", "status"}:
            return _forbidden()
        comment = None
        if isinstance(body.get("comment"), dict):
            if t.status == "closed":
                return _closed()
            added = _add_comment(body["comment"], t)
            if isinstance(added, Response):
                return added
            comment = added
        for name in ("subject", "status", "priority", "type", "assignee_id", "external_id"):
            if name in body:
                setattr(t, name, body[name])
        if "tags" in body and isinstance(body["tags"], list):
            t.tags = [str(x) for x in body["tags"]]
        for item in body.get("custom_fields") or []:
            field_id = item.get("id") if isinstance(item, dict) else None
            key = _FIELD_KEYS.get(field_id) if isinstance(field_id, int) else None
            if key is not None:
                t.custom_fields[key] = item.get("value")
        # "via" is read-only in the real API too: ignored
        state.touch(t)
        return json_response({"ticket": views.ticket(t), "audit": _audit(t, comment)})

    @route("/tickets/<int:tid>", ("DELETE",))
    def ticket_delete(tid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        t = state.ticket(tid)
        if t is None:
            return _not_found()
        state.soft_delete_ticket(t)
        return Response(status=204)

    @route("/tickets/destroy_many", ("DELETE",))
    def tickets_destroy_many() -> Response:
        if (denied := admin_only()) is not None:
            return denied
        ids = _ids_arg()
        if isinstance(ids, Response):
            return ids

        def action() -> dict[str, Any]:
            for tid in ids:
                t = state.ticket(tid)
                if t is not None:
                    state.soft_delete_ticket(t)
            return {"success": True}

        job = state.create_job("tickets.destroy_many", len(ids), action)
        return json_response({"job_status": views.job(job.id)})

    @route("/tickets/<int:tid>/comments")
    def comments(tid: int) -> Response:
        t = state.ticket(tid)
        if t is None:
            return _not_found()
        return _paginate(
            views,
            "comments",
            state.comments_of(t),
            views.comment,
            f"/tickets/{tid}/comments",
            _COMMENT_SORTS,
        )

    def _comment_of(tid: int, cid: int) -> tuple[Ticket, Comment] | Response:
        t = state.ticket(tid)
        c = data.comments.get(cid)
        if t is None or c is None or c.ticket_id != tid:
            return _not_found()
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
            return _field_error("text", "text is required", "BlankValue")
        if t.status == "closed":
            return _closed()
        state.redact_text(c, text)
        return json_response({"comment": views.comment(c)})

    @route("/tickets/<int:tid>/comments/<int:cid>/make_private", ("PUT",))
    def make_private(tid: int, cid: int) -> Response:
        found = _comment_of(tid, cid)
        if isinstance(found, Response):
            return found
        found[1].public = False
        state.touch(found[0])
        return Response(status=200)

    @route("/comment_redactions/<int:cid>", ("PUT",))
    def redact_agent_workspace(cid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        body = request.get_json(silent=True) or {}
        tid = body.get("ticket_id")
        if not isinstance(tid, int):
            return _field_error("ticket_id", "ticket_id is required", "BlankValue")
        t = data.tickets.get(tid)
        c = data.comments.get(cid)
        if t is None or t.deleted_at is not None or c is None or c.ticket_id != tid:
            return _not_found()
        markup = body.get("html_body")
        urls = body.get("external_attachment_urls") or []
        if markup is None and not urls:
            return _field_error(
                "html_body", "html_body or external_attachment_urls is required", "BlankValue"
            )
        if markup is not None:
            if not isinstance(markup, str) or _plain(
                _REDACT_TAG.sub(r"\1", _REDACT_ATTR.sub(r"<a\1\2>", markup))
            ) != _plain(c.html_body):
                return _field_error(
                    "html_body",
                    "html_body must be the comment's current html_body with <redact> tags added",
                    "InvalidValue",
                )
            redacted = _REDACT_TAG.sub(
                lambda m: REDACTION_BLOCK * len(html_to_text(m.group(1))), markup
            )
            redacted = _REDACT_ATTR.sub(
                lambda m: "<a" + re.sub(r'\shref="[^"]*"', "", m.group(1) + m.group(2)) + ">",
                redacted,
            )
            state.replace_comment_html(c, redacted)
        for url in urls:
            for attachment in state.attachments_of(c):
                if views.attachment(attachment)["content_url"] == url:
                    state.redact_attachment(attachment)
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
            return _not_found()
        if t.status == "closed":
            return _closed()
        before = views.attachment(attachment)  # the real API answers with the old metadata
        state.redact_attachment(attachment)
        return json_response({"attachment": before})

    @route("/attachments/<int:aid>")
    def attachment_show(aid: int) -> Response:
        a = data.attachments.get(aid)
        return json_response({"attachment": views.attachment(a)}) if a else _not_found()

    @route("/ticket_fields")
    def ticket_fields() -> Response:
        docs = [
            {
                "id": zid,
                "url": f"{views.base()}{API}/ticket_fields/{zid}.json",
                "type": "text",
                "title": title,
                "raw_title": title,
                "active": True,
                "key": key,
            }
            for key, (zid, _, title) in FIELDS.items()
        ]
        return json_response(
            {"ticket_fields": docs, "next_page": None, "previous_page": None, "count": len(docs)}
        )

    # --- deleted tickets ---------------------------------------------------------------------

    def deleted_doc(t: Ticket) -> dict[str, Any]:
        first = data.comments.get(t.comment_ids[0]) if t.comment_ids else None
        return {
            "id": t.id,
            "subject": t.subject,
            "description": first.body if first else "",
            "actor": {"id": data.admin_id, "name": data.people[data.admin_id].name},
            "previous_state": t.previous_status,
            "deleted_at": iso(t.deleted_at),
        }

    @route("/deleted_tickets")
    def deleted_tickets() -> Response:
        return _paginate(
            views,
            "deleted_tickets",
            state.deleted_tickets(),
            deleted_doc,
            "/deleted_tickets",
            _TICKET_SORTS,
        )

    @route("/deleted_tickets/<int:tid>/restore", ("PUT",))
    def deleted_restore(tid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        t = state.ticket(tid, deleted=True)
        if t is None:
            return _not_found()
        state.restore_ticket(t)
        return Response(status=200)

    @route("/deleted_tickets/restore_many", ("PUT",))
    def deleted_restore_many() -> Response:
        if (denied := admin_only()) is not None:
            return denied
        ids = _ids_arg()
        if isinstance(ids, Response):
            return ids
        for tid in ids:
            t = state.ticket(tid, deleted=True)
            if t is not None:
                state.restore_ticket(t)
        return Response(status=200)

    def _purge_job(ids: list[int]) -> Response:
        def action() -> dict[str, Any]:
            for tid in ids:
                t = state.ticket(tid, deleted=True)
                if t is not None:
                    state.purge_ticket(t)
            return {"success": True}

        job = state.create_job("deleted_tickets.destroy", len(ids), action)
        return json_response({"job_status": views.job(job.id)})

    @route("/deleted_tickets/<int:tid>", ("DELETE",))
    def deleted_purge(tid: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        if state.ticket(tid, deleted=True) is None:
            return _not_found()
        return _purge_job([tid])

    @route("/deleted_tickets/destroy_many", ("DELETE",))
    def deleted_purge_many() -> Response:
        if (denied := admin_only()) is not None:
            return denied
        ids = _ids_arg()
        if isinstance(ids, Response):
            return ids
        return _purge_job(ids)

    # --- jobs --------------------------------------------------------------------------------

    @route("/job_statuses/<job_id>")
    def job_status(job_id: str) -> Response:
        if job_id not in state.jobs:
            return _not_found()
        return json_response({"job_status": views.job(job_id)})

    @route("/job_statuses")
    def job_statuses() -> Response:
        docs = [views.job(j) for j in state.jobs]
        return json_response(
            {"job_statuses": docs, "next_page": None, "previous_page": None, "count": len(docs)}
        )

    @route("/job_statuses/show_many")
    def job_statuses_many() -> Response:
        ids = [i for i in request.args.get("ids", "").split(",") if i in state.jobs]
        return json_response({"job_statuses": [views.job(i) for i in ids]})

    # --- search ------------------------------------------------------------------------------

    def _serialize_result(kind: str, record: Any) -> dict[str, Any]:
        serializers: dict[str, Callable[[Any], dict[str, Any]]] = {
            "ticket": views.ticket,
            "user": views.user,
            "organization": views.organization,
        }
        return {**serializers[kind](record), "result_type": kind}

    @route("/search")
    def search() -> Response:
        query = request.args.get("query", "")
        if not query.strip():
            return _err(400, "invalid", "query is required")
        page_no = int_arg(request, "page", 1) or 1
        per_page = min(max(int_arg(request, "per_page", 100) or 100, 1), 100)
        if page_no < 1 or (page_no - 1) * per_page >= 1000:
            return _err(
                422,
                "invalid",
                "Invalid search: Requested response size was greater than Search Response Limits",
            )
        try:
            results = zendesk_search(state, query)
        except SearchError as exc:
            return _err(400, "invalid", f"Invalid search: {exc}")
        sort_by = request.args.get("sort_by")
        if sort_by in ("created_at", "updated_at"):
            results.sort(
                key=lambda r: getattr(r[1], sort_by),
                reverse=request.args.get("sort_order", "desc") == "desc",
            )
        start = (page_no - 1) * per_page
        chunk = results[start : start + per_page]
        path = views.path("/search")
        has_next = start + per_page < min(len(results), 1000)
        return json_response(
            {
                "results": [_serialize_result(k, r) for k, r in chunk],
                "facets": None,
                "next_page": page_url(request, path, {"page": page_no + 1}) if has_next else None,
                "previous_page": page_url(request, path, {"page": page_no - 1})
                if page_no > 1
                else None,
                "count": len(results),
            }
        )

    @route("/search/count")
    def search_count() -> Response:
        try:
            results = zendesk_search(state, request.args.get("query", ""))
        except SearchError as exc:
            return _err(400, "invalid", f"Invalid search: {exc}")
        return json_response({"count": len(results)})

    @route("/search/export")
    def search_export() -> Response:
        query = request.args.get("query", "")
        kind = request.args.get("filter[type]")
        if kind not in ("ticket", "user", "organization", "group"):
            return _err(
                400,
                "InvalidPaginationParameter",
                "filter[type] is required: ticket, user, organization or group",
            )
        if re.search(r"(^|\s)type:", query):
            return _err(
                400, "invalid", "Invalid search: type is not allowed in the query; use filter[type]"
            )
        size = int_arg(request, "page[size]", 100) or 100
        if not 1 <= size <= 1000:
            return _err(400, "InvalidPaginationParameter", "page[size] must be between 1 and 1000")
        try:
            results = (
                [r for k, r in zendesk_search(state, f"{query} type:{kind}") if k == kind]
                if kind != "group"
                else []
            )
        except SearchError as exc:
            return _err(400, "invalid", f"Invalid search: {exc}")
        after = None
        raw = request.args.get("page[after]")
        if raw:
            payload = decode_cursor(raw)
            if not isinstance(payload, dict) or not isinstance(payload.get("v"), list):
                return _err(400, "InvalidPaginationParameter", "invalid cursor")
            after = tuple(payload["v"])
        page = cursor_slice(
            sorted(results, key=lambda r: r.id), lambda r: (r.id,), size, after, None, False
        )
        last = encode_cursor({"o": "id", "v": [page.items[-1].id]}) if page.items else None
        path = views.path("/search/export")
        return json_response(
            {
                "results": [_serialize_result(kind, r) for r in page.items],
                "facets": None,
                "meta": {"has_more": page.has_more, "after_cursor": last, "before_cursor": None},
                "links": {
                    "prev": None,
                    "next": page_url(request, path, {"page[after]": last})
                    if page.has_more
                    else None,
                },
            }
        )

    # --- incremental exports -----------------------------------------------------------------

    def _incremental_items(kind: str) -> list[Any]:
        if kind == "tickets":
            return sorted(data.tickets.values(), key=lambda t: (t.updated_at, t.id))
        return sorted((p for p in data.people.values()), key=lambda p: (p.updated_at, p.id))

    def _serialize_incremental(kind: str, record: Any) -> dict[str, Any]:
        return views.ticket(record, incremental=True) if kind == "tickets" else views.user(record)

    @route("/incremental/<kind>")
    def incremental_time(kind: str) -> Response:
        if kind not in ("tickets", "users"):
            return _not_found()
        if (denied := admin_only()) is not None:
            return denied
        start = int_arg(request, "start_time")
        cutoff = state.now() - views.lag_seconds
        if start is None:
            return _err(400, "InvalidValue", "start_time is required")
        if start > cutoff:
            return _err(
                400,
                "InvalidValue",
                _too_recent(views.lag_seconds),
            )
        per_page = min(max(int_arg(request, "per_page", 1000) or 1000, 1), 1000)
        eligible = [r for r in _incremental_items(kind) if start <= r.updated_at < cutoff]
        chunk = eligible[:per_page]
        if chunk:  # never split records that share the last timestamp
            last_ts = chunk[-1].updated_at
            extra = len(chunk)
            while extra < len(eligible) and eligible[extra].updated_at == last_ts:
                extra += 1
            chunk = eligible[:extra]
        end_of_stream = len(chunk) == len(eligible)
        end_time = chunk[-1].updated_at + 1 if chunk else start
        path = views.path(f"/incremental/{kind}")
        return json_response(
            {
                kind: [_serialize_incremental(kind, r) for r in chunk],
                "count": len(chunk),
                "end_of_stream": end_of_stream,
                "next_page": page_url(request, path, {"start_time": end_time}),
                "end_time": end_time,
            }
        )

    @route("/incremental/<kind>/cursor")
    def incremental_cursor(kind: str) -> Response:
        if kind not in ("tickets", "users"):
            return _not_found()
        if (denied := admin_only()) is not None:
            return denied
        cutoff = state.now() - views.lag_seconds
        raw = request.args.get("cursor")
        if raw:
            position = _decode_incremental_cursor(raw)
            if position is None:
                return _err(400, "InvalidValue", "invalid cursor")
        else:
            start = int_arg(request, "start_time")
            if start is None:
                return _err(400, "InvalidValue", "start_time or cursor is required")
            if start > cutoff:
                return _err(
                    400,
                    "InvalidValue",
                    _too_recent(views.lag_seconds),
                )
            position = (start, 0)
        per_page = min(max(int_arg(request, "per_page", 1000) or 1000, 1), 1000)
        eligible = [
            r
            for r in _incremental_items(kind)
            if (r.updated_at, r.id) > position and r.updated_at < cutoff
        ]
        chunk = eligible[:per_page]
        if chunk:
            position = (chunk[-1].updated_at, chunk[-1].id)
        after_cursor = _encode_incremental_cursor(position)
        path = views.path(f"/incremental/{kind}/cursor")
        return json_response(
            {
                kind: [_serialize_incremental(kind, r) for r in chunk],
                "after_url": page_url(
                    request, path, {"cursor": after_cursor}, drop=("start_time",)
                ),
                "before_url": None,
                "after_cursor": after_cursor,
                "before_cursor": None,
                "end_of_stream": len(chunk) == len(eligible),
            }
        )

    return app


def _encode_incremental_cursor(position: tuple[int, int]) -> str:
    import base64

    return base64.b64encode(f"{position[0]}.0||{position[1]}|".encode()).decode()


def _decode_incremental_cursor(raw: str) -> tuple[int, int] | None:
    import base64
    import binascii

    try:
        text = base64.b64decode(raw + "=" * (-len(raw) % 4)).decode()
        stamp, _, rest = text.partition("||")
        return int(float(stamp)), int(rest.rstrip("|") or 0)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def _too_recent(lag: int) -> str:
    return f"Too recent start_time. Use a start_time older than {lag} seconds"


def _plain(markup: str) -> str:
    """Whitespace-normalised text of HTML, to compare a redaction request with the comment."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())
