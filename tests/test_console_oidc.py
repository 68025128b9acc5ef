"""Signing in to the console through an OpenID Connect provider (authorization code + PKCE),
against a small identity provider served on loopback that checks what a real one checks."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import Flask, abort, jsonify, redirect, request

from _console_helpers import OFFICER, make_console
from _waitress_server import WaitressThread
from gdprguard.console import SESSION_COOKIE, Console, OidcConfig, create_app

pytest_plugins = ["_store_fixtures"]

CLIENT_ID = "gdprguard-console"
CLIENT_SECRET = "idp-client-secret"
REDIRECT = "http://localhost/oidc/callback"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class IdentityProvider:
    """Discovery, authorize (the user is already signed in there), token (checks the PKCE
    verifier and the client's secret), and its signing keys. ``mode`` spoils the ID token."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.mode = "ok"
        self.subject = "idp-subject-olivia"
        self.codes: dict[str, dict[str, str]] = {}
        self._served = WaitressThread(self._app(), threads=2)
        self.url = self._served.url

    def close(self) -> None:
        self._served.close()

    def _app(self) -> Flask:
        app = Flask("idp")

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify(
                issuer=self.url,
                authorization_endpoint=f"{self.url}/authorize",
                token_endpoint=f"{self.url}/token",
                jwks_uri=f"{self.url}/jwks",
            )

        @app.get("/authorize")
        def authorize() -> Any:
            args = request.args
            if (args.get("response_type") != "code" or args.get("client_id") != CLIENT_ID
                    or args.get("code_challenge_method") != "S256"
                    or "openid" not in args.get("scope", "").split()):  # fmt: skip
                abort(400)
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"challenge": args["code_challenge"], "nonce": args["nonce"],
                                "redirect_uri": args["redirect_uri"]}  # fmt: skip
            return redirect(f"{args['redirect_uri']}?code={code}&state={args['state']}")

        @app.post("/token")
        def token() -> Any:
            auth = request.authorization
            if auth is None or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET):
                return jsonify(error="invalid_client"), 401
            grant = self.codes.pop(request.form.get("code", ""), None)
            verifier = request.form.get("code_verifier", "")
            challenge = _b64(hashlib.sha256(verifier.encode()).digest())
            if (grant is None or request.form.get("redirect_uri") != grant["redirect_uri"]
                    or challenge != grant["challenge"]):  # fmt: skip
                return jsonify(error="invalid_grant"), 400
            return jsonify(access_token="unused", token_type="Bearer",
                           id_token=self._id_token(grant["nonce"]))  # fmt: skip

        @app.get("/jwks")
        def jwks() -> Any:
            numbers = self.key.public_key().public_numbers()
            return jsonify(keys=[{
                "kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
                "n": _b64(numbers.n.to_bytes(256, "big")), "e": _b64(numbers.e.to_bytes(3, "big")),
            }])  # fmt: skip

        return app

    def _id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "sub": self.subject, "iat": now,
                  "exp": now + 300, "nonce": nonce}  # fmt: skip
        if self.mode == "wrong-nonce":
            claims["nonce"] = "another"
        elif self.mode == "expired":
            claims["exp"] = now - 3600
        elif self.mode == "wrong-audience":
            claims["aud"] = "someone-else"
        elif self.mode == "wrong-issuer":
            claims["iss"] = "https://evil.example"
        header = _b64(json.dumps({"alg": "RS256", "kid": "k1", "typ": "JWT"}).encode())
        payload = _b64(json.dumps(claims).encode())
        signed = f"{header}.{payload}".encode()
        key = rsa.generate_private_key(65537, 2048) if self.mode == "bad-signature" else self.key
        signature = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
        return f"{header}.{payload}.{_b64(signature)}"


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    yield provider
    provider.close()


@pytest.fixture
def console(home: Path, idp: IdentityProvider) -> Iterator[Console]:
    idp.mode, idp.subject = "ok", "idp-subject-olivia"
    config = OidcConfig(issuer=idp.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                        redirect_url=REDIRECT)  # fmt: skip
    instance = make_console(home, oidc=config)
    instance.accounts.link_oidc(OFFICER[0], "idp-subject-olivia")
    yield instance
    instance.vault.close()


def _through_the_provider(client: Any, next_path: str = "/plans") -> Any:
    """Start at the console, let the provider answer, and bring its answer back."""
    start = client.get(f"/oidc/login?next={next_path}")
    assert start.status_code == 302
    authorize = start.headers["Location"]
    assert authorize.startswith(f"{authorize.split('/authorize')[0]}/authorize?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    back = requests.get(authorize, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    callback = back.headers["Location"]
    assert callback.startswith(REDIRECT)
    return client.get(callback.removeprefix("http://localhost"))


def test_the_sign_in_page_offers_the_company_account(console: Console) -> None:
    page = create_app(console).test_client().get("/login")
    assert "Sign in with your company account" in page.text


def test_a_linked_account_signs_in_through_the_provider(console: Console) -> None:
    client = create_app(console).test_client()
    response = _through_the_provider(client)
    assert response.status_code == 302 and response.headers["Location"] == "/plans"
    assert client.get_cookie(SESSION_COOKIE) is not None
    page = client.get("/plans")
    assert page.status_code == 200 and "olivia" in page.text
    sign_ins = [e for e in console.vault.audit.entries() if e.action == "console.sign-in"]
    assert [(e.actor, e.details) for e in sign_ins] == [("console:olivia", {"method": "oidc"})]


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("bad-signature", "signature does not verify"),
        ("wrong-nonce", "wrong nonce"),
        ("expired", "wrong expiry"),
        ("wrong-audience", "wrong audience"),
        ("wrong-issuer", "wrong issuer"),
    ],
)
def test_a_spoilt_id_token_signs_nobody_in(
    console: Console, idp: IdentityProvider, mode: str, reason: str
) -> None:
    idp.mode = mode
    client = create_app(console).test_client()
    response = _through_the_provider(client)
    assert response.status_code == 401 and reason in response.text
    assert client.get_cookie(SESSION_COOKIE) is None


def test_an_unlinked_subject_gets_no_account(console: Console, idp: IdentityProvider) -> None:
    idp.subject = "someone-the-console-does-not-know"
    client = create_app(console).test_client()
    response = _through_the_provider(client)
    assert response.status_code == 403 and "not linked" in response.text
    assert client.get_cookie(SESSION_COOKIE) is None


def test_an_answer_for_another_browser_is_refused(console: Console) -> None:
    client = create_app(console).test_client()
    start = client.get("/oidc/login")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    stranger = create_app(console).test_client()  # no state cookie: not the browser that began
    response = stranger.get(back.headers["Location"].removeprefix("http://localhost"))
    assert response.status_code == 400 and stranger.get_cookie(SESSION_COOKIE) is None
    replay = client.get(back.headers["Location"].removeprefix("http://localhost"))
    assert replay.status_code == 302  # the right browser still can, once
    again = client.get(back.headers["Location"].removeprefix("http://localhost"))
    assert again.status_code == 400  # the state is spent (and its cookie gone)
