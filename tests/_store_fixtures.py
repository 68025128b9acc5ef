"""Fixtures for store, vault and audit tests, loaded with ``pytest_plugins = ["_store_fixtures"]``.

``store_url`` (and everything built on it) runs once on SQLite and once on PostgreSQL. The
PostgreSQL server comes from ``GDPRGUARD_TEST_POSTGRES_URL``; each test gets a fresh schema that
is dropped afterwards. Without that variable the PostgreSQL half is skipped, except under CI
(``CI`` set), where it fails.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from gdprguard.store import Store
from gdprguard.vault import FileKeyProvider, Vault

POSTGRES_ENV = "GDPRGUARD_TEST_POSTGRES_URL"


def postgres_admin_url() -> str:
    """The PostgreSQL URL from the environment, or skip (fail under CI) when it is unset."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        message = (
            f"{POSTGRES_ENV} is not set; export it (e.g. postgresql+psycopg://gdprguard_test:"
            "gdprguard_test@127.0.0.1:5432/gdprguard_test) to run the PostgreSQL half"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def home() -> Path:
    """This test's GDPRGUARD_HOME (set by tests/conftest.py)."""
    return Path(os.environ["GDPRGUARD_HOME"])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, home: Path) -> Iterator[str]:
    """A database URL for a fresh, empty database: a SQLite file or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{home / 'gdprguard.db'}"
        return
    admin_url = postgres_admin_url()
    schema = f"gg_test_{secrets.token_hex(6)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL at {POSTGRES_ENV} is not reachable: {exc.orig}")
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated store on SQLite or PostgreSQL."""
    instance = Store(store_url)
    yield instance
    instance.close()


@pytest.fixture
def vault(store: Store, home: Path) -> Vault:
    """A vault with the file key provider under GDPRGUARD_HOME."""
    return Vault(store, FileKeyProvider(home / "master.key"))


@pytest.fixture
def drop_audit_triggers() -> Callable[[Store], None]:
    """The helper below, as a fixture (test modules must not import this plugin module)."""
    return _drop_audit_triggers


def _drop_audit_triggers(store: Store) -> None:
    """What an attacker with DDL rights does first: remove the append-only triggers."""
    with store.engine.begin() as connection:
        if store.dialect == "postgresql":
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        else:
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")


def initialise_store(url: str, home: Path) -> None:
    """What ``gdprguard init`` does to a database: migrate it and create the vault's system keys
    (under the file master key in *home*, generated if missing)."""
    with Store(url) as store:
        Vault(store, FileKeyProvider(home / "master.key"), checkpoint_dir=home).initialise()


@pytest.fixture
def store_config(store_url: str, home: Path) -> Path:
    """A gdprguard.toml in the working directory pointing ``[store] url`` at this test's store,
    initialised as ``gdprguard init`` would (commands refuse an uninitialised store)."""
    path = home / "gdprguard.toml"
    path.write_text(f'[store]\nurl = "{store_url}"\n', encoding="utf-8")
    initialise_store(store_url, home)
    return path


@pytest.fixture
def initialised_home(home: Path) -> Path:
    """This test's home, set up by ``gdprguard init --non-interactive`` (SQLite, file key)."""
    from gdprguard.cli.main import main

    assert main(["init", "--non-interactive"]) == 0
    return home
