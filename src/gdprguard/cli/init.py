"""``gdprguard init``: the one command that creates state.

It writes a commented ``gdprguard.toml`` (unless there is one), creates the home with mode 0700,
creates and migrates the database, generates the master key (file provider) and the pseudonym
key, initialises the vault's system keys, copies the shipped starter policy and prints the next
three commands. Running it again changes nothing that exists: it only adds what is missing, and
it refuses to generate a master key beside a database that already holds data keys.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from .._config import DEFAULT_CONFIG_NAME, Settings, find_config_path, format_validation_error
from .._exceptions import ConfigError, KeyProviderError, UsageError
from .._home import HOME_ENV, PSEUDONYM_KEY_FILE, HomeChoice, choose_home
from ._common import JsonOption, app_state, emit_json, info, result, warn
from ._starter import POLICY_DIR, config_text, copy_starter_policies, home_setting

__all__ = ["register"]


@dataclass
class _Report:
    """What ``init`` did, step by step (``created``, ``kept``, ``updated`` or ``skipped``)."""

    steps: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, what: str, where: str, status: str, detail: str = "") -> None:
        self.steps.append({"what": what, "path": where, "status": status, "detail": detail})


def register(app: typer.Typer) -> None:
    """Add the ``init`` command to *app*."""

    @app.command("init")
    def init_command(
        ctx: typer.Context,
        home: Annotated[
            Path | None,
            typer.Option(
                "--home",
                metavar="DIR",
                help="where to keep state (default $GDPRGUARD_HOME, [home] path, ./.gdprguard)",
            ),
        ] = None,
        non_interactive: Annotated[
            bool,
            typer.Option(
                "--non-interactive", help="never ask; use the defaults (always so without a TTY)"
            ),
        ] = False,
        json_output: JsonOption = False,
    ) -> None:
        """Set up gdprguard here: configuration, home, database, keys and a starter policy.

        Safe to run again: what exists is kept, only what is missing is added.

        \b
        Example: gdprguard init --home /var/lib/gdprguard --non-interactive
        """
        state = app_state(ctx)
        interactive = not non_interactive and sys.stdin.isatty()
        report = _Report()
        config_path = find_config_path(state.config_path) or Path(DEFAULT_CONFIG_NAME)
        config_path = Path(os.path.abspath(config_path))
        existing = _existing_settings(config_path)
        choice = _choose(home or state.home_option, existing, interactive)
        state.use_home(choice)
        if existing is None:
            store_url = _ask_store_url() if interactive else None
            _write_config(config_path, choice.path, store_url, report)
        else:
            _reconcile_home(config_path, existing, choice, report)
        settings = state.reload_settings()
        _make_home(choice.path, report)
        database = _initialise_store(settings, choice.path, report)
        _pseudonym_key(settings, choice.path, report)
        policy = _copy_policies(config_path.parent / POLICY_DIR, report)
        _print(report, choice, database, policy, config_path, json_output)


def _existing_settings(path: Path) -> Settings | None:
    if not path.exists():
        return None
    from .._config import load_settings

    return load_settings(path)


def _choose(explicit: Path | None, existing: Settings | None, interactive: bool) -> HomeChoice:
    configured = existing.home.path if existing is not None else None
    choice = choose_home(explicit, Path(configured) if configured else None)
    if interactive and explicit is None and not os.environ.get(HOME_ENV) and configured is None:
        answer = typer.prompt(
            "Home directory for gdprguard's state (database, keys)",
            default=str(choice.path),
            err=True,
        )
        choice = choose_home(Path(str(answer)))
        choice = HomeChoice(choice.path, "your answer to `gdprguard init`")
    return choice


def _ask_store_url() -> str | None:
    answer = typer.prompt(
        "Database URL (empty: SQLite in the home; env:VAR to read it from a variable)",
        default="",
        show_default=False,
        err=True,
    )
    url = str(answer).strip() or None
    if url is not None and not url.startswith("env:") and re.search(r"://[^/@]*:[^/@]*@", url):
        warn(
            "that URL holds a password, which gdprguard.toml would then keep in clear text; "
            'prefer url = "env:GDPRGUARD_DB_URL" with the URL in that variable'
        )
    return url


def _validate(path: Path, text: str) -> None:
    try:
        Settings.model_validate(tomllib.loads(text))
    except ValidationError as exc:
        raise ConfigError(format_validation_error(path, exc)) from None


def _write_config(path: Path, home: Path, store_url: str | None, report: _Report) -> None:
    text = config_text(home_setting(home, path.parent), store_url)
    _validate(path, text)
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: directory {path.parent} does not exist")
    with path.open("x", encoding="utf-8") as handle:  # never over a file made meanwhile
        handle.write(text)
    report.add("configuration", str(path), "created", "commented; see docs/configuration.md")


def _reconcile_home(path: Path, settings: Settings, choice: HomeChoice, report: _Report) -> None:
    """Make the existing configuration name the home ``init`` sets up, or say why it cannot."""
    configured = settings.home.path
    if configured is not None and Path(configured) == choice.path:
        report.add("configuration", str(path), "kept")
        return
    if configured is not None:
        if choice.source == f"${HOME_ENV}":
            report.add("configuration", str(path), "kept")
            report.notes.append(
                f"{path} names the home {configured}, but ${HOME_ENV} chose {choice.path}; "
                f"commands run without ${HOME_ENV} will use {configured}"
            )
            return
        raise UsageError(
            f"{path} says [home] path = {configured!r}, but --home is {choice.path}; edit "
            "[home] path in the file, or drop --home"
        )
    raw = path.read_text(encoding="utf-8")
    addition = f'\n[home]\npath = "{home_setting(choice.path, path.parent)}"\n'
    text = raw + ("" if raw.endswith("\n") or not raw else "\n") + addition
    _validate(path, text)
    mode = stat.S_IMODE(path.stat().st_mode)
    tmp = path.with_name(f".{path.name}.init")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(mode)
    tmp.replace(path)
    report.add("configuration", str(path), "updated", "added [home] path")


def _make_home(home: Path, report: _Report) -> None:
    if home.exists() and not home.is_dir():
        raise UsageError(f"{home} exists and is not a directory; choose another --home")
    if not home.exists():
        home.mkdir(parents=True, mode=0o700)
        home.chmod(0o700)  # whatever the umask
        report.add("home", str(home), "created", "mode 0700")
        return
    mode = stat.S_IMODE(home.stat().st_mode)
    if mode & 0o077:
        home.chmod(0o700)
        report.add("home", str(home), "updated", f"mode {mode:04o} tightened to 0700")
    else:
        report.add("home", str(home), "kept")


def _initialise_store(settings: Settings, home: Path, report: _Report) -> str:
    """Create and migrate the database, make the master key if it may, initialise the vault."""
    from ..store import Store
    from ..vault import FileKeyProvider, Vault, provider_from_settings
    from ._state import inspect_store, require_driver, sqlite_file

    url = settings.store.resolved_url()
    require_driver(url)
    db_file = sqlite_file(url)
    new_file = db_file is not None and not db_file.exists()
    provider = provider_from_settings(settings.keys, create=False)
    with Store(url) as store:
        facts = inspect_store(store)
        where = str(db_file) if db_file is not None else store.display_url
        if isinstance(provider, FileKeyProvider):
            if provider.path.exists():
                report.add("master key", str(provider.path), "kept")
            elif facts.holds_vault_state:
                raise KeyProviderError(
                    f"the database {where} holds data keys, but the master key file "
                    f"{provider.path} is missing; init will not generate a new one, which could "
                    "never open them. Restore the key file from backup (`gdprguard restore DIR` "
                    "writes back a backup's key files), or fix [keys] file"
                )
            else:
                provider.create = True
        vault = Vault(store, provider, checkpoint_dir=home)
        created = vault.initialise()
        vault.keyring.system_secret("audit")  # proves the master key opens this database
        if isinstance(provider, FileKeyProvider) and provider.create:
            report.add(
                "master key", str(provider.path), "created", "mode 0600; back it up separately"
            )
        elif not isinstance(provider, FileKeyProvider):
            report.add("master key", f"[keys] provider = {provider.name}", "kept", "opens it")
        status = "created" if new_file else ("initialised" if created else "kept")
        report.add("database", where, status, f"schema {store.current_revision()}")
    return where


def _pseudonym_key(settings: Settings, home: Path, report: _Report) -> None:
    from .._home import load_or_create_secret_file

    if settings.detection.pseudonym_key:
        report.add("pseudonym key", "[detection] pseudonym_key", "kept")
        return
    path = home / PSEUDONYM_KEY_FILE
    existed = path.exists()
    load_or_create_secret_file(path)  # also checks the mode and length of an existing one
    report.add("pseudonym key", str(path), "kept" if existed else "created", "mode 0600")


def _copy_policies(directory: Path, report: _Report) -> Path | None:
    """The shipped retention policies, copied next to the configuration (edits are kept)."""
    written, default = copy_starter_policies(directory)
    if default is None:
        report.add("starter policy", str(directory), "skipped", "none shipped with this install")
        report.notes.append(
            "this installation ships no retention policy, so none was copied; write one (see "
            "docs/quickstart.md) before running `gdprguard sweep`"
        )
        return None
    status = "created" if default in written else "kept"
    others = len(written) - (default in written)
    detail = ""
    if others:
        detail = f"{others} more shipped polic{'ies' if others != 1 else 'y'} beside it"
    report.add("starter policy", str(default), status, detail)
    return default


def _shown(path: Path) -> str:
    here = Path.cwd()
    return os.path.relpath(path, here) if path.is_relative_to(here) else str(path)


def _next_commands(policy: Path | None, config_path: Path) -> list[str]:
    """Connect a helpdesk, check the set-up, then a dry-run sweep (or the key status)."""
    found = find_config_path(None)
    same = found is not None and Path(os.path.abspath(found)) == config_path
    command = "gdprguard" if same else f"gdprguard --config {_shown(config_path)}"
    third = f"{command} keys status"
    if policy is not None:
        third = f"{command} sweep --policy {_shown(policy)}"
    return [
        f"{command} connector add support --type zendesk --url https://YOUR-ACCOUNT.zendesk.com "
        "--email ADMIN@EXAMPLE.COM --token env:ZENDESK_TOKEN",
        f"{command} doctor",
        third,
    ]


def _print(
    report: _Report,
    choice: HomeChoice,
    database: str,
    policy: Path | None,
    config_path: Path,
    json_output: bool,
) -> None:
    commands = _next_commands(policy, config_path)
    if json_output:
        document: dict[str, Any] = {
            "home": str(choice.path),
            "config": str(config_path),
            "database": database,
            "steps": report.steps,
            "notes": report.notes,
            "next": commands,
        }
        emit_json(document)
        return
    changed = any(step["status"] in ("created", "initialised", "updated") for step in report.steps)
    result("gdprguard is set up:" if changed else "gdprguard was already set up; nothing changed:")
    for step in report.steps:
        detail = f"; {step['detail']}" if step["detail"] else ""
        result(f"  {step['what']:<15}{step['status']:<12}{step['path']}{detail}")
    for note in report.notes:
        info(f"note: {note}")
    result("")
    result("Next:")
    for number, command in enumerate(commands, 1):
        result(f"  {number}. {command}")
