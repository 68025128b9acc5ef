"""``Keyring``: data keys (DEKs) in the store, wrapped by the provider's master key.

One data key per data subject (scope ``subject:<ref>``), one ``shared`` key for records without a
subject, and ``system:*`` secrets (the audit-log HMAC key, the subject-index key) that are
wrapped the same way, so they survive master-key rotation with everything else.

Subjects are stored only as ``subject_ref = HMAC-SHA256(subject-index key, subject_id)``: the
database alone does not reveal who a key belongs to, not even for guessable ids like e-mails.

System secrets are created exactly once, when the store is initialised (the first time a vault is
used on a database that holds no vault state). Afterwards a missing system secret is an error,
never a new key: a new audit key would hide a wiped audit log, a new subject-index key would make
erasure silently miss every record.

Before a new data key is stored, the master key it was wrapped under is checked against the
store's ``primary_kek_id``, so a long-running process can never wrap new keys under a master key
that ``keys rotate`` in another process has retired.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .._exceptions import DecryptionError, ShreddedError, VaultError
from ..store import (
    Store,
    audit_log,
    data_keys,
    insert_ignore,
    master_keys,
    sealed_records,
    vault_state,
)
from ._envelope import DataKey
from ._providers import KeyProvider

__all__ = ["PRIMARY_KEK", "SHARED_SCOPE", "SYSTEM_SECRETS", "KeyRow", "Keyring"]

SHARED_SCOPE = "shared"
_SYSTEM_PREFIX = "system:"
_SUBJECT_PREFIX = "subject:"
_SUBJECT_INDEX = "subject-index"
#: every system secret, created together when the store is initialised
SYSTEM_SECRETS = ("audit", _SUBJECT_INDEX)
#: the ``vault_state`` row naming the master key new data keys must be wrapped under
PRIMARY_KEK = "primary_kek_id"


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

    def __init__(
        self,
        store: Store,
        provider: KeyProvider,
        *,
        cache_size: int = 4096,
        earlier_history: Callable[[], str | None] | None = None,
    ) -> None:
        self.store = store
        self.provider = provider
        #: says (as a message) whether state outside the database shows it held a log before
        self._earlier_history = earlier_history or (lambda: None)
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
        kek_id, wrapped = self._wrap_under_primary(session, material, wrap_context(key_id, scope))
        self.register_master_key(session, kek_id)
        values = {
            "key_id": key_id,
            "scope": scope,
            "kek_id": kek_id,
            "wrapped": wrapped,
            "created_at": _now(),
        }
        session.execute(insert_ignore(session, data_keys).values(**values))
        row = self._live_row(session, scope, lock=True)  # a concurrent creator may have won
        if row is None:
            raise VaultError(f"could not create a data key for scope {_safe_scope(scope)}")
        if row.key_id == key_id:
            with self._lock:
                self._remember(DataKey(key_id, material))
        return row

    def _wrap_under_primary(
        self, session: Session, material: bytes, context: bytes
    ) -> tuple[str, bytes]:
        """Wrap *material*, making sure the master key used is the store's current primary.

        The ``vault_state`` row is share-locked until the transaction ends, so ``keys rotate``
        cannot switch the primary between this check and the insert of the new data key.
        """
        stored = session.execute(
            select(vault_state.c.value)
            .where(vault_state.c.name == PRIMARY_KEK)
            .with_for_update(read=True)
        ).scalar_one_or_none()
        kek_id, wrapped = self.provider.wrap(material, context)
        if stored is None:
            self._set_primary(session, kek_id, only_if_absent=True)
            return kek_id, wrapped
        if self._acceptable(session, kek_id, stored):
            return kek_id, wrapped
        # Another process rotated: pick up the new key (key files are re-read) and try again.
        self.provider.reload()
        kek_id, wrapped = self.provider.wrap(material, context)
        if self._acceptable(session, kek_id, stored):
            return kek_id, wrapped
        raise VaultError(
            f"the store's primary master key is {stored} (set by `gdprguard keys rotate`), but "
            f"this process's key provider wraps under {kek_id} and does not hold {stored}; "
            "restart this process with the new master key (see docs/security.md, rotation)"
        )

    def _acceptable(self, session: Session, kek_id: str, stored: str) -> bool:
        """A new data key may go under the store's primary, or under a newer key the provider
        has moved to while still holding the store's primary (a rotation being prepared)."""
        if kek_id == stored:
            return True
        if stored not in self.provider.key_ids():
            return False
        retired = session.execute(
            select(master_keys.c.retired_at).where(master_keys.c.kek_id == kek_id)
        ).first()
        return retired is None or retired[0] is None

    def _set_primary(self, session: Session, kek_id: str, *, only_if_absent: bool) -> None:
        values = {"name": PRIMARY_KEK, "value": kek_id, "updated_at": _now()}
        session.execute(insert_ignore(session, vault_state).values(**values))
        if not only_if_absent:
            session.execute(
                update(vault_state)
                .where(vault_state.c.name == PRIMARY_KEK)
                .values(value=kek_id, updated_at=values["updated_at"])
            )

    def set_primary(self, session: Session, kek_id: str) -> None:
        """Record *kek_id* as the master key every new data key must be wrapped under."""
        self._set_primary(session, kek_id, only_if_absent=False)

    def stored_primary(self, session: Session) -> str | None:
        """The master key the store says new data keys go under (None before first use)."""
        return session.execute(
            select(vault_state.c.value).where(vault_state.c.name == PRIMARY_KEK)
        ).scalar_one_or_none()

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
            insert_ignore(session, master_keys).values(
                kek_id=kek_id, provider=self.provider.name, created_at=_now()
            )
        )
        self._registered.add(kek_id)

    # -- system secrets ---------------------------------------------------------------------

    def system_secret(self, name: str) -> bytes:
        """A 32-byte secret (``audit``, ``subject-index``) kept wrapped in the store.

        Created only when the store is initialised; ``VaultError`` if it has gone missing.
        """
        if name not in SYSTEM_SECRETS:
            raise VaultError(f"unknown system secret {name}")
        cached = self._system.get(name)
        if cached is not None:
            return cached
        scope = _SYSTEM_PREFIX + name
        with self.store.session(write=False) as session:
            row = self._live_row(session, scope, lock=False)
        if row is None:
            self.initialise()
            with self.store.session(write=False) as session:
                row = self._live_row(session, scope, lock=False)
            if row is None:  # pragma: no cover - initialise() raises first
                raise VaultError(f"system key {name} could not be created")
        assert row.kek_id is not None and row.wrapped is not None
        material = self.provider.unwrap(row.kek_id, row.wrapped, wrap_context(row.key_id, scope))
        self._system[name] = material
        return material

    def initialise(self) -> bool:
        """Create the system secrets of a new store; True if this call created them.

        Refuses (``VaultError``) when any is missing from a store that already holds vault
        state, or when state outside the database (audit checkpoints) shows an earlier log:
        both mean the database was tampered with, wiped or swapped, and a fresh key would hide it.
        """
        with self.store.session() as session:
            present = set(
                session.execute(
                    select(data_keys.c.scope).where(
                        data_keys.c.scope.in_([_SYSTEM_PREFIX + n for n in SYSTEM_SECRETS]),
                        data_keys.c.shredded_at.is_(None),
                    )
                ).scalars()
            )
            missing = [n for n in SYSTEM_SECRETS if _SYSTEM_PREFIX + n not in present]
            if not missing:
                return False
            if _holds_vault_state(session):
                raise VaultError(
                    f"the database holds vault state but its system key '{missing[0]}' is "
                    "missing: the data_keys table was modified. gdprguard will not make a new "
                    "key, which would hide the change; restore the database from a backup "
                    "(`gdprguard restore DIR`)"
                )
            earlier = self._earlier_history()
            if earlier is not None:
                raise VaultError(
                    f"the database holds no vault state, but {earlier}: the database was wiped "
                    "or replaced. Restore it from a backup (`gdprguard restore DIR`); to start "
                    "afresh on purpose, move those files out of the way first"
                )
            for name in missing:
                self._create(session, _SYSTEM_PREFIX + name)
        return True

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


def _holds_vault_state(session: Session) -> bool:
    """Whether any data key (live or shredded), sealed record or audit entry exists."""
    for table in (data_keys, sealed_records, audit_log):
        first_column = next(iter(table.c))
        if session.execute(select(first_column).limit(1)).first() is not None:
            return True
    return False


def _safe_scope(scope: str) -> str:
    return scope if not scope.startswith(_SUBJECT_PREFIX) else scope[:20] + "…"
