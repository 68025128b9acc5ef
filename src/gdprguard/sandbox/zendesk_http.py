"""Zendesk-shaped HTTP plumbing for the sandbox: error answers, id lists, credentials, auth."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, g, request

from ._http import basic_credentials, json_response
from .state import SandboxState

__all__ = [
    "ZendeskCredentials",
    "admin_only",
    "authenticate",
    "closed",
    "err",
    "field_error",
    "forbidden",
    "ids_arg",
    "not_found",
    "zendesk_credentials",
]

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


def err(status: int, error: str, description: str, **extra: Any) -> Response:
    """A Zendesk error document: ``{"error", "description", ...extra}``."""
    return json_response({"error": error, "description": description, **extra}, status)


def not_found() -> Response:
    """404 RecordNotFound."""
    return err(404, "RecordNotFound", "Not found")


def forbidden() -> Response:
    """403 as Zendesk answers a non-admin agent."""
    return err(
        403,
        "Forbidden",
        "You do not have access to this page. Please contact the account owner of this help "
        "desk for further help.",
    )


def admin_only() -> Response | None:
    """403 unless the request was authenticated as the admin."""
    return forbidden() if g.role != "admin" else None


def field_error(field: str, description: str, error: str = "InvalidValue") -> Response:
    """422 RecordInvalid naming one field."""
    details = {field: [{"description": description, "error": error}]}
    return err(422, "RecordInvalid", "Record validation errors", details=details)


def closed() -> Response:
    """422 for an update to a closed ticket."""
    return field_error("status", "Status: closed prevents ticket update", "ClosedPrevents")


def ids_arg(name: str = "ids") -> list[int] | Response:
    """The comma-separated id list in query parameter ``name``, or the 400 answering it."""
    raw = request.args.get(name, "")
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        return err(400, "InvalidValue", f"Parameter {name} must be a comma-separated list of ids")
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
        return err(400, "InvalidValue", f"Parameter {name} is required")
    return ids


def authenticate(state: SandboxState, credentials: dict[str, str]) -> Response | None:
    """Check the API token (Basic ``email/token`` or Bearer); set ``g.role`` and ``g.user_id``."""
    header = request.headers.get("Authorization", "")
    creds = credentials
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
    g.user_id = state.data.admin_id if role == "admin" else state.data.agent_id
    return None
