"""What the console's pages work with: the vault, the configured helpdesks, the policy, the
accounts, sessions and background jobs, and the audit trail of what each user saw and did."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from pydantic import BaseModel, ConfigDict, Field

from .._config import ConnectorConfig
from ..connectors import HelpdeskConnector, build_connector
from ..detect import Detector
from ..dsar.service import DsarService
from ..policy import Policy
from ..vault import Vault
from ._accounts import Accounts
from ._jobs import Jobs
from ._oidc import OidcConfig
from ._sessions import LoginThrottle, SessionPolicy, Sessions

__all__ = ["Console", "ConsoleConfig", "actor_for"]


def _now() -> datetime:
    return datetime.now(UTC)


def actor_for(user_name: str) -> str:
    """The audit log's actor for a console account."""
    return f"console:{user_name}"


class ConsoleConfig(BaseModel):
    """How the console runs (the command line builds it)."""

    model_config = ConfigDict(frozen=True)

    exports_dir: Path = Field(description="where export files wait to be downloaded")
    secure_cookies: bool = Field(
        default=True, description="cookies only over HTTPS (loopback http:// counts as secure)"
    )
    sessions: SessionPolicy = SessionPolicy()
    oidc: OidcConfig | None = None
    policy_name: str | None = Field(default=None, description="the DSAR policy's file name")
    controller: str | None = None


class Console:
    """The services behind the pages; one per process, shared by its threads."""

    def __init__(
        self,
        vault: Vault,
        connectors: Mapping[str, ConnectorConfig],
        config: ConsoleConfig,
        *,
        policy: Policy | None = None,
        detector: Detector | None = None,
        clock: Callable[[], datetime] = _now,
        connector_options: Mapping[str, Any] | None = None,
        password_hasher: PasswordHasher | None = None,
    ) -> None:
        self.vault = vault
        self.store = vault.store
        self.connector_configs = dict(connectors)
        self.config = config
        self.policy = policy
        self.detector = detector or Detector()
        self.clock = clock
        self.connector_options = dict(connector_options or {})
        self.accounts = Accounts(self.store, clock=clock, hasher=password_hasher)
        self.sessions = Sessions(self.store, config.sessions, clock=clock)
        throttle_key = hmac.new(
            vault.keyring.system_secret("subject-index"),
            b"gdprguard console sign-in throttle",
            hashlib.sha256,
        ).digest()
        self.throttle = LoginThrottle(self.store, throttle_key, config.sessions, clock=clock)
        self.jobs = Jobs()
        self.last_verify: tuple[datetime, Any] | None = None
        config.exports_dir.mkdir(parents=True, mode=0o700, exist_ok=True)

    # -- helpdesks and services ---------------------------------------------------------------

    def build_connectors(self, names: list[str] | None = None) -> dict[str, HelpdeskConnector]:
        """Fresh connectors (each operation gets its own HTTP sessions; close them after)."""
        chosen = names if names is not None else sorted(self.connector_configs)
        return {
            name: build_connector(name, self.connector_configs[name], **self.connector_options)
            for name in chosen
        }

    @contextmanager
    def dsar(
        self, user_name: str, progress: Callable[[str, int, int | None], None] | None = None
    ) -> Iterator[DsarService]:
        """A DSAR service acting as *user_name* over every configured helpdesk."""
        built = self.build_connectors()
        try:
            yield DsarService(
                self.vault,
                built,
                detector=self.detector,
                policy=self.policy,
                controller=self.config.controller,
                actor=actor_for(user_name),
                clock=self.clock,
                progress=progress,
            )
        finally:
            for connector in built.values():
                connector.close()

    def export_path(self, request_id: str) -> Path:
        """Where the console keeps a request's export until it is downloaded."""
        return self.config.exports_dir / f"{request_id}.zip"

    # -- the audit trail ----------------------------------------------------------------------

    def audit(
        self,
        user_name: str,
        action: str,
        targets: list[str],
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Record what a console user saw or did (ids and counts, never the data itself)."""
        self.vault.audit.append(actor_for(user_name), action, targets, "console", details)
