"""The accept path's ceiling on this machine: ``EventQueue.accept`` alone, in-process.

What the receiver does for every webhook before it answers 202, without HTTP, Flask or the
signature check: one SQLite write transaction (count the pending events, record the signature,
look for a waiting event of the ticket, insert), committed with the store's settings (WAL,
``synchronous=FULL``: one fsync per commit). Its rate is the most webhooks per second one
receiver on one SQLite file can take, whatever the number of threads: SQLite has one writer.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from gdprguard.realtime.queue import EventQueue
from gdprguard.store import Store
from gdprguard.vault import FileKeyProvider, Vault

__all__ = ["AcceptCeiling", "measure_accept"]


@dataclass(frozen=True)
class AcceptCeiling:
    """Accepts per second, and wall and CPU milliseconds per accept."""

    count: int
    per_second: float
    wall_ms: float
    cpu_ms: float


def measure_accept(count: int = 300) -> AcceptCeiling:
    """Accept *count* events for distinct tickets into a fresh SQLite store, one at a time."""
    with tempfile.TemporaryDirectory(prefix="gdprguard-bench-accept-") as tmp:
        home = Path(tmp)
        vault = Vault(
            Store(f"sqlite:///{home / 'accept.db'}"),
            FileKeyProvider(home / "master.key"),
            checkpoint_dir=home,
        )
        vault.initialise()
        queue = EventQueue(vault.store, limit=count + 1)
        queue.accept("support", "warm-up", replay_key="warm-up")
        started, cpu = time.perf_counter(), time.process_time()
        for number in range(count):
            queue.accept("support", str(number), "1", replay_key=f"signature-{number}")
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        vault.close()
    return AcceptCeiling(count, count / wall, wall / count * 1000, cpu / count * 1000)
