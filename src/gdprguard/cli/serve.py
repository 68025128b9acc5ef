"""``gdprguard serve``: the webhook receiver for real-time redaction."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Annotated

import typer

from .._exceptions import ConfigError, PolicyError
from ._common import info, open_vault
from ._jobs import configured_connectors

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to *app*."""

    @app.command("serve")
    def serve_command(
        ctx: typer.Context,
        policy: Annotated[
            Path,
            typer.Option("--policy", metavar="FILE", help="policy whose realtime rules apply"),
        ],
        host: Annotated[
            str, typer.Option("--host", metavar="ADDRESS", help="address to listen on")
        ] = "127.0.0.1",
        port: Annotated[
            int, typer.Option("--port", min=0, max=65535, metavar="PORT", help="port to listen on")
        ] = 8080,
        workers: Annotated[
            int,
            typer.Option("--workers", min=1, max=64, metavar="N", help="threads processing events"),
        ] = 2,
        queue_limit: Annotated[
            int,
            typer.Option("--queue-limit", min=1, metavar="N", help="queued events before 503"),
        ] = 10_000,
        catch_up_minutes: Annotated[
            float,
            typer.Option(
                "--catch-up-every",
                min=0.1,
                metavar="MINUTES",
                help="how often the change streams are read for events that never arrived",
            ),
        ] = 10.0,
    ) -> None:
        """Receive helpdesk webhooks and redact new personal data within seconds.

        Endpoints: POST /webhooks/NAME, GET /healthz, /readyz, /metrics. Put it behind a
        TLS-terminating reverse proxy; see docs/realtime.md.

        \b
        Example: gdprguard serve --policy policies/default.yaml --port 8080
        """
        from waitress import create_server

        from ..audit import default_actor
        from ..policy import PolicyValidationError, load_policy
        from ..realtime import Receiver, ReceiverSettings
        from ..realtime.secrets import load_webhook_secret

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
        settings = ReceiverSettings(
            workers=workers, queue_limit=queue_limit, catch_up_seconds=catch_up_minutes * 60
        )
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
            receiver = Receiver(vault, connectors, loaded, settings=settings, actor=default_actor())
            server = create_server(receiver.app, host=host, port=port, threads=8)
            address = f"http://{host}:{getattr(server, 'effective_port', port)}"
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
