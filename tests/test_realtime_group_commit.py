"""Group commit of webhook events, on SQLite and PostgreSQL: many concurrent accepts, one
transaction; each request gets its own status (queued, coalesced, replay, full); everything
answered as taken is in the store for a new reader (as after a crash); a replay inside one batch
is refused; the queue limit holds inside a batch; a failed commit fails every request of it."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence

import pytest

from gdprguard.realtime import AcceptResult, EventQueue
from gdprguard.realtime.committer import CommitFailed, CommitterStopped, GroupCommitter
from gdprguard.realtime.queue import Incoming
from gdprguard.store import Store, StoreError

pytest_plugins = ["_store_fixtures"]


class GatedQueue(EventQueue):
    """Holds the first batch in the writer until ``gate`` opens, so that the next requests
    gather into one batch; records each batch's size."""

    def __init__(self, store: Store, *, limit: int, fail_batches: Sequence[int] = ()) -> None:
        super().__init__(store, limit=limit)
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.batches: list[int] = []
        self.fail_batches = set(fail_batches)

    def accept_many(self, events: Sequence[Incoming]) -> list[AcceptResult]:
        self.batches.append(len(events))
        if len(self.batches) == 1:
            self.entered.set()
            assert self.gate.wait(30), "the test never opened the gate"
        if len(self.batches) in self.fail_batches:
            raise StoreError("database unavailable (test)")
        return super().accept_many(events)


def _concurrently(calls: list[Callable[[], AcceptResult]]) -> list[AcceptResult | Exception]:
    """Run each call in its own thread, all released at once; their results in order."""
    results: list[AcceptResult | Exception | None] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def _one_batch(
    committer: GroupCommitter, queue: GatedQueue, events: list[Incoming]
) -> list[AcceptResult | Exception]:
    """Accept *events* concurrently while the writer is held, so they form one batch."""
    first = threading.Thread(target=committer.accept, args=(Incoming("support", "opener"),))
    first.start()
    assert queue.entered.wait(30)
    outcome: list[list[AcceptResult | Exception]] = []
    runner = threading.Thread(
        target=lambda: outcome.append(
            _concurrently([lambda e=e: committer.accept(e) for e in events])  # type: ignore[misc]
        )
    )
    runner.start()
    gathered = threading.Event()
    while not gathered.wait(0.002):  # until every request waits for the writer
        if committer.waiting == len(events):
            gathered.set()
    queue.gate.set()
    runner.join(30)
    first.join(30)
    assert queue.batches[:2] == [1, len(events)], "the requests did not form one batch"
    return outcome[0]


def test_one_batch_gives_each_request_its_own_status_and_keeps_them_all(
    store: Store, store_url: str
) -> None:
    queue = GatedQueue(store, limit=100)
    committer = GroupCommitter(queue)
    events = [
        Incoming("support", "A", "1", "sig-a1"),
        Incoming("support", "A", "2", "sig-a2"),  # same ticket: one of the two is coalesced
        Incoming("support", "B", "1", "sig-b"),
        Incoming("support", "B", "1", "sig-b"),  # the same call twice: one is a replay
        *(Incoming("support", t, "1", f"sig-{t}") for t in "CDE"),
    ]
    results = _one_batch(committer, queue, events)
    committer.stop()
    taken = [r for r in results if isinstance(r, AcceptResult)]
    assert len(taken) == len(events)
    by_ticket: dict[str, list[str]] = {}
    for event, result in zip(events, taken, strict=True):
        by_ticket.setdefault(event.ticket_id, []).append(result.status)
    assert sorted(by_ticket.pop("A")) == ["coalesced", "queued"]
    assert sorted(by_ticket.pop("B")) == ["queued", "replay"]
    assert by_ticket == {"C": ["queued"], "D": ["queued"], "E": ["queued"]}
    a_ids = {r.event_id for e, r in zip(events, taken, strict=True) if e.ticket_id == "A"}
    assert len(a_ids) == 1 and None not in a_ids  # the coalesced one names the queued event

    # A new store object reads what a crash would leave: every event answered as queued.
    with Store(store_url) as reader:
        kept = {e.id: e.ticket_id for e in EventQueue(reader).events()}
    queued = {r.event_id: e.ticket_id for e, r in zip(events, taken, strict=True)
              if r.status == "queued"}  # fmt: skip
    assert kept == {**queued, min(kept): "opener"}


