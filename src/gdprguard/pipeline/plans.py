"""Saved plans (sweeps and erasures) in the store: the state of each item and of the plan."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Update, select, update

from .._exceptions import InputError
from ..store import Store, plan_items, plans

__all__ = [
    "REJECTED",
    "item_state_update",
    "plan_rows",
    "refuse_rejected",
    "reject_plan",
    "set_item_state",
    "set_plan_status",
]

#: the status of a plan an officer rejected: it is never applied
REJECTED = "rejected"


def plan_rows(store: Store, plan_id: str, *, connector: str | None = None) -> list[dict[str, Any]]:
    """A plan's items in plan order (of one connector if given)."""
    query = select(plan_items).where(plan_items.c.plan_id == plan_id)
    if connector is not None:
        query = query.where(plan_items.c.connector == connector)
    with store.session(write=False) as session:
        return [dict(r) for r in session.execute(query.order_by(plan_items.c.seq)).mappings()]


def item_state_update(plan_id: str, seq: int, state: str, note: str | None = None) -> Update:
    """The statement recording how one item ended (to run in another write's transaction)."""
    return (
        update(plan_items)
        .where(plan_items.c.plan_id == plan_id, plan_items.c.seq == seq)
        .values(state=state, note=note)
    )


def set_item_state(
    store: Store, plan_id: str, seq: int, state: str, note: str | None = None
) -> None:
    """Record how one item ended (done, skipped, failed) and why."""
    with store.session() as session:
        session.execute(item_state_update(plan_id, seq, state, note))


def set_plan_status(
    store: Store, plan_id: str, status: str, *, applied_at: datetime | None = None
) -> None:
    """Record a plan's status (planned, applying, applied…), and when it was applied."""
    values: dict[str, Any] = {"status": status}
    if applied_at is not None:
        values["applied_at"] = applied_at
    with store.session() as session:
        session.execute(update(plans).where(plans.c.plan_id == plan_id).values(**values))


def reject_plan(store: Store, plan_id: str) -> bool:
    """Mark a plan that is still waiting (``planned``) as rejected; False if it was not waiting."""
    with store.session() as session:
        result = session.execute(
            update(plans)
            .where(plans.c.plan_id == plan_id, plans.c.status == "planned")
            .values(status=REJECTED)
        )
    return bool(getattr(result, "rowcount", 0))


def refuse_rejected(plan_id: str, status: str) -> None:
    """``InputError`` when the plan was rejected: a rejected plan is never applied."""
    if status == REJECTED:
        raise InputError(f"plan {plan_id} was rejected, so it is never applied; plan again")
