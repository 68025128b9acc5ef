"""Build the configured key provider from ``[keys]``."""

from __future__ import annotations

from pathlib import Path

from .._config import KeysConfig, resolve_secret
from .._exceptions import ConfigError
from .._home import home_dir
from ._providers import EnvKeyProvider, FileKeyProvider, KeyProvider
from ._transit import VaultTransitKeyProvider

__all__ = ["provider_from_settings"]


def provider_from_settings(keys: KeysConfig) -> KeyProvider:
    """The provider named by ``[keys] provider`` (``file`` by default)."""
    if keys.provider == "file":
        path = Path(keys.file).expanduser() if keys.file else home_dir() / "master.key"
        return FileKeyProvider(path)
    if keys.provider == "env":
        return EnvKeyProvider(keys.env)
    if not keys.vault_url or not keys.vault_token:
        raise ConfigError(
            "[keys] provider = 'vault-transit' needs vault_url and vault_token "
            '(e.g. vault_token = "env:VAULT_TOKEN")'
        )
    return VaultTransitKeyProvider(
        resolve_secret(keys.vault_url, where="[keys] vault_url"),
        resolve_secret(keys.vault_token, where="[keys] vault_token"),
        key=keys.vault_key,
        mount=keys.vault_mount,
        allow_insecure_http=keys.allow_insecure_http,
    )
