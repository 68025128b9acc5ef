"""Advisory locks in the store: one sweep (or other long job) per connector at a time.

A lock row names its owner (host, pid and a random token) and is refreshed by ``heartbeat()``.
It is taken over when its owner is gone: at once if the owner ran on this host and its process no
longer exists (``kill -9``), otherwise once it stopped refreshing the lock for ``stale_after``
(a crashed machine). So a killed run never blocks the next scheduled one.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from .._exceptions import GdprGuardError
from ..store import Store, insert_ignore, locks

__all__ = ["LockBusyError", "StoreLock", "hold_lock"]


class LockBusyError(GdprGuardError):
    """Another run holds the lock (exit 1: an overlapping scheduled run is not a usage error)."""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class StoreLock:
    """A named lock; use ``hold_lock`` for the common acquire/release pattern."""

    def __init__(
        self,
        store: Store,
        name: str,
        *,
        stale_after: timedelta = timedelta(minutes=10),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.name = name
        self.owner = f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(6)}"
        self.stale_after = stale_after
        self._clock = clock or (lambda: datetime.now(UTC))

    def acquire(self) -> None:
        """Take the lock or raise ``LockBusyError`` saying who holds it since when."""
        now = self._clock()
        with self.store.session() as session:
            session.execute(
                insert_ignore(session, locks).values(
                    name=self.name, owner=self.owner, acquired_at=now, heartbeat_at=now
                )
            )
            row = session.execute(
                select(locks.c.owner, locks.c.acquired_at, locks.c.heartbeat_at)
                .where(locks.c.name == self.name)
                .with_for_update()
            ).one()
            owner, acquired_at, heartbeat_at = row
            if owner == self.owner:
                return
            if _aware(heartbeat_at) + self.stale_after > now and _alive(owner):
                raise LockBusyError(
                    f"{self.name} is already running (since {_aware(acquired_at).isoformat()}, "
                    f"owner {owner.rsplit(':', 1)[0]}); this run stops here"
                )
            session.execute(  # the previous owner stopped refreshing: it crashed or was killed
                update(locks)
                .where(locks.c.name == self.name, locks.c.owner == owner)
                .values(owner=self.owner, acquired_at=now, heartbeat_at=now)
            )

    def heartbeat(self) -> None:
        """Tell other runs this one is alive (call at least every ``stale_after / 2``)."""
        with self.store.session() as session:
            session.execute(
                update(locks)
                .where(locks.c.name == self.name, locks.c.owner == self.owner)
                .values(heartbeat_at=self._clock())
            )

    def release(self) -> None:
        """Give the lock up (only if this run still holds it)."""
        with self.store.session() as session:
            session.execute(
                delete(locks).where(locks.c.name == self.name, locks.c.owner == self.owner)
            )


def _alive(owner: str) -> bool:
    """False only when *owner* ran on this host and its process is gone."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:80] or not pid_text.isdigit():
        return True  # another machine: only the heartbeat can tell
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


@contextmanager
def hold_lock(store: Store, name: str, **options: object) -> Iterator[StoreLock]:
    """``with hold_lock(store, "sweep:support") as lock:`` … released on the way out."""
    lock = StoreLock(store, name, **options)  # type: ignore[arg-type]
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()
