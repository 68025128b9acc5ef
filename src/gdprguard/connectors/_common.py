"""Small helpers shared by the built-in connectors (id/phone normalisation, job polling)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .._config import ConnectorConfig, resolve_secret
from .._exceptions import ConfigError
from ..text.phone import phone_matches
from .http import Clock, HttpClient, RateBudget, RetryPolicy

__all__ = [
    "ApiV2Connector",
    "build_http",
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
) -> HttpClient:
    """An :class:`HttpClient` for ``[connectors.NAME]`` (options override the defaults).

    Refuses a plain ``http://`` URL off this machine unless the section allows it.
    """
    config.require_secure_transport(name)
    kwargs: dict[str, Any] = {"clock": clock, "retry": retry, "budget": budget}
    if timeout is not None:
        kwargs["timeout"] = timeout
    return HttpClient(config.url, auth, **kwargs)


def secret(config: ConnectorConfig, name: str) -> str:
    """The connector's token with ``env:`` resolved."""
    return resolve_secret(config.token, where=f"[connectors.{name}] token")
