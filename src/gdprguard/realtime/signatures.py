"""Who may call the webhook receiver: Zendesk's signature, Freshdesk's shared secret, replays.

Zendesk signs each call: ``X-Zendesk-Webhook-Signature`` is base64(HMAC-SHA256(secret,
timestamp + raw body)) with the timestamp in ``X-Zendesk-Webhook-Signature-Timestamp``. A call
is accepted only if the signature matches (constant-time), the timestamp is recent (5 minutes
either way), and the same signature was not accepted before (a replay). Freshdesk sends no
signature: an automation rule carries a secret in a header (and optionally basic auth), compared
in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = [
    "MAX_AGE",
    "SECRET_HEADER",
    "SignatureError",
    "verify_shared_secret",
    "verify_zendesk",
    "zendesk_signature",
]

#: how far a signed timestamp may be from now (either way)
MAX_AGE = timedelta(minutes=5)
#: the header a Freshdesk automation rule sends the shared secret in
SECRET_HEADER = "X-Gdprguard-Secret"
_SIGNATURE = "X-Zendesk-Webhook-Signature"
_TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"


class Headers(Protocol):
    """Case-insensitive header lookup (the web framework's request headers)."""

    def get(self, key: str) -> str | None: ...


class SignatureError(Exception):
    """The call is not authentic; ``reason`` is a short code for logs and metrics."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The signature Zendesk sends for *body* at *timestamp*."""
    mac = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def _parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SignatureError("bad-timestamp") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def verify_zendesk(secret: str, headers: Headers, body: bytes, now: datetime) -> str:
    """Check a Zendesk call; returns the signature (to record against replays)."""
    signature = headers.get(_SIGNATURE)
    timestamp = headers.get(_TIMESTAMP)
    if not signature or not timestamp:
        raise SignatureError("missing-signature")
    try:
        given = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("bad-signature") from None
    expected = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    if not hmac.compare_digest(given, expected):
        raise SignatureError("bad-signature")
    if abs(now - _parse_time(timestamp)) > MAX_AGE:
        raise SignatureError("stale-timestamp")
    return signature


def verify_shared_secret(
    secret: str,
    headers: Headers,
    *,
    basic_auth: tuple[str, str] | None = None,
    given_auth: tuple[str, str] | None = None,
) -> None:
    """Check a Freshdesk call: the secret header, and basic auth when configured."""
    got = headers.get(SECRET_HEADER)
    if not got:
        raise SignatureError("missing-secret")
    if not hmac.compare_digest(got.encode(), secret.encode()):
        raise SignatureError("bad-secret")
    if basic_auth is not None:
        if given_auth is None:
            raise SignatureError("missing-basic-auth")
        user_ok = hmac.compare_digest(given_auth[0].encode(), basic_auth[0].encode())
        password_ok = hmac.compare_digest(given_auth[1].encode(), basic_auth[1].encode())
        if not (user_ok and password_ok):
            raise SignatureError("bad-basic-auth")
