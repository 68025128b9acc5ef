"""Test-suite wide fixtures: every test gets its own GDPRGUARD_HOME and no ambient config.

Five things keep the suite fast without changing what runs: test processes keep the bytecode
they compile (tests/_bytecode.py) and run the garbage collector less often
(tests/_gc_thresholds.py), temporary files live in memory when the machine has a RAM disk
(tests/_memory_tmp.py), a new SQLite store starts as a copy of one migrated database
(tests/_store_template.py), and in-process CLI calls reuse the click command tree Typer built
(tests/_typer_cache.py).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

import _bytecode  # noqa: F401  # first of the suite's own imports: see the module
import _typer_cache
from _gc_thresholds import collect_less_often
from _memory_tmp import use_memory_for_temp_files
from _store_template import MARKER, migrate_from_template
from gdprguard.store import Store


def pytest_configure(config: pytest.Config) -> None:
    """Register the suite's own marker; keep temporary files in memory if possible; collect
    garbage less often; let in-process CLI calls reuse the CLI's command tree (see the module
    docstring). pytest-xdist workers ignore SIGINT (the controller handles Ctrl-C), and
    processes they start inherit that; tests of Ctrl-C need it delivered as in a terminal."""
    config.addinivalue_line(
        "markers", f"{MARKER}: every new SQLite store is migrated by Alembic, not copied"
    )
    use_memory_for_temp_files(config)
    collect_less_often()
    _typer_cache.install()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point GDPRGUARD_HOME at a fresh directory and ignore any ambient gdprguard.toml."""
    home = tmp_path_factory.mktemp("gdprguard-home")
    monkeypatch.setenv("GDPRGUARD_HOME", str(home))
    monkeypatch.delenv("GDPRGUARD_CONFIG", raising=False)
    monkeypatch.chdir(home)
    yield home


@pytest.fixture(autouse=True)
def _stores_from_a_migrated_template(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new SQLite store starts as a copy of a database migrated once per test process, not
    migrated from scratch again (see tests/_store_template.py); ``real_migrations`` opts out."""
    if request.node.get_closest_marker(MARKER) is None:
        monkeypatch.setattr(Store, "migrate", migrate_from_template)
