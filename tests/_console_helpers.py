"""Helpers for the web console's tests: a console over a fresh vault, accounts, signing in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from gdprguard._config import ConnectorConfig
from gdprguard.console import Console, ConsoleConfig, OidcConfig, SessionPolicy
from gdprguard.store import Store
from gdprguard.vault import FileKeyProvider, Vault

OFFICER = ("olivia", "officer passphrase one")
ADMIN = ("adam", "admin passphrase number two")
#: argon2id with the smallest cost, so tests sign in in milliseconds (the console's default
#: costs about a second on a loaded two-core machine, as intended)
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A clock the test moves forward (sessions, throttling and the register read it)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_console(
    home: Path,
    connectors: Mapping[str, ConnectorConfig] | None = None,
    *,
    clock: Clock | None = None,
    oidc: OidcConfig | None = None,
    policy: Any = None,
    secure_cookies: bool = False,
    export_ttl_hours: int = 24,
) -> Console:
    """A console over a new vault in *home*, with an officer and an admin account; its admin
    pages change ``home/gdprguard.toml`` and the policies in ``home/policies``."""
    vault = Vault(
        Store(f"sqlite:///{home / 'console.db'}"),
        FileKeyProvider(home / "master.key"),
        checkpoint_dir=home,
    )
    vault.initialise()
    config = ConsoleConfig(
        exports_dir=home / "console-exports",
        secure_cookies=secure_cookies,
        sessions=SessionPolicy(idle_minutes=30, absolute_hours=12),
        oidc=oidc,
        config_path=home / "gdprguard.toml",
        policy_dir=home / "policies",
        export_ttl_hours=export_ttl_hours,
    )
    console = Console(
        vault, connectors or {}, config, policy=policy, clock=clock or Clock(),
        password_hasher=FAST_HASHER,
    )  # fmt: skip
    console.accounts.add(OFFICER[0], "officer", password=OFFICER[1])
    console.accounts.add(ADMIN[0], "admin", password=ADMIN[1])
    return console


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: Any, name: str, password: str) -> Any:
    """Sign in through the form, as a browser does; returns the POST's response."""
    page = client.get("/login")
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": csrf_of(page.text),
              "next": "/requests"},
    )  # fmt: skip
