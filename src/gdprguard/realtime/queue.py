"""The webhook receiver's durable queue, in the store.

An accepted event is committed before the helpdesk gets its 2xx answer, so it survives a crash
or ``kill -9``; :meth:`EventQueue.accept_many` commits many in one transaction (the receiver's
group commit, :mod:`.committer`, hands it whatever arrived meanwhile). Events a crash left
``processing`` are queued again at the next start. Events of one ticket that are still waiting
are coalesced (processing the ticket handles every new comment on it). A failed event is
retried with exponential backoff and, after ``max_attempts``, left ``dead`` for an operator
(``gdprguard events list --failed``, ``gdprguard events retry``). Processing itself is
idempotent per (ticket, comment, content) through the journal, so an event delivered twice
redacts once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql as postgresql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import Session

from ..audit import canonical_json
from ..store import Store, StoreError, webhook_events, webhook_signatures
from .signatures import MAX_AGE

__all__ = ["AcceptResult", "EventQueue", "Incoming", "QueuedEvent"]

EventStatus = Literal["queued", "processing", "done", "failed", "dead"]
AcceptStatus = Literal["queued", "coalesced", "replay", "full"]
_WAITING = ("queued", "failed")
_PENDING = ("queued", "processing", "failed")
_COUNT_PENDING = select(func.count()).where(webhook_events.c.status.in_(_PENDING))


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class QueuedEvent(BaseModel):
    """One event as the queue holds it (ids only)."""

    id: int
    connector: str
    ticket_id: str
    comment_id: str
    status: EventStatus
    attempts: int
    received_at: datetime
    next_attempt_at: datetime
    finished_at: datetime | None = None
    last_error: str | None = None


class Incoming(NamedTuple):
    """An event to accept: which ticket (and comment) of which connector changed, and the key
    that identifies the call against replays (a signature or the helpdesk's event id)."""

    connector: str
    ticket_id: str
    comment_id: str = ""
    replay_key: str | None = None


class AcceptResult(BaseModel):
    """What became of an incoming event."""

    status: AcceptStatus
    event_id: int | None = None
    depth: int = 0


class EventQueue:
    """Accept, claim, finish and retry webhook events."""

    def __init__(
        self,
        store: Store,
        *,
        limit: int = 10_000,
        max_attempts: int = 8,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.limit = limit
        self.max_attempts = max_attempts
        self.clock = clock

    # -- receiving ----------------------------------------------------------------------------

    def accept(
        self,
        connector: str,
        ticket_id: str,
        comment_id: str = "",
        *,
        replay_key: str | None = None,
    ) -> AcceptResult:
        """Commit an event (before the 2xx answer). ``full`` when the queue is at its limit
        (answer 503), ``replay`` when *replay_key* (a signature or event id) was seen before."""
        [result] = self.accept_many([Incoming(connector, ticket_id, comment_id, replay_key)])
        return result

    def accept_many(self, events: Sequence[Incoming]) -> list[AcceptResult]:
        """Commit several events in one transaction (one fsync), each judged as if accepted
        one after the other in the given order; returns their results in that order.

        A replay key seen before, or earlier in *events*, makes a ``replay``; an event for a
        ticket that is already waiting (or queued earlier in *events*) is ``coalesced``, even
        when the queue is full, since it adds no work; otherwise the event is ``queued`` while
        the queue is below its limit and ``full`` after. The replay key of a ``full`` event is
        not kept: the sender may retry with the same call.
        """
        if not events:
            return []
        now = self.clock()
        digests = [_digest(e.connector, e.replay_key) for e in events]
        with self.store.session() as session:
            depth = int(session.execute(_COUNT_PENDING).scalar_one())
            fresh = _record_digests(session, {d for d in digests if d is not None}, now)
            waiting = _waiting_events(session, events)
            plan: list[tuple[AcceptStatus, int | None, int]] = []  # status, event, depth
            new: dict[tuple[str, str], Incoming] = {}
            taken: set[str] = set()  # digests of events taken in this batch
            refused: set[str] = set()  # digests of events refused as full: forgotten again
            for event, digest in zip(events, digests, strict=True):
                if digest is not None and (digest not in fresh or digest in taken):
                    plan.append(("replay", None, depth))
                    continue
                key = (event.connector, event.ticket_id)
                if key in waiting or key in new:
                    plan.append(("coalesced", waiting.get(key), depth))
                elif depth < self.limit:
                    depth += 1
                    new[key] = event
                    plan.append(("queued", None, depth))
                else:
                    plan.append(("full", None, depth))
                    if digest is not None:
                        refused.add(digest)
                    continue
                if digest is not None:
                    taken.add(digest)
            waiting.update(_insert_events(session, list(new.values()), now))
            forget = refused - taken
            if forget:
                session.execute(
                    delete(webhook_signatures).where(webhook_signatures.c.digest.in_(forget))
                )
        results = []
        for event, (status, event_id, after) in zip(events, plan, strict=True):
            if event_id is None and status in ("queued", "coalesced"):
                event_id = waiting[(event.connector, event.ticket_id)]
            results.append(AcceptResult(status=status, event_id=event_id, depth=after))
        return results

    # -- processing ---------------------------------------------------------------------------

    def claim(self, batch: int = 10) -> list[QueuedEvent]:
        """Take up to *batch* due events for processing (each claimed by one worker only)."""
        now = self.clock()
        claimed: list[QueuedEvent] = []
        with self.store.session() as session:
            query = (
                select(webhook_events.c.id)
                .where(
                    webhook_events.c.status.in_(_WAITING),
                    webhook_events.c.next_attempt_at <= now,
                )
                .order_by(webhook_events.c.next_attempt_at, webhook_events.c.id)
                .limit(batch)
            )
            if self.store.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = [int(i) for i in session.execute(query).scalars()]
            for event_id in ids:
                updated = session.execute(
                    update(webhook_events)
                    .where(webhook_events.c.id == event_id, webhook_events.c.status.in_(_WAITING))
                    .values(status="processing", attempts=webhook_events.c.attempts + 1)
                )
                if getattr(updated, "rowcount", 0):
                    row = (
                        session.execute(
                            select(webhook_events).where(webhook_events.c.id == event_id)
                        )
                        .mappings()
                        .one()
                    )
                    claimed.append(_event(row))
        return claimed

    def done(self, event_id: int, outcome: dict[str, Any]) -> None:
        """The event was processed."""
        with self.store.session() as session:
            session.execute(
                update(webhook_events)
                .where(webhook_events.c.id == event_id)
                .values(
                    status="done",
                    finished_at=self.clock(),
                    last_error=None,
                    outcome=canonical_json(outcome),
                )
            )

    def fail(self, event: QueuedEvent, error: str) -> EventStatus:
        """Processing failed: retry later with backoff, or give up (``dead``)."""
        now = self.clock()
        status: EventStatus = "dead" if event.attempts >= self.max_attempts else "failed"
        delay = timedelta(seconds=min(300.0, 2.0**event.attempts))
        with self.store.session() as session:
            session.execute(
                update(webhook_events)
                .where(webhook_events.c.id == event.id)
                .values(
                    status=status,
                    next_attempt_at=now + delay,
                    finished_at=now if status == "dead" else None,
                    last_error=error[:300],
                )
            )
        return status

    def release(self, event_ids: Iterable[int]) -> int:
        """Give back claimed events that were not started (a worker stopping): queued again,
        the claim's attempt not counted."""
        ids = list(event_ids)
        if not ids:
            return 0
        with self.store.session() as session:
            result = session.execute(
                update(webhook_events)
                .where(webhook_events.c.id.in_(ids), webhook_events.c.status == "processing")
                .values(status="queued", attempts=webhook_events.c.attempts - 1)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def recover(self) -> int:
        """Queue again what a crash left ``processing`` (at start); returns how many."""
        with self.store.session() as session:
            result = session.execute(
                update(webhook_events)
                .where(webhook_events.c.status == "processing")
                .values(status="queued", next_attempt_at=self.clock())
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def prune(self, *, keep_done: timedelta = timedelta(days=7)) -> None:
        """Forget replay keys older than they could be valid, and old finished events."""
        now = self.clock()
        with self.store.session() as session:
            session.execute(
                delete(webhook_signatures).where(webhook_signatures.c.seen_at < now - 2 * MAX_AGE)
            )
            session.execute(
                delete(webhook_events).where(
                    webhook_events.c.status == "done",
                    webhook_events.c.finished_at < now - keep_done,
                )
            )

    # -- operators ----------------------------------------------------------------------------

    def depth(self) -> int:
        """Events waiting or being processed."""
        with self.store.session(write=False) as session:
            return int(session.execute(_COUNT_PENDING).scalar_one())

    def events(self, *, failed: bool = False, limit: int = 100) -> list[QueuedEvent]:
        """The latest events (only failed and dead ones with *failed*)."""
        query = select(webhook_events).order_by(webhook_events.c.id.desc()).limit(limit)
        if failed:
            query = query.where(webhook_events.c.status.in_(("failed", "dead")))
        with self.store.session(write=False) as session:
            return [_event(row) for row in session.execute(query).mappings()]

    def retry(self, event_ids: Iterable[int] | None = None) -> int:
        """Queue dead (and waiting failed) events again now; all of them without ids."""
        query = update(webhook_events).where(webhook_events.c.status.in_(("failed", "dead")))
        if event_ids is not None:
            query = query.where(webhook_events.c.id.in_(list(event_ids)))
        with self.store.session() as session:
            result = session.execute(
                query.values(
                    status="queued", attempts=0, next_attempt_at=self.clock(), finished_at=None
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def counts(self) -> dict[str, int]:
        """Events per status."""
        with self.store.session(write=False) as session:
            rows = session.execute(
                select(webhook_events.c.status, func.count()).group_by(webhook_events.c.status)
            ).all()
        return {str(status): int(count) for status, count in rows}


def _digest(connector: str, replay_key: str | None) -> str | None:
    if replay_key is None:
        return None
    return hashlib.sha256(f"{connector}\0{replay_key}".encode()).hexdigest()


def _record_digests(session: Session, digests: Collection[str], now: datetime) -> set[str]:
    """Record replay keys; returns those not seen before (one statement for all of them)."""
    if not digests:
        return set()
    statement = _RECORD_DIGESTS.get(session.get_bind().dialect.name)
    if statement is None:
        raise StoreError("unsupported database dialect; use SQLite or PostgreSQL")
    rows = [{"digest": d, "seen_at": now} for d in sorted(digests)]
    return set(session.execute(statement, rows).scalars())


def _waiting_events(session: Session, events: Sequence[Incoming]) -> dict[tuple[str, str], int]:
    """The queued event (the oldest) of each ticket named in *events* that has one."""
    rows = session.execute(
        _WAITING_EVENTS,
        {
            "connectors": sorted({e.connector for e in events}),
            "tickets": sorted({e.ticket_id for e in events}),
        },
    )
    return {(connector, ticket): int(event_id) for event_id, connector, ticket in rows}


def _insert_events(
    session: Session, events: Sequence[Incoming], now: datetime
) -> dict[tuple[str, str], int]:
    """Insert one queued event per (connector, ticket) in *events*; returns their ids."""
    if not events:
        return {}
    rows = [
        {
            "connector": e.connector,
            "ticket_id": e.ticket_id,
            "comment_id": e.comment_id,
            "status": "queued",
            "attempts": 0,
            "received_at": now,
            "next_attempt_at": now,
        }
        for e in events
    ]
    inserted = session.execute(_INSERT_EVENTS, rows)
    return {(connector, ticket): int(event_id) for event_id, connector, ticket in inserted}


# The accept path's statements, built once (SQLAlchemy then reuses their compiled form): each
# takes every event of a batch in one execution.
_RECORD_DIGESTS = {
    name: dialect.insert(webhook_signatures)
    .on_conflict_do_nothing()
    .returning(webhook_signatures.c.digest)
    for name, dialect in (("sqlite", sqlite_dialect), ("postgresql", postgresql_dialect))
}
_WAITING_EVENTS = (
    select(webhook_events.c.id, webhook_events.c.connector, webhook_events.c.ticket_id)
    .where(
        webhook_events.c.connector.in_(bindparam("connectors", expanding=True)),
        webhook_events.c.ticket_id.in_(bindparam("tickets", expanding=True)),
        webhook_events.c.status == "queued",
    )
    .order_by(webhook_events.c.id.desc())
)
_INSERT_EVENTS = insert(webhook_events).returning(
    webhook_events.c.id, webhook_events.c.connector, webhook_events.c.ticket_id
)


def _event(row: Any) -> QueuedEvent:
    return QueuedEvent(
        id=int(row["id"]),
        connector=row["connector"],
        ticket_id=row["ticket_id"],
        comment_id=row["comment_id"],
        status=row["status"],
        attempts=int(row["attempts"]),
        received_at=_aware(row["received_at"]) or _now(),
        next_attempt_at=_aware(row["next_attempt_at"]) or _now(),
        finished_at=_aware(row["finished_at"]),
        last_error=row["last_error"],
    )
