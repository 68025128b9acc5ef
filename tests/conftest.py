"""Test-suite wide fixtures: every test gets its own GDPRGUARD_HOME and no ambient config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


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
