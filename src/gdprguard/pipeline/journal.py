"""The write-ahead journal: what gdprguard is about to change in a helpdesk, and what it did.

Every change (redact a comment, delete a ticket, anonymise a person) is one *unit* with a stable
id such as ``sweep:<plan>:<seq>``:

1. ``intend()`` commits the intent **before** the helpdesk call;
2. the caller makes the call;
3. ``complete()`` marks it done and writes its audit entry **in the same transaction**.

After a crash (``kill -9`` at any instant) the unit is found still ``intended``: the caller checks
the helpdesk's current state to decide whether the change happened, then completes it or runs it
again; it never runs a ``done`` unit twice. Units name records by reference and carry ids, rule
names and types, never personal data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Executable, select, update

from .._exceptions import InputError
from ..audit import AuditLog, canonical_json
from ..store import Store, insert_ignore, journal
from .refs import RecordRef

__all__ = ["Journal", "JournalEntry", "JournalState"]

JournalState = Literal["intended", "done", "failed", "skipped"]


class JournalEntry(BaseModel):
    """One unit of work as the journal knows it."""

    unit: str
    connector: str
    action: str
    target: str
    params: dict[str, Any]
    state: JournalState
    attempts: int
    intended_at: datetime
    finished_at: datetime | None = None
    outcome: dict[str, Any] | None = None

    @property
    def ref(self) -> RecordRef:
        """The record this unit changes."""
        return RecordRef.parse(self.target)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class Journal:
    """Intents and completions of helpdesk changes, in the store, audited on completion."""

    def __init__(self, store: Store, audit: AuditLog) -> None:
        self.store = store
        self.audit = audit

    def intend(
        self, unit: str, target: RecordRef, action: str, params: Mapping[str, Any]
    ) -> JournalEntry:
        """Record that *action* on *target* is about to happen (committed on return).

        If the unit is already journaled, nothing is overwritten: a ``done`` or ``skipped`` unit
        comes back as it is (do not run it again); an ``intended`` or ``failed`` one comes back
        with one more attempt counted (check the helpdesk, then run or complete it).
        """
        if not unit or len(unit) > 200:
            raise InputError("a journal unit id is 1-200 characters")
        now = datetime.now(UTC)
        params_text = canonical_json(dict(params))
        with self.store.session() as session:
            inserted = session.execute(
                insert_ignore(session, journal)
                .values(
                    unit=unit,
                    connector=target.connector,
                    action=action,
                    target=str(target),
                    params=params_text,
                    state="intended",
                    attempts=1,
                    intended_at=now,
                )
                .returning(journal.c.unit)
            ).first()
            if inserted is None:
                session.execute(
                    update(journal)
                    .where(journal.c.unit == unit, journal.c.state.in_(["intended", "failed"]))
                    .values(attempts=journal.c.attempts + 1, state="intended")
                )
            row = session.execute(select(journal).where(journal.c.unit == unit)).mappings().one()
        entry = _entry(row)
        if entry.target != str(target) or entry.action != action:
            raise InputError(
                f"journal unit {unit} was recorded for {entry.action} on {entry.target}, not "
                f"{action} on {target}; unit ids must be unique per change"
            )
        return entry

    def complete(
        self,
        unit: str,
        outcome: Mapping[str, Any],
        *,
        actor: str,
        audit_action: str,
        reason: str = "",
        state: Literal["done", "skipped"] = "done",
        also: Sequence[Executable] = (),
    ) -> JournalEntry:
        """Mark the unit done (or skipped) and append its audit entry in one transaction, with
        the statements *also* (e.g. the plan item's state), which commit or fail with it."""
        self.audit.load_key()
        now = datetime.now(UTC)
        with self.store.session() as session:
            row = (
                session.execute(select(journal).where(journal.c.unit == unit).with_for_update())
                .mappings()
                .one_or_none()
            )
            if row is None:
                raise InputError(f"journal unit {unit} was never intended")
            entry = _entry(row)
            if entry.state in ("done", "skipped"):
                return entry  # completed by an earlier run: never audited twice
            for statement in also:
                session.execute(statement)
            session.execute(
                update(journal)
                .where(journal.c.unit == unit)
                .values(state=state, finished_at=now, outcome=canonical_json(dict(outcome)))
            )
            self.audit.append_in(
                session,
                actor,
                audit_action,
                [entry.target],
                reason,
                {"unit": unit, "state": state, **dict(outcome)},
            )
        return entry.model_copy(
            update={"state": state, "finished_at": now, "outcome": dict(outcome)}
        )

    def fail(self, unit: str, error: str, *, also: Sequence[Executable] = ()) -> None:
        """Record that the unit failed (an error code or short message, no personal data);
        a later run may try it again. *also* runs in the same transaction."""
        with self.store.session() as session:
            for statement in also:
                session.execute(statement)
            session.execute(
                update(journal)
                .where(journal.c.unit == unit, journal.c.state == "intended")
                .values(
                    state="failed",
                    finished_at=datetime.now(UTC),
                    outcome=canonical_json({"error": error[:300]}),
                )
            )

    def get(self, unit: str) -> JournalEntry | None:
        """The unit, if journaled."""
        with self.store.session(write=False) as session:
            row = session.execute(select(journal).where(journal.c.unit == unit)).mappings().first()
        return _entry(row) if row is not None else None

    def unfinished(
        self, *, connector: str | None = None, prefix: str | None = None
    ) -> list[JournalEntry]:
        """Units intended or failed and not completed since (what a crash left open)."""
        query = select(journal).where(journal.c.state.in_(["intended", "failed"]))
        if connector is not None:
            query = query.where(journal.c.connector == connector)
        if prefix is not None:
            query = query.where(journal.c.unit.startswith(prefix, autoescape=True))
        with self.store.session(write=False) as session:
            rows = session.execute(query.order_by(journal.c.intended_at)).mappings().all()
        return [_entry(row) for row in rows]


def _entry(row: Any) -> JournalEntry:
    return JournalEntry(
        unit=row["unit"],
        connector=row["connector"],
        action=row["action"],
        target=row["target"],
        params=json.loads(row["params"]),
        state=row["state"],
        attempts=int(row["attempts"]),
        intended_at=_aware(row["intended_at"]) or datetime.now(UTC),
        finished_at=_aware(row["finished_at"]),
        outcome=json.loads(row["outcome"]) if row["outcome"] else None,
    )
