"""Webhook secrets, sealed in the vault (never in clear in the configuration)."""

from __future__ import annotations

import json
import secrets

from ..vault import Vault

__all__ = [
    "WebhookSecret",
    "forget_webhook_secret",
    "load_webhook_secret",
    "new_shared_secret",
    "save_webhook_secret",
]

_KIND = "webhook-secret"


class WebhookSecret:
    """A connector's webhook secret, and for Freshdesk the optional basic-auth pair."""

    __slots__ = ("basic_auth", "value")

    def __init__(self, value: str, basic_auth: tuple[str, str] | None = None) -> None:
        self.value = value
        self.basic_auth = basic_auth

    def __repr__(self) -> str:  # never print the secret
        return f"WebhookSecret(basic_auth={self.basic_auth is not None})"


def _record_id(connector: str) -> str:
    return f"webhook-secret:{connector}"


def new_shared_secret() -> str:
    """A fresh random secret for a header (Freshdesk)."""
    return secrets.token_urlsafe(32)


def save_webhook_secret(
    vault: Vault,
    connector: str,
    secret: str,
    *,
    basic_auth: tuple[str, str] | None = None,
    actor: str,
) -> None:
    """Seal the connector's webhook secret (replacing an earlier one)."""
    payload = {"secret": secret, "basic_auth": list(basic_auth) if basic_auth else None}
    vault.seal(
        _record_id(connector), json.dumps(payload).encode(), kind=_KIND, replace=True,
        actor=actor, reason="webhook install",
    )  # fmt: skip


def load_webhook_secret(vault: Vault, connector: str) -> WebhookSecret | None:
    """The connector's webhook secret, or None if no webhook was installed for it."""
    record = _record_id(connector)
    if not vault.exists(record):
        return None
    payload = json.loads(vault.open(record))
    auth = payload.get("basic_auth")
    pair = (str(auth[0]), str(auth[1])) if auth else None
    return WebhookSecret(str(payload["secret"]), pair)


def forget_webhook_secret(vault: Vault, connector: str, *, actor: str) -> bool:
    """Destroy the connector's webhook secret (uninstall)."""
    return vault.delete(_record_id(connector), actor=actor, reason="webhook uninstall")
