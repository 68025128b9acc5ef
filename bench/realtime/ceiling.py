"""The accept path's ceiling on this machine: ``EventQueue.accept_many`` alone, in-process.

What the receiver does for its webhooks before it answers 202, without HTTP, Flask or the
signature check: one SQLite write transaction (count the pending events, record the replay keys,
look for waiting events of the tickets, insert), committed with the store's settings (WAL,
``synchronous=FULL``: one fsync per commit). Measured one event per commit, as without group
commit, and *batch* events per commit, as the receiver's writer commits them under load.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from gdprguard.realtime.queue import EventQueue, Incoming
from gdprguard.store import Store
from gdprguard.vault import FileKeyProvider, Vault

__all__ = ["AcceptCeiling", "CommitCost", "measure_accept"]


@dataclass(frozen=True)
class CommitCost:
    """Events per commit; events per second; wall and CPU milliseconds per event."""

    batch: int
    per_second: float
    wall_ms: float
    cpu_ms: float


@dataclass(frozen=True)
class AcceptCeiling:
    """One event per commit, and a batch of them per commit."""

    single: CommitCost
    grouped: CommitCost


def _measure(queue: EventQueue, count: int, batch: int, prefix: str) -> CommitCost:
    events = [
        Incoming("support", f"{prefix}-{n}", "1", f"{prefix}-signature-{n}") for n in range(count)
    ]
    started, cpu = time.perf_counter(), time.process_time()
    for first in range(0, count, batch):
        queue.accept_many(events[first : first + batch])
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return CommitCost(batch, count / wall, wall / count * 1000, cpu / count * 1000)


def measure_accept(count: int = 320, batch: int = 8) -> AcceptCeiling:
    """Accept *count* events for distinct tickets into a fresh SQLite store, one per commit,
    then *count* more, *batch* per commit."""
    with tempfile.TemporaryDirectory(prefix="gdprguard-bench-accept-") as tmp:
        home = Path(tmp)
        vault = Vault(
            Store(f"sqlite:///{home / 'accept.db'}"),
            FileKeyProvider(home / "master.key"),
            checkpoint_dir=home,
        )
        vault.initialise()
        queue = EventQueue(vault.store, limit=2 * count + 10)
        queue.accept_many([Incoming("support", "warm-up", "1", "warm-up")])
        single = _measure(queue, count, 1, "single")
        grouped = _measure(queue, count, batch, "grouped")
        vault.close()
    return AcceptCeiling(single, grouped)
