"""The DSAR register: requests and their deadlines, matches, exports, erasure plans.

Personal data (identifiers, the verification note, what a search found, the export file) is
shown only on the pages whose task needs it, and each such view or download is written to the
audit log with the user's name.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, cast

from flask import Blueprint, abort, redirect, request, send_file, url_for

from .._exceptions import InputError
from ..dsar.erase import ErasureEngine, ErasurePlan
from ..dsar.identifiers import validate_identifier
from ..dsar.models import Identifier, IdentifierKind
from ..dsar.register import DsarRegister, RequestKind, RequestRecord
from ..pipeline.plans import plan_rows, reject_plan
from ._jobs import ProgressCallback, only_phase
from ._web import console, current_user, render

__all__ = ["blueprint"]

blueprint = Blueprint("dsar", __name__)
_REQUEST_ID = re.compile(r"^req-\d{8}-[0-9a-f]{6}$")
_KINDS: tuple[RequestKind, ...] = ("access", "erasure", "rectification")
_FILTERS = ("open", "due", "all")
_MAX_IDENTIFIERS = 20


def _register() -> DsarRegister:
    return DsarRegister(console().vault, actor=f"console:{current_user().name}",
                        clock=console().clock)  # fmt: skip


def _record(request_id: str) -> RequestRecord:
    if not _REQUEST_ID.match(request_id):
        abort(404)
    try:
        return _register().get(request_id)
    except InputError:
        abort(404)


def _plan(record: RequestRecord) -> ErasurePlan | None:
    if record.plan_id is None:
        return None
    engine = ErasureEngine(console().vault, {}, _register().hasher, detector=console().detector)
    try:
        return engine.load(record.plan_id)
    except InputError:
        return None


def _row(record: RequestRecord, now: datetime) -> dict[str, Any]:
    return {
        "record": record,
        "flags": record.flags(now),
        "days_left": (record.due_at - now).days,
    }


@blueprint.get("/requests")
def register() -> Any:
    """The register: requests by due date, overdue and due-within-7-days marked."""
    shown = request.args.get("show", "open")
    if shown not in _FILTERS:
        shown = "open"
    now = console().clock()
    records = _register().requests(
        due_within=timedelta(days=7) if shown == "due" else None,
        include_closed=shown == "all",
    )
    rows = [_row(r, now) for r in records]
    counts = {
        "overdue": sum("overdue" in r["flags"] for r in rows),
        "due_soon": sum("due-soon" in r["flags"] for r in rows),
    }
    return render("register.html", rows=rows, shown=shown, counts=counts, now=now)


@blueprint.get("/requests/new")
def new() -> Any:
    """The form for a new request."""
    return render("request_new.html", form={}, error=None, kinds=_KINDS)


def _identifiers_from_form() -> list[Identifier]:
    found: list[Identifier] = []
    for kind in ("email", "phone", "name"):
        for line in request.form.get(kind, "").splitlines():
            if line.strip():
                value = validate_identifier(cast(IdentifierKind, kind), line)
                found.append(Identifier(kind=cast(IdentifierKind, kind), value=value))
    if not found:
        raise InputError("give at least one e-mail address, phone number or name")
    if len(found) > _MAX_IDENTIFIERS:
        raise InputError(f"give at most {_MAX_IDENTIFIERS} identifiers")
    return found


@blueprint.post("/requests/new")
def create() -> Any:
    """Register a request (or open the open one for the same identifiers and kind)."""
    kind = request.form.get("kind", "")
    form = {k: request.form.get(k, "") for k in ("kind", "email", "phone", "name",
                                                  "verification", "received")}  # fmt: skip
    try:
        if kind not in _KINDS:
            raise InputError("choose the kind of request: access, erasure or rectification")
        identifiers = _identifiers_from_form()
        received = None
        if form["received"].strip():
            try:
                received = datetime.strptime(form["received"].strip(), "%Y-%m-%d")
            except ValueError:
                raise InputError("the date received is written YYYY-MM-DD") from None
    except InputError as exc:
        return render("request_new.html", status=400, form=form, error=str(exc), kinds=_KINDS)
    register_ = _register()
    kind_ = cast(RequestKind, kind)
    existing = register_.find_open(kind_, identifiers)
    verification = form["verification"].strip() or None
    if existing is not None:
        register_.record_verification(existing.request_id, verification)
        return redirect(url_for("dsar.show", request_id=existing.request_id, notice="existing"))
    record = register_.create(kind_, identifiers, verification=verification, received_at=received)
    return redirect(url_for("dsar.show", request_id=record.request_id, notice="created"))


@blueprint.get("/requests/<request_id>")
def show(request_id: str) -> Any:
    """One request: dates, status, history and what can be done next (no personal data)."""
    record = _record(request_id)
    now = console().clock()
    plan = _plan(record)
    items = plan_rows(console().store, plan.plan_id) if plan is not None else []
    return render(
        "request.html",
        row=_row(record, now),
        record=record,
        history=_register().history(request_id),
        plan=plan,
        items=items,
        job=console().jobs.latest_for(request_id),
        export_expires=console().export_expires_at(request_id) if record.kind == "access" else None,
        notice=request.args.get("notice"),
    )


@blueprint.get("/requests/<request_id>/identifiers")
def identifiers(request_id: str) -> Any:
    """Who the request is about and how identity was checked (personal data: audited)."""
    record = _record(request_id)
    details = _register().details(request_id)
    console().audit(current_user().name, "console.view-identifiers", [f"dsar:{request_id}"],
                    {"identifiers": len(details.identifiers) if details else 0})  # fmt: skip
    return render("identifiers.html", record=record, details=details)


@blueprint.post("/requests/<request_id>/locate")
def locate(request_id: str) -> Any:
    """Search every helpdesk for the subject and show each match and how it was found
    (personal data: audited)."""
    record = _record(request_id)
    with console().dsar(current_user().name) as service:
        found, digests = service.identifiers_of(request_id)
        result = service.locator().locate(found, digests)
    console().audit(current_user().name, "console.view-matches", [f"dsar:{request_id}"],
                    result.counts())  # fmt: skip
    return render("matches.html", record=record, result=result)


@blueprint.post("/requests/<request_id>/export")
def export(request_id: str) -> Any:
    """Write the export file (kept for download) and show what it holds."""
    record = _record(request_id)
    if record.kind != "access":
        abort(400)
    path = console().export_path(request_id)
    with console().dsar(current_user().name) as service:
        outcome = service.export(
            request_id, path, encrypt=request.form.get("encrypt") == "on",
            attachments=request.form.get("attachments") == "on", overwrite=True,
        )  # fmt: skip
    path.chmod(0o600)
    console().mark_exported(path)
    console().audit(current_user().name, "console.export", [f"dsar:{request_id}"],
                    {"sha256": outcome.sha256, "encrypted": outcome.encrypted})  # fmt: skip
    return render("export_done.html", record=_record(request_id), outcome=outcome,
                  export_expires=console().export_expires_at(request_id))  # fmt: skip


@blueprint.get("/requests/<request_id>/export.zip")
def download(request_id: str) -> Any:
    """The export file (personal data: audited)."""
    record = _record(request_id)
    path = console().export_path(request_id)
    if record.kind != "access" or not path.is_file():
        abort(404)
    console().audit(current_user().name, "console.download", [f"dsar:{request_id}"],
                    {"bytes": path.stat().st_size})  # fmt: skip
    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name=f"{request_id}.zip", max_age=0)  # fmt: skip


@blueprint.post("/requests/<request_id>/export/delete")
def delete_export(request_id: str) -> Any:
    """Delete the export file once it has been sent (audited)."""
    _record(request_id)
    deleted = console().delete_export(request_id, current_user().name)
    notice = "export-deleted" if deleted else "export-gone"
    return redirect(url_for("dsar.show", request_id=request_id, notice=notice))


@blueprint.post("/requests/<request_id>/plan")
def plan(request_id: str) -> Any:
    """Plan the erasure (nothing changes yet); the plan waits for approval."""
    record = _record(request_id)
    if record.kind != "erasure":
        abort(400)
    with console().dsar(current_user().name) as service:
        made = service.plan_erasure(
            request_id,
            block_if_open=request.form.get("allow_open") != "on",
            include_name_matches=request.form.get("include_name_matches") == "on",
        )
    console().audit(current_user().name, "console.plan", [f"dsar:{request_id}", made.plan_id],
                    {"actions": sum(made.actions.values())})  # fmt: skip
    return redirect(url_for("dsar.show", request_id=request_id, notice="planned"))


def _waiting_plan(record: RequestRecord) -> ErasurePlan:
    plan_id = request.form.get("plan_id", "")
    plan = _plan(record)
    if plan is None or plan.plan_id != plan_id:
        raise InputError("this plan is not the request's current plan; reload the page")
    if plan.status != "planned":
        raise InputError(f"plan {plan.plan_id} is {plan.status}, not waiting for approval")
    return plan


@blueprint.post("/requests/<request_id>/approve")
def approve(request_id: str) -> Any:
    """Approve the erasure plan: it is applied in the background, with progress."""
    record = _record(request_id)
    plan = _waiting_plan(record)
    user = current_user().name
    console().audit(user, "console.approve", [f"dsar:{request_id}", plan.plan_id],
                    {"kind": "erasure", "actions": sum(plan.actions.values())})  # fmt: skip

    shell = console()  # the job's thread runs outside this request

    def work(progress: ProgressCallback) -> dict[str, Any]:
        with shell.dsar(user, only_phase("erasing", progress)) as service:
            outcome = service.apply_erasure(plan.plan_id)
        return _erasure_result(outcome)

    job = shell.jobs.start("erasure", request_id, user, work, connectors=shell.connector_configs)
    return redirect(url_for("plans.job", job_id=job.job_id))


@blueprint.post("/requests/<request_id>/reject")
def reject(request_id: str) -> Any:
    """Reject the erasure plan: it is never applied; the request can be planned again."""
    record = _record(request_id)
    plan = _waiting_plan(record)
    if not reject_plan(console().store, plan.plan_id):
        raise InputError(f"plan {plan.plan_id} is no longer waiting for approval")
    console().audit(current_user().name, "console.reject", [f"dsar:{request_id}", plan.plan_id],
                    {"kind": "erasure"})  # fmt: skip
    _register().set_status(request_id, "open", event="erasure-plan-rejected")
    return redirect(url_for("dsar.show", request_id=request_id, notice="rejected"))


@blueprint.post("/requests/<request_id>/retry")
def retry(request_id: str) -> Any:
    """Run a failed, partial or interrupted request again."""
    record = _record(request_id)
    user = current_user().name
    if record.kind == "access":
        return export(request_id)
    if record.kind != "erasure":
        abort(400)
    console().audit(user, "console.retry", [f"dsar:{request_id}"], {"kind": "erasure"})

    shell = console()  # the job's thread runs outside this request

    def work(progress: ProgressCallback) -> dict[str, Any]:
        with shell.dsar(user, only_phase("erasing", progress)) as service:
            outcome = service.retry_erasure(request_id)
        return _erasure_result(outcome)

    job = shell.jobs.start("erasure", request_id, user, work, connectors=shell.connector_configs)
    return redirect(url_for("plans.job", job_id=job.job_id))


@blueprint.post("/requests/<request_id>/extend")
def extend(request_id: str) -> Any:
    """Extend the deadline by one or two months, with a reason (sealed)."""
    _record(request_id)
    try:
        months = int(request.form.get("months", ""))
    except ValueError:
        raise InputError("choose 1 or 2 months") from None
    _register().extend(request_id, months, request.form.get("reason", ""))
    return redirect(url_for("dsar.show", request_id=request_id, notice="extended"))


def _erasure_result(outcome: Any) -> dict[str, Any]:
    report = outcome.report
    return {
        "status": outcome.status,
        "request_id": outcome.request_id,
        "done": report.done if report else 0,
        "unchanged": report.unchanged if report else 0,
        "skipped": sum(report.skipped.values()) if report else 0,
        "failed": sum(report.failed.values()) if report else 0,
        "keys_shredded": report.shredded if report else 0,
        "remaining_tickets": outcome.remaining.get("tickets", 0),
        "remaining_people": outcome.remaining.get("people", 0),
    }
