"""Small helpers shared by the built-in connectors (id/phone normalisation, job polling)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.utils import parseaddr
from typing import Any

from .._config import ConnectorConfig, resolve_secret
from .._exceptions import ConfigError
from ..models import EmailContact
from ..text.phone import phone_matches
from .http import Clock, HttpClient, RateBudget, RetryPolicy
from .ratelimit import EndpointLimits

__all__ = [
    "ApiV2Connector",
    "build_http",
    "mailbox",
    "phone_matches",
    "safe_id",
    "secret",
    "sid",
    "unique",
]


class ApiV2Connector:
    """What the built-in connectors share: a name, one HTTP client, paths under ``/api/v2/``."""

    def __init__(self, name: str, http: HttpClient) -> None:
        self.name = name
        self.http = http

    def close(self) -> None:
        """Release pooled connections."""
        self.http.close()

    @staticmethod
    def _path(path: str) -> str:
        return f"/api/v2/{path.lstrip('/')}"


def sid(value: Any) -> str | None:
    """A helpdesk id as our string id (``None`` stays ``None``)."""
    return None if value is None else str(value)


def unique(values: Iterable[str | None]) -> list[str]:
    """Non-empty values, first occurrence order, no duplicates."""
    out: list[str] = []
    for value in values:
        if value and value not in out:
            out.append(value)
    return out


def mailbox(value: Any) -> EmailContact | None:
    """An address as a mail header writes it (``"Name" <addr>``, ``Name <addr>`` or a bare
    ``addr``; RFC 2047 encoded names decoded) as an :class:`EmailContact`; None unless it holds an
    address."""
    if not isinstance(value, str) or "@" not in value:
        return None
    name, address = parseaddr(value)
    if "@" not in address:
        return None
    if "=?" in name:  # undecodable: keep the encoded form, still the sender's name
        with contextlib.suppress(HeaderParseError, LookupError, UnicodeDecodeError):
            name = str(make_header(decode_header(name)))
    return EmailContact(address=address, name=name.strip() or None)


_ID = re.compile(r"^[A-Za-z0-9_.:-]+$")


def safe_id(value: str, what: str) -> str:
    """Refuse ids that would change the request path (``../``, ``?``)."""
    if not _ID.match(value):
        raise ConfigError(f"{what} id must be letters, digits, '-', '_', '.', ':'; got a bad value")
    return value


def build_http(
    name: str,
    config: ConnectorConfig,
    auth: Any,
    *,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
    timeout: tuple[float, float] | None = None,
    budget: RateBudget | None = None,
    endpoint_limits: EndpointLimits | None = None,
) -> HttpClient:
    """An :class:`HttpClient` for ``[connectors.NAME]`` (options override the defaults).

    Refuses a plain ``http://`` URL off this machine unless the section allows it.
    """
    config.require_secure_transport(name)
    kwargs: dict[str, Any] = {
        "clock": clock, "retry": retry, "budget": budget, "endpoint_limits": endpoint_limits,
    }  # fmt: skip
    if timeout is not None:
        kwargs["timeout"] = timeout
    return HttpClient(config.url, auth, **kwargs)


def secret(config: ConnectorConfig, name: str) -> str:
    """The connector's token with ``env:`` resolved."""
    return resolve_secret(config.token, where=f"[connectors.{name}] token")
