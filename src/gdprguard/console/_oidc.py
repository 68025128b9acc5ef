"""Sign-in through the company's identity provider: OpenID Connect, authorization code + PKCE.

The provider is found through its discovery document (``ISSUER/.well-known/openid-configuration``).
Signing in sends the browser to the provider with a fresh ``state``, ``nonce`` and PKCE
challenge (S256); the callback exchanges the code (with the verifier) at the token endpoint and
accepts the ID token only if its signature verifies against the provider's published keys
(RS256 or ES256) and its issuer, audience, expiry and nonce are right. The token's ``sub`` then
names the console account linked to it (``gdprguard user add NAME --oidc-subject SUB``); an
unknown subject is refused, never given an account.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .._config import insecure_http_host
from .._exceptions import ConfigError, GdprGuardError

__all__ = ["OidcClient", "OidcConfig", "OidcError", "PendingSignIn"]

_LEEWAY = 120  # seconds of clock difference tolerated on exp/iat
_PENDING_SECONDS = 600


class OidcError(GdprGuardError):
    """The identity provider's answer could not be accepted (the message says why)."""


class OidcConfig(BaseModel):
    """Where the identity provider is and who the console is to it."""

    model_config = ConfigDict(frozen=True)

    issuer: str = Field(description="the provider's issuer URL (its discovery document's issuer)")
    client_id: str
    client_secret: str | None = Field(
        default=None, description="for a confidential client (sent with HTTP Basic)"
    )
    redirect_url: str = Field(description="this console's public URL of /oidc/callback")
    scopes: str = "openid"
    label: str = Field(default="", description="the provider's name on the sign-in button")

    @field_validator("issuer", "redirect_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an https:// URL")
        if insecure_http_host(value) is not None:
            raise ValueError("must use https:// (plain http:// is accepted on loopback only)")
        return value.rstrip("/")


class PendingSignIn(BaseModel):
    """A sign-in sent to the provider and not yet back."""

    state: str
    nonce: str
    verifier: str
    next_path: str
    created: float


class _Discovery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int(text: str) -> int:
    return int.from_bytes(_b64url_decode(text), "big")


