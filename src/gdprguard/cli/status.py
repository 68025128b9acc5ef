"""``gdprguard status``: what ran last, what failed, which requests are due, keys, audit log.

The command an administrator runs on Monday morning (or a monitor runs every hour). It reads the
state and changes nothing. Exit 0 when nothing needs attention, 1 when something does:

* a data-subject request is overdue, or its last run failed or left it incomplete;
* the latest plan of a connector (sweep) or of an open request (erasure) has failed items;
* a plan was interrupted while it was being applied (no run holds its connector's lock);
* a master key that wraps data keys is not available to the key provider.

Requests due within seven days, plans waiting for review and an unfinished key rotation are
reported without failing. Nothing personal is read or printed: ids, dates, statuses and counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import BaseModel, Field

from ._common import JsonOption, emit_json, open_vault, result
from ._table import table

if TYPE_CHECKING:
    from ..store import Store
    from ..vault import Vault

__all__ = ["PlanState", "RequestState", "StatusReport", "collect_status", "register"]

#: a lock whose owner refreshed it within this time belongs to a run still in progress
_LOCK_FRESH = timedelta(minutes=10)


class PlanState(BaseModel):
    """One saved plan (a retention sweep or an erasure) and its items counted by state."""

    plan_id: str
    kind: str = Field(description="sweep or erasure")
    status: str = Field(description="planned, applying, applied, applied-with-failures, …")
    created_at: datetime
    applied_at: datetime | None = None
    policy: str | None = Field(default=None, description="sweeps: the policy file's name")
    request_id: str | None = Field(default=None, description="erasures: the request")
    connectors: list[str]
    items: dict[str, int] = Field(description="item state (planned/done/skipped/failed) -> count")
    running: bool = Field(default=False, description="a run holds its connectors' lock now")
    attention: str | None = Field(default=None, description="what needs doing, if anything")


class RequestState(BaseModel):
    """An open data-subject request and what is notable about it."""

    request_id: str
    kind: str
    status: str
    due_at: datetime
    days_left: int
    flags: list[str]
    last_error: str | None = None


class KeySummary(BaseModel):
    """The vault's keys, counted."""

    primary_kek_id: str
    master_keys: int
    unavailable: list[str] = Field(description="master keys wrapping data keys, not available")
    data_keys: int
    subjects: int
    shredded_subjects: int
    sealed_records: int
    pending_rotation: int


class StatusReport(BaseModel):
    """What ``gdprguard status`` reports; ``healthy`` is False when ``attention`` is not empty."""

    generated_at: datetime
    healthy: bool
    attention: list[str] = Field(description="what needs doing, one line each")
    notes: list[str] = Field(description="worth knowing, not failing")
    sweeps: list[PlanState] = Field(description="latest sweep plans, newest first")
    erasures: list[PlanState] = Field(description="latest erasure plans, newest first")
    journal: dict[str, int] = Field(
        description="helpdesk changes by journal state (intended = in flight or interrupted)"
    )
    requests: list[RequestState] = Field(description="open requests, by due date")
    keys: KeySummary
    audit_entries: int


