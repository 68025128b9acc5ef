"""What the console's pages work with: the vault, the configured helpdesks, the policy, the
accounts, sessions and background jobs, the exports waiting for download, and the audit trail
of what each user saw and did."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
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
from ._jobs import Jobs, Tick
from ._oidc import OidcConfig
from ._sessions import LoginThrottle, SessionPolicy, Sessions

__all__ = ["HOUSEKEEPING_ACTOR", "Console", "ConsoleConfig", "actor_for"]

log = logging.getLogger("gdprguard.console")

#: the audit log's actor for what the console does on its own (deleting expired exports)
HOUSEKEEPING_ACTOR = "console"
#: how often the console looks for expired exports
HOUSEKEEPING_SECONDS = 600.0


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
    config_path: Path | None = Field(
        default=None,
        description="the configuration file the admin pages change (connectors, [dsar] "
        "policy); None: they only show it",
    )
    policy_dir: Path | None = Field(
        default=None, description="the folder of policy files the admin pages manage"
    )
    export_ttl_hours: int = Field(
        default=24, ge=1, description="hours an export waits for download before it is deleted"
    )


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
        self.policy_source = config.policy_name
        #: held while the configuration file or a policy file is being changed
        self.config_lock = threading.Lock()
        config.exports_dir.mkdir(parents=True, mode=0o700, exist_ok=True)

    # -- what the admin pages change ----------------------------------------------------------

    def use_connectors(self, connectors: Mapping[str, ConnectorConfig]) -> None:
        """Work with *connectors* from now on (the configuration file changed)."""
        self.connector_configs = dict(connectors)  # one assignment: readers see old or new

    def use_policy(self, policy: Policy, source: str) -> None:
        """Honour *policy* (read from *source*) from now on."""
        self.policy, self.policy_source = policy, source

    # -- helpdesks and services ---------------------------------------------------------------

    def build_connectors(self, names: list[str] | None = None) -> dict[str, HelpdeskConnector]:
        """Fresh connectors (each operation gets its own HTTP sessions; close them after)."""
        configs = self.connector_configs
        chosen = names if names is not None else sorted(configs)
        return {
            name: build_connector(name, configs[name], **self.connector_options) for name in chosen
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

    # -- exports waiting for download ---------------------------------------------------------

    @property
    def export_ttl(self) -> timedelta:
        """How long an export waits for download."""
        return timedelta(hours=self.config.export_ttl_hours)

    def mark_exported(self, path: Path) -> None:
        """Date *path* by the console's clock (its age decides when it is deleted)."""
        moment = self.clock().timestamp()
        os.utime(path, (moment, moment))

    def export_expires_at(self, request_id: str) -> datetime | None:
        """When the request's export will be deleted (None: there is none)."""
        try:
            written = self.export_path(request_id).stat().st_mtime
        except FileNotFoundError:
            return None
        return datetime.fromtimestamp(written, UTC) + self.export_ttl

    def delete_export(self, request_id: str, user_name: str) -> bool:
        """Delete the request's export (audited); False when there was none."""
        path = self.export_path(request_id)
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return False
        self.audit(user_name, "console.export-delete", [f"dsar:{request_id}"], {"bytes": size})
        return True

    def expire_exports(self) -> int:
        """Delete the exports older than ``export_ttl_hours`` (audited); how many went."""
        oldest = (self.clock() - self.export_ttl).timestamp()
        deleted = 0
        for path in sorted(self.config.exports_dir.glob("*.zip")):
            try:
                written = path.stat().st_mtime
                if written > oldest:
                    continue
                path.unlink()
            except FileNotFoundError:  # deleted meanwhile (downloaded and deleted by hand)
                continue
            hours = int((self.clock().timestamp() - written) // 3600)
            self.vault.audit.append(
                HOUSEKEEPING_ACTOR, "console.export-expire", [f"dsar:{path.stem}"], "console",
                {"age_hours": hours, "ttl_hours": self.config.export_ttl_hours},
            )  # fmt: skip
            deleted += 1
        if deleted:
            log.info("console: %d expired export(s) deleted", deleted)
        return deleted

    def start_housekeeping(
        self, *, seconds: float = HOUSEKEEPING_SECONDS, tick: Tick | None = None
    ) -> None:
        """Delete expired exports now, then every *seconds* until ``jobs.stop()``."""
        self.expire_exports()
        self.jobs.every("exports", seconds, self.expire_exports, tick=tick)

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
