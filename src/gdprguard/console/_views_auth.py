"""Signing in and out, the identity provider's callback, and the language switch."""

from __future__ import annotations

import hmac
import logging
import math
from typing import Any

from flask import Blueprint, abort, current_app, g, make_response, redirect, request
from flask import url_for as flask_url_for

from ._accounts import User
from ._app import LOGIN_CSRF_COOKIE, SESSION_COOKIE, check_same_origin, new_login_csrf
from ._i18n import LANG_COOKIE, LANGUAGES
from ._oidc import OidcClient, OidcError
from ._sessions import SignInMethod
from ._web import EXTENSION, console, current_user, render, safe_next

__all__ = ["blueprint"]

log = logging.getLogger("gdprguard.console")
blueprint = Blueprint("auth", __name__)
_OIDC_COOKIE = "gg_oidc"


def _address() -> str:
    return request.remote_addr or "unknown"


def _login_page(status: int = 200, error_key: str | None = None, **values: Any) -> Any:
    new_login_csrf()
    return render(
        "login.html",
        status=status,
        error_key=error_key,
        error_values=values,
        next_path=safe_next(request.values.get("next")),
    )


def _start_session(user: User, method: SignInMethod, next_path: str) -> Any:
    console().sessions.purge()  # sessions that ended long ago go at the next sign-in
    token = console().sessions.create(user, method)
    console().audit(user.name, "console.sign-in", [f"console-user:{user.name}"], {"method": method})
    response = redirect(next_path)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="Lax",
        secure=console().config.secure_cookies, path="/",
    )  # fmt: skip
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@blueprint.get("/login")
def login() -> Any:
    """The sign-in form."""
    return _login_page()


@blueprint.post("/login")
def login_post() -> Any:
    """Check the name and password (throttled), then start a session."""
    check_same_origin()
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    field = request.form.get("csrf_token", "")
    if not cookie or not hmac.compare_digest(cookie.encode(), field.encode()):
        g.csrf_refused = True
        abort(403)
    name = request.form.get("name", "").strip()[:64]
    password = request.form.get("password", "")[:1024]
    throttle = console().throttle
    wait = throttle.retry_after(name, _address())
    if wait is not None:
        log.warning("console: sign-in refused while throttled")
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        return _login_page(429, "login.throttled", minutes=minutes)
    user = console().accounts.authenticate(name, password)
    if user is None:
        throttle.failed(name, _address())
        log.info("console: a sign-in failed")
        return _login_page(401, "login.failed")
    throttle.succeeded(name, _address())
    return _start_session(user, "password", safe_next(request.form.get("next")))


@blueprint.post("/logout")
def logout() -> Any:
    """End the session (the cookie is worthless from now on)."""
    user = current_user()
    console().sessions.revoke(request.cookies.get(SESSION_COOKIE))
    console().audit(user.name, "console.sign-out", [f"console-user:{user.name}"])
    response = redirect(flask_url_for("auth.login"))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@blueprint.get("/language/<code>")
def language(code: str) -> Any:
    """Switch the console's language (remembered in a cookie) and go back."""
    if code not in LANGUAGES:
        abort(404)
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(
        LANG_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
        secure=console().config.secure_cookies, path="/",
    )  # fmt: skip
    return response


def _oidc() -> OidcClient:
    client = current_app.extensions.get(f"{EXTENSION}.oidc")
    if client is None:
        abort(404)
    return client


@blueprint.get("/oidc/login")
def oidc_login() -> Any:
    """Send the browser to the identity provider."""
    client = _oidc()
    try:
        url, pending = client.begin(safe_next(request.args.get("next")))
    except OidcError as exc:
        return _login_page(502, "login.oidc_failed", reason=str(exc))
    response = redirect(url)
    response.set_cookie(
        _OIDC_COOKIE, pending.state, max_age=600, httponly=True, samesite="Lax",
        secure=console().config.secure_cookies, path="/oidc/",
    )  # fmt: skip
    return response


@blueprint.get("/oidc/callback")
def oidc_callback() -> Any:
    """The identity provider's answer: check it, find the linked account, start a session."""
    client = _oidc()
    state = request.args.get("state", "")
    cookie = request.cookies.get(_OIDC_COOKIE, "")
    if request.args.get("error"):
        return _login_page(401, "login.oidc_refused")
    if not state or not cookie or not hmac.compare_digest(state.encode(), cookie.encode()):
        return _login_page(400, "login.oidc_failed", reason="state mismatch; start again")
    try:
        claims, pending = client.finish(state, request.args.get("code", ""))
    except OidcError as exc:
        log.warning("console: identity provider sign-in refused: %s", type(exc).__name__)
        return _login_page(401, "login.oidc_failed", reason=str(exc))
    user = console().accounts.by_oidc_subject(str(claims["sub"]))
    if user is None or user.disabled:
        log.info("console: identity provider subject has no enabled account")
        return _login_page(403, "login.oidc_unknown")
    response = _start_session(user, "oidc", pending.next_path)
    response.delete_cookie(_OIDC_COOKIE, path="/oidc/")
    return make_response(response)
