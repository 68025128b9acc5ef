"""Authenticators: ``requests`` ``AuthBase`` classes that add one header and hide their secret."""

from __future__ import annotations

import base64

import requests
from requests.auth import AuthBase

__all__ = ["BearerAuth", "FreshdeskKeyAuth", "ZendeskTokenAuth"]


def _basic(user: str, password: str) -> str:
    raw = f"{user}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


class _HeaderAuth(AuthBase):
    """Sets ``Authorization`` to a precomputed value; ``repr`` never shows it."""

    def __init__(self, header_value: str) -> None:
        self._header_value = header_value

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header_value
        return request

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<hidden>)"

    def __reduce__(self) -> str:  # pragma: no cover - make pickling (and leaking) awkward
        raise TypeError(f"{type(self).__name__} holds a secret and cannot be pickled")


class ZendeskTokenAuth(_HeaderAuth):
    """Zendesk API-token auth: ``Basic base64("{email}/token:{api_token}")``."""

    def __init__(self, email: str, token: str) -> None:
        super().__init__(_basic(f"{email}/token", token))


class BearerAuth(_HeaderAuth):
    """OAuth bearer token (Zendesk OAuth clients)."""

    def __init__(self, token: str) -> None:
        super().__init__(f"Bearer {token}")


class FreshdeskKeyAuth(_HeaderAuth):
    """Freshdesk API-key auth: ``Basic base64("{api_key}:X")`` (the password is ignored)."""

    def __init__(self, api_key: str) -> None:
        super().__init__(_basic(api_key, "X"))
