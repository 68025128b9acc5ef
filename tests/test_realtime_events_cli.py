"""`gdprguard events list|retry`: what failed is shown (ids and codes only) and queued again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _cli_helpdesk import run_cli
from gdprguard.realtime import EventQueue
from gdprguard.store import Store

pytest_plugins = ["_store_fixtures"]


def test_dead_events_are_listed_and_queued_again(
    store_config: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(store_url)
    queue = EventQueue(store, max_attempts=1)
    queue.accept("support", "41")
    queue.accept("support", "42")
    [first, second] = queue.claim(2)
    queue.done(first.id, {"redacted": 1})
    assert queue.fail(second, "RetriableAPIError 503") == "dead"
    store.close()
    code, out, err = run_cli(capsys, "events", "list", "--failed", "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert [e["ticket_id"] for e in listed["events"]] == ["42"]
    assert listed["events"][0]["status"] == "dead"
    assert listed["counts"] == {"dead": 1, "done": 1}
    code, out, err = run_cli(capsys, "events", "retry")
    assert code == 2 and "--all" in err
    code, out, _ = run_cli(capsys, "events", "retry", "--all", "--json")
    assert code == 0 and json.loads(out) == {"requeued": 1}
    code, out, _ = run_cli(capsys, "events", "list", "--failed", "--json")
    assert json.loads(out)["events"] == []
