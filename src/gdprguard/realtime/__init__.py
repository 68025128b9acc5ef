"""Real-time redaction: a webhook receiver that applies the policy's realtime rules within
seconds of a ticket or comment arriving.

* :class:`Receiver` is the HTTP app (``POST /webhooks/{connector}``, ``/healthz``, ``/readyz``,
  ``/metrics``), its durable queue and its workers;
* :class:`GroupCommitter` makes the webhooks that arrive together durable in one commit;
* :func:`redact_ticket` is the unit of work, a plain function of a connector name and a ticket,
  run by :class:`EventWorker` in threads of the receiver or in :class:`WorkerProcesses`;
* :class:`EventQueue` is the queue in the store;
* :class:`RetryAfter` answers a full queue's ``Retry-After`` from the :class:`DrainRate`.
"""

from __future__ import annotations

from .backpressure import DrainRate, RetryAfter
from .committer import CommitFailed, CommitterStopped, GroupCommitter
from .processes import WorkerProcesses, WorkerSetup
from .processor import RealtimeContext, TicketOutcome, redact_ticket
from .queue import AcceptResult, EventQueue, Incoming, QueuedEvent
from .server import Receiver, ReceiverSettings, WebhookPayload
from .worker import EventWorker, OutcomeSink

__all__ = [
    "AcceptResult",
    "CommitFailed",
    "CommitterStopped",
    "DrainRate",
    "EventQueue",
    "EventWorker",
    "GroupCommitter",
    "Incoming",
    "OutcomeSink",
    "QueuedEvent",
    "RealtimeContext",
    "Receiver",
    "ReceiverSettings",
    "RetryAfter",
    "TicketOutcome",
    "WebhookPayload",
    "WorkerProcesses",
    "WorkerSetup",
    "redact_ticket",
]