def collect_status(vault: Vault, *, now: datetime | None = None, limit: int = 5) -> StatusReport:
    """Read everything ``status`` shows from *vault* (its store), changing nothing."""
    from ..audit import count_entries
    from ..dsar.register import DsarRegister

    moment = now or datetime.now(UTC)
    store = vault.store
    locked = _fresh_locks(store, moment)
    sweeps = _plans(store, "sweep", limit, locked)
    erasures = _plans(store, "erasure", limit, locked)
    register_ = DsarRegister(vault, clock=lambda: moment)
    open_requests = register_.requests()
    requests = [
        RequestState(
            request_id=r.request_id,
            kind=r.kind,
            status=r.status,
            due_at=r.due_at,
            days_left=(r.due_at - moment).days,
            flags=r.flags(moment),
            last_error=r.last_error,
        )
        for r in open_requests
    ]
    keys = _keys(vault)
    attention: list[str] = []
    notes: list[str] = []
    _judge_plans(sweeps, latest_by=lambda p: tuple(p.connectors), out=attention)
    open_ids = {r.request_id for r in requests}
    _judge_plans(
        [p for p in erasures if p.request_id in open_ids],
        latest_by=lambda p: (p.request_id or "",),
        out=attention,
    )
    for plan in [*sweeps, *erasures]:
        if plan.status == "planned":
            notes.append(f"plan {plan.plan_id} ({plan.kind}) is waiting for review and --apply")
    for request in requests:
        if "overdue" in request.flags:
            attention.append(
                f"request {request.request_id} ({request.kind}) is overdue: it was due "
                f"{request.due_at:%Y-%m-%d}; answer it now (`gdprguard dsar show "
                f"{request.request_id}` has its history)"
            )
        elif "due-soon" in request.flags:
            notes.append(
                f"request {request.request_id} ({request.kind}) is due {request.due_at:%Y-%m-%d}"
            )
        if "last-run-failed" in request.flags or "incomplete" in request.flags:
            attention.append(
                f"request {request.request_id}: the last run "
                f"{'failed' if request.status == 'failed' else 'left it ' + request.status}"
                f"{f' ({request.last_error})' if request.last_error else ''}; "
                f"`gdprguard dsar retry {request.request_id}`"
            )
    for kek_id in keys.unavailable:
        attention.append(
            f"master key {kek_id} wraps data keys but the key provider cannot use it; "
            "`gdprguard doctor` says how to fix it"
        )
    if keys.pending_rotation:
        notes.append(
            f"{keys.pending_rotation} data key(s) are not under the primary master key yet; "
            "`gdprguard keys rotate` finishes the rotation"
        )
    return StatusReport(
        generated_at=moment,
        healthy=not attention,
        attention=attention,
        notes=notes,
        sweeps=sweeps,
        erasures=erasures,
        journal=_journal_counts(store),
        requests=requests,
        keys=keys,
        audit_entries=count_entries(store),
    )


def _judge_plans(plans_: list[PlanState], *, latest_by: Any, out: list[str]) -> None:
    """Set each plan's ``attention`` and add it to *out*. *plans_* are newest first: failed
    items count only in the latest plan per connector set (sweeps) or request (erasures), since
    a newer plan redoes the work; an interrupted plan counts whenever it is."""
    seen: set[tuple[str, ...]] = set()
    for plan in plans_:
        key = latest_by(plan)
        latest = key not in seen
        seen.add(key)
        command = (
            f"gdprguard sweep --apply --plan {plan.plan_id}"
            if plan.kind == "sweep"
            else f"gdprguard dsar erase --apply --plan {plan.plan_id}"
        )
        if plan.status == "applying" and not plan.running:
            plan.attention = f"interrupted while applying; finish it with `{command}`"
        elif latest and plan.items.get("failed"):
            plan.attention = (
                f"{plan.items['failed']} item(s) failed; fix the cause, then `{command}` "
                "retries them"
            )
        if plan.attention:
            out.append(f"plan {plan.plan_id} ({plan.kind}): {plan.attention}")


def _plans(store: Store, kind: str, limit: int, locked: set[str]) -> list[PlanState]:
    from sqlalchemy import func, select

    from ..store import plan_items, plans

    with store.session(write=False) as session:
        rows = (
            session.execute(
                select(plans)
                .where(plans.c.kind == kind)
                .order_by(plans.c.created_at.desc())
                .limit(limit)
            )
            .mappings()
            .all()
        )
        ids = [row["plan_id"] for row in rows]
        counts: dict[str, dict[str, int]] = {}
        if ids:
            for plan_id, state, count in session.execute(
                select(plan_items.c.plan_id, plan_items.c.state, func.count())
                .where(plan_items.c.plan_id.in_(ids))
                .group_by(plan_items.c.plan_id, plan_items.c.state)
            ).all():
                counts.setdefault(plan_id, {})[state] = int(count)
    found = []
    for row in rows:
        connectors = list(json.loads(row["connectors"] or "[]"))
        found.append(
            PlanState(
                plan_id=row["plan_id"],
                kind=kind,
                status=row["status"],
                created_at=_aware(row["created_at"]),
                applied_at=_aware(row["applied_at"]) if row["applied_at"] else None,
                policy=row["policy_name"] if kind == "sweep" else None,
                request_id=row["request_id"],
                connectors=connectors,
                items=dict(sorted(counts.get(row["plan_id"], {}).items())),
                running=row["status"] == "applying" and bool(set(connectors) & locked),
            )
        )
    return found


def _fresh_locks(store: Store, now: datetime) -> set[str]:
    """Connectors whose sweep lock a live run refreshed recently."""
    from sqlalchemy import select

    from ..store import locks

    with store.session(write=False) as session:
        rows = session.execute(select(locks.c.name, locks.c.heartbeat_at)).all()
    return {
        name.removeprefix("sweep:")
        for name, heartbeat in rows
        if name.startswith("sweep:") and _aware(heartbeat) + _LOCK_FRESH > now
    }


