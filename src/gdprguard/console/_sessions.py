"""Console sessions and sign-in throttling, in the store.

A session is a random 256-bit token in an HttpOnly cookie; the store keeps only its SHA-256, so
a copy of the database opens no session. Each session has its own CSRF token, ends after a
period without use and after an absolute lifetime, and is revoked at sign-out (the cookie is
then worthless even if kept). Failed sign-ins are counted by a keyed hash of the account name
and of the client address; too many within the window refuse further attempts for a while.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import delete, func, insert, or_, select, update

from ..store import Store, console_login_attempts, console_sessions, console_users
from ._accounts import User, _user

__all__ = ["ConsoleSession", "LoginThrottle", "SessionPolicy", "Sessions"]

SignInMethod = Literal["password", "oidc"]


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class SessionPolicy(BaseModel):
    """How long sessions last and how sign-ins are throttled."""

    idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    absolute_hours: int = Field(default=12, ge=1, le=24 * 7)
    login_attempts: int = Field(default=5, ge=1, le=100, description="failures per window")
    login_window_minutes: int = Field(default=15, ge=1, le=24 * 60)


class ConsoleSession(BaseModel):
    """A live session: who, and the CSRF token its forms carry."""

    user: User
    csrf_token: str
    method: SignInMethod
    expires_at: datetime


class Sessions:
    """Creates, finds, touches and revokes sessions."""

    def __init__(
        self,
        store: Store,
        policy: SessionPolicy | None = None,
        *,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.policy = policy or SessionPolicy()
        self.clock = clock

    def create(self, user: User, method: SignInMethod) -> str:
        """Start a session for *user*; returns the cookie's token (shown to no one else)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.store.session() as session:
            session.execute(
                insert(console_sessions).values(
                    token_digest=_digest(token),
                    user_name=user.name,
                    csrf_token=secrets.token_urlsafe(32),
                    method=method,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + timedelta(hours=self.policy.absolute_hours),
                    revoked_at=None,
                )
            )
        return token

    def lookup(self, token: str | None) -> ConsoleSession | None:
        """The live session of *token* (touched), or None if unknown, expired, idle for too
        long, revoked, or its account is disabled."""
        if not token or len(token) > 200:
            return None
        now = self.clock()
        with self.store.session(write=False) as session:
            row = (
                session.execute(
                    select(
                        console_sessions.c.csrf_token,
                        console_sessions.c.method,
                        console_sessions.c.last_seen_at,
                        console_sessions.c.expires_at,
                        console_sessions.c.revoked_at,
                        *console_users.c,
                    )
                    .join(console_users, console_users.c.name == console_sessions.c.user_name)
                    .where(console_sessions.c.token_digest == _digest(token))
                )
                .mappings()
                .first()
            )
        if row is None or row["revoked_at"] is not None or row["disabled_at"] is not None:
            return None
        idle = timedelta(minutes=self.policy.idle_minutes)
        last_seen = _aware(row["last_seen_at"])
        if now >= _aware(row["expires_at"]) or now - last_seen >= idle:
            return None
        if now - last_seen >= timedelta(seconds=30):  # touch at most twice a minute
            with self.store.session() as session:
                session.execute(
                    update(console_sessions)
                    .where(console_sessions.c.token_digest == _digest(token))
                    .values(last_seen_at=now)
                )
        return ConsoleSession(
            user=_user(row),
            csrf_token=row["csrf_token"],
            method=row["method"],
            expires_at=min(_aware(row["expires_at"]), now + idle),
        )

    def revoke(self, token: str | None) -> None:
        """End the session of *token* (sign-out)."""
        if not token:
            return
        with self.store.session() as session:
            session.execute(
                update(console_sessions)
                .where(
                    console_sessions.c.token_digest == _digest(token),
                    console_sessions.c.revoked_at.is_(None),
                )
                .values(revoked_at=self.clock())
            )

    def purge(self) -> int:
        """Delete sessions that ended more than a day ago; returns how many."""
        cutoff = self.clock() - timedelta(days=1)
        idle_cutoff = cutoff - timedelta(minutes=self.policy.idle_minutes)
        with self.store.session() as session:
            result = session.execute(
                delete(console_sessions).where(
                    or_(
                        console_sessions.c.expires_at < cutoff,
                        console_sessions.c.revoked_at < cutoff,
                        console_sessions.c.last_seen_at < idle_cutoff,
                    )
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)


class LoginThrottle:
    """Counts failed sign-ins per account name and per client address (keyed hashes only)."""

    def __init__(
        self,
        store: Store,
        key: bytes,
        policy: SessionPolicy | None = None,
        *,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self._key = key
        self.policy = policy or SessionPolicy()
        self.clock = clock

    def _keys(self, name: str, address: str) -> list[str]:
        def keyed(kind: str, value: str) -> str:
            message = f"{kind}\0{value}".encode("utf-8", "replace")
            return hmac.new(self._key, message, hashlib.sha256).hexdigest()

        return [keyed("account", name.strip().lower()), keyed("address", address)]

    def retry_after(self, name: str, address: str) -> timedelta | None:
        """How long until a sign-in for *name* from *address* is accepted again (None: now)."""
        now = self.clock()
        window = timedelta(minutes=self.policy.login_window_minutes)
        since = now - window
        with self.store.session(write=False) as session:
            rows = session.execute(
                select(
                    console_login_attempts.c.key_digest,
                    func.count(),
                    func.min(console_login_attempts.c.at),
                )
                .where(
                    console_login_attempts.c.key_digest.in_(self._keys(name, address)),
                    console_login_attempts.c.at > since,
                )
                .group_by(console_login_attempts.c.key_digest)
            ).all()
        # the address limit is wider: several officers may share one office's address
        limits = dict(zip(self._keys(name, address), (1, 4), strict=True))
        waits = [
            _aware(first) + window - now
            for key, count, first in rows
            if count >= self.policy.login_attempts * limits[key]
        ]
        return max(waits) if waits else None

    def failed(self, name: str, address: str) -> None:
        """Record a failed sign-in."""
        now = self.clock()
        with self.store.session() as session:
            session.execute(
                insert(console_login_attempts),
                [{"key_digest": key, "at": now} for key in self._keys(name, address)],
            )

    def succeeded(self, name: str, address: str) -> None:
        """Forget the account's failures after a successful sign-in (the address's stay)."""
        account_key = self._keys(name, address)[0]
        cutoff = self.clock() - timedelta(minutes=self.policy.login_window_minutes)
        with self.store.session() as session:
            session.execute(
                delete(console_login_attempts).where(
                    or_(
                        console_login_attempts.c.key_digest == account_key,
                        console_login_attempts.c.at < cutoff,
                    )
                )
            )
