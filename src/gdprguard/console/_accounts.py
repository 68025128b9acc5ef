"""Console accounts: names, roles and argon2 password hashes in the store.

Two roles: an ``officer`` handles data-subject requests and approves plans; an ``admin`` does
that too and also manages accounts, connectors and policies. A password is only ever kept as an
argon2id hash (``argon2-cffi``'s defaults, rehashed when they change); a user who signs in
through the company's identity provider is linked by the provider's subject id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pydantic import BaseModel
from sqlalchemy import insert, select, update

from .._exceptions import InputError
from ..store import Store, console_sessions, console_users

__all__ = ["MIN_PASSWORD_LENGTH", "ROLES", "Accounts", "Role", "User", "check_user_name"]

Role = Literal["officer", "admin"]
ROLES: tuple[Role, ...] = ("officer", "admin")
MIN_PASSWORD_LENGTH = 12
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


def _now() -> datetime:
    return datetime.now(UTC)


class User(BaseModel):
    """A console account (never its password hash)."""

    name: str
    role: Role
    has_password: bool
    oidc_linked: bool
    created_at: datetime
    disabled: bool

    @property
    def is_admin(self) -> bool:
        """Admins also manage accounts, connectors and policies."""
        return self.role == "admin"


def check_user_name(name: str) -> str:
    """*name* if it is a usable account name (``InputError`` saying what is allowed)."""
    if not _NAME.match(name):
        raise InputError(
            "an account name is 1-64 characters: letters, digits and . _ @ -, starting with a "
            "letter or digit"
        )
    return name


def check_password(password: str) -> str:
    """*password* if long enough (``InputError`` otherwise; the password is never echoed)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters "
            "(a passphrase of several words is easiest)"
        )
    return password


class Accounts:
    """The console's accounts, over the store."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], datetime] = _now,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    def add(
        self,
        name: str,
        role: Role,
        *,
        password: str | None = None,
        oidc_subject: str | None = None,
    ) -> User:
        """Create an account (``InputError`` if the name is taken or the password too short)."""
        check_user_name(name)
        if role not in ROLES:
            raise InputError(f"role {role!r}: use officer or admin")
        if password is None and oidc_subject is None:
            raise InputError("give the account a password, or link it to an identity provider")
        digest = self.hasher.hash(check_password(password)) if password is not None else None
        if self._row(name) is not None:
            raise InputError(f"there is already an account {name!r}; `gdprguard user list`")
        with self.store.session() as session:
            session.execute(
                insert(console_users).values(
                    name=name,
                    role=role,
                    password_hash=digest,
                    oidc_subject=oidc_subject,
                    created_at=self.clock(),
                    disabled_at=None,
                )
            )
        user = self.get(name)
        assert user is not None
        return user

    def get(self, name: str) -> User | None:
        """The account called *name*, if there is one."""
        row = self._row(name)
        return None if row is None else _user(row)

    def require(self, name: str) -> User:
        """The account called *name* (``InputError`` naming ``gdprguard user list`` if none)."""
        user = self.get(name)
        if user is None:
            raise InputError(f"there is no account {name!r}; `gdprguard user list` shows them")
        return user

    def all(self) -> list[User]:
        """Every account, by name."""
        with self.store.session(write=False) as session:
            rows = session.execute(select(console_users).order_by(console_users.c.name))
            return [_user(row) for row in rows.mappings()]

    def by_oidc_subject(self, subject: str) -> User | None:
        """The account linked to the identity provider's subject id, if any."""
        with self.store.session(write=False) as session:
            row = (
                session.execute(
                    select(console_users).where(console_users.c.oidc_subject == subject)
                )
                .mappings()
                .first()
            )
        return None if row is None else _user(row)

    def set_password(self, name: str, password: str) -> None:
        """Replace the account's password (its sessions end)."""
        self.require(name)
        digest = self.hasher.hash(check_password(password))
        self._update(name, password_hash=digest)
        self.end_sessions(name)

    def set_role(self, name: str, role: Role) -> User:
        """Change the account's role (its sessions end, so the new role applies at once)."""
        if role not in ROLES:
            raise InputError(f"role {role!r}: use officer or admin")
        self.require(name)
        self._update(name, role=role)
        self.end_sessions(name)
        return self.require(name)

    def link_oidc(self, name: str, subject: str | None) -> None:
        """Link the account to an identity provider's subject id (None unlinks)."""
        self.require(name)
        self._update(name, oidc_subject=subject)

    def disable(self, name: str) -> User:
        """Stop the account signing in, and end its sessions."""
        self.require(name)
        self._update(name, disabled_at=self.clock())
        self.end_sessions(name)
        return self.require(name)

    def enable(self, name: str) -> User:
        """Let a disabled account sign in again."""
        self.require(name)
        self._update(name, disabled_at=None)
        return self.require(name)

    def end_sessions(self, name: str) -> None:
        """Revoke every open session of the account."""
        with self.store.session() as session:
            session.execute(
                update(console_sessions)
                .where(
                    console_sessions.c.user_name == name, console_sessions.c.revoked_at.is_(None)
                )
                .values(revoked_at=self.clock())
            )

    def authenticate(self, name: str, password: str) -> User | None:
        """The account if *password* is its password and it is enabled, else None.

        An unknown name costs the same hash verification as a wrong password, so the answer's
        timing does not tell which names exist.
        """
        row = self._row(name) if _NAME.match(name) else None
        stored = row["password_hash"] if row is not None else None
        try:
            self.hasher.verify(stored or self._dummy_hash(), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None or stored is None or row["disabled_at"] is not None:
            return None
        if self.hasher.check_needs_rehash(stored):
            self._update(name, password_hash=self.hasher.hash(password))
        return _user(row)

    # -- internals ----------------------------------------------------------------------------

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self.hasher.hash("not a password of any account")
        return self._dummy

    def _row(self, name: str) -> Any:
        with self.store.session(write=False) as session:
            return (
                session.execute(select(console_users).where(console_users.c.name == name))
                .mappings()
                .first()
            )

    def _update(self, name: str, **values: Any) -> None:
        with self.store.session() as session:
            session.execute(
                update(console_users).where(console_users.c.name == name).values(**values)
            )


def _user(row: Any) -> User:
    return User(
        name=row["name"],
        role=row["role"],
        has_password=row["password_hash"] is not None,
        oidc_linked=row["oidc_subject"] is not None,
        created_at=row["created_at"],
        disabled=row["disabled_at"] is not None,
    )
