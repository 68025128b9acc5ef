"""Worker processes (``serve --worker-processes``): spawned children claim events from the
store's queue and run the unit of work against the sandbox over real HTTP, report outcomes back,
wake up when told, stop cleanly; a child killed with SIGKILL while holding a claimed event is
replaced and the event is queued again and processed."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests

from _realtime_workers import build_setup
from gdprguard.realtime import EventQueue
from gdprguard.realtime.processes import WorkerProcesses
from gdprguard.store import Store
from gdprguard.vault import FileKeyProvider, Vault

pytest_plugins = ["_store_fixtures"]

sandbox = pytest.importorskip("gdprguard.sandbox")

pytestmark = pytest.mark.slow  # each child starts an interpreter and loads the detector

CARDS = ["4111 1111 1111 1111", "5500 0000 0000 0004", "3400 0000 0000 009"]
WAIT = 120.0  # seconds; generous for a busy machine (nothing sleeps: conditions are awaited)


class Outcomes:
    """An outcome sink that the test can wait on."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.done: list[tuple[str, int]] = []
        self.failures: list[tuple[str, bool]] = []

    def processed(self, connector: str, redacted: int, seconds: float, busy: float) -> None:
        with self.cond:
            self.done.append((connector, redacted))
            self.cond.notify_all()

    def failed(self, connector: str, dead: bool, busy: float) -> None:
        with self.cond:
            self.failures.append((connector, dead))
            self.cond.notify_all()

    def wait_until(self, predicate: Callable[[], bool]) -> bool:
        with self.cond:
            return self.cond.wait_for(predicate, WAIT)


@pytest.fixture
def desk() -> Iterator[Any]:
    server = sandbox.SandboxServer(
        flavor="zendesk", seed=5, port=0, tickets=3, job_seconds=0.0
    ).start()
    yield server
    server.stop()


@pytest.fixture
def database(home: Path) -> str:
    url = f"sqlite:///{home / 'workers.db'}"
    with Store(url) as store:
        Vault(store, FileKeyProvider(home / "master.key"), checkpoint_dir=home).initialise()
    return url


def _ticket(desk: Any, text: str) -> str:
    creds = desk.credentials
    answer = requests.post(
        f"{creds['url']}/api/v2/tickets.json",
        json={"ticket": {"subject": "Payment", "comment": {"body": text}}},
        auth=(f"{creds['email']}/token", creds["token"]), timeout=10,
    )  # fmt: skip
    answer.raise_for_status()
    return str(answer.json()["ticket"]["id"])


def _texts(desk: Any, ticket_id: str) -> str:
    with desk.state.lock:
        ticket = desk.state.data.tickets[int(ticket_id)]
        return "\n".join(c.body for c in desk.state.comments_of(ticket))


def _pool(database: str, home: Path, desk: Any, count: int, sink: Outcomes) -> WorkerProcesses:
    build = partial(build_setup, database, home, dict(desk.credentials))
    return WorkerProcesses(build, count, queue=EventQueue(Store(database)), sink=sink,
                           poll_seconds=0.2)  # fmt: skip


def _ready(pool: WorkerProcesses) -> bool:
    gate = threading.Event()
    for _ in range(int(WAIT * 20)):
        if not pool.problems():
            return True
        gate.wait(0.05)
    return False


def test_worker_processes_redact_report_wake_and_stop(database: str, home: Path, desk: Any) -> None:
    tickets = [_ticket(desk, f"my card is {card}, thanks") for card in CARDS]
    queue = EventQueue(Store(database))
    for ticket in tickets[:2]:
        assert queue.accept("support", ticket).status == "queued"
    sink = Outcomes()
    pool = _pool(database, home, desk, 2, sink)
    pool.start()
    try:
        assert pool.problems() == ["worker processes: 2 of 2 starting"]
        assert sink.wait_until(lambda: len(sink.done) == 2), sink.failures
        assert _ready(pool)
        assert queue.accept("support", tickets[2]).status == "queued"
        pool.wake()  # an idle child claims it at once
        assert sink.wait_until(lambda: len(sink.done) == 3), sink.failures
        pids = pool.pids
        assert len(pids) == 2 and os.getpid() not in pids
    finally:
        pool.stop()
    assert sorted(r for _, r in sink.done) == [1, 1, 1] and not sink.failures
    for ticket, card in zip(tickets, CARDS, strict=True):
        assert card not in _texts(desk, ticket)
    assert queue.counts() == {"done": 3}
    assert pool.pids == [] and pool.restarts == 0
    for pid in pids:  # the children are gone (reaped)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_killed_worker_is_replaced_and_its_claimed_event_processed(
    database: str, home: Path, desk: Any
) -> None:
    ticket = _ticket(desk, f"card {CARDS[0]}")
    queue = EventQueue(Store(database))
    sink = Outcomes()
    pool = _pool(database, home, desk, 1, sink)
    pool.start()
    try:
        assert _ready(pool)
        queue.accept("support", ticket)
        [held] = queue.claim(1)  # what the child holds when it is killed
        [pid] = pool.pids
        os.kill(pid, signal.SIGKILL)
        assert sink.wait_until(lambda: len(sink.done) == 1), sink.failures
        assert pool.restarts == 1 and pool.pids != [pid]
    finally:
        pool.stop()
    [event] = queue.events()
    assert event.id == held.id and event.status == "done"
    assert CARDS[0] not in _texts(desk, ticket)
