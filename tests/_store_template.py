"""New SQLite stores in tests start as a copy of one database this process migrated.

Migrating a new database runs every Alembic migration, about a tenth of a second of CPU each
time, and the suite creates hundreds of stores. The result is the same file every time, so each
test process migrates one template database with the real ``Store.migrate`` and, just before
``Store.migrate`` looks at a new SQLite file that is still empty, copies the template into it;
the migration then finds the schema at head, as it does for any existing database, and runs its
usual checks. Only blank files are filled (nothing ever connected to them); any other database,
and every PostgreSQL schema, migrates for real.

``tests/conftest.py`` installs this for every test. Tests of the migrations themselves opt out
with ``@pytest.mark.real_migrations``; child processes (``gdprguard init`` run as a subprocess)
always migrate for real.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from gdprguard.store import Store

__all__ = ["MARKER", "migrate_from_template", "real_migrate", "template_bytes"]

#: the marker of tests that need every new store migrated by Alembic
MARKER = "real_migrations"

#: ``Store.migrate`` as gdprguard ships it
real_migrate = Store.migrate

_lock = threading.Lock()
_template: bytes | None = None


def template_bytes() -> bytes:
    """The migrated database file, built on first use with the real ``Store.migrate``."""
    global _template
    if _template is None:
        with tempfile.TemporaryDirectory(prefix="gdprguard-store-template-") as tmp:
            path = Path(tmp) / "template.db"
            store = Store(f"sqlite:///{path}", migrate=False)
            try:
                real_migrate(store)
                assert store.purge_freed_pages(), "the template's write-ahead log stayed busy"
            finally:
                store.close()
            leftovers = [p.name for p in Path(tmp).iterdir() if p.name != path.name]
            assert not leftovers, f"the template is not one self-contained file: {leftovers}"
            _template = path.read_bytes()
    return _template


def _blank(path: Path) -> bool:
    """An empty file that no SQLite connection has touched (no header, no journal, no WAL)."""
    try:
        if path.stat().st_size != 0:
            return False
    except FileNotFoundError:
        return False
    return not any(path.with_name(path.name + s).exists() for s in ("-wal", "-shm", "-journal"))


def migrate_from_template(store: Store) -> None:
    """``Store.migrate`` for tests: a blank SQLite file is first filled with the template."""
    path = store.sqlite_path
    if path is not None:
        with _lock:
            if _blank(path):
                store.engine.dispose()  # no pooled connection may hold the empty file open
                template = template_bytes()
                with path.open("r+b") as handle:  # keeps the file, its owner and its mode 0600
                    handle.write(template)
    real_migrate(store)
