"""What every page shares: the console behind the app, the signed-in user, rendering with the
page's language, role checks and safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g, render_template, request

from ._accounts import User
from ._context import Console
from ._i18n import translator

__all__ = [
    "EXTENSION",
    "admin_required",
    "console",
    "current_user",
    "fmt_datetime",
    "render",
    "safe_next",
]

EXTENSION = "gdprguard.console"
F = TypeVar("F", bound=Callable[..., Any])


def console() -> Console:
    """The console this app serves."""
    return cast(Console, current_app.extensions[EXTENSION])


def current_user() -> User:
    """The signed-in user (every non-public page has one)."""
    user = getattr(g, "user", None)
    if user is None:  # pragma: no cover - the before-request hook guarantees it
        abort(401)
    return cast(User, user)


def admin_required(view: F) -> F:
    """Only admins may open this page; officers get 403."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user().is_admin:
            abort(403)
        return view(*args, **kwargs)

    return cast(F, wrapper)


def safe_next(value: str | None, default: str = "/requests") -> str:
    """*value* if it is a path on this site (never another host), else *default*."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(c) < 32 for c in value):
        return default
    return value


def fmt_datetime(moment: datetime | None, with_time: bool = False) -> str:
    """A date (and time, UTC) as the register shows it."""
    if moment is None:
        return "—"
    return moment.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """Render *template* in the page's language, with the user and the CSRF token."""
    lang = getattr(g, "lang", "en")
    session = getattr(g, "session", None)
    page = render_template(
        template,
        t=getattr(g, "t", None) or translator(lang),
        lang=lang,
        user=getattr(g, "user", None),
        csrf_token=session.csrf_token if session is not None else getattr(g, "login_csrf", ""),
        endpoint=request.endpoint or "",
        fmt=fmt_datetime,
        request_path=request.full_path.rstrip("?"),
        oidc_enabled=console().config.oidc is not None,
        **context,
    )
    return page, status
