"""The receiver's Prometheus metrics (one registry per receiver, so tests stay independent)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["ReceiverMetrics"]


class ReceiverMetrics:
    """Events received, rejected, processed and failed; queue depth; commit batch sizes; time to
    redaction."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.received = Counter(
            "gdprguard_webhook_events_received", "Webhook calls accepted into the queue",
            ["connector"], registry=self.registry,
        )  # fmt: skip
        self.rejected = Counter(
            "gdprguard_webhook_events_rejected", "Webhook calls refused, by reason",
            ["connector", "reason"], registry=self.registry,
        )  # fmt: skip
        self.processed = Counter(
            "gdprguard_webhook_events_processed", "Events processed",
            ["connector"], registry=self.registry,
        )  # fmt: skip
        self.failed = Counter(
            "gdprguard_webhook_events_failed", "Event processing attempts that failed",
            ["connector"], registry=self.registry,
        )  # fmt: skip
        self.redactions = Counter(
            "gdprguard_realtime_redactions", "Comments redacted by realtime rules",
            ["connector"], registry=self.registry,
        )  # fmt: skip
        self.depth = Gauge(
            "gdprguard_webhook_queue_depth", "Events waiting or being processed",
            registry=self.registry,
        )  # fmt: skip
        self.commit_batch = Histogram(
            "gdprguard_webhook_commit_batch_size",
            "Webhooks made durable by one commit of the queue (group commit)",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
            registry=self.registry,
        )
        self.time_to_redaction = Histogram(
            "gdprguard_time_to_redaction_seconds",
            "From an event's arrival to the end of its processing",
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800),
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)
