"""The real-time load test's quick mode, end to end: ``gdprguard serve`` as its own process, the
sandbox in another, signed webhooks over loopback. Every announced card number ends up redacted,
no comment is written twice, the burst meets 503 + Retry-After and the retried events get in."""

from __future__ import annotations

import pytest
from bench.realtime.model import percentile
from bench.realtime.run import parse_args, run_scenario, scenarios
from bench.realtime.sender import Accepted, SendReport

pytest.importorskip("gdprguard.sandbox")


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([3.0], 0.99) == 3.0


def test_send_report_counts() -> None:
    report = SendReport(events=4, not_sent=1, first_send=10.0, last_first_send=11.0)
    report.accepted += [
        Accepted(0, 1, "queued", 1, 10.0, 10.1, 1),
        Accepted(1, 1, "coalesced", 1, 10.5, 10.6, 2),
    ]
    assert (report.sent, report.count("queued"), report.count("coalesced")) == (3, 1, 1)
    assert report.send_rate == pytest.approx(2.0)


def test_quick_mode_flags_can_be_overridden() -> None:
    args = parse_args(["--quick", "--rate", "5"])
    assert args.rate == 5.0 and args.tickets < 100
    assert [s.name for s in scenarios(args)] == ["throughput", "rate-limited", "burst"]
    runs = {s.name: s.worker_processes for s in scenarios(parse_args([]))}
    assert runs == {"throughput": 0, "throughput-processes": 2, "rate-limited": 0, "burst": 0}
    assert [s.name for s in scenarios(parse_args(["--compare-processes", "0"]))] == [
        "throughput", "rate-limited", "burst",
    ]  # fmt: skip


@pytest.mark.slow
def test_quick_mode_loses_nothing_and_redacts_once() -> None:
    results = {
        s.name: run_scenario(s, drain_timeout=240) for s in scenarios(parse_args(["--quick"]))
    }
    for name, result in results.items():
        report = result.report
        assert result.drained, name
        assert not report.refused and not report.unsettled, name
        assert len(report.accepted) == report.sent > 0, name
        assert result.verdict.tickets > 0, name
        assert result.verdict.lost == 0, name  # every announced card number is gone
        assert result.verdict.redacted_once == result.verdict.tickets, name
        assert result.verdict.twice == 0, name  # and no comment was written twice
        assert result.latencies and result.max_depth >= 1, name
    burst = results["burst"].report
    assert burst.answers[503] > 0 and min(burst.retry_after) >= 1
    assert max(a.attempts for a in burst.accepted) > 1  # retried after Retry-After, then taken
    limited = results["rate-limited"]
    assert limited.api.get("429", 0) <= 1  # the receiver paces itself on the rate-limit headers
