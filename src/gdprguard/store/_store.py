"""``Store``: the engine, sessions and schema migrations for gdprguard's own database."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from ._errors import StoreError, translate_errors

if TYPE_CHECKING:
    from .._config import Settings

__all__ = ["MIGRATIONS_DIR", "Store", "insert_ignore"]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_BUSY_TIMEOUT_MS = 30000


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@lru_cache(maxsize=1)
def _head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "gdprguard ships at least one migration"
    return head


def _known_revisions() -> set[str]:
    return {
        script.revision
        for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()
    }


def _prepare_sqlite_file(url: URL) -> None:
    """Create the SQLite file (and its directory) with owner-only permissions before first use."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists():
        return
    path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _install_sqlite_hooks(engine: Engine) -> None:
    """Foreign keys on; freed pages zeroed (shredded keys leave no trace in the file); WAL with
    full fsync on commit (durable, and far fewer fsyncs than a rollback journal); and real
    transactions: pysqlite's own implicit BEGIN would let a read-then-write race."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get("sqlite_begin", "BEGIN"))


class Store:
    """gdprguard's database: SQLite under ``GDPRGUARD_HOME`` by default, or PostgreSQL.

    The schema is migrated to the newest revision on first use (``migrate=False`` skips that).
    Use ``with store.session() as s:`` for one transaction; errors leave as ``StoreError``.
    """

    #: how the store waits between retries (tests replace it; nothing here needs real time)
    sleep: Callable[[float], None] = staticmethod(time.sleep)
    #: how long one write-ahead-log checkpoint attempt waits for readers (milliseconds)
    checkpoint_wait_ms: int = 250

    def __init__(self, url: str, *, migrate: bool = True, echo: bool = False) -> None:
        self._write_lock = threading.RLock()
        with translate_errors("(as configured)"):
            self._url = make_url(url)
        self.display_url = self._url.render_as_string(hide_password=True)
        with translate_errors(self.display_url):
            if self.dialect == "sqlite":
                _prepare_sqlite_file(self._url)
                self._engine = create_engine(self._url, echo=echo)
                _install_sqlite_hooks(self._engine)
            else:
                self._engine = create_engine(self._url, echo=echo, pool_pre_ping=True)
        if migrate:
            self.migrate()

    @classmethod
    def from_settings(cls, settings: Settings, *, migrate: bool = True) -> Store:
        """The store named by ``[store] url`` (default: SQLite under ``GDPRGUARD_HOME``)."""
        return cls(settings.store.resolved_url(), migrate=migrate)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._url.get_backend_name()

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (prefer ``session()``; this is for bulk tools and tests)."""
        return self._engine

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file, if this store is a SQLite file."""
        if self.dialect != "sqlite" or not self._url.database or self._url.database == ":memory:":
            return None
        return Path(self._url.database)

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction: commits when the block ends, rolls back if it raises.

        On SQLite a ``write`` session takes the write lock up front (``BEGIN IMMEDIATE``) so a
        read-then-write cannot race another process; pass ``write=False`` for pure reads.
        """
        if write and self.dialect == "sqlite":
            # Threads of this process take turns for SQLite's single writer here, instead of
            # sleeping in its busy handler; other processes still meet SQLite's own lock.
            with self._write_lock:
                yield from self._session(write=True)
        else:
            yield from self._session(write=write)

    def _session(self, *, write: bool) -> Iterator[Session]:
        with translate_errors(self.display_url), self._engine.connect() as connection:
            if write and self.dialect == "sqlite":
                connection.execution_options(sqlite_begin="BEGIN IMMEDIATE")
            with Session(bind=connection, expire_on_commit=False) as session, session.begin():
                yield session

    def purge_freed_pages(self, *, attempts: int = 3) -> bool:
        """Push destroyed rows out of the places they linger after a commit (best effort):
        SQLite's write-ahead log is checkpointed and truncated, PostgreSQL tables are vacuumed.
        Backups and PostgreSQL's WAL archive are out of reach (see docs/security.md).

        False if SQLite could not finish the checkpoint (another connection is reading) after
        *attempts* tries; the caller should warn that the old pages may still be on disk.
        """
        with translate_errors(self.display_url), self._engine.connect() as connection:
            if self.dialect == "postgresql":
                connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.exec_driver_sql("VACUUM data_keys")
                return True
            if self.dialect != "sqlite":
                return True
            # A reader blocks the checkpoint; wait for it briefly, not for the 30 s busy timeout.
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(self.checkpoint_wait_ms)}")
            try:
                for attempt in range(attempts):
                    busy, _log, _done = connection.exec_driver_sql(
                        "PRAGMA wal_checkpoint(TRUNCATE)"
                    ).one()
                    if not busy:
                        return True
                    if attempt + 1 < attempts:
                        self.sleep(0.05 * 2**attempt)
                return False
            finally:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")

    def current_revision(self) -> str | None:
        """The schema revision the database is at (None before the first migration)."""
        with translate_errors(self.display_url), self._engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def migrate(self) -> None:
        """Upgrade the schema to the newest revision shipped with this package."""
        head = _head_revision()
        with translate_errors(self.display_url), self._engine.begin() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            if current == head:
                return
            if current is not None and current not in _known_revisions():
                raise StoreError(
                    f"database {self.display_url} is at schema revision {current}, which this "
                    "version of gdprguard does not know; upgrade gdprguard"
                )
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def close(self) -> None:
        """Release pooled connections."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.display_url!r})"


def insert_ignore(session: Session, table: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` on *table*, for the two dialects gdprguard supports."""
    from sqlalchemy.dialects import postgresql, sqlite

    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise StoreError(f"unsupported database dialect {name}; use SQLite or PostgreSQL")
