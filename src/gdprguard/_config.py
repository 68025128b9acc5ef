"""Settings: ``gdprguard.toml`` (or ``--config PATH`` / ``GDPRGUARD_CONFIG``) validated by pydantic.

Every secret may be written as ``env:VAR_NAME`` and is then read from the environment when used,
never when the file is parsed, so a missing variable only matters to the command that needs it.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._exceptions import ConfigError
from ._home import home_dir

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG_NAME",
    "ConnectorConfig",
    "DetectionConfig",
    "KeysConfig",
    "Settings",
    "StoreConfig",
    "find_config_path",
    "insecure_http_host",
    "is_loopback_host",
    "load_settings",
    "resolve_secret",
]

DEFAULT_CONFIG_NAME = "gdprguard.toml"
CONFIG_ENV = "GDPRGUARD_CONFIG"


def resolve_secret(value: str, *, where: str = "configuration") -> str:
    """Return *value*, or the environment variable it names when written as ``env:VAR``."""
    if not value.startswith("env:"):
        return value
    var = value[4:].strip()
    if not var:
        raise ConfigError(f"{where}: 'env:' must be followed by a variable name, e.g. env:MY_TOKEN")
    try:
        return os.environ[var]
    except KeyError:
        raise ConfigError(
            f"{where} refers to environment variable {var}, which is not set; "
            f"export {var}=... before running gdprguard"
        ) from None


def is_loopback_host(host: str | None) -> bool:
    """Whether *host* is this machine's loopback: ``localhost``, 127.0.0.0/8 or ``::1``."""
    if not host:
        return False
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def insecure_http_host(url: str) -> str | None:
    """The host of a plain ``http://`` URL that leaves this machine, else ``None``.

    The URL is read both by Python's parser and by urllib3's (which ``requests`` uses); it counts
    as loopback only when both agree, so a URL such as ``http://evil\\@127.0.0.1`` cannot pass.
    """
    from urllib3.util import parse_url  # comes with requests; only needed here

    try:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() != "http":
            return None
        ours, theirs = parts.hostname, parse_url(url.strip()).host
    except ValueError:
        return "(unparsable host)"
    for host in (ours, theirs):
        if not is_loopback_host(host):
            return host or "(no host)"
    return None


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(_Section):
    """``[store]``: where gdprguard keeps its own state."""

    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default sqlite under GDPRGUARD_HOME. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db (the password may be env:VAR).",
    )

    def resolved_url(self) -> str:
        """The database URL with defaults and ``env:`` references applied."""
        if self.url is None:
            return f"sqlite:///{(home_dir() / 'gdprguard.db').resolve()}"
        return resolve_secret(self.url, where="[store] url")


class KeysConfig(_Section):
    """``[keys]``: which master-key provider protects the vault."""

    provider: Literal["file", "env", "vault-transit"] = "file"
    file: str | None = Field(
        default=None, description="key file; default GDPRGUARD_HOME/master.key"
    )
    env: str = Field(default="GDPRGUARD_MASTER_KEY", description="variable holding a base64 key")
    vault_url: str | None = None
    vault_token: str | None = None
    vault_key: str = "gdprguard"
    vault_mount: str = "transit"
    allow_insecure_http: bool = Field(
        default=False,
        description="allow an http:// vault_url that is not loopback (the token and data keys "
        "then cross the network unencrypted)",
    )
    retired_key_grace_days: int = Field(
        default=7,
        ge=0,
        description="days a retired master key is kept before `keys retire` or the next "
        "rotation destroys it (if still nothing uses it)",
    )


class DetectionConfig(_Section):
    """``[detection]``: detector options."""

    spacy_model: str | None = Field(
        default=None, description="an installed spaCy English model to use for PERSON/LOCATION"
    )
    pseudonym_key: str | None = Field(
        default=None, description="key for pseudonym tokens (env:VAR); default a generated key file"
    )
    min_score: float = Field(default=0.5, ge=0.0, le=1.0)


class ConnectorConfig(_Section):
    """``[connectors.NAME]``: one helpdesk account."""

    type: str
    url: str
    email: str | None = None
    token: str
    allow_insecure_http: bool = Field(
        default=False,
        description="allow an http:// url that is not loopback (the token and the helpdesk's "
        "personal data then cross the network unencrypted)",
    )

    @field_validator("url")
    @classmethod
    def _url_has_scheme(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// for a local sandbox)")
        return value.rstrip("/")

    def require_secure_transport(self, name: str) -> None:
        """Refuse a plain ``http://`` url off this machine unless ``allow_insecure_http`` is set."""
        host = insecure_http_host(self.url)
        if host is None or self.allow_insecure_http:
            return
        raise ConfigError(
            f"connector {name}: url uses plain http:// to {host}, which is not this machine's "
            "loopback, so the helpdesk token and the personal data it returns would cross the "
            "network unencrypted; use https://, or, only on a network you trust, set "
            f"allow_insecure_http = true in [connectors.{name}] (connector add: "
            "--allow-insecure-http)"
        )


class Settings(_Section):
    """The whole configuration file."""

    store: StoreConfig = StoreConfig()
    keys: KeysConfig = KeysConfig()
    detection: DetectionConfig = DetectionConfig()
    connectors: dict[str, ConnectorConfig] = Field(default_factory=dict)


def find_config_path(explicit: Path | None = None) -> Path | None:
    """``--config`` wins, then ``$GDPRGUARD_CONFIG``, then ``./gdprguard.toml`` if it exists."""
    if explicit is not None:
        return explicit
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    default = Path(DEFAULT_CONFIG_NAME)
    return default if default.exists() else None


def load_settings(explicit: Path | None = None) -> Settings:
    """Load and validate the configuration; embedded defaults when there is no file."""
    path = find_config_path(explicit)
    if path is None:
        return Settings()
    if not path.is_file():
        raise ConfigError(
            f"configuration file {path} does not exist; create it or drop --config/{CONFIG_ENV}"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"[{'.'.join(str(p) for p in err['loc'])}] {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None
