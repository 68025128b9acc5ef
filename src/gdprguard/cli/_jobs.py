"""What long-running commands share: the connectors they work on and progress on stderr."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import typer

from .._exceptions import ConfigError
from ._common import info, settings_from

if TYPE_CHECKING:
    from ..connectors import HelpdeskConnector

__all__ = ["Progress", "configured_connectors"]


class Progress:
    """Progress on stderr: a live line on a terminal, a line every few seconds otherwise."""

    def __init__(self) -> None:
        self._tty = sys.stderr.isatty()
        self._start = time.monotonic()
        self._last = self._start

    def __call__(self, what: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        final = total is not None and done >= total
        if not final and now - self._last < (0.2 if self._tty else 5.0):
            return
        self._last = now
        rate = done / max(now - self._start, 1e-6)
        text = f"{what}: {done}"
        if total:
            eta = (total - done) / rate if rate > 0 else 0.0
            text += f"/{total} ({rate:.1f}/s, about {eta:.0f} s left)"
        else:
            text += f" tickets ({rate:.1f}/s)"
        if self._tty:
            sys.stderr.write("\r\033[K" + text + ("\n" if final else ""))
            sys.stderr.flush()
        else:
            info(text)

    def done(self) -> None:
        if self._tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def configured_connectors(ctx: typer.Context, names: list[str]) -> dict[str, HelpdeskConnector]:
    """The connectors called *names* (every configured one if none), built from the config."""
    from ..connectors import build_connector

    configured = settings_from(ctx).connectors
    if not configured:
        raise ConfigError(
            "no helpdesk is configured; add one with `gdprguard connector add NAME --type "
            "zendesk --url URL --email E --token env:VAR`"
        )
    chosen = names or sorted(configured)
    unknown = [n for n in chosen if n not in configured]
    if unknown:
        names_known = ", ".join(sorted(configured))
        raise ConfigError(f"--connector {unknown[0]} is not configured; configured: {names_known}")
    return {name: build_connector(name, configured[name]) for name in chosen}