def _journal_counts(store: Store) -> dict[str, int]:
    from sqlalchemy import func, select

    from ..store import journal

    with store.session(write=False) as session:
        rows = session.execute(
            select(journal.c.state, func.count()).group_by(journal.c.state)
        ).all()
    counts = {state: 0 for state in ("intended", "done", "skipped", "failed")}
    counts.update({state: int(count) for state, count in rows})
    return counts


def _keys(vault: Vault) -> KeySummary:
    status = vault.status()
    return KeySummary(
        primary_kek_id=status.primary_kek_id,
        master_keys=sum(1 for k in status.master_keys if not k.destroyed_at),
        unavailable=[
            k.kek_id
            for k in status.master_keys
            if not k.available and not k.destroyed_at and k.data_keys
        ],
        data_keys=status.data_keys,
        subjects=status.subjects,
        shredded_subjects=status.shredded_subjects,
        sealed_records=status.sealed_records,
        pending_rotation=status.pending_rotation,
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# -- the command ----------------------------------------------------------------------------------


def register(app: typer.Typer) -> None:
    """Add the ``status`` command to *app*."""

    @app.command("status")
    def status_command(
        ctx: typer.Context,
        limit: Annotated[
            int,
            typer.Option("--limit", min=1, max=100, metavar="N", help="plans shown per kind"),
        ] = 5,
        json_output: JsonOption = False,
    ) -> None:
        """What ran last, what failed, which requests are due, keys and the audit log.

        Exit 0 when nothing needs attention; 1 when something does (an overdue or failed
        request, failed plan items, an interrupted plan, an unavailable master key). Changes
        nothing.

        \b
        Example: gdprguard status --json
        """
        with open_vault(ctx) as vault:
            report = collect_status(vault, limit=limit)
        if json_output:
            emit_json(report.model_dump(mode="json"))
        else:
            _print(report)
        if not report.healthy:
            raise typer.Exit(1)


def _print(report: StatusReport) -> None:
    state = "OK" if report.healthy else f"NEEDS ATTENTION ({len(report.attention)})"
    result(f"gdprguard status at {report.generated_at:%Y-%m-%d %H:%M} UTC: {state}")
    for line in report.attention:
        result(f"  ! {line}")
    for line in report.notes:
        result(f"  - {line}")
    _print_plans("Retention sweeps", report.sweeps, lambda p: p.policy or "")
    _print_plans("Erasures", report.erasures, lambda p: p.request_id or "")
    journal = report.journal
    result("")
    result(
        f"Helpdesk changes (journal): {journal.get('done', 0)} done, "
        f"{journal.get('skipped', 0)} skipped, {journal.get('failed', 0)} failed, "
        f"{journal.get('intended', 0)} in flight or interrupted"
    )
    result("")
    if report.requests:
        result(f"Open data-subject requests: {len(report.requests)}")
        rows = [
            [
                r.request_id,
                r.kind,
                r.status,
                f"{r.due_at:%Y-%m-%d}",
                r.days_left,
                ", ".join(r.flags),
            ]
            for r in report.requests
        ]
        for line in table(["request", "kind", "status", "due", "days left", "flags"], rows):
            result(line)
    else:
        result("Open data-subject requests: none")
    keys = report.keys
    result("")
    result(
        f"Keys: primary master key {keys.primary_kek_id} ({keys.master_keys} master key(s)); "
        f"{keys.data_keys} data keys for {keys.subjects} subjects, {keys.shredded_subjects} "
        f"shredded; {keys.sealed_records} sealed records"
    )
    result(f"Audit log: {report.audit_entries} entries (`gdprguard audit verify` checks them)")


def _print_plans(title: str, plans_: Iterable[PlanState], about: Any) -> None:
    shown = list(plans_)
    result("")
    if not shown:
        result(f"{title}: none yet")
        return
    result(f"{title} (latest first)")
    rows = []
    for plan in shown:
        items = ", ".join(f"{state} {count}" for state, count in plan.items.items()) or "no items"
        status = f"{plan.status} (running)" if plan.running else plan.status
        rows.append([plan.plan_id, f"{plan.created_at:%Y-%m-%d %H:%M}", about(plan), status, items])
    for line in table(["plan", "created (UTC)", "for", "status", "items"], rows):
        result(line)
