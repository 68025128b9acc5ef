"""Real-time redaction: a webhook receiver that applies the policy's realtime rules within
seconds of a ticket or comment arriving.

* :class:`Receiver` is the HTTP app (``POST /webhooks/{connector}``, ``/healthz``, ``/readyz``,
  ``/metrics``), its durable queue and worker threads;
* :func:`redact_ticket` is the unit of work, a plain function of a connector name and a ticket;
* :class:`EventQueue` is the queue in the store.
"""

from __future__ import annotations

from .processor import RealtimeContext, TicketOutcome, redact_ticket
from .queue import AcceptResult, EventQueue, QueuedEvent
from .server import Receiver, ReceiverSettings, WebhookPayload

__all__ = [
    "AcceptResult",
    "EventQueue",
    "QueuedEvent",
    "RealtimeContext",
    "Receiver",
    "ReceiverSettings",
    "TicketOutcome",
    "WebhookPayload",
    "redact_ticket",
]
