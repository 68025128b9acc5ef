"""Finding gdprguard's existing state for a command, never creating it.

State is the home directory (key files, audit checkpoints), the database named by ``[store] url``
(SQLite in the home by default, or PostgreSQL) and the master key. Only ``gdprguard init`` creates
them, and ``gdprguard restore`` puts them back from a backup. Every other command that needs them
and finds none stops with exit 2 and says to run ``gdprguard init``; a master key file missing
beside a database that holds data keys is an error (exit 1) naming the file and the way back
(``gdprguard restore``), never a silently generated new key.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._config import resolve_secret
from .._exceptions import ConfigError, KeyProviderError, UsageError
from .._home import PSEUDONYM_KEY_FILE, read_secret_file
from ._common import AppState
from ._output import info

if TYPE_CHECKING:
    from ..store import Store
    from ..vault import Vault

__all__ = [
    "INIT_HINT",
    "StoreFacts",
    "inspect_store",
    "module_installed",
    "open_store",
    "open_vault",
    "open_vault_for_restore",
    "pseudonym_key",
    "require_driver",
    "require_home",
    "sqlite_file",
]

INIT_HINT = "run `gdprguard init` to set one up"

#: database drivers that come with an optional extra, by the module SQLAlchemy imports
_DRIVERS = {
    "postgresql": ("psycopg2", "postgres"),
    "postgresql+psycopg": ("psycopg", "postgres"),
    "postgresql+psycopg2": ("psycopg2", "postgres"),
}


def require_home(state: AppState) -> Path:
    """The home directory if it exists; ``UsageError`` (exit 2) saying how to get one.

    The configuration is read first: a broken file is the problem to report, not the home.
    """
    _ = state.settings
    choice = state.home
    if choice.path.is_dir():
        return choice.path
    if choice.path.exists():
        raise UsageError(
            f"the gdprguard home {choice.path} (from {choice.source}) is not a directory; "
            "point --home or $GDPRGUARD_HOME at the home directory"
        )
    raise UsageError(
        f"no gdprguard home at {choice.path} (from {choice.source}); {INIT_HINT}, or point "
        "--home, $GDPRGUARD_HOME or [home] path at an existing home"
    )


def require_driver(url: str) -> None:
    """``ConfigError`` naming the extra to install when *url*'s database driver is missing."""
    from sqlalchemy.engine import make_url

    try:
        drivername = make_url(url).drivername
    except Exception:  # an unusable URL: Store() explains it
        return
    known = _DRIVERS.get(drivername)
    if known is None:
        return
    module, extra = known
    if not module_installed(module):
        raise ConfigError(
            f"[store] url uses {drivername}, but its driver ({module}) is not installed; "
            f"install it with `pip install 'gdprguard[{extra}]'`"
        )


def module_installed(name: str) -> bool:
    """Whether *name* can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a parent package is missing, or a blocked module
        return False


def sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///PATH`` URL (``None`` for other databases and ``:memory:``)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(database)


@dataclass(frozen=True)
class StoreFacts:
    """What an existing database holds, for the state checks and ``gdprguard doctor``."""

    revision: str | None
    system_keys: int
    holds_vault_state: bool
    file_master_keys: list[str]

    @property
    def initialised(self) -> bool:
        """The vault's system keys exist (``gdprguard init`` ran on this database)."""
        return self.system_keys > 0


def inspect_store(store: Store) -> StoreFacts:
    """Read the schema revision and the vault's bookkeeping, changing nothing."""
    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy import select

    from ..store import (
        audit_log,
        data_keys,
        master_keys,
        sealed_records,
        translate_errors,
        vault_state,
    )
    from ..vault._keyring import SYSTEM_SECRETS

    revision = store.current_revision()
    if revision is None:
        return StoreFacts(None, 0, False, [])
    scopes = [f"system:{name}" for name in SYSTEM_SECRETS]
    with translate_errors(store.display_url):
        present = set(sa_inspect(store.engine).get_table_names())
    with store.session(write=False) as session:
        system = session.execute(
            select(data_keys.c.key_id).where(
                data_keys.c.scope.in_(scopes), data_keys.c.shredded_at.is_(None)
            )
        ).all()
        held = any(
            session.execute(select(next(iter(table.c))).limit(1)).first() is not None
            for table in (data_keys, sealed_records, audit_log, vault_state)
            if table.name in present  # an older schema may lack a table until migrated
        )
        file_keys = list(
            session.execute(
                select(master_keys.c.kek_id)
                .where(master_keys.c.provider == "file")
                .order_by(master_keys.c.kek_id)
            ).scalars()
        )
    return StoreFacts(revision, len(system), held, file_keys)