def test_the_queue_limit_holds_inside_one_batch(store: Store, store_url: str) -> None:
    queue = GatedQueue(store, limit=5)  # the opener takes one place: four left
    committer = GroupCommitter(queue)
    events = [Incoming("support", t, "1", f"sig-{t}") for t in "CDEFGHIJ"]
    results = _one_batch(committer, queue, events)
    committer.stop()
    taken = [r for r in results if isinstance(r, AcceptResult)]
    assert Counter(r.status for r in taken) == {"queued": 4, "full": 4}
    assert max(r.depth for r in taken) == 5
    with Store(store_url) as reader:
        assert EventQueue(reader).depth() == 5
    # a refused call was not recorded against replays: the helpdesk's retry gets in
    again = EventQueue(store, limit=10)
    refused = [e for e, r in zip(events, taken, strict=True) if r.status == "full"]
    assert [again.accept_many([e])[0].status for e in refused] == ["queued"] * 4
    accepted = [e for e, r in zip(events, taken, strict=True) if r.status == "queued"]
    assert again.accept_many(accepted[:1])[0].status == "replay"


def test_many_concurrent_accepts_each_get_the_right_answer(store: Store, store_url: str) -> None:
    queue = EventQueue(store, limit=1000)
    committer = GroupCommitter(queue)
    events = [
        Incoming("support", str(t), str(n), f"sig-{t}-{n}") for t in range(24) for n in (1, 2)
    ]
    events += [Incoming("support", "0", "9", "sig-dup")] * 6  # one call delivered six times
    results = _concurrently([lambda e=e: committer.accept(e) for e in events])  # type: ignore[misc]
    committer.stop()
    taken = [r for r in results if isinstance(r, AcceptResult)]
    assert len(taken) == len(events)
    statuses = Counter(r.status for r in taken)
    assert statuses["queued"] == 24 and statuses["replay"] == 5
    assert statuses["coalesced"] == len(events) - 24 - 5
    ids_by_ticket: dict[str, set[int | None]] = {}
    for event, result in zip(events, taken, strict=True):
        if result.status != "replay":
            ids_by_ticket.setdefault(event.ticket_id, set()).add(result.event_id)
    assert all(len(ids) == 1 and None not in ids for ids in ids_by_ticket.values())
    assert committer.committed == len(events) and committer.batches <= len(events)
    with Store(store_url) as reader:
        kept = EventQueue(reader).events(limit=1000)
    assert {e.id for e in kept} == {i for ids in ids_by_ticket.values() for i in ids}


def test_a_failed_commit_fails_every_request_of_its_batch_and_nothing_is_kept(
    store: Store,
) -> None:
    queue = GatedQueue(store, limit=100, fail_batches=[2])
    committer = GroupCommitter(queue)
    events = [Incoming("support", t, "1", f"sig-{t}") for t in "PQRS"]
    results = _one_batch(committer, queue, events)
    assert all(isinstance(r, CommitFailed) for r in results)
    assert [e.ticket_id for e in queue.events()] == ["opener"]
    # the writer goes on: the helpdesk's retries of the same calls are taken
    assert [committer.accept(e).status for e in events] == ["queued"] * 4
    committer.stop()
    with pytest.raises(CommitterStopped):
        committer.accept(Incoming("support", "T"))


def test_accept_many_judges_events_in_order(store: Store) -> None:
    queue = EventQueue(store, limit=2)
    first = queue.accept_many(
        [
            Incoming("support", "1", "", "k1"),
            Incoming("support", "2", "", "k1"),  # the same key: a replay of the first
            Incoming("support", "3", "", "k3"),
            Incoming("support", "4", "", "k4"),  # full
            Incoming("support", "4", "", "k4"),  # the same call: full again, not a replay
            Incoming("support", "1", "", None),  # waiting: coalesced though the queue is full
        ]
    )
    assert [r.status for r in first] == ["queued", "replay", "queued", "full", "full", "coalesced"]
    assert [r.depth for r in first] == [1, 1, 2, 2, 2, 2]
    assert first[5].event_id == first[0].event_id
    assert queue.accept_many([]) == []
