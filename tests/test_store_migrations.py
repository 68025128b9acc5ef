"""The store: migrations on first use, both dialects, file permissions, error translation."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from gdprguard import ConfigError
from gdprguard._config import Settings, StoreConfig
from gdprguard.store import Store, StoreError

pytest_plugins = ["_store_fixtures"]

#: these tests are about the migrations: no new store starts as a copy of a migrated template
pytestmark = pytest.mark.real_migrations

TABLES = {
    "master_keys",
    "data_keys",
    "sealed_records",
    "audit_log",
    "vault_state",
    "subject_index",
    "dsar_requests",
    "dsar_identifiers",
    "dsar_events",
    "webhook_events",
    "webhook_signatures",
    "console_users",
    "console_sessions",
    "console_login_attempts",
    "alembic_version",
}


def test_fresh_database_is_migrated_to_head(store: Store) -> None:
    assert store.current_revision() == "0006"
    tables = set(sa.inspect(store.engine).get_table_names())
    assert tables >= TABLES


def test_migrate_is_idempotent(store_url: str) -> None:
    with Store(store_url) as first:
        first.migrate()
    with Store(store_url) as second:
        assert second.current_revision() == "0006"


def test_session_commits_and_rolls_back(store: Store) -> None:
    with store.session() as session:
        session.execute(
            sa.text(
                "INSERT INTO master_keys (kek_id, provider, created_at) "
                "VALUES ('k1', 'file', CURRENT_TIMESTAMP)"
            )
        )
    with pytest.raises(RuntimeError), store.session() as session:
        session.execute(
            sa.text(
                "INSERT INTO master_keys (kek_id, provider, created_at) "
                "VALUES ('k2', 'file', CURRENT_TIMESTAMP)"
            )
        )
        raise RuntimeError("boom")
    with store.session(write=False) as session:
        assert session.execute(sa.text("SELECT kek_id FROM master_keys")).scalars().all() == ["k1"]


def test_constraint_violation_is_a_store_error(store: Store) -> None:
    statement = sa.text(
        "INSERT INTO master_keys (kek_id, provider, created_at) "
        "VALUES ('k1', 'file', CURRENT_TIMESTAMP)"
    )
    with store.session() as session:
        session.execute(statement)
    with pytest.raises(StoreError, match="rejected a write"), store.session() as session:
        session.execute(statement)


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"])
def test_audit_log_is_append_only_in_the_database(store: Store, statement: str) -> None:
    with store.session() as session:
        session.execute(
            sa.text(
                "INSERT INTO audit_log (seq, ts, actor, action, target_ids, reason, details, "
                "prev_mac, mac) VALUES (1, 't', 'a', 'b', '[]', '', '{}', 'p', 'm')"
            )
        )
    with pytest.raises(StoreError), store.session() as session:
        session.execute(sa.text(statement))


def test_sqlite_default_location_and_permissions(home: Path) -> None:
    with Store.from_settings(Settings()) as store:
        assert store.dialect == "sqlite"
        assert store.sqlite_path == (home / "gdprguard.db").resolve()
    assert stat.S_IMODE((home / "gdprguard.db").stat().st_mode) == 0o600


def test_sqlite_pragmas(store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("SQLite only")
    with store.session(write=False) as session:
        assert session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(sa.text("PRAGMA secure_delete")).scalar() == 1


def test_bad_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"\[store\] url"):
        Store("not a url")
    with pytest.raises(ConfigError, match=r"\[store\] url"):
        Store("nosuchdb://x/y")


def test_password_never_appears_in_errors() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://user:s3cr3t-pw@127.0.0.1:{port}/db?connect_timeout=2"
    with pytest.raises(StoreError, match="cannot use database") as info:
        Store(url)
    assert "s3cr3t-pw" not in str(info.value)
    assert "***" in str(info.value)


def test_store_url_from_env_reference(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("GG_STORE_URL", f"sqlite:///{home / 'other.db'}")
    with Store.from_settings(Settings(store=StoreConfig(url="env:GG_STORE_URL"))) as store:
        assert store.sqlite_path == home / "other.db"


def test_unknown_revision_is_refused(store_url: str) -> None:
    with Store(store_url) as store, store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError, match=r"revision 9999.*upgrade gdprguard"):
        Store(store_url)


def test_migrations_build_exactly_the_declared_schema(store: Store) -> None:
    """The Alembic migrations and ``store/_schema.py`` describe the same tables and indexes."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from gdprguard.store import metadata

    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_the_test_suites_template_store_is_what_migrating_builds(home: Path) -> None:
    """Other tests' new SQLite stores start as a copy of a migrated template
    (tests/_store_template.py): it must hold exactly what a real migration builds."""
    from _store_template import migrate_from_template, template_bytes

    def dump(store: Store) -> list[tuple[str, str, str]]:
        with store.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
            ).all()
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        return [(str(t), str(n), str(s)) for t, n, s in rows] + [("version", str(version), "")]

    with Store(f"sqlite:///{home / 'migrated.db'}") as migrated:
        expected = dump(migrated)
    copied = Store(f"sqlite:///{home / 'copied.db'}", migrate=False)
    try:
        migrate_from_template(copied)
        assert (home / "copied.db").read_bytes() == template_bytes()  # copied, not migrated
        assert dump(copied) == expected
        assert stat.S_IMODE((home / "copied.db").stat().st_mode) == 0o600
    finally:
        copied.close()
