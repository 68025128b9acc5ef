"""Build the configured key provider from ``[keys]``."""

from __future__ import annotations

from pathlib import Path

from .._config import KeysConfig, resolve_secret
from .._exceptions import ConfigError
from .._home import home_dir
from ._providers import EnvKeyProvider, FileKeyProvider, KeyProvider
from ._transit import VaultTransitKeyProvider

__all__ = ["master_key_path", "provider_from_settings"]


def master_key_path(keys: KeysConfig) -> Path:
    """The file provider's primary key file: ``[keys] file``, else ``<home>/master.key``."""
    return Path(keys.file).expanduser() if keys.file else home_dir(create=False) / "master.key"


def provider_from_settings(keys: KeysConfig, *, create: bool = True) -> KeyProvider:
    """The provider named by ``[keys] provider`` (``file`` by default).

    ``create=False`` makes the file provider refuse to generate a missing master key file (every
    command but ``gdprguard init``); the other providers never create keys on their own.
    """
    if keys.provider == "file":
        return FileKeyProvider(master_key_path(keys), create=create)
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
