"""The webhook receiver: ``POST /webhooks/{connector}``, health, readiness and metrics.

A call is authenticated (Zendesk's signature, or Freshdesk's shared secret), validated, and
committed to the durable queue before the answer; worker threads then process the ticket with
the policy's realtime rules (:func:`~gdprguard.realtime.processor.redact_ticket`). A catch-up
walk of each helpdesk's change stream runs at start and then periodically, so tickets whose
events were lost while the receiver was down (the helpdesk gives up after its retries) are
processed too. Nothing personal is logged: connectors, ids, counts and reason codes only.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Response, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .._exceptions import HelpdeskError
from ..connectors import HelpdeskConnector
from ..detect import Detector
from ..pipeline import BookmarkStore, IdentifierHasher, SubjectIndex
from ..policy import Policy
from ..sweep.decide import policy_decider
from ..vault import Vault
from .metrics import ReceiverMetrics
from .processor import RealtimeContext, redact_ticket
from .queue import EventQueue, QueuedEvent
from .secrets import WebhookSecret, load_webhook_secret
from .signatures import SignatureError, verify_shared_secret, verify_zendesk

__all__ = ["Receiver", "ReceiverSettings", "WebhookPayload"]

log = logging.getLogger(__name__)
_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CATCH_UP_STREAM = "realtime"
_FIRST_CATCH_UP = timedelta(minutes=5)


def _now() -> datetime:
    return datetime.now(UTC)


class ReceiverSettings(BaseModel):
    """How the receiver runs."""

    workers: int = Field(default=2, ge=1, le=64)
    queue_limit: int = Field(default=10_000, ge=1)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    max_attempts: int = Field(default=8, ge=1)
    poll_seconds: float = Field(default=0.5, gt=0)
    catch_up_seconds: float = Field(default=600.0, gt=0)
    retry_after_seconds: int = Field(default=30, ge=1)
    readiness_cache_seconds: float = Field(
        default=30.0, ge=0, description="how long a connector's successful check counts"
    )


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


class Receiver:
    """The receiver's app, queue and workers over the configured connectors."""

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
    ) -> None:
        self.vault = vault
        self.connectors = dict(connectors)
        self.settings = settings or ReceiverSettings()
        self.clock = clock
        self.metrics = ReceiverMetrics()
        self.queue = EventQueue(
            vault.store, limit=self.settings.queue_limit,
            max_attempts=self.settings.max_attempts, clock=clock,
        )  # fmt: skip
        detect = detector or Detector()
        capabilities = {name: c.capabilities for name, c in self.connectors.items()}
        hasher = IdentifierHasher.from_secret(vault.keyring.system_secret("subject-index"))
        self.context = RealtimeContext(
            vault, self.connectors, policy_decider(policy.realtime(), capabilities, detect),
            detect, index=SubjectIndex(vault.store, hasher, detect), actor=actor, clock=clock,
        )  # fmt: skip
        self._secrets: dict[str, WebhookSecret | None] = {}
        self._secret_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._ready: dict[str, datetime] = {}
        self.app = self._build_app()

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Queue again what a crash left in flight, catch up, and start the workers."""
        recovered = self.queue.recover()
        if recovered:
            log.info("re-queued %d event(s) left in flight by an earlier run", recovered)
        self._stop.clear()
        for number in range(self.settings.workers):
            thread = threading.Thread(
                target=self._work, name=f"gdprguard-worker-{number}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        catch_up = threading.Thread(target=self._catch_up_loop, name="gdprguard-catch-up",
                                    daemon=True)  # fmt: skip
        catch_up.start()
        self._threads.append(catch_up)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the workers (an event being processed finishes first)."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def wake(self) -> None:
        """Tell idle workers there is work."""
        self._wake.set()

    # -- the work -----------------------------------------------------------------------------

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                handled = self.process_once()
            except Exception as exc:  # the store unreachable: wait, then try again
                log.warning("worker: %s; retrying", type(exc).__name__)
                handled = 0
            if not handled:
                self._wake.wait(self.settings.poll_seconds)
                self._wake.clear()

    def process_once(self, batch: int = 5) -> int:
        """Claim and process up to *batch* due events; returns how many were handled."""
        events = self.queue.claim(batch)
        for event in events:
            self._process(event)
        self.metrics.depth.set(self.queue.depth())
        return len(events)

    def _process(self, event: QueuedEvent) -> None:
        try:
            outcome = redact_ticket(self.context, event.connector, event.ticket_id)
        except Exception as exc:
            code = type(exc).__name__
            if isinstance(exc, HelpdeskError) and exc.status:
                code += f" {exc.status}"
            status = self.queue.fail(event, code)
            self.metrics.failed.labels(event.connector).inc()
            log.warning("event %d (%s ticket %s): %s; %s", event.id, event.connector,
                        event.ticket_id, code, status)  # fmt: skip
            return
        self.queue.done(event.id, outcome.model_dump())
        self.metrics.processed.labels(event.connector).inc()
        if outcome.redacted:
            self.metrics.redactions.labels(event.connector).inc(outcome.redacted)
        elapsed = (self.clock() - event.received_at).total_seconds()
        self.metrics.time_to_redaction.observe(max(elapsed, 0.0))

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
                for ticket in export:
                    result = self.queue.accept(name, ticket.id)
                    queued += result.status == "queued"
                bookmarks.save(name, CATCH_UP_STREAM, export.state)
            except HelpdeskError as exc:
                log.warning("catch-up of %s: %s; trying again later", name, type(exc).__name__)
        if queued:
            self.wake()
        return queued

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
                payload = WebhookPayload.model_validate(json.loads(body))
            except (ValueError, ValidationError):
                self.metrics.rejected.labels(name, "bad-json").inc()
                return _json({"error": "bad-json", "detail": "the body is not a JSON object"}, 400)
            ticket_id = payload.ticket()
            if ticket_id is None:
                self.metrics.rejected.labels(name, "no-ticket-id").inc()
                return _json(
                    {"error": "no-ticket-id", "detail": "the body names no ticket (ticket_id)"},
                    400,
                )
            result = self.queue.accept(
                name, ticket_id, payload.comment(), replay_key=replay_key or payload.id
            )
            self.metrics.depth.set(result.depth)
            if result.status == "full":
                self.metrics.rejected.labels(name, "queue-full").inc()
                retry_after = str(self.settings.retry_after_seconds)
                return _json({"error": "queue-full"}, 503, {"Retry-After": retry_after})
            if result.status == "replay":
                self.metrics.rejected.labels(name, "replay").inc()
                return _json({"error": "replay"}, 409)
            self.metrics.received.labels(name).inc()
            self.wake()
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
        problems: list[str] = []
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
