"""The webhook receiver: ``POST /webhooks/{connector}``, health, readiness and metrics.

A call is authenticated (Zendesk's signature, or Freshdesk's shared secret), validated, and
committed to the durable queue before the answer, together with the calls that arrived
meanwhile (:mod:`.committer`); a full queue answers 503 with a ``Retry-After`` derived from the
drain rate (:mod:`.backpressure`). Workers then process the ticket with the policy's realtime
rules (:func:`~gdprguard.realtime.processor.redact_ticket`, run by :class:`.worker.EventWorker`
in threads of this process, or in worker processes: :mod:`.processes`). A catch-up
walk of each helpdesk's change stream runs at start and then periodically, so tickets whose
events were lost while the receiver was down (the helpdesk gives up after its retries) are
processed too. Nothing personal is logged: connectors, ids, counts and reason codes only.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from flask import Flask, Response, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .._exceptions import HelpdeskError
from ..connectors import HelpdeskConnector
from ..detect import Detector
from ..pipeline import BookmarkStore
from ..policy import Policy
from ..vault import Vault
from .backpressure import DrainRate, RetryAfter
from .committer import CommitFailed, CommitterStopped, GroupCommitter
from .metrics import ReceiverMetrics
from .processes import WorkerProcesses, WorkerSetup
from .processor import RealtimeContext
from .queue import AcceptResult, EventQueue, Incoming
from .secrets import WebhookSecret, load_webhook_secret
from .signatures import SignatureError, verify_shared_secret, verify_zendesk
from .worker import EventWorker

__all__ = ["Receiver", "ReceiverSettings", "WebhookPayload"]

log = logging.getLogger(__name__)
_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CATCH_UP_STREAM = "realtime"
_FIRST_CATCH_UP = timedelta(minutes=5)
_CATCH_UP_CHUNK = 100  # tickets committed together by a catch-up walk


def _now() -> datetime:
    return datetime.now(UTC)


class ReceiverSettings(BaseModel):
    """How the receiver runs."""

    workers: int = Field(default=2, ge=1, le=64, description="worker threads (no processes)")
    worker_processes: int = Field(
        default=0, ge=0, le=64, description="worker processes; 0: threads of the receiver"
    )
    queue_limit: int = Field(default=10_000, ge=1)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    max_attempts: int = Field(default=8, ge=1)
    poll_seconds: float = Field(default=0.5, gt=0)
    catch_up_seconds: float = Field(default=600.0, gt=0)
    retry_after_seconds: int | None = Field(
        default=None, ge=1, description="a fixed Retry-After; None: derived from the drain rate"
    )
    retry_after_min_seconds: int = Field(default=1, ge=1)
    retry_after_max_seconds: int = Field(
        default=30, ge=1, description="Zendesk retries a 503 only if Retry-After is under 60 s"
    )
    commit_batch: int = Field(default=256, ge=1, description="most webhooks in one commit")
    http_threads: int = Field(default=16, ge=1, le=256, description="requests handled at once")
    readiness_cache_seconds: float = Field(
        default=30.0, ge=0, description="how long a connector's successful check counts"
    )

    @model_validator(mode="after")
    def _bounds(self) -> ReceiverSettings:
        if self.retry_after_min_seconds > self.retry_after_max_seconds:
            raise ValueError("retry_after_min_seconds is larger than retry_after_max_seconds")
        return self


class WebhookPayload(BaseModel):
    """The part of a webhook body the receiver reads: which ticket (and comment) changed.

    Accepts the body gdprguard's trigger sends (``ticket_id``, ``comment_id``) and Zendesk's
    event webhooks (``id``, ``detail.id``, ``event.comment.id``).
    """

    model_config = ConfigDict(extra="ignore")

    ticket_id: str | int | None = None
    comment_id: str | int | None = None
    id: str | None = Field(default=None, description="an event id, when the helpdesk sends one")
    detail: dict[str, Any] | None = None
    event: dict[str, Any] | None = None

    def ticket(self) -> str | None:
        """The ticket's id, checked, or None."""
        value = self.ticket_id
        if value is None and self.detail is not None:
            value = self.detail.get("id")
        text = str(value).strip() if value is not None else ""
        return text if _ID.match(text) else None

    def comment(self) -> str:
        """The comment's id if the body names one (else '')."""
        value = self.comment_id
        if value is None and self.event is not None:
            comment = self.event.get("comment")
            value = comment.get("id") if isinstance(comment, dict) else None
        text = str(value).strip() if value is not None else ""
        return text if _ID.match(text) else ""


