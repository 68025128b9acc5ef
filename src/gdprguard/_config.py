"""Settings: ``gdprguard.toml`` (or ``--config PATH`` / ``GDPRGUARD_CONFIG``) validated by pydantic.

Every secret may be written as ``env:VAR_NAME`` and is then read from the environment when used,
never when the file is parsed, so a missing variable only matters to the command that needs it.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

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

    @field_validator("url")
    @classmethod
    def _url_has_scheme(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// for a local sandbox)")
        return value.rstrip("/")


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
