"""The console's Flask app: sign-in on every page, CSRF on every form, strict headers.

Every page but sign-in, the language switch, static files and ``/healthz`` needs a live session
(a GET without one is sent to sign in; anything else is refused with 401). Every request that
changes something carries the session's CSRF token in its form and, when the browser sends an
``Origin``, comes from this site; otherwise it is refused with 403. Pages are never cached, and
the content security policy allows only this site's own scripts and styles.

Nothing personal is logged: paths hold request and plan ids only (identifiers are always sent
in POST bodies), and errors are logged by type.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, redirect, request, url_for
from werkzeug.exceptions import HTTPException

from .._exceptions import GdprGuardError, HelpdeskError, UsageError
from ._context import Console
from ._i18n import LANG_COOKIE, choose_language, translator
from ._oidc import OidcClient
from ._web import EXTENSION, render, safe_next

__all__ = ["LOGIN_CSRF_COOKIE", "SESSION_COOKIE", "create_app"]

log = logging.getLogger("gdprguard.console")

SESSION_COOKIE = "gg_session"
LOGIN_CSRF_COOKIE = "gg_login"
_PUBLIC = frozenset(
    {
        "static",
        "healthz",
        "auth.login",
        "auth.login_post",
        "auth.oidc_login",
        "auth.oidc_callback",
        "auth.language",
    }
)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def create_app(console: Console, *, oidc: OidcClient | None = None) -> Flask:
    """The console's WSGI app over *console* (and *oidc*, when sign-in through a provider is
    configured)."""
    from . import (
        _views_admin,
        _views_audit,
        _views_auth,
        _views_connectors,
        _views_dsar,
        _views_plans,
        _views_policies,
    )

    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.config.update(MAX_CONTENT_LENGTH=256 * 1024, TEMPLATES_AUTO_RELOAD=False)
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.extensions[EXTENSION] = console
    if oidc is None and console.config.oidc is not None:
        oidc = OidcClient(console.config.oidc)
    app.extensions[f"{EXTENSION}.oidc"] = oidc
    app.before_request(_authenticate)
    app.after_request(_headers)
    views = (_views_auth, _views_dsar, _views_plans, _views_audit, _views_admin,
             _views_connectors, _views_policies)  # fmt: skip
    for module in views:
        app.register_blueprint(module.blueprint)
    app.add_url_rule("/healthz", "healthz", lambda: Response("ok\n", mimetype="text/plain"))
    app.add_url_rule("/", "index", lambda: redirect(url_for("dsar.register")))
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(GdprGuardError, _gdprguard_error)
    app.register_error_handler(Exception, _internal_error)
    return app


def _authenticate() -> Any:
    from ._web import console

    g.lang = choose_language(request.cookies.get(LANG_COOKIE), request.accept_languages)
    g.t = translator(g.lang)
    g.user = None
    g.session = None
    if request.endpoint in _PUBLIC or request.endpoint is None:
        return None
    session = console().sessions.lookup(request.cookies.get(SESSION_COOKIE))
    if session is None:
        if request.method in _SAFE_METHODS:
            return redirect(url_for("auth.login", next=safe_next(request.full_path.rstrip("?"))))
        abort(401)
    g.session = session
    g.user = session.user
    if request.method not in _SAFE_METHODS:
        check_same_origin()
        token = request.form.get("csrf_token", "")
        if not hmac.compare_digest(token.encode(), session.csrf_token.encode()):
            g.csrf_refused = True
            abort(403)
    return None


def check_same_origin() -> None:
    """403 unless the browser says the request comes from this site (``Sec-Fetch-Site``,
    ``Origin``), when it says anything."""
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if site is not None and site not in ("same-origin", "none"):
        refused = True
    elif origin is None:
        refused = False
    elif origin == "null":
        refused = site != "same-origin"
    else:
        refused = urlsplit(origin).netloc != request.host
    if refused:
        g.csrf_refused = True
        abort(403)


def new_login_csrf() -> str:
    """A fresh token for the sign-in form (double-submitted: cookie and field)."""
    token = secrets.token_urlsafe(24)
    g.login_csrf = token
    g.set_login_csrf = token
    return token


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint == "static":
        headers["Cache-Control"] = "public, max-age=3600"
    else:
        headers["Cache-Control"] = "no-store"
        headers["Vary"] = "Cookie, Accept-Language"
    token = getattr(g, "set_login_csrf", None)
    if token:
        from ._web import console

        response.set_cookie(
            LOGIN_CSRF_COOKIE, token, httponly=True, samesite="Strict",
            secure=console().config.secure_cookies, path="/",
        )  # fmt: skip
    return response


def _http_error(exc: HTTPException) -> Any:
    code = exc.code or 500
    if code == 401:
        key = "error.signin_required"
    elif code == 403 and getattr(g, "csrf_refused", False):
        key = "error.csrf"
    elif code == 403:
        key = "error.forbidden"
    elif code == 404:
        key = "error.not_found"
    elif code == 413:
        key = "error.too_large"
    elif code == 405:
        key = "error.method"
    else:
        key = "error.bad_request"
    if not hasattr(g, "t"):
        g.lang = choose_language(request.cookies.get(LANG_COOKIE), request.accept_languages)
        g.t = translator(g.lang)
    return render("error.html", status=code, message_key=key, message=None)


def _gdprguard_error(exc: GdprGuardError) -> Any:
    status = 400 if isinstance(exc, UsageError) else 502 if isinstance(exc, HelpdeskError) else 500
    log.warning("console: %s on %s", type(exc).__name__, request.endpoint)
    return render("error.html", status=status, message_key="error.operation", message=str(exc))


def _internal_error(exc: Exception) -> Any:
    log.error("console: internal error %s on %s", type(exc).__name__, request.endpoint)
    if not hasattr(g, "t"):
        g.lang = "en"
        g.t = translator("en")
    return render("error.html", status=500, message_key="error.internal", message=None)
