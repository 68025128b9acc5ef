"""Fixtures for the web console's tests (``pytest_plugins = ["_console_fixtures"]``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _console_helpers import Clock, make_console
from gdprguard.console import Console, create_app


@pytest.fixture
def clock() -> Clock:
    """The console's clock."""
    return Clock()


@pytest.fixture
def console(home: Path, clock: Clock) -> Iterator[Console]:
    """A console without helpdesks, with an officer and an admin account."""
    instance = make_console(home, clock=clock)
    yield instance
    instance.jobs.wait(30)
    instance.vault.close()


@pytest.fixture
def client(console: Console) -> Any:
    """A test client of the console's app."""
    return create_app(console).test_client()
