"""Setting up helpdesk connectors: the checks and configuration-file edits behind
``gdprguard connector add`` and the console's connector pages.

Both front ends run the same steps, in the same order, with the same messages (apart from how a
message names an input: a flag such as ``--url`` on the command line, a form field in the
console, see :class:`Wording`)::

    cfg = connector_config("support", "zendesk", url, email, "env:ZENDESK_TOKEN")
    text = connector_file_text(path, "support", cfg, replace=False)  # refuses duplicates
    check_connector("support", cfg)                                  # credentials, admin rights
    write_atomically(path, text)

Tokens are never written in clear text: a connector's token must be an ``env:VAR`` reference,
which is a name, not a secret.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ConfigDict, ValidationError

from .._config import ConnectorConfig
from .._config_file import (
    read_config_text,
    validated_settings,
    with_block_appended,
    with_table_removed,
    write_atomically,
)
from .._exceptions import (
    AuthenticationError,
    ConfigError,
    HelpdeskError,
    NotFoundError,
    PermissionDeniedError,
    UsageError,
)
from .base import HelpdeskConnector
from .http import RetryPolicy
from .registry import build_connector, connector_types

__all__ = [
    "CLI_WORDING",
    "CONNECTOR_NAME",
    "TOKEN_REFERENCE",
    "Wording",
    "check_connector",
    "connector_config",
    "connector_file_text",
    "connector_removed_text",
    "validate_connector_name",
    "validate_token_reference",
    "write_atomically",
]

#: what a connector's name may be (it becomes ``[connectors.NAME]``)
CONNECTOR_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: a token written as the environment variable that holds it
TOKEN_REFERENCE = re.compile(r"^env:[A-Za-z_][A-Za-z0-9_]*$")
# A check should answer in seconds, not after a long backoff ladder.
_CHECK_RETRY = RetryPolicy(
    max_attempts=2, max_throttled=3, backoff_base=0.5, backoff_max=2.0, max_retry_after=10.0
)
_CHECK_TIMEOUT = (5.0, 20.0)


class Wording(BaseModel):
    """How messages name the inputs of the front end that asks (the command line's flags by
    default)."""

    model_config = ConfigDict(frozen=True)

    field: str = "--{name}"
    token_example: str = "`--token env:ZENDESK_TOKEN`"
    replace: str = "pass --replace to overwrite it"

    def name(self, field: str) -> str:
        """How the input behind setting *field* is named, e.g. ``--url``."""
        return self.field.format(name=field)


#: the command line's wording: its flags
CLI_WORDING = Wording()


def validate_connector_name(name: str) -> str:
    """*name* if it can be a ``[connectors.NAME]`` section, else a UsageError."""
    if not CONNECTOR_NAME.match(name):
        raise UsageError(
            "connector name must be 1-64 letters, digits, '-' or '_' (it becomes [connectors.NAME])"
        )
    return name


def validate_token_reference(token: str, wording: Wording = CLI_WORDING) -> str:
    """*token* if it is an ``env:VAR`` reference; a UsageError (never echoing it) otherwise."""
    if not TOKEN_REFERENCE.match(token):
        raise UsageError(
            "refusing to write a token in clear text to the configuration file; export it and "
            f"pass its variable instead, e.g. `export ZENDESK_TOKEN=...` then "
            f"{wording.token_example}"
        )
    return token


def connector_config(
    name: str,
    type_: str,
    url: str,
    email: str | None,
    token: str,
    *,
    allow_insecure_http: bool = False,
    wording: Wording = CLI_WORDING,
) -> ConnectorConfig:
    """A validated ``[connectors.NAME]`` section: a good name, an ``env:`` token, a known type,
    a well-formed URL, and no plain ``http://`` off this machine unless allowed."""
    validate_connector_name(name)
    validate_token_reference(token, wording)
    if type_ not in connector_types():
        raise ConfigError(
            f"unknown connector type {type_!r}; known types: {', '.join(connector_types())}"
        )
    try:
        cfg = ConnectorConfig(
            type=type_, url=url, email=email, token=token, allow_insecure_http=allow_insecure_http
        )
    except ValidationError as exc:
        problems = "; ".join(f"{wording.name(str(e['loc'][0]))}: {e['msg']}" for e in exc.errors())
        raise UsageError(f"invalid connector settings: {problems}") from None
    cfg.require_secure_transport(name)
    return cfg


def connector_file_text(
    path: Path,
    name: str,
    cfg: ConnectorConfig,
    *,
    replace: bool,
    wording: Wording = CLI_WORDING,
) -> str:
    """The text of *path* with ``[connectors.NAME]`` added (validated; nothing is written).

    A new section is appended verbatim (comments and layout survive); replacing an existing one
    rewrites the file through tomli-w (comments are lost, values kept).
    """
    existing = read_config_text(path)
    current = validated_settings(path, existing)
    # Only what differs from the defaults: no `email` when unset, no `allow_insecure_http = false`.
    section = cfg.model_dump(exclude_defaults=True)
    if name in current.connectors:
        if not replace:
            raise UsageError(f"connector {name!r} already exists in {path}; {wording.replace}")
        raw = tomllib.loads(existing)
        raw.setdefault("connectors", {})[name] = section
        text = tomli_w.dumps(raw)
    else:
        text = with_block_appended(existing, tomli_w.dumps({"connectors": {name: section}}))
    validated_settings(path, text)
    return text


def connector_removed_text(path: Path, name: str) -> str:
    """The text of *path* without ``[connectors.NAME]`` (validated; nothing is written)."""
    existing = read_config_text(path)
    current = validated_settings(path, existing)
    if name not in current.connectors:
        known = ", ".join(sorted(current.connectors)) or "none configured"
        raise ConfigError(f"no connector named {name!r} in {path} (known: {known})")
    return with_table_removed(path, existing, ("connectors", name))


def check_connector(
    name: str, cfg: ConnectorConfig, *, wording: Wording = CLI_WORDING
) -> dict[str, Any]:
    """Verify credentials and admin rights; raises HelpdeskError with a clear message."""
    connector: HelpdeskConnector = build_connector(
        name, cfg, retry=_CHECK_RETRY, timeout=_CHECK_TIMEOUT
    )
    try:
        who = connector.verify()
    except AuthenticationError as exc:
        where = cfg.token if cfg.token.startswith("env:") else "token"
        what = f"the email and the token in {where}" if cfg.email else f"the key/token in {where}"
        raise AuthenticationError(
            f"connector {name}: the helpdesk at {cfg.url} rejected the credentials (401); "
            f"check {what}",
            status=exc.status,
        ) from None
    except PermissionDeniedError as exc:
        raise PermissionDeniedError(
            f"connector {name}: the credentials are valid but lack permission (403); gdprguard "
            "needs an admin account's API token",
            status=exc.status,
        ) from None
    except NotFoundError as exc:
        raise NotFoundError(
            f"connector {name}: {cfg.url} does not look like a {cfg.type} helpdesk ({exc}); "
            f"check {wording.name('url')} (the base URL, e.g. https://acme.zendesk.com)",
            status=exc.status,
        ) from None
    except HelpdeskError as exc:
        raise type(exc)(f"connector {name}: {exc}", status=exc.status) from None
    finally:
        connector.close()
    if not who.is_admin:
        raise PermissionDeniedError(
            f"connector {name}: authenticated as user {who.id} (role {who.role}), which lacks "
            "admin rights; gdprguard needs an admin account's API token (exports, deletion and "
            "redaction are admin-only)"
        )
    return {"user_id": who.id, "role": who.role, "is_admin": who.is_admin}
