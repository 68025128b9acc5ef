"""``SandboxServer``: the sandbox helpdesk on a threaded HTTP/1.1 server with keep-alive.

The WSGI pipeline per request: strip Zendesk's optional ``.json`` suffix → charge the rate limit
(429 with ``Retry-After`` when over; incremental exports also charge their own, optional, limit)
→ seeded fault injection → the flavor's Flask app under the state lock → rate-limit headers on
the answer. ``/_sandbox/`` paths skip the limits and faults.

Business rules (Zendesk webhooks and triggers, Freshdesk automation rules) are evaluated under the
state lock; the webhook calls they make leave from the dispatcher's background thread
(``delivery.py``), which ``stop()`` stops and joins.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from werkzeug.wrappers import Request, Response

from ._datasets import fresh_dataset
from ._http import json_response
from ._keepalive import KeepAliveServer
from .control import add_control_routes
from .data import DEFAULT_ANCHOR
from .delivery import WebhookDispatcher
from .faults import FAULT_KINDS, FaultInjector, RateDecision, RateLimiter
from .freshdesk import build_freshdesk_app, freshdesk_credentials
from .state import SandboxState
from .webhooks import Automations
from .zendesk import build_zendesk_app, zendesk_credentials

__all__ = ["SandboxConfig", "SandboxServer"]

log = logging.getLogger(__name__)

#: the header Zendesk reports the incremental exports' own limit in
EXPORT_LIMIT_HEADER = "zendesk-ratelimit-incremental-exports"

#: how often the serving loop checks for shutdown (werkzeug's default of 0.5 s made every
#: ``stop()`` wait that long)
SHUTDOWN_POLL_SECONDS = 0.01


class SandboxConfig(BaseModel):
    """Validated settings of one sandbox (see ``SandboxServer``)."""

    model_config = ConfigDict(extra="forbid")

    flavor: Literal["zendesk", "freshdesk"] = "zendesk"
    seed: int = 1
    tickets: int = Field(default=200, ge=0, le=200_000)
    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)
    rate_limit: int | None = Field(default=None, gt=0, description="requests per minute")
    rate_burst: int | None = Field(
        default=None, gt=0, description="bucket size (default: rate_limit)"
    )
    fault_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    faults: tuple[str, ...] = ("500", "503", "slow", "drop")
    fault_seed: int | None = None
    slow_seconds: float = Field(default=1.0, ge=0.0, le=60.0)
    incremental_lag_seconds: int = Field(default=60, ge=0)
    archive_after_days: int | None = Field(
        default=120,
        ge=0,
        description="Zendesk: closed tickets are archived after this (None: never)",
    )
    export_rate_limit: int | None = Field(
        default=None,
        gt=0,
        description="Zendesk incremental exports, requests per minute (real: 10)",
    )
    job_seconds: float = Field(default=0.2, ge=0.0)
    anchor: int = DEFAULT_ANCHOR
    webhook_delivery: bool = Field(
        default=True, description="send the calls of webhooks and automation rules"
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0.0, le=60.0, description="connect and read timeout of a webhook call"
    )

    @field_validator("faults")
    @classmethod
    def _known_faults(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [k for k in value if k not in FAULT_KINDS]
        if unknown or not value:
            raise ValueError(f"fault kinds must be among {', '.join(FAULT_KINDS)}")
        return value


class _DroppedConnection(ConnectionError):
    """Raised to make the server abandon a connection we closed on purpose."""


class SandboxServer:
    """A local Zendesk- or Freshdesk-compatible helpdesk over seeded synthetic data.

    Use as a context manager (or ``start()``/``stop()``); ``url`` is the base URL clients are
    configured with (the API lives under ``/api/v2/``), ``credentials`` what to log in with.
    """

    def __init__(self, **settings: Any) -> None:
        self.config = SandboxConfig(**settings)
        cfg = self.config
        self.state = SandboxState(
            fresh_dataset(cfg.seed, cfg.tickets, cfg.anchor),
            job_seconds=cfg.job_seconds,
            archive_after_days=cfg.archive_after_days if cfg.flavor == "zendesk" else None,
        )
        self.webhook_dispatcher = WebhookDispatcher(
            enabled=cfg.webhook_delivery,
            clock=lambda: self.state.clock(),  # late-bound: tests replace state.clock
            timeout=cfg.webhook_timeout_seconds,
        )
        self.automations = Automations(
            cfg.flavor,
            cfg.seed,
            self.webhook_dispatcher,
            clock=lambda: self.state.clock(),
            comments=self.state.data.comments,
        )
        self.state.listeners.append(self.automations.on_ticket_event)
        if cfg.flavor == "zendesk":
            self._secrets = zendesk_credentials(cfg.seed)
            self._flask = build_zendesk_app(
                self.state, self._secrets, cfg.incremental_lag_seconds, self.automations
            )
        else:
            self._secrets = freshdesk_credentials(cfg.seed)
            self._flask = build_freshdesk_app(self.state, self._secrets)
        add_control_routes(
            self._flask, self.state, cfg.flavor, self.automations, self.webhook_dispatcher
        )
        self._flask.seal_routes()  # compiled once per process for all sandboxes of a flavor
        self.limiter = RateLimiter(cfg.rate_limit, cfg.rate_burst)
        self.export_limiter = RateLimiter(cfg.export_rate_limit, cfg.export_rate_limit)
        fault_seed = cfg.fault_seed if cfg.fault_seed is not None else cfg.seed
        self.faults = FaultInjector(cfg.fault_rate, fault_seed, cfg.faults)
        self._outage: tuple[float, int] | None = None  # (until, on the limiter's clock; status)
        self.outage_answers = 0
        self._server: KeepAliveServer | None = None
        self._thread: threading.Thread | None = None
        self._serving_here = False

    # --- lifecycle ---------------------------------------------------------------------------

    def bind(self) -> None:
        """Bind the listening socket without serving yet; raises OSError if the port is taken."""
        if self._server is not None:
            return
        family = socket.AF_INET6 if ":" in self.config.host else socket.AF_INET
        # Bind ourselves: werkzeug's own bind prints to stderr and calls sys.exit on failure.
        with socket.socket(family, socket.SOCK_STREAM) as listener:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.config.host, self.config.port))
            listener.listen(128)
            self._server = KeepAliveServer(
                self.config.host,
                listener.getsockname()[1],
                self.wsgi,
                fd=listener.fileno(),  # werkzeug duplicates the descriptor
            )

    def start(self) -> SandboxServer:
        """Bind and serve in a daemon thread; raises OSError if the port is taken."""
        if self._thread is not None:
            return self
        self.bind()
        assert self._server is not None
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},  # stop() returns in milliseconds
            name="gdprguard-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``shutdown()`` is called from another thread."""
        self.bind()
        assert self._server is not None
        self._serving_here = True
        self._server.serve_forever(poll_interval=SHUTDOWN_POLL_SECONDS)

    def shutdown(self) -> None:
        """Ask a ``serve_forever()`` loop to return (thread-safe, e.g. from a signal handler)."""
        if self._server is not None:
            self._server.shutdown()

    def stop(self) -> None:
        """Stop serving, stop the webhook delivery thread and release the port."""
        self.webhook_dispatcher.close()
        if self._server is None:
            return
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.close_connections()  # idle keep-alive connections end now
        self._server.server_close()
        self._server = None
        self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what clients need -------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (after ``start()``)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:8765`` (API under ``/api/v2/``)."""
        host = self.config.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def credentials(self) -> dict[str, str]:
        """Zendesk: url, email, token, agent_email, agent_token; Freshdesk: url, api_key,
        agent_api_key. The ``agent_*`` ones belong to a non-admin agent (403 on admin calls)."""
        return {"url": self.url, **self._secrets}

    def ground_truth(self) -> dict[str, Any]:
        """Same document as ``GET /_sandbox/ground-truth``."""
        with self.state.lock:
            self.state.run_due_jobs()
            return self.state.ground_truth(self.config.flavor)

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        """Same list as ``GET /_sandbox/webhook-deliveries``: every webhook call, its attempts."""
        return self.webhook_dispatcher.deliveries()

    def wait_for_webhooks(self, timeout: float = 5.0, *, retries: bool = True) -> bool:
        """Block until no webhook call is queued or being sent and, with ``retries``, none is
        waiting to be retried either; False on timeout."""
        return self.webhook_dispatcher.wait_idle(timeout, retries=retries)

    def writes(self) -> dict[str, Any]:
        """Same document as ``GET /_sandbox/writes``: successful writes per record and action."""
        with self.state.lock:
            self.state.run_due_jobs()
            return {"writes": self.state.writes.totals(), "actions": self.state.writes.actions()}

    def outage(self, seconds: float, status: Literal[500, 502, 503, 504] = 500) -> None:
        """Answer every API request with *status* for the next *seconds*, as a helpdesk that is
        down does. Time is the rate limiter's clock, which tests can drive (``limiter.clock``)."""
        self._outage = (self.limiter.clock() + seconds, status)

    # --- WSGI pipeline -----------------------------------------------------------------------

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """The WSGI entry point (usable without the built-in server, e.g. in tests)."""
        path = environ.get("PATH_INFO", "")
        if self.config.flavor == "zendesk" and path.startswith("/api/v2/"):
            environ["sandbox.json_suffix"] = path.endswith(".json")
            if path.endswith(".json"):
                environ["PATH_INFO"] = path[: -len(".json")]
        if path.startswith("/_sandbox/"):
            return self._dispatch(environ)(environ, start_response)
        outage = self._outage
        if outage is not None and self.limiter.clock() < outage[0]:
            self.outage_answers += 1
            return self._server_error(outage[1])(environ, start_response)
        request = Request(environ)
        cost = self._cost(request)
        decision = self.limiter.charge(cost)
        export: RateDecision | None = None
        if decision.allowed and self._is_export(environ):
            export = self.export_limiter.charge(1)
            if not export.allowed:
                refused = self._with_limits(self._too_many(export), decision, cost)
                return self._with_export_limit(refused, export)(environ, start_response)
        if not decision.allowed:
            return self._with_limits(self._too_many(decision), decision, cost)(
                environ, start_response
            )
        target = request.full_path.rstrip("?")
        fault = self.faults.decide(request.method, target)
        if fault in ("500", "502", "503", "504"):
            error = self._server_error(int(fault))
            return self._with_limits(error, decision, cost)(environ, start_response)
        if fault == "slow":
            time.sleep(self.config.slow_seconds)
        if fault == "drop":
            self._drop(environ)
        response = self._dispatch(environ)
        if fault == "drop_after":
            self._drop(environ)
        response = self._with_limits(response, decision, cost)
        return self._with_export_limit(response, export)(environ, start_response)

    def _dispatch(self, environ: dict[str, Any]) -> Response:
        with self.state.lock:
            self.state.run_due_jobs()
            return Response.from_app(self._flask, environ, buffered=True)

    def _is_export(self, environ: dict[str, Any]) -> bool:
        return self.config.flavor == "zendesk" and str(environ.get("PATH_INFO", "")).startswith(
            "/api/v2/incremental/"
        )

    def _cost(self, request: Request) -> int:
        if self.config.flavor != "freshdesk":
            return 1
        includes = [i for i in request.args.get("include", "").split(",") if i]
        return 1 + 2 * len(includes)

    @staticmethod
    def _drop(environ: dict[str, Any]) -> None:
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        raise _DroppedConnection("sandbox fault: connection dropped")

    def _too_many(self, decision: RateDecision) -> Response:
        headers = {"Retry-After": str(decision.retry_after)}
        if self.config.flavor == "zendesk":
            return Response(
                "Number of allowed API requests per minute exceeded",
                status=429,
                mimetype="text/plain",
                headers=headers,
            )
        return json_response(
            {
                "code": "too_many_requests",
                "message": "You have exceeded the limit of requests per minute",
            },
            429,
            headers,
        )

    def _server_error(self, status: int) -> Response:
        if self.config.flavor == "zendesk":
            body = {
                500: {"error": "InternalServerError", "description": "Something went wrong"},
                502: {"error": "BadGateway", "description": "Bad gateway"},
                503: {
                    "error": "ServiceUnavailable",
                    "description": "Service temporarily unavailable",
                },
                504: {"error": "GatewayTimeout", "description": "Gateway timeout"},
            }[status]
        else:
            body = {"code": "internal_error", "message": "We're sorry, but something went wrong."}
        headers = {"Retry-After": "1"} if status == 503 else None
        return json_response(body, status, headers)

    def _with_export_limit(self, response: Response, export: RateDecision | None) -> Response:
        """``zendesk-ratelimit-incremental-exports: total=N; remaining=N; resets=N`` when the
        exports have a limit of their own (``export_rate_limit``), as Zendesk reports it."""
        if export is not None and self.config.export_rate_limit is not None:
            response.headers[EXPORT_LIMIT_HEADER] = (
                f"total={export.limit}; remaining={export.remaining}; "
                f"resets={max(export.reset_seconds, export.retry_after)}"
            )
        return response

    def _with_limits(self, response: Response, decision: RateDecision, cost: int) -> Response:
        h = response.headers
        if self.config.flavor == "zendesk":
            h["x-rate-limit"] = str(decision.limit)
            h["x-rate-limit-remaining"] = str(decision.remaining)
            h["ratelimit-limit"] = str(decision.limit)
            h["ratelimit-remaining"] = str(decision.remaining)
            h["ratelimit-reset"] = str(decision.reset_seconds)
            h["x-zendesk-api-version"] = "v2"
        else:
            h["x-ratelimit-total"] = str(decision.limit)
            h["x-ratelimit-remaining"] = str(decision.remaining)
            h["x-ratelimit-used-currentrequest"] = str(cost)
        return response
