"""Helpers shared by the CLI command modules: settings, the home, state, and output.

Commands that need gdprguard's state get it through :func:`open_vault` (or :func:`open_store`,
:func:`require_home`), which find an existing home and database or stop with exit 2 and
"run `gdprguard init`"; none of them creates state. Results go to stdout (:func:`result`,
:func:`emit_json`), progress and logs to stderr (:func:`info`, :func:`warn`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import BaseModel

from .._config import Settings, load_settings
from .._home import HomeChoice, choose_home, pin_home
from ._output import emit_json, emit_jsonl, info, result, warn

if TYPE_CHECKING:
    from ..store import Store
    from ..vault import Vault

__all__ = [
    "AppState",
    "JsonOption",
    "app_state",
    "emit_json",
    "emit_jsonl",
    "info",
    "open_store",
    "open_vault",
    "require_home",
    "result",
    "settings_from",
    "warn",
    "with_flags",
]

_Section = TypeVar("_Section", bound=BaseModel)

JsonOption = Annotated[
    bool, typer.Option("--json", help="print one JSON document on stdout instead of text")
]


class AppState:
    """Per-invocation state carried on the Typer context (``ctx.obj``)."""

    def __init__(
        self, config_path: Path | None, verbose: bool, home_option: Path | None = None
    ) -> None:
        self.config_path = config_path
        self.verbose = verbose
        self.home_option = home_option
        self._settings: Settings | None = None
        self._home: HomeChoice | None = None

    @property
    def settings(self) -> Settings:
        """The validated configuration, loaded on first use (which also pins the home)."""
        if self._settings is None:
            self._settings = load_settings(self.config_path)
            if self._home is None:  # the home follows the configuration's [home], if any
                configured = self._settings.home.path
                self._pin(choose_home(self.home_option, Path(configured) if configured else None))
        return self._settings

    @property
    def home(self) -> HomeChoice:
        """The home this command uses (``--home``, ``$GDPRGUARD_HOME``, ``[home]``, default),
        pinned so that library code asking ``home_dir()`` agrees; nothing is created."""
        if self._home is None:
            choice = choose_home(self.home_option)
            if choice.is_default:
                _ = self.settings  # loading the configuration pins its [home]
            if self._home is None:
                self._pin(choice)
        assert self._home is not None
        return self._home

    def _pin(self, choice: HomeChoice) -> None:
        self._home = choice
        pin_home(choice.path)

    def use_home(self, choice: HomeChoice) -> None:
        """Use *choice* as this command's home from now on (``gdprguard init --home``)."""
        self._pin(choice)

    def reload_settings(self) -> Settings:
        """Read the configuration file again (after ``gdprguard init`` wrote it)."""
        self._settings = load_settings(self.config_path)
        return self._settings


def app_state(ctx: typer.Context) -> AppState:
    """This invocation's :class:`AppState` (made on the fly outside the root app, in tests)."""
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState(None, False)
    return root.obj


def settings_from(ctx: typer.Context) -> Settings:
    """The settings of this invocation (loads ``gdprguard.toml`` lazily)."""
    return app_state(ctx).settings


def require_home(ctx: typer.Context) -> Path:
    """The existing home directory, or exit 2 saying to run ``gdprguard init``."""
    from ._state import require_home as _require_home

    return _require_home(app_state(ctx))


def open_store(ctx: typer.Context) -> Store:
    """The initialised, migrated store of this invocation, or exit 2 (run ``gdprguard init``)."""
    from ._state import open_store as _open_store

    return _open_store(app_state(ctx))


def open_vault(ctx: typer.Context) -> Vault:
    """The vault (store, keys, audit log) of an initialised home; use it as a context manager.

    Exit 2 with "run `gdprguard init`" when there is no home or database; a missing master key
    file is an error (exit 1) that says to restore it, never a new key.
    """
    from ._state import open_vault as _open_vault

    return _open_vault(app_state(ctx))


def with_flags(section: _Section, **flags: Any) -> _Section:
    """A configuration *section* with every flag that was given (not None) put over its key of
    the same name: the command line wins over the file."""
    given = {key: value for key, value in flags.items() if value is not None}
    unknown = set(given) - set(type(section).model_fields)
    if unknown:  # pragma: no cover - a programming error
        raise TypeError(f"not keys of {type(section).__name__}: {sorted(unknown)}")
    return section.model_copy(update=given)