def _json(document: Any, status: int, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        json.dumps(document), status=status, mimetype="application/json", headers=headers
    )


class _Outcomes:
    """The receiver's :class:`~.worker.OutcomeSink`: metrics and the drain rate."""

    def __init__(self, metrics: ReceiverMetrics, drain: DrainRate) -> None:
        self.metrics = metrics
        self.drain = drain

    def processed(self, connector: str, redacted: int, seconds: float, busy: float) -> None:
        self.metrics.processed.labels(connector).inc()
        if redacted:
            self.metrics.redactions.labels(connector).inc(redacted)
        self.metrics.time_to_redaction.observe(seconds)
        self.drain.record(busy, finished=True)

    def failed(self, connector: str, dead: bool, busy: float) -> None:
        self.metrics.failed.labels(connector).inc()
        self.drain.record(busy, finished=dead)


class Receiver:
    """The receiver's app, queue and workers over the configured connectors.

    Processing runs in ``settings.workers`` threads, or with ``settings.worker_processes`` in
    that many processes, each building what it needs with *worker_build* (picklable; see
    :class:`~.processes.WorkerProcesses`).
    """

    def __init__(
        self,
        vault: Vault,
        connectors: Mapping[str, HelpdeskConnector],
        policy: Policy,
        *,
        settings: ReceiverSettings | None = None,
        detector: Detector | None = None,
        actor: str = "realtime",
        clock: Callable[[], datetime] = _now,
        monotonic: Callable[[], float] = time.monotonic,
        worker_build: Callable[[], WorkerSetup] | None = None,
    ) -> None:
        self.vault = vault
        self.connectors = dict(connectors)
        self.policy = policy
        self.settings = settings or ReceiverSettings()
        self.clock = clock
        self.actor = actor
        self._detector = detector
        self.metrics = ReceiverMetrics()
        self.queue = EventQueue(
            vault.store, limit=self.settings.queue_limit,
            max_attempts=self.settings.max_attempts, clock=clock,
        )  # fmt: skip
        self.drain = DrainRate(self.settings.worker_processes or self.settings.workers)
        self.retry_after = RetryAfter(
            self.drain, minimum=self.settings.retry_after_min_seconds,
            maximum=self.settings.retry_after_max_seconds,
            fixed=self.settings.retry_after_seconds, clock=monotonic,
        )  # fmt: skip
        self.outcomes = _Outcomes(self.metrics, self.drain)
        self.committer = GroupCommitter(
            self.queue, max_batch=self.settings.commit_batch, on_commit=self._committed
        )
        self.processes: WorkerProcesses | None = None
        if self.settings.worker_processes:
            if worker_build is None:
                raise ValueError("worker processes need a worker_build function")
            self.processes = WorkerProcesses(
                worker_build, self.settings.worker_processes, queue=self.queue,
                sink=self.outcomes, poll_seconds=self.settings.poll_seconds,
            )  # fmt: skip
        self._secrets: dict[str, WebhookSecret | None] = {}
        self._secret_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._ready: dict[str, datetime] = {}
        self.app = self._build_app()
        if self.processes is None:
            _ = self.worker  # keys unwrapped and the detector loaded before the first event

    @cached_property
    def context(self) -> RealtimeContext:
        """The unit of work's context in this process (with worker processes the receiver
        itself needs none, and builds it only if :meth:`process_once` is called)."""
        return RealtimeContext.for_policy(
            self.vault, self.connectors, self.policy, detector=self._detector,
            actor=self.actor, clock=self.clock,
        )  # fmt: skip

    @cached_property
    def worker(self) -> EventWorker:
        """The worker loop of this process's threads (and :meth:`process_once`)."""
        return EventWorker(self.queue, self.context, self.outcomes, clock=self.clock)

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Queue again what a crash left in flight, catch up, and start the workers."""
        recovered = self.queue.recover()
        if recovered:
            log.info("re-queued %d event(s) left in flight by an earlier run", recovered)
        self._stop.clear()
        self.committer.start()
        if self.processes is not None:
            self.processes.start()
        else:
            worker = self.worker
            for number in range(self.settings.workers):
                thread = threading.Thread(
                    target=worker.run, args=(self._stop, self._wake),
                    kwargs={"poll_seconds": self.settings.poll_seconds},
                    name=f"gdprguard-worker-{number}", daemon=True,
                )  # fmt: skip
                thread.start()
                self._threads.append(thread)
        catch_up = threading.Thread(target=self._catch_up_loop, name="gdprguard-catch-up",
                                    daemon=True)  # fmt: skip
        catch_up.start()
        self._threads.append(catch_up)

    def stop(self, timeout: float = 10.0) -> None:
        """Commit the webhooks taken, then stop the workers (an event being processed
        finishes first; claimed events not started are queued again)."""
        self.committer.stop(timeout)
        self._stop.set()
        self._wake.set()
        if self.processes is not None:
            self.processes.stop(timeout)
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def wake(self) -> None:
        """Tell idle workers there is work."""
        if self.processes is not None:
            self.processes.wake()
        else:
            self._wake.set()

    # -- the work -----------------------------------------------------------------------------

    def process_once(self, batch: int = 5) -> int:
        """Claim and process up to *batch* due events in this thread; returns how many were
        handled."""
        return self.worker.process_once(batch=batch)

    def _committed(self, results: list[AcceptResult]) -> None:
        """After each group commit (in the writer thread): metrics, and the workers."""
        self.metrics.commit_batch.observe(len(results))
        self.metrics.depth.set(results[-1].depth)
        if any(r.status == "queued" for r in results):
            self.wake()

    def catch_up(self) -> int:
        """Queue every ticket changed since the last catch-up of each connector that has a
        webhook installed (the first time: from now on). Returns the tickets queued."""
        queued = 0
        bookmarks = BookmarkStore(self.vault.store)
        for name, connector in sorted(self.connectors.items()):
            if self._secret(name) is None:
                continue
            state = bookmarks.get(name, CATCH_UP_STREAM)
            try:
                # the first time, from a little before now: change streams refuse to start
                # within their last minute (Zendesk), and an overlap is harmless
                since = self.clock() - _FIRST_CATCH_UP if state is None else None
                export = connector.export_tickets(state, since=since)
                chunk: list[Incoming] = []
                complete = True
                for ticket in export:
                    chunk.append(Incoming(name, ticket.id))
                    if len(chunk) >= _CATCH_UP_CHUNK:
                        taken, complete = self._accept_all(chunk)
                        queued, chunk = queued + taken, []
                        if not complete:
                            break
                if complete:
                    taken, complete = self._accept_all(chunk)
                    queued += taken
                if complete:
                    bookmarks.save(name, CATCH_UP_STREAM, export.state)
                else:  # the bookmark stays: the next catch-up walks these tickets again
                    log.info("catch-up of %s: the queue is full; continuing later", name)
            except HelpdeskError as exc:
                log.warning("catch-up of %s: %s; trying again later", name, type(exc).__name__)
        if queued:
            self.wake()
        return queued

    def _accept_all(self, events: list[Incoming]) -> tuple[int, bool]:
        """Commit *events* in one transaction: how many were queued, and whether none was
        refused because the queue is full."""
        results = self.queue.accept_many(events)
        return sum(r.status == "queued" for r in results), all(r.status != "full" for r in results)

    def _catch_up_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.catch_up()
                self.queue.prune()
            except Exception as exc:
                log.warning("catch-up: %s", type(exc).__name__)
            self._stop.wait(self.settings.catch_up_seconds)

    # -- HTTP ---------------------------------------------------------------------------------

    def _secret(self, name: str, *, reload: bool = False) -> WebhookSecret | None:
        with self._secret_lock:
            if reload or name not in self._secrets:
                self._secrets[name] = load_webhook_secret(self.vault, name)
            return self._secrets[name]

    def _authenticate(self, name: str, body: bytes) -> str | None:
        """Check the call; returns the replay key (Zendesk's signature) if there is one."""
        connector = self.connectors[name]
        for attempt in (0, 1):  # a secret rotated by a re-install: read it again once
            secret = self._secret(name, reload=attempt == 1)
            if secret is None:
                raise SignatureError("no-webhook-installed")
            try:
                if connector.type == "zendesk":
                    return verify_zendesk(secret.value, request.headers, body, self.clock())
                auth = request.authorization
                given = (auth.username or "", auth.password or "") if auth else None
                verify_shared_secret(
                    secret.value, request.headers, basic_auth=secret.basic_auth, given_auth=given
                )
                return None
            except SignatureError as exc:
                if attempt == 1 or exc.reason not in ("bad-signature", "bad-secret"):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _build_app(self) -> Flask:
        app = Flask("gdprguard.realtime")
        app.config["MAX_CONTENT_LENGTH"] = self.settings.max_body_bytes

        @app.post("/webhooks/<name>")
        def webhook(name: str) -> Response:
            if name not in self.connectors:
                return _json({"error": "unknown-connector"}, 404)
            body = request.get_data(cache=False)
            try:
                replay_key = self._authenticate(name, body)
            except SignatureError as exc:
                self.metrics.rejected.labels(name, exc.reason).inc()
                return _json({"error": exc.reason}, 401)
            try:
                payload = WebhookPayload.model_validate_json(body)
            except ValidationError:
                self.metrics.rejected.labels(name, "bad-json").inc()
                return _json({"error": "bad-json", "detail": "the body is not a JSON object"}, 400)
            ticket_id = payload.ticket()
            if ticket_id is None:
                self.metrics.rejected.labels(name, "no-ticket-id").inc()
                return _json(
                    {"error": "no-ticket-id", "detail": "the body names no ticket (ticket_id)"},
                    400,
                )
            event = Incoming(name, ticket_id, payload.comment(), replay_key or payload.id)
            try:
                result = self.committer.accept(event)
            except (CommitFailed, CommitterStopped) as exc:
                reason = "stopping" if isinstance(exc, CommitterStopped) else "store-unavailable"
                self.metrics.rejected.labels(name, reason).inc()
                wait = self.settings.retry_after_seconds or self.settings.retry_after_max_seconds
                return _json({"error": reason}, 503, {"Retry-After": str(wait)})
            if result.status == "full":
                self.metrics.rejected.labels(name, "queue-full").inc()
                wait = self.retry_after.seconds(result.depth, self.settings.queue_limit)
                return _json({"error": "queue-full"}, 503, {"Retry-After": str(wait)})
            if result.status == "replay":
                self.metrics.rejected.labels(name, "replay").inc()
                return _json({"error": "replay"}, 409)
            self.metrics.received.labels(name).inc()
            return _json({"status": result.status, "event": result.event_id}, 202)

        @app.get("/healthz")
        def healthz() -> Response:
            return _json({"status": "ok"}, 200)

        @app.get("/readyz")
        def readyz() -> Response:
            problems = self._readiness()
            return _json({"ready": not problems, "problems": problems}, 503 if problems else 200)

        @app.get("/metrics")
        def metrics() -> Response:
            self.metrics.depth.set(self.queue.depth())
            return Response(self.metrics.render(), mimetype="text/plain; version=0.0.4")

        @app.errorhandler(RequestEntityTooLarge)
        def too_large(_exc: RequestEntityTooLarge) -> Response:
            return _json({"error": "too-large", "limit": self.settings.max_body_bytes}, 413)

        @app.errorhandler(HTTPException)
        def http_error(exc: HTTPException) -> Response:
            return _json({"error": (exc.name or "error").lower().replace(" ", "-")},
                         exc.code or 500)  # fmt: skip

        return app

    def _readiness(self) -> list[str]:
        problems: list[str] = self.processes.problems() if self.processes is not None else []
        try:
            self.queue.depth()
        except Exception as exc:
            problems.append(f"store: {type(exc).__name__}")
        now = self.clock()
        for name, connector in sorted(self.connectors.items()):
            checked = self._ready.get(name)
            age = (now - checked).total_seconds() if checked is not None else None
            if age is not None and age < self.settings.readiness_cache_seconds:
                continue
            try:
                connector.verify()
                self._ready[name] = now
            except HelpdeskError as exc:
                problems.append(f"connector {name}: {type(exc).__name__}")
        return problems
