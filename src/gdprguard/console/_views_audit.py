"""The audit trail: the log, filtered, and whether its hash chain verifies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, redirect, request, url_for
from sqlalchemy import func, select

from ..audit import entry_from_row
from ..store import audit_log
from ._web import console, current_user, render

__all__ = ["blueprint"]

blueprint = Blueprint("audit", __name__)
_PAGE = 50


def _date(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


@blueprint.get("/audit")
def index() -> Any:
    """The log, newest first, filtered by actor, action, target and dates."""
    filters = {k: request.args.get(k, "").strip()[:200] for k in
               ("actor", "action", "target", "since", "until")}  # fmt: skip
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    query = select(audit_log)
    if filters["actor"]:
        query = query.where(audit_log.c.actor.contains(filters["actor"], autoescape=True))
    if filters["action"]:
        query = query.where(audit_log.c.action.startswith(filters["action"], autoescape=True))
    if filters["target"]:
        query = query.where(audit_log.c.target_ids.contains(filters["target"], autoescape=True))
    since, until = _date(filters["since"]), _date(filters["until"])
    if since is not None:
        query = query.where(audit_log.c.ts >= since.isoformat())
    if until is not None:
        query = query.where(audit_log.c.ts < (until + timedelta(days=1)).isoformat())
    with console().store.session(write=False) as session:
        total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = session.execute(
            query.order_by(audit_log.c.seq.desc()).limit(_PAGE).offset((page - 1) * _PAGE)
        ).mappings().all()  # fmt: skip
    entries = [entry_from_row(dict(r)) for r in rows]
    return render(
        "audit.html",
        entries=entries,
        filters=filters,
        page=page,
        pages=max(1, -(-int(total) // _PAGE)),
        total=int(total),
        verified=console().last_verify,
    )


@blueprint.post("/audit/verify")
def verify() -> Any:
    """Check every entry's MAC, the chain and the checkpoint now."""
    report = console().vault.audit.verify()
    console().last_verify = (console().clock(), report)
    console().audit(current_user().name, "console.audit-verify", [],
                    {"ok": report.ok, "entries": report.entries})  # fmt: skip
    return redirect(url_for("audit.index"))
