"""The compliance officers' web console: the DSAR register, plan approvals and the audit trail.

One more thin shell over the same services as the command line: :func:`create_app` builds the
Flask app over a :class:`Console` (the vault, the configured helpdesks, the policy), and
``gdprguard console`` serves it with waitress. See docs/console.md.
"""

from __future__ import annotations

from ._accounts import MIN_PASSWORD_LENGTH, ROLES, Accounts, Role, User
from ._app import LOGIN_CSRF_COOKIE, SESSION_COOKIE, create_app
from ._context import HOUSEKEEPING_ACTOR, Console, ConsoleConfig, actor_for
from ._jobs import Job, Jobs
from ._oidc import OidcClient, OidcConfig, OidcError
from ._sessions import ConsoleSession, LoginThrottle, SessionPolicy, Sessions

__all__ = [
    "HOUSEKEEPING_ACTOR",
    "LOGIN_CSRF_COOKIE",
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "SESSION_COOKIE",
    "Accounts",
    "Console",
    "ConsoleConfig",
    "ConsoleSession",
    "Job",
    "Jobs",
    "LoginThrottle",
    "OidcClient",
    "OidcConfig",
    "OidcError",
    "Role",
    "SessionPolicy",
    "Sessions",
    "User",
    "actor_for",
    "create_app",
]
