"""``gdprguard serve``: the webhook receiver for real-time redaction."""

from __future__ import annotations

import logging
import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .._config import parse_retry_after
from .._exceptions import ConfigError, PolicyError, UsageError
from ._common import AppState, app_state, info, open_vault, settings_from, with_flags
from ._jobs import configured_connectors

if TYPE_CHECKING:
    from ..realtime import ReceiverSettings
    from ..realtime.processes import WorkerSetup

__all__ = ["register"]

#: Zendesk retries a webhook answered 503 only when its Retry-After is below this (seconds)
_ZENDESK_RETRY_LIMIT = 60


def _retry_after(text: str) -> int | None:
    """``--retry-after``: ``auto`` (None) or a whole number of seconds."""
    try:
        return parse_retry_after(text)
    except ValueError:
        raise UsageError(
            f"--retry-after {text!r} is neither `auto` nor a number of seconds from 1 to 86400; "
            "e.g. --retry-after auto, or --retry-after 30"
        ) from None


def worker_setup(
    config_path: Path | None,
    home: Path,
    verbose: bool,
    policy_path: Path,
    names: list[str],
    actor: str,
    settings: ReceiverSettings,
) -> WorkerSetup:
    """What a worker process of ``gdprguard serve --worker-processes`` builds for itself (in
    the child: the same configuration, home, connectors and policy as the receiver)."""
    from .._logging import configure_cli_logging
    from ..connectors import build_connector
    from ..policy import load_policy
    from ..realtime import EventQueue, RealtimeContext
    from ..realtime.processes import WorkerSetup
    from ._state import open_vault as open_state_vault

    configure_cli_logging(verbose)
    state = AppState(config_path, verbose, home)
    vault = open_state_vault(state)
    configured = state.settings.connectors
    connectors = {name: build_connector(name, configured[name]) for name in names}
    context = RealtimeContext.for_policy(vault, connectors, load_policy(policy_path), actor=actor)
    queue = EventQueue(vault.store, limit=settings.queue_limit, max_attempts=settings.max_attempts)

    def close() -> None:
        for connector in connectors.values():
            connector.close()
        vault.close()

    return WorkerSetup(queue, context, close)


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to *app*."""

    @app.command("serve")
    def serve_command(
        ctx: typer.Context,
        policy: Annotated[
            Path | None,
            typer.Option(
                "--policy",
                metavar="FILE",
                help="policy whose realtime rules apply (default: [serve] policy in the config)",
            ),
        ] = None,
        host: Annotated[
            str | None,
            typer.Option(
                "--host", metavar="ADDRESS", help="address to listen on [default: 127.0.0.1]"
            ),
        ] = None,
        port: Annotated[
            int | None,
            typer.Option(
                "--port", min=0, max=65535, metavar="PORT", help="port to listen on [default: 8080]"
            ),
        ] = None,
        workers: Annotated[
            int | None,
            typer.Option(
                "--workers",
                min=1,
                max=64,
                metavar="N",
                help="threads processing events [default: 2]",
            ),
        ] = None,
        worker_processes: Annotated[
            int | None,
            typer.Option(
                "--worker-processes",
                min=0,
                max=64,
                metavar="N",
                help="process events in N worker processes instead of threads of the receiver "
                "[default: 0]",
            ),
        ] = None,
        queue_limit: Annotated[
            int | None,
            typer.Option(
                "--queue-limit",
                min=1,
                metavar="N",
                help="queued events before 503 [default: 10000]",
            ),
        ] = None,
        retry_after: Annotated[
            str | None,
            typer.Option(
                "--retry-after",
                metavar="auto|SECONDS",
                help="Retry-After of a 503 (queue full): derived from the drain rate, or fixed "
                "[default: auto]",
            ),
        ] = None,
        retry_after_max: Annotated[
            int | None,
            typer.Option(
                "--retry-after-max",
                min=1,
                max=86_400,
                metavar="SECONDS",
                help="the longest derived Retry-After (Zendesk retries only under 60) "
                "[default: 30]",
            ),
        ] = None,
        catch_up_minutes: Annotated[
            float | None,
            typer.Option(
                "--catch-up-every",
                min=0.1,
                metavar="MINUTES",
                help="how often the change streams are read for events that never arrived "
                "[default: 10]",
            ),
        ] = None,
    ) -> None:
        """Receive helpdesk webhooks and redact new personal data within seconds.

        Endpoints: POST /webhooks/NAME, GET /healthz, /readyz, /metrics. Settings come from the
        [serve] section of the configuration; a flag overrides its key. Put it behind a
        TLS-terminating reverse proxy; see docs/realtime.md.

        \b
        Example: gdprguard serve --policy policies/default.yaml --port 8080
        """
        from waitress import create_server

        from ..audit import default_actor
        from ..policy import PolicyValidationError, load_policy
        from ..realtime import Receiver, ReceiverSettings
        from ..realtime.secrets import load_webhook_secret

        options = with_flags(
            settings_from(ctx).serve, policy=None if policy is None else str(policy), host=host,
            port=port, workers=workers, worker_processes=worker_processes,
            queue_limit=queue_limit, retry_after=retry_after, retry_after_max=retry_after_max,
            catch_up_minutes=catch_up_minutes,
        )  # fmt: skip
        # a file's value was checked with the file; only the flag can be wrong here
        fixed_retry_after = _retry_after(options.retry_after)
        if options.policy is None:
            raise UsageError(
                "which policy? pass --policy FILE (e.g. policies/default.yaml) or set [serve] "
                "policy in the configuration"
            )
        policy = Path(options.policy)
        if not policy.is_file():
            raise ConfigError(f"policy file {policy} does not exist")
        loaded = load_policy(policy)
        try:
            loaded.realtime()
        except PolicyValidationError:
            raise PolicyError(
                f"{policy} has no rule marked `realtime: true`; the receiver applies only those "
                "(the shipped policies/default.yaml has two)"
            ) from None
        connectors = configured_connectors(ctx, [])
        longest = fixed_retry_after or options.retry_after_max
        if longest >= _ZENDESK_RETRY_LIMIT and any(
            c.type == "zendesk" for c in connectors.values()
        ):
            info(
                f"Retry-After can be {longest} s, but Zendesk retries a 503 only when "
                f"Retry-After is under {_ZENDESK_RETRY_LIMIT} s (the webhook is then left to the "
                "catch-up walk); use --retry-after-max 30 or less"
            )
        settings = ReceiverSettings(
            workers=options.workers, worker_processes=options.worker_processes,
            queue_limit=options.queue_limit, catch_up_seconds=options.catch_up_minutes * 60,
            retry_after_seconds=fixed_retry_after,
            retry_after_max_seconds=options.retry_after_max,
        )  # fmt: skip
        state = app_state(ctx)
        build = partial(
            worker_setup, state.config_path, state.home.path.resolve(), state.verbose,
            policy.resolve(), sorted(connectors), default_actor(), settings,
        )  # fmt: skip
        with open_vault(ctx) as vault:
            missing = [n for n in connectors if load_webhook_secret(vault, n) is None]
            for name in missing:
                info(
                    f"connector {name}: no webhook installed, so its calls are refused; run "
                    f"`gdprguard connector install-webhook {name} --url PUBLIC_URL`"
                )
            if len(missing) == len(connectors):
                raise ConfigError(
                    "no connector has a webhook installed; run `gdprguard connector "
                    "install-webhook NAME --url PUBLIC_URL` first"
                )
            receiver = Receiver(
                vault, connectors, loaded, settings=settings, actor=default_actor(),
                worker_build=build if options.worker_processes else None,
            )  # fmt: skip
            # a request thread waits while its webhook is committed with the others: enough of
            # them keep the batches large (the sender's connections, not the CPU, count here)
            server = create_server(
                receiver.app, host=options.host, port=options.port, threads=settings.http_threads
            )
            address = f"http://{options.host}:{getattr(server, 'effective_port', options.port)}"
            # waitress logs a warning per request when its task queue is busy: not useful
            logging.getLogger("waitress.queue").setLevel(logging.ERROR)
            receiver.start()
            info(f"receiving webhooks on {address}/webhooks/NAME (Ctrl-C stops)")
            # waitress runs in its own thread, so Ctrl-C and SIGTERM reach this one (inside
            # waitress's loop the interruption could be caught as a request's error)
            serving = threading.Thread(target=server.run, name="gdprguard-http", daemon=True)
            serving.start()
            try:
                while serving.is_alive():
                    serving.join(0.5)
            finally:
                server.close()
                receiver.stop()
                for connector in connectors.values():
                    connector.close()
