"""Test-suite wide fixtures: every test gets its own GDPRGUARD_HOME and no ambient config."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """pytest-xdist workers ignore SIGINT (the controller handles Ctrl-C), and processes they
    start inherit that; tests of Ctrl-C need it delivered as it is in a terminal."""
    del config
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
