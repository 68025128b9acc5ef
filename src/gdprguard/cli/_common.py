"""Helpers shared by the CLI command modules: settings, JSON output, messages on stderr."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from .._config import Settings, load_settings

if TYPE_CHECKING:
    from ..vault import Vault

__all__ = ["AppState", "emit_json", "emit_jsonl", "info", "open_vault", "settings_from"]


class AppState:
    """Per-invocation state carried on the Typer context (``ctx.obj``)."""

    def __init__(self, config_path: Path | None, verbose: bool) -> None:
        self.config_path = config_path
        self.verbose = verbose
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        """The validated configuration, loaded on first use."""
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings


def settings_from(ctx: typer.Context) -> Settings:
    """The settings of this invocation (loads ``gdprguard.toml`` lazily)."""
    state = ctx.find_root().obj
    if not isinstance(state, AppState):  # called outside the root app (tests)
        state = AppState(None, False)
        ctx.find_root().obj = state
    return state.settings


def open_vault(ctx: typer.Context) -> Vault:
    """The vault (store, keys, audit log) of this invocation's settings; use it as a context."""
    from ..vault import Vault  # SQLAlchemy and the key providers load here, not at start-up

    return Vault.from_settings(settings_from(ctx))


def info(message: str) -> None:
    """Human-readable progress or status, always on stderr."""
    typer.echo(message, err=True)


def emit_json(document: Any) -> None:
    """Print one JSON document on stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def emit_jsonl(record: Any) -> None:
    """Print one JSON Lines record on stdout."""
    sys.stdout.write(json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str))
    sys.stdout.write("\n")