def open_store(state: AppState) -> Store:
    """The store of an initialised home, migrated to this version's schema."""
    store, _facts = _checked_store(state)
    return store


def _checked_store(state: AppState) -> tuple[Store, StoreFacts]:
    from ..audit import CHECKPOINT_GLOB
    from ..store import Store

    home = require_home(state)
    url = state.settings.store.resolved_url()
    require_driver(url)
    where = _describe(url, state)
    path = sqlite_file(url)
    if path is not None and not path.exists():
        raise UsageError(
            f"no gdprguard database at {path}; {INIT_HINT} (or, if it was lost, `gdprguard "
            "restore DIR` puts a backup back)"
        )
    store = Store(url, migrate=False)
    try:
        facts = inspect_store(store)
        earlier_log = any(home.glob(CHECKPOINT_GLOB))
        if facts.revision is None or (not facts.holds_vault_state and not earlier_log):
            raise UsageError(f"the database {where} has not been initialised; {INIT_HINT}")
        store.migrate()
    except BaseException:
        store.close()
        raise
    return store, facts


def _describe(url: str, state: AppState) -> str:
    path = sqlite_file(url)
    if path is not None:
        return str(path)
    return "named by [store] url" if state.settings.store.url else url


def open_vault(state: AppState) -> Vault:
    """The vault of an initialised home; its key provider never generates a master key."""
    from ..vault import FileKeyProvider, Vault

    store, facts = _checked_store(state)
    store.close()  # Vault.from_settings opens its own, now known to exist
    vault = Vault.from_settings(state.settings)
    provider = vault.provider
    if isinstance(provider, FileKeyProvider):
        provider.create = False
        if not provider.path.exists() and facts.holds_vault_state:
            vault.close()
            used = ", ".join(facts.file_master_keys) or "a file master key"
            raise KeyProviderError(
                f"master key file {provider.path} is missing, but the database holds data keys "
                f"wrapped under {used}; without that file they cannot be opened. Restore it from "
                "backup (`gdprguard restore DIR` writes back a backup's key files), or fix [keys] "
                "file if it points to the wrong place. gdprguard never generates a replacement"
            )
    return vault


def open_vault_for_restore(state: AppState, *, dry_run: bool) -> Vault:
    """The vault ``gdprguard restore`` writes into.

    Restoring on a new machine needs no ``gdprguard init``: the home and the database are created
    here and the master key files come from the backup. A dry run creates nothing: when there is
    no home or database yet, it plans against an empty in-memory one.
    """
    from ..store import Store
    from ..vault import FileKeyProvider, Vault, provider_from_settings

    choice = state.home
    url = state.settings.store.resolved_url()
    require_driver(url)
    path = sqlite_file(url)
    missing = not choice.path.exists() or (path is not None and not path.exists())
    if dry_run and missing:
        provider = provider_from_settings(state.settings.keys, create=False)
        return Vault(Store("sqlite://"), provider, checkpoint_dir=choice.path)
    if not choice.path.exists():
        choice.path.mkdir(parents=True, mode=0o700)
        info(f"created the gdprguard home {choice.path} to restore into")
    require_home(state)
    vault = Vault.from_settings(state.settings)
    if isinstance(vault.provider, FileKeyProvider):
        vault.provider.create = False
    return vault


def pseudonym_key(state: AppState) -> bytes:
    """The key behind ``--operator pseudonym``: ``[detection] pseudonym_key``, else the home's
    ``pseudonym.key`` (made by ``gdprguard init``), so tokens are the same from any directory."""
    configured = state.settings.detection.pseudonym_key
    if configured:
        value = resolve_secret(configured, where="[detection] pseudonym_key")
        if not value:
            raise UsageError("[detection] pseudonym_key is empty; set a non-empty secret")
        return value.encode("utf-8")
    path = require_home(state) / PSEUDONYM_KEY_FILE
    try:
        return read_secret_file(path)
    except FileNotFoundError:
        raise UsageError(
            f"no pseudonym key at {path}; run `gdprguard init` (it adds the missing key and "
            "keeps everything else), or set [detection] pseudonym_key"
        ) from None