class OidcClient:
    """The console's side of the authorization-code flow with PKCE."""

    def __init__(
        self,
        config: OidcConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        self.config = config
        self.http = session or requests.Session()
        self.clock = clock
        self.timeout = timeout
        self._discovery: _Discovery | None = None
        self._keys: dict[str, Any] = {}
        self._pending: dict[str, PendingSignIn] = {}
        self._lock = threading.Lock()

    # -- provider metadata --------------------------------------------------------------------

    def _get_json(self, url: str, what: str) -> Any:
        if insecure_http_host(url) is not None:
            raise OidcError(f"the identity provider's {what} is not on https://; refused")
        try:
            response = self.http.get(url, timeout=self.timeout)
        except requests.RequestException as exc:
            raise OidcError(
                f"the identity provider could not be reached for its {what} ({type(exc).__name__})"
            ) from None
        if response.status_code != 200:
            raise OidcError(f"the identity provider answered {response.status_code} for its {what}")
        try:
            return response.json()
        except ValueError:
            raise OidcError(f"the identity provider's {what} is not JSON") from None

    def discovery(self) -> _Discovery:
        """The provider's discovery document (fetched once)."""
        if self._discovery is None:
            url = f"{self.config.issuer}/.well-known/openid-configuration"
            try:
                found = _Discovery.model_validate(self._get_json(url, "discovery document"))
            except ValidationError:
                raise OidcError(
                    "the identity provider's discovery document lacks endpoints"
                ) from None
            if found.issuer.rstrip("/") != self.config.issuer:
                raise ConfigError(
                    f"the identity provider says its issuer is {found.issuer}, not "
                    f"{self.config.issuer}; fix --oidc-issuer"
                )
            self._discovery = found
        return self._discovery

    def _key(self, kid: str | None, alg: str) -> Any:
        for refresh in (False, True):
            if refresh or not self._keys:
                document = self._get_json(self.discovery().jwks_uri, "signing keys")
                keys = document.get("keys", []) if isinstance(document, dict) else []
                self._keys = {str(k.get("kid", "")): k for k in keys if isinstance(k, dict)}
            jwk = self._keys.get(kid or "") if kid else next(iter(self._keys.values()), None)
            if jwk is not None:
                return _public_key(jwk, alg)
        raise OidcError("the ID token is signed with a key the identity provider does not publish")

    # -- the flow -----------------------------------------------------------------------------

    def begin(self, next_path: str) -> tuple[str, PendingSignIn]:
        """The provider's authorization URL to send the browser to, and what to expect back."""
        pending = PendingSignIn(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            verifier=secrets.token_urlsafe(48),
            next_path=next_path,
            created=self.clock(),
        )
        challenge = _b64url(hashlib.sha256(pending.verifier.encode("ascii")).digest())
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.config.client_id,
                "redirect_uri": self.config.redirect_url,
                "scope": self.config.scopes,
                "state": pending.state,
                "nonce": pending.nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        endpoint = self.discovery().authorization_endpoint
        with self._lock:
            now = self.clock()
            self._pending = {
                k: v for k, v in self._pending.items() if now - v.created < _PENDING_SECONDS
            }
            self._pending[pending.state] = pending
        separator = "&" if urlsplit(endpoint).query else "?"
        return f"{endpoint}{separator}{query}", pending

    def finish(self, state: str, code: str) -> tuple[dict[str, Any], PendingSignIn]:
        """Exchange the code for tokens and return the ID token's verified claims."""
        with self._lock:
            pending = self._pending.pop(state, None)
        if pending is None or self.clock() - pending.created >= _PENDING_SECONDS:
            raise OidcError("this sign-in is unknown or took too long; start again")
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.config.redirect_url,
            "client_id": self.config.client_id,
            "code_verifier": pending.verifier,
        }
        auth = (
            (self.config.client_id, self.config.client_secret)
            if self.config.client_secret
            else None
        )
        endpoint = self.discovery().token_endpoint
        if insecure_http_host(endpoint) is not None:
            raise OidcError("the identity provider's token endpoint is not on https://; refused")
        try:
            response = self.http.post(endpoint, data=data, auth=auth, timeout=self.timeout)
        except requests.RequestException as exc:
            raise OidcError(
                f"the identity provider could not be reached for the token ({type(exc).__name__})"
            ) from None
        if response.status_code != 200:
            raise OidcError(f"the identity provider refused the code ({response.status_code})")
        try:
            id_token = str(response.json()["id_token"])
        except (ValueError, KeyError, TypeError):
            raise OidcError("the identity provider's answer has no ID token") from None
        return self.verify_id_token(id_token, pending.nonce), pending

    def verify_id_token(self, token: str, nonce: str) -> dict[str, Any]:
        """The claims of *token* after checking signature, issuer, audience, times and nonce."""
        try:
            header_b64, payload_b64, signature_b64 = token.split(".")
            header = json.loads(_b64url_decode(header_b64))
            claims = json.loads(_b64url_decode(payload_b64))
            signature = _b64url_decode(signature_b64)
        except ValueError:
            raise OidcError("the ID token is not a signed JWT") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise OidcError("the ID token is not a signed JWT")
        alg = header.get("alg")
        if alg not in ("RS256", "ES256"):
            raise OidcError(f"the ID token's algorithm {alg!r} is not accepted (RS256, ES256)")
        key = self._key(header.get("kid"), str(alg))
        signed = f"{header_b64}.{payload_b64}".encode("ascii")
        try:
            if alg == "RS256":
                key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            else:
                if len(signature) != 64:
                    raise InvalidSignature
                der = encode_dss_signature(
                    int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
                )
                key.verify(der, signed, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise OidcError("the ID token's signature does not verify") from None
        now = self.clock()
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        problems = [
            (str(claims.get("iss", "")).rstrip("/") != self.config.issuer, "issuer"),
            (self.config.client_id not in audiences, "audience"),
            (
                not isinstance(claims.get("exp"), int | float) or claims["exp"] + _LEEWAY < now,
                "expiry",
            ),
            (
                isinstance(claims.get("iat"), int | float) and claims["iat"] - _LEEWAY > now,
                "issue time",
            ),
            (claims.get("nonce") != nonce, "nonce"),
            (not isinstance(claims.get("sub"), str) or not claims["sub"], "subject"),
        ]
        wrong = [name for bad, name in problems if bad]
        if wrong:
            raise OidcError(f"the ID token was refused: wrong {', '.join(wrong)}")
        return claims


def _public_key(jwk: dict[str, Any], alg: str) -> Any:
    try:
        if alg == "RS256" and jwk.get("kty") == "RSA":
            return rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"])).public_key()
        if alg == "ES256" and jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            return ec.EllipticCurvePublicNumbers(
                _int(jwk["x"]), _int(jwk["y"]), ec.SECP256R1()
            ).public_key()
    except (KeyError, ValueError, TypeError):
        pass
    raise OidcError("the identity provider's signing key does not fit the ID token's algorithm")
