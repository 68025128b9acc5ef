"""``gdprguard sandbox serve``: run the local helpdesk sandbox until interrupted."""

from __future__ import annotations

import errno
import signal
import threading
from enum import StrEnum
from types import FrameType
from typing import Annotated

import typer
from pydantic import ValidationError

from .._config import is_loopback_host
from .._exceptions import UsageError
from ._common import emit_json, info

__all__ = ["register"]


class Flavor(StrEnum):
    """Which helpdesk API the sandbox speaks."""

    zendesk = "zendesk"
    freshdesk = "freshdesk"


def serve(
    host: Annotated[str, typer.Option(metavar="HOST", help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="TCP port (0 picks a free one)")] = 8765,
    flavor: Annotated[Flavor, typer.Option(help="helpdesk API to speak")] = Flavor.zendesk,
    seed: Annotated[
        int, typer.Option(metavar="N", help="data seed: the same seed gives the same data")
    ] = 1,
    tickets: Annotated[int, typer.Option(metavar="N", help="number of synthetic tickets")] = 500,
    rate_limit: Annotated[
        int | None,
        typer.Option(
            "--rate-limit", metavar="PER_MIN", help="requests per minute before 429 (default: none)"
        ),
    ] = None,
    fault_rate: Annotated[
        float,
        typer.Option(
            "--fault-rate", metavar="P", help="probability of an injected fault per request"
        ),
    ] = 0.0,
) -> None:
    """Serve a local helpdesk over seeded synthetic data until stopped.

    Once listening it prints one JSON line on stdout with its URL and credentials, then serves
    until Ctrl-C or SIGTERM, which stop it cleanly (exit 0).

    \b
    Example: gdprguard sandbox serve --flavor freshdesk --port 0 --tickets 50
    """
    from ..sandbox import SandboxServer  # heavy imports only when the command runs

    try:
        server = SandboxServer(
            flavor=flavor.value,
            seed=seed,
            tickets=tickets,
            host=host,
            port=port,
            rate_limit=rate_limit,
            fault_rate=fault_rate,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "--" + str(first["loc"][0]).replace("_", "-") if first["loc"] else "an option"
        raise UsageError(f"invalid value for {name}: {first['msg']}") from None
    try:
        server.bind()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is already in use; pick another with --port "
                "(or --port 0 for a free one)"
            ) from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    if not is_loopback_host(host):
        info(
            f"warning: the sandbox listens on {host} (port {server.port}), not only on this "
            f"machine's loopback; its credentials are derived from the seed (--seed {seed}), so "
            "anyone who can reach it can read and change its data; use --host 127.0.0.1 unless "
            "other machines must reach it"
        )
    stop = threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.start()
        credentials = server.credentials
        line = {"url": credentials["url"]}
        if flavor is Flavor.zendesk:
            line.update(email=credentials["email"], token=credentials["token"])
        else:
            line["api_key"] = credentials["api_key"]
        emit_json(line)
        info(f"sandbox ({flavor.value}, {tickets} tickets, seed {seed}) listening; Ctrl-C stops it")
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    info("sandbox stopped")


def register(app: typer.Typer) -> None:
    """Add the ``sandbox`` command group."""
    group = typer.Typer(
        help="A local helpdesk sandbox (Zendesk or Freshdesk API).\n\n"
        "Example: gdprguard sandbox serve --port 0",
        no_args_is_help=True,
    )
    group.command("serve")(serve)
    app.add_typer(group, name="sandbox")
