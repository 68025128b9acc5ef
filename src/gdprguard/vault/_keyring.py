"""``Keyring``: data keys (DEKs) in the store, wrapped by the provider's master key.

One data key per data subject (scope ``subject:<ref>``), one ``shared`` key for records without a
subject, and ``system:*`` secrets (the audit-log HMAC key, the subject-index key) that are
wrapped the same way, so they survive master-key rotation with everything else.

Subjects are stored only as ``subject_ref = HMAC-SHA256(subject-index key, subject_id)``: the
database alone does not reveal who a key belongs to, not even for guessable ids like e-mails.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .._exceptions import DecryptionError, ShreddedError, VaultError
from ..store import Store, data_keys, master_keys, sealed_records
from ._envelope import DataKey
from ._providers import KeyProvider

__all__ = ["SHARED_SCOPE", "KeyRow", "Keyring"]

SHARED_SCOPE = "shared"
_SYSTEM_PREFIX = "system:"
_SUBJECT_PREFIX = "subject:"
_SUBJECT_INDEX = "subject-index"


def _now() -> datetime:
    return datetime.now(UTC)


def wrap_context(key_id: str, scope: str) -> bytes:
    """What a wrapped data key is bound to: its own id and scope (rows cannot be swapped)."""
    return f"{key_id}\0{scope}".encode()


@dataclass(frozen=True, slots=True)
class KeyRow:
    """A data_keys row as the keyring sees it (``wrapped`` is None for a shredded key)."""

    key_id: str
    scope: str
    kek_id: str | None
    wrapped: bytes | None

    @property
    def shredded(self) -> bool:
        return self.wrapped is None


class Keyring:
    """Creates, unwraps, caches and shreds data keys; holds no master key itself."""

    def __init__(self, store: Store, provider: KeyProvider, *, cache_size: int = 4096) -> None:
        self.store = store
        self.provider = provider
        self._cache: OrderedDict[str, DataKey] = OrderedDict()
        self._cache_size = cache_size
        self._system: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._registered: set[str] = set()

    # -- subjects ---------------------------------------------------------------------------

    def subject_ref(self, subject_id: str) -> str:
        """The keyed hash that stands for *subject_id* in the database (64 hex digits)."""
        key = self.system_secret(_SUBJECT_INDEX)
        return hmac.new(key, subject_id.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def scope_of(subject_ref: str | None) -> str:
        """The data-key scope for a subject ref (or the shared key when None)."""
        return SHARED_SCOPE if subject_ref is None else _SUBJECT_PREFIX + subject_ref

    # -- data keys --------------------------------------------------------------------------

    def live_key(self, session: Session, scope: str) -> DataKey:
        """The live data key of *scope*, created if there is none (the row is share-locked on
        PostgreSQL until the transaction ends, so a concurrent shred waits for it)."""
        row = self._live_row(session, scope, lock=True)
        if row is None:
            row = self._create(session, scope)
        return self._unwrapped(row)

    def key_for_record(self, session: Session, key_id: str, *, record_id: str) -> DataKey:
        """The data key a sealed record names; ``ShreddedError`` if it was destroyed."""
        result = session.execute(
            select(
                data_keys.c.key_id, data_keys.c.scope, data_keys.c.kek_id, data_keys.c.wrapped
            ).where(data_keys.c.key_id == key_id)
        ).first()
        if result is None:
            raise DecryptionError(
                f"sealed record {record_id} names data key {key_id}, which does not exist; "
                "the record was damaged or copied from another database"
            )
        row = KeyRow(*result)
        if row.shredded:
            self.forget(key_id)
            raise ShreddedError(f"record {record_id} belongs to a shredded subject")
        return self._unwrapped(row)

    def _live_row(self, session: Session, scope: str, *, lock: bool) -> KeyRow | None:
        query = select(
            data_keys.c.key_id, data_keys.c.scope, data_keys.c.kek_id, data_keys.c.wrapped
        ).where(data_keys.c.scope == scope, data_keys.c.shredded_at.is_(None))
        if lock:
            query = query.with_for_update(read=True)
        result = session.execute(query).first()
        return KeyRow(*result) if result is not None else None

    def _create(self, session: Session, scope: str) -> KeyRow:
        key_id = secrets.token_hex(16)
        material = secrets.token_bytes(32)
        kek_id, wrapped = self.provider.wrap(material, wrap_context(key_id, scope))
        self.register_master_key(session, kek_id)
        values = {
            "key_id": key_id,
            "scope": scope,
            "kek_id": kek_id,
            "wrapped": wrapped,
            "created_at": _now(),
        }
        session.execute(_insert_ignore(session, data_keys).values(**values))
        row = self._live_row(session, scope, lock=True)  # a concurrent creator may have won
        if row is None:
            raise VaultError(f"could not create a data key for scope {_safe_scope(scope)}")
        if row.key_id == key_id:
            with self._lock:
                self._remember(DataKey(key_id, material))
        return row

    def _unwrapped(self, row: KeyRow) -> DataKey:
        with self._lock:
            cached = self._cache.get(row.key_id)
            if cached is not None:
                self._cache.move_to_end(row.key_id)
                return cached
        assert row.kek_id is not None and row.wrapped is not None
        material = self.provider.unwrap(
            row.kek_id, row.wrapped, wrap_context(row.key_id, row.scope)
        )
        key = DataKey(row.key_id, material)
        with self._lock:
            self._remember(key)
        return key

    def _remember(self, key: DataKey) -> None:
        self._cache[key.key_id] = key
        self._cache.move_to_end(key.key_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def forget(self, key_id: str) -> None:
        """Drop an unwrapped key from this process's cache."""
        with self._lock:
            self._cache.pop(key_id, None)

    def register_master_key(self, session: Session, kek_id: str) -> None:
        """Record that this database uses master key *kek_id* (idempotent)."""
        if kek_id in self._registered:
            return
        session.execute(
            _insert_ignore(session, master_keys).values(
                kek_id=kek_id, provider=self.provider.name, created_at=_now()
            )
        )
        self._registered.add(kek_id)

    # -- system secrets ---------------------------------------------------------------------

    def system_secret(self, name: str) -> bytes:
        """A 32-byte secret (``audit``, ``subject-index``) kept wrapped in the store."""
        cached = self._system.get(name)
        if cached is not None:
            return cached
        scope = _SYSTEM_PREFIX + name
        with self.store.session() as session:
            row = self._live_row(session, scope, lock=False)
            if row is None:
                row = self._create(session, scope)
        assert row.kek_id is not None and row.wrapped is not None
        material = self.provider.unwrap(row.kek_id, row.wrapped, wrap_context(row.key_id, scope))
        self._system[name] = material
        return material

    # -- shredding --------------------------------------------------------------------------

    def shred(self, session: Session, scope: str) -> tuple[list[str], int]:
        """Destroy every live key of *scope*; returns (destroyed key ids, tombstones before)."""
        if scope.startswith(_SYSTEM_PREFIX):
            raise VaultError("system keys cannot be shredded")
        rows = session.execute(
            select(data_keys.c.key_id, data_keys.c.shredded_at)
            .where(data_keys.c.scope == scope)
            .with_for_update()
        ).all()
        live = [key_id for key_id, shredded_at in rows if shredded_at is None]
        if live:
            session.execute(
                update(data_keys)
                .where(data_keys.c.key_id.in_(live))
                .values(wrapped=None, kek_id=None, shredded_at=_now())
            )
        for key_id in live:
            self.forget(key_id)
        return live, len(rows) - len(live)

    # -- facts ------------------------------------------------------------------------------

    def count_records(self, session: Session, key_ids: list[str]) -> int:
        """How many sealed records use any of *key_ids*."""
        if not key_ids:
            return 0
        return int(
            session.execute(
                select(func.count()).where(sealed_records.c.key_id.in_(key_ids))
            ).scalar_one()
        )


def _insert_ignore(session: Session, table: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the two dialects we support."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise VaultError(f"unsupported database dialect {name}; use SQLite or PostgreSQL")


def _safe_scope(scope: str) -> str:
    return scope if not scope.startswith(_SUBJECT_PREFIX) else scope[:20] + "…"
