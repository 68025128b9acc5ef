"""The webhook receiver's durable queue, in the store.

An accepted event is committed before the helpdesk gets its 2xx answer, so it survives a crash
or ``kill -9``; events a crash left ``processing`` are queued again at the next start. Events of
one ticket that are still waiting are coalesced (processing the ticket handles every new comment
on it). A failed event is retried with exponential backoff and, after ``max_attempts``, left
``dead`` for an operator (``gdprguard events list --failed``, ``gdprguard events retry``).
Processing itself is idempotent per (ticket, comment, content) through the journal, so an event
delivered twice redacts once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import delete, func, insert, select, update

from ..audit import canonical_json
from ..store import Store, insert_ignore, webhook_events, webhook_signatures
from .signatures import MAX_AGE

__all__ = ["AcceptResult", "EventQueue", "QueuedEvent"]

EventStatus = Literal["queued", "processing", "done", "failed", "dead"]
_WAITING = ("queued", "failed")
_PENDING = ("queued", "processing", "failed")


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


class AcceptResult(BaseModel):
    """What became of an incoming event."""

    status: Literal["queued", "coalesced", "replay", "full"]
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
        now = self.clock()
        with self.store.session() as session:
            depth = int(
                session.execute(
                    select(func.count()).where(webhook_events.c.status.in_(_PENDING))
                ).scalar_one()
            )
            digest = None
            if replay_key is not None:
                digest = hashlib.sha256(f"{connector}\0{replay_key}".encode()).hexdigest()
                seen = session.execute(
                    insert_ignore(session, webhook_signatures)
                    .values(digest=digest, seen_at=now)
                    .returning(webhook_signatures.c.digest)
                ).first()
                if seen is None:
                    return AcceptResult(status="replay", depth=depth)
            # An event for a ticket that is already waiting adds no work: taken even when the
            # queue is full, so a burst about few tickets is not turned away.
            waiting = session.execute(
                select(webhook_events.c.id).where(
                    webhook_events.c.connector == connector,
                    webhook_events.c.ticket_id == ticket_id,
                    webhook_events.c.status == "queued",
                )
            ).first()
            if waiting is not None:
                return AcceptResult(status="coalesced", event_id=int(waiting[0]), depth=depth)
            if depth >= self.limit:
                if digest is not None:  # not accepted: the sender may retry with the same call
                    session.execute(
                        delete(webhook_signatures).where(webhook_signatures.c.digest == digest)
                    )
                return AcceptResult(status="full", depth=depth)
            event_id = session.execute(
                insert(webhook_events)
                .values(
                    connector=connector,
                    ticket_id=ticket_id,
                    comment_id=comment_id,
                    status="queued",
                    attempts=0,
                    received_at=now,
                    next_attempt_at=now,
                )
                .returning(webhook_events.c.id)
            ).scalar_one()
        return AcceptResult(status="queued", event_id=int(event_id), depth=depth + 1)

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
            return int(
                session.execute(
                    select(func.count()).where(webhook_events.c.status.in_(_PENDING))
                ).scalar_one()
            )

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
