"""Sweep plans waiting for approval, and the progress of anything being applied.

Approving a sweep plan here is the same operation as ``gdprguard sweep --apply --plan ID``: the
plan is applied with the policy it was made with, through the same engine and journal.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, abort, jsonify, redirect, request, url_for
from sqlalchemy import case, select

from .._exceptions import ConfigError, InputError
from ..pipeline.plans import plan_rows, reject_plan
from ..policy import parse_policy
from ..store import plans
from ..sweep import PlanSummary, SweepEngine
from ..sweep.decide import policy_decider
from ._context import Console, actor_for
from ._jobs import Job, ProgressCallback, only_phase
from ._web import console, current_user, render

__all__ = ["blueprint", "sweep_apply"]

blueprint = Blueprint("plans", __name__)
_PLAN_ID = re.compile(r"^pl-\d{8}T\d{6}Z-[0-9a-f]{6}$")
_JOB_ID = re.compile(r"^[0-9a-f]{16}$")
_SHOWN = 100


def _row(plan_id: str) -> Any:
    if not _PLAN_ID.match(plan_id):
        abort(404)
    with console().store.session(write=False) as session:
        row = session.execute(
            select(plans.c.plan_id, plans.c.status, plans.c.summary, plans.c.kind,
                   plans.c.applied_at).where(plans.c.plan_id == plan_id)
        ).first()  # fmt: skip
    if row is None or row.kind != "sweep":
        abort(404)
    return row


def _summary(row: Any) -> PlanSummary | None:
    if not row.summary or row.summary == "{}":
        return None  # still planning
    return PlanSummary.model_validate_json(row.summary).model_copy(update={"status": row.status})


@blueprint.get("/plans")
def index() -> Any:
    """Sweep plans: those waiting for approval first, then the most recent others."""
    waiting_first = case((plans.c.status == "planned", 0), else_=1)
    with console().store.session(write=False) as session:
        rows = session.execute(
            select(plans.c.plan_id, plans.c.status, plans.c.summary, plans.c.kind,
                   plans.c.applied_at, plans.c.created_at)
            .where(plans.c.kind == "sweep")
            .order_by(waiting_first, plans.c.created_at.desc())
            .limit(_SHOWN)
        ).all()  # fmt: skip
    shown = [(row, _summary(row)) for row in rows]
    waiting = [(r, s) for r, s in shown if r.status == "planned"]
    others = [(r, s) for r, s in shown if r.status != "planned"]
    return render("plans.html", waiting=waiting, others=others)


@blueprint.get("/plans/<plan_id>")
def show(plan_id: str) -> Any:
    """What the plan would do, per rule and action, with its items (record ids only)."""
    row = _row(plan_id)
    items = plan_rows(console().store, plan_id)
    return render(
        "plan.html",
        row=row,
        summary=_summary(row),
        items=items[:500],
        more=max(0, len(items) - 500),
        job=console().jobs.latest_for(plan_id),
        notice=request.args.get("notice"),
    )


def _plan_connectors(shell: Console, plan_id: str) -> list[str]:
    """The connectors a saved plan covers."""
    with shell.store.session(write=False) as session:
        names = session.execute(
            select(plans.c.connectors).where(plans.c.plan_id == plan_id)
        ).scalar_one()
    return [str(name) for name in json.loads(names)]


def sweep_apply(
    shell: Console, plan_id: str, user_name: str, progress: ProgressCallback
) -> dict[str, Any]:
    """Apply a saved sweep plan with the policy it was made with (what ``sweep --apply --plan``
    does), acting as *user_name*."""
    store = shell.store
    name, digest, text = SweepEngine.saved_policy(store, plan_id)
    policy = parse_policy(text, source=name)
    names = _plan_connectors(shell, plan_id)
    missing = sorted(set(names) - set(shell.connector_configs))
    if missing:
        raise ConfigError(f"plan {plan_id} covers connector {missing[0]}, not configured now")
    connectors = shell.build_connectors(names)
    try:
        capabilities = {n: c.capabilities for n, c in connectors.items()}
        problems = [p for p in policy.check(capabilities) if p.severity == "error"]
        if problems:
            raise ConfigError(str(problems[0]))
        engine = SweepEngine(
            shell.vault, connectors, policy_decider(policy, capabilities, shell.detector),
            policy_name=name, policy_sha256=digest, policy_text=text,
            detector=shell.detector, actor=actor_for(user_name), clock=shell.clock,
            progress=progress,
        )  # fmt: skip
        report = engine.apply(plan_id)
    finally:
        for connector in connectors.values():
            connector.close()
    return {
        "status": report.status,
        "done": report.done,
        "unchanged": report.unchanged,
        "skipped": report.skipped,
        "failed": report.failed,
    }


@blueprint.post("/plans/<plan_id>/approve")
def approve(plan_id: str) -> Any:
    """Approve the sweep plan: it is applied in the background, with progress."""
    row = _row(plan_id)
    if row.status != "planned":
        raise InputError(f"plan {plan_id} is {row.status}, not waiting for approval")
    user = current_user().name
    summary = _summary(row)
    console().audit(user, "console.approve", [plan_id],
                    {"kind": "sweep", "actions": summary.actions if summary else 0})  # fmt: skip

    shell = console()  # the job's thread runs outside this request

    def work(progress: ProgressCallback) -> dict[str, Any]:
        return sweep_apply(shell, plan_id, user, only_phase("applying", progress))

    covered = _plan_connectors(shell, plan_id)
    job = shell.jobs.start("sweep", plan_id, user, work, connectors=covered)
    return redirect(url_for("plans.job", job_id=job.job_id))


@blueprint.post("/plans/<plan_id>/reject")
def reject(plan_id: str) -> Any:
    """Reject the sweep plan: it is never applied."""
    _row(plan_id)
    if not reject_plan(console().store, plan_id):
        raise InputError(f"plan {plan_id} is no longer waiting for approval")
    console().audit(current_user().name, "console.reject", [plan_id], {"kind": "sweep"})
    return redirect(url_for("plans.show", plan_id=plan_id, notice="rejected"))


def _job(job_id: str) -> Job:
    job = console().jobs.get(job_id) if _JOB_ID.match(job_id) else None
    if job is None:
        abort(404)
    return job


def _back(job: Job) -> str:
    if job.kind == "erasure":
        return url_for("dsar.show", request_id=job.target)
    return url_for("plans.show", plan_id=job.target)


@blueprint.get("/jobs/<job_id>")
def job(job_id: str) -> Any:
    """Progress of an approval being applied (refreshes itself; scripts make it live)."""
    found = _job(job_id)
    section = "dsar." if found.kind == "erasure" else "plans."
    return render("job.html", job=found, back=_back(found), section=section)


@blueprint.get("/jobs/<job_id>.json")
def job_json(job_id: str) -> Any:
    """The same progress, for the page's script."""
    found = _job(job_id)
    return jsonify(
        state=found.state, phase=found.phase, done=found.done, total=found.total,
        percent=found.percent, result=found.result, error=found.error,
    )  # fmt: skip
