"""Settings: ``gdprguard.toml`` (or ``--config PATH`` / ``GDPRGUARD_CONFIG``) validated by pydantic.

Every secret may be written as ``env:VAR_NAME`` and is then read from the environment when used,
never when the file is parsed, so a missing variable only matters to the command that needs it.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._exceptions import ConfigError
from ._home import home_dir

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG_NAME",
    "ConnectorConfig",
    "DetectionConfig",
    "DsarConfig",
    "HomeConfig",
    "KeysConfig",
    "ServeConfig",
    "Settings",
    "StoreConfig",
    "WebConsoleConfig",
    "find_config_path",
    "format_validation_error",
    "insecure_http_host",
    "is_loopback_host",
    "load_settings",
    "parse_retry_after",
    "resolve_secret",
]

DEFAULT_CONFIG_NAME = "gdprguard.toml"
CONFIG_ENV = "GDPRGUARD_CONFIG"
_ENV_REFERENCE = re.compile(r"^env:[A-Za-z_][A-Za-z0-9_]*$")


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


class HomeConfig(_Section):
    """``[home]``: where gdprguard keeps its state when neither ``--home`` nor
    ``$GDPRGUARD_HOME`` says otherwise."""

    path: str | None = Field(
        default=None,
        description="the home directory; a relative path is relative to this file's directory",
    )


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
            return f"sqlite:///{(home_dir(create=False) / 'gdprguard.db').resolve()}"
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


class DsarConfig(_Section):
    """``[dsar]``: how data-subject requests are answered."""

    policy: str | None = Field(
        default=None,
        description="the retention policy whose legal holds erasures honour and whose rules the "
        "subject's report explains (a path; relative to the working directory)",
    )
    controller: str | None = Field(
        default=None,
        max_length=300,
        description="who holds the data, as the subject's report names it (e.g. the company)",
    )


class WebConsoleConfig(_Section):
    """``[console]``: how ``gdprguard console`` runs (its command-line flags win)."""

    host: str = Field(default="127.0.0.1", min_length=1, description="address to listen on")
    port: int = Field(default=8081, ge=0, le=65535, description="port to listen on")
    public_url: str | None = Field(
        default=None,
        description="the console's URL as browsers reach it (the identity provider's redirect "
        "goes to PUBLIC_URL/oidc/callback); default http://HOST:PORT",
    )
    idle_minutes: int = Field(default=30, ge=1, le=24 * 60, description="idle session timeout")
    session_hours: int = Field(default=12, ge=1, le=24 * 7, description="session lifetime")
    oidc_issuer: str | None = Field(default=None, description="OpenID Connect issuer URL")
    oidc_client_id: str | None = Field(default=None, description="the console's client id")
    oidc_client_secret: str | None = Field(
        default=None, description="env:VAR naming the variable that holds the client secret"
    )
    export_ttl_hours: int = Field(
        default=24,
        ge=1,
        le=24 * 90,
        description="hours an export waits for download before it is deleted",
    )

    @field_validator("public_url", "oidc_issuer")
    @classmethod
    def _web_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be a URL starting with https://")
        return value

    @field_validator("oidc_client_secret")
    @classmethod
    def _secret_from_env(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_REFERENCE.match(value):
            raise ValueError(
                'write the variable that holds the secret, e.g. "env:GG_OIDC_SECRET"; a '
                "secret is never kept in this file"
            )
        return value


class ServeConfig(_Section):
    """``[serve]``: how ``gdprguard serve``, the webhook receiver, runs (its flags win)."""

    policy: str | None = Field(
        default=None,
        description="the policy whose `realtime: true` rules apply (a path; relative to the "
        "working directory)",
    )
    host: str = Field(default="127.0.0.1", min_length=1, description="address to listen on")
    port: int = Field(default=8080, ge=0, le=65535, description="port to listen on")
    workers: int = Field(default=2, ge=1, le=64, description="threads processing events")
    worker_processes: int = Field(
        default=0, ge=0, le=64, description="process events in this many worker processes"
    )
    queue_limit: int = Field(default=10_000, ge=1, description="queued events before a 503")
    retry_after: str = Field(
        default="auto", description="Retry-After of a 503: auto (from the drain rate) or seconds"
    )
    retry_after_max: int = Field(
        default=30, ge=1, le=86_400, description="the longest derived Retry-After, seconds"
    )
    catch_up_minutes: float = Field(
        default=10.0, ge=0.1, description="how often the change streams are read for missed events"
    )

    @field_validator("retry_after", mode="before")
    @classmethod
    def _auto_or_seconds(cls, value: object) -> object:
        parse_retry_after(str(value))
        return str(value).strip().lower()


def parse_retry_after(text: str) -> int | None:
    """``auto`` (None: derived from the drain rate) or a whole number of seconds, 1 to 86400;
    a ValueError for anything else."""
    value = text.strip().lower()
    if value == "auto":
        return None
    if value.isdigit() and 1 <= int(value) <= 86_400:
        return int(value)
    raise ValueError('write "auto" or a number of seconds from 1 to 86400')


class Settings(_Section):
    """The whole configuration file."""

    home: HomeConfig = HomeConfig()
    store: StoreConfig = StoreConfig()
    keys: KeysConfig = KeysConfig()
    detection: DetectionConfig = DetectionConfig()
    dsar: DsarConfig = DsarConfig()
    console: WebConsoleConfig = WebConsoleConfig()
    serve: ServeConfig = ServeConfig()
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
    """Load and validate the configuration; embedded defaults when there is no file.

    A relative ``[home] path`` is made absolute against the file's directory.
    """
    path = find_config_path(explicit)
    if path is None:
        return Settings()
    if not path.is_file():
        raise ConfigError(
            f"configuration file {path} does not exist; create it (`gdprguard init` writes one) "
            f"or drop --config/{CONFIG_ENV}"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(path, exc)) from None
    home = settings.home.path
    if home is not None and not Path(home).expanduser().is_absolute():
        absolute = os.path.abspath(path.parent / Path(home))
        settings = settings.model_copy(update={"home": HomeConfig(path=absolute)})
    return settings


def format_validation_error(path: Path, exc: ValidationError) -> str:
    """One line naming each problem in a configuration file, with a suggestion for a typo."""
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        if err["type"] == "extra_forbidden" and loc:
            problems.append(_unknown_key(loc))
        elif err["type"] == "missing" and len(loc) > 1:
            problems.append(f"[{'.'.join(loc[:-1])}] needs the key {loc[-1]!r}")
        else:
            problems.append(f"[{'.'.join(loc)}] {err['msg']}")
    return f"{path}: {'; '.join(problems)}"


def _unknown_key(loc: list[str]) -> str:
    *parent, key = loc
    known = _known_keys(parent)
    if parent:
        where = f"[{'.'.join(parent)}] has no key {key!r}"
    else:
        where = f"[{key}] is not a known section"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listing = f" (known: {', '.join(known)})" if known else ""
    return f"{where}{hint}{listing}"


def _known_keys(parent: list[str]) -> list[str]:
    """The keys allowed at *parent* (a path into :class:`Settings`), for suggestions."""
    model: Any = Settings
    parts = list(parent)
    while parts:
        field = model.model_fields.get(parts.pop(0))
        if field is None:
            return []
        annotation = field.annotation
        if get_origin(annotation) is dict:
            annotation = get_args(annotation)[1]
            if not parts:  # the table of names itself (e.g. [connectors]): any name goes
                return []
            parts.pop(0)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)
