"""``Vault``: seal and open records, shred subjects, rotate master keys, report status."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import CursorResult, delete, distinct, func, insert, select, update

from .._exceptions import InputError, VaultError
from ..audit import CHECKPOINT_GLOB, AuditLog
from ..store import Store, data_keys, master_keys, sealed_records
from ._keyring import SHARED_SCOPE, Keyring
from ._models import (
    KeyStatus,
    MasterKeyStatus,
    RotationReport,
    SealedRecord,
    ShredReport,
    ShredStatus,
)
from ._providers import KeyProvider
from ._rotation import ProgressCallback, destroy_retired, rotate

if TYPE_CHECKING:
    from .._config import Settings

__all__ = ["DEFAULT_RETIRE_GRACE", "Vault"]

#: how long a retired master key is kept before it may be destroyed (see ``keys retire``)
DEFAULT_RETIRE_GRACE = timedelta(days=7)

_RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._/#=+-]{0,254}$")
_KIND = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")


def _check_record_id(record_id: str) -> None:
    if not isinstance(record_id, str) or not _RECORD_ID.match(record_id):
        raise InputError(
            "a record id must be 1-255 characters of letters, digits and :._/#=+- (an opaque "
            "id such as zendesk:support:comment:123; it is stored in clear, so never an e-mail "
            "or a name)"
        )


def _check_kind(kind: str) -> None:
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise InputError(
            "a record kind must be 1-64 lowercase letters, digits and _.- starting with a letter, "
            "e.g. original or dsar-export"
        )


def _check_subject(subject_id: str) -> None:
    if not isinstance(subject_id, str) or not subject_id.strip() or len(subject_id) > 1000:
        raise InputError("a subject id must be a non-empty string of at most 1000 characters")


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every timestamp we store is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class Vault:
    """Envelope encryption over the store: one data key per subject, wrapped by a master key.

    ``seal``/``open`` take and return bytes; every failure is a ``VaultError`` subclass
    (``DecryptionError`` for tampered or swapped ciphertexts, ``ShreddedError`` for records of a
    shredded subject). Passing ``actor`` to ``seal``/``open`` also writes an audit entry;
    ``shred_subject`` and ``rotate`` always do.
    """

    def __init__(
        self,
        store: Store,
        provider: KeyProvider,
        *,
        audit_log: AuditLog | None = None,
        checkpoint_dir: Path | None = None,
        retire_grace: timedelta = DEFAULT_RETIRE_GRACE,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.keyring = Keyring(store, provider, earlier_history=self._earlier_history)
        self.audit = audit_log or AuditLog(
            store, lambda: self.keyring.system_secret("audit"), checkpoint_dir=checkpoint_dir
        )
        self.retire_grace = retire_grace
        self._clock = clock or (lambda: datetime.now(UTC))

    @classmethod
    def from_settings(cls, settings: Settings) -> Vault:
        """The vault configured by ``[store]`` and ``[keys]``."""
        from ._factory import provider_from_settings

        provider = provider_from_settings(settings.keys)
        return cls(
            Store.from_settings(settings),
            provider,
            retire_grace=timedelta(days=settings.keys.retired_key_grace_days),
        )

    def _earlier_history(self) -> str | None:
        """Whether files outside the database show it held an audit log before."""
        directory = self.audit.checkpoint_dir
        found = sorted(directory.glob(CHECKPOINT_GLOB)) if directory.is_dir() else []
        if not found:
            return None
        return f"{directory} holds audit checkpoint files ({found[0].name}…) of an earlier log"

    def initialise(self) -> bool:
        """Create the vault's system keys in a new store (True if this call created them).

        Happens by itself on first use; afterwards a missing system key is an error.
        """
        return self.keyring.initialise()

    @property
    def provider(self) -> KeyProvider:
        """The master-key provider."""
        return self.keyring.provider

    def close(self) -> None:
        """Release database connections."""
        self.store.close()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def subject_ref(self, subject_id: str) -> str:
        """The keyed hash standing for *subject_id* in the database, audit log and reports."""
        _check_subject(subject_id)
        return self.keyring.subject_ref(subject_id)

    # -- records ----------------------------------------------------------------------------

    def seal(
        self,
        record_id: str,
        plaintext: bytes,
        *,
        kind: str,
        subject_id: str | None = None,
        replace: bool = False,
        actor: str | None = None,
        reason: str = "",
        expires_at: datetime | None = None,
    ) -> SealedRecord:
        """Encrypt and store *plaintext* as *record_id* under the subject's data key.

        With *expires_at*, ``destroy_expired`` deletes the record once that time has passed
        (sealed originals kept for a grace period).
        """
        _check_record_id(record_id)
        _check_kind(kind)
        if not isinstance(plaintext, bytes | bytearray | memoryview):
            raise InputError("seal() takes bytes; encode text first, e.g. text.encode()")
        subject_ref = None if subject_id is None else self.subject_ref(subject_id)
        scope = self.keyring.scope_of(subject_ref)
        with self.store.session() as session:
            exists = session.execute(
                select(sealed_records.c.record_id).where(sealed_records.c.record_id == record_id)
            ).first()
            if exists is not None:
                if not replace:
                    raise VaultError(
                        f"sealed record {record_id} already exists; pass replace=True to overwrite"
                    )
                session.execute(
                    delete(sealed_records).where(sealed_records.c.record_id == record_id)
                )
            key = self.keyring.live_key(session, scope)
            blob = key.seal(
                bytes(plaintext), record_id=record_id, kind=kind, subject_ref=subject_ref
            )
            session.execute(
                insert(sealed_records).values(
                    record_id=record_id,
                    kind=kind,
                    subject_ref=subject_ref,
                    key_id=key.key_id,
                    ciphertext=blob,
                    created_at=datetime.now(UTC),
                    expires_at=expires_at,
                )
            )
        if actor is not None:
            self.audit.append(actor, "vault.seal", [record_id], reason, {"kind": kind})
        return SealedRecord(record_id, kind, subject_ref, key.key_id, len(plaintext))

    def open(self, record_id: str, *, actor: str | None = None, reason: str = "") -> bytes:
        """Decrypt *record_id*. ``ShreddedError`` if its subject was shredded,
        ``DecryptionError`` if its ciphertext was altered or moved from another record."""
        _check_record_id(record_id)
        with self.store.session(write=False) as session:
            row = session.execute(
                select(
                    sealed_records.c.kind,
                    sealed_records.c.subject_ref,
                    sealed_records.c.key_id,
                    sealed_records.c.ciphertext,
                ).where(sealed_records.c.record_id == record_id)
            ).first()
            if row is None:
                raise VaultError(f"there is no sealed record {record_id}")
            kind, subject_ref, key_id, blob = row
            key = self.keyring.key_for_record(session, key_id, record_id=record_id)
        plaintext = key.open(bytes(blob), record_id=record_id, kind=kind, subject_ref=subject_ref)
        if actor is not None:
            self.audit.append(actor, "vault.open", [record_id], reason, {"kind": kind})
        return plaintext

    def reseal(self, record_id: str, plaintext: bytes, *, actor: str, reason: str = "") -> bool:
        """Replace the content of an existing record, keeping its kind, subject and expiry
        (an erasure removes one person's data from an original sealed under another's key).
        Audited in the same transaction; False if there is no such record."""
        _check_record_id(record_id)
        self.audit.load_key()
        with self.store.session() as session:
            row = session.execute(
                select(sealed_records.c.kind, sealed_records.c.subject_ref)
                .where(sealed_records.c.record_id == record_id)
                .with_for_update()
            ).first()
            if row is None:
                return False
            kind, subject_ref = row
            key = self.keyring.live_key(session, self.keyring.scope_of(subject_ref))
            blob = key.seal(
                bytes(plaintext), record_id=record_id, kind=kind, subject_ref=subject_ref
            )
            session.execute(
                update(sealed_records)
                .where(sealed_records.c.record_id == record_id)
                .values(key_id=key.key_id, ciphertext=blob)
            )
            self.audit.append_in(
                session, actor, "vault.reseal", [record_id], reason, {"kind": kind}
            )
        self.store.purge_freed_pages()
        return True

    def exists(self, record_id: str) -> bool:
        """Whether a sealed record with this id is stored (shredded or not)."""
        with self.store.session(write=False) as session:
            return (
                session.execute(
                    select(sealed_records.c.record_id).where(
                        sealed_records.c.record_id == record_id
                    )
                ).first()
                is not None
            )

    def record_ids(self, subject_id: str) -> list[str]:
        """Ids of the records sealed for *subject_id* (for access requests and erasure)."""
        subject_ref = self.subject_ref(subject_id)
        with self.store.session(write=False) as session:
            return list(
                session.execute(
                    select(sealed_records.c.record_id)
                    .where(sealed_records.c.subject_ref == subject_ref)
                    .order_by(sealed_records.c.record_id)
                ).scalars()
            )

    def delete(self, record_id: str, *, actor: str, reason: str = "") -> bool:
        """Delete one sealed record (audited); False if there was none."""
        _check_record_id(record_id)
        self.audit.load_key()  # unwrap the audit key before taking the write lock
        with self.store.session() as session:
            result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                delete(sealed_records).where(sealed_records.c.record_id == record_id)
            )
            deleted = result.rowcount
            if deleted:  # audited in the same transaction: no unaudited delete after a crash
                self.audit.append_in(session, actor, "vault.delete", [record_id], reason, {})
        return bool(deleted)

    def destroy_expired(
        self, *, actor: str, now: datetime | None = None, reason: str = "", batch: int = 500
    ) -> int:
        """Delete every sealed record whose ``expires_at`` has passed; returns how many.

        Each batch is deleted in one transaction with its audit entry (``vault.expire``).
        """
        moment = now or self._clock()
        self.audit.load_key()
        total = 0
        while True:
            with self.store.session() as session:
                ids = list(
                    session.execute(
                        select(sealed_records.c.record_id)
                        .where(sealed_records.c.expires_at <= moment)
                        .order_by(sealed_records.c.record_id)
                        .limit(batch)
                    ).scalars()
                )
                if not ids:
                    break
                session.execute(delete(sealed_records).where(sealed_records.c.record_id.in_(ids)))
                self.audit.append_in(
                    session, actor, "vault.expire", ids, reason, {"records": len(ids)}
                )
            total += len(ids)
        if total:
            self.store.purge_freed_pages()
        return total

    # -- keys -------------------------------------------------------------------------------

    def shred_subject(self, subject_id: str, *, actor: str, reason: str = "") -> ShredReport:
        """Destroy the subject's data key: their records stop opening (``ShreddedError``),
        everyone else's are untouched. Idempotent; always audited, in the same transaction.

        ``VaultError`` if the subject index itself is missing or unreadable (erasure would
        otherwise silently miss every record). A subject with nothing sealed is a success with
        status ``nothing-sealed`` and a warning: the normal case for many erasure requests.
        """
        return self.shred_subject_ref(self.subject_ref(subject_id), actor=actor, reason=reason)

    def shred_subject_ref(self, subject_ref: str, *, actor: str, reason: str = "") -> ShredReport:
        """``shred_subject`` for a subject known only by its keyed hash (restore replays these)."""
        if not re.fullmatch(r"[0-9a-f]{64}", subject_ref):
            raise InputError("a subject ref is 64 lowercase hex digits")
        scope = self.keyring.scope_of(subject_ref)
        self.audit.load_key()  # unwrap the audit key before taking the write lock
        with self.store.session() as session:
            destroyed, tombstones = self.keyring.shred(session, scope)
            all_keys = list(
                session.execute(
                    select(data_keys.c.key_id).where(data_keys.c.scope == scope)
                ).scalars()
            )
            records = self.keyring.count_records(session, all_keys)
            status: ShredStatus = "shredded" if destroyed else "already-shredded"
            if not destroyed and not tombstones:
                status = "nothing-sealed"
            self.audit.append_in(
                session,
                actor,
                "keys.shred",
                [f"subject:{subject_ref}", *sorted(destroyed)],
                reason,
                {"status": status, "records": records},
            )
        warnings: list[str] = []
        if status == "nothing-sealed":
            warnings.append(
                "nothing was sealed for this subject: no data key existed, so there was nothing "
                "to destroy (check the subject id if you expected records)"
            )
        if not self.store.purge_freed_pages():
            warnings.append(
                "another connection held the database open, so the destroyed key may linger in "
                "the SQLite write-ahead log until it closes; rerun the shred later to purge it"
            )
        return ShredReport(
            subject_ref=subject_ref,
            status=status,
            key_ids=sorted(destroyed),
            records=records,
            warnings=warnings,
        )

    def rotate(
        self,
        *,
        actor: str,
        reason: str = "",
        batch_size: int = 500,
        progress: ProgressCallback | None = None,
    ) -> RotationReport:
        """Re-wrap every data key under a new master key (or finish an interrupted rotation)."""
        if batch_size < 1:
            raise InputError("--batch-size must be at least 1")
        self.audit.load_key()  # the audit key is needed inside rotation's transactions
        return rotate(
            self.keyring,
            self.audit,
            actor=actor,
            reason=reason,
            batch_size=batch_size,
            progress=progress,
            now=self._clock(),
            grace=self.retire_grace,
        )

    def destroy_retired(self, *, actor: str, reason: str = "") -> RotationReport:
        """Destroy master keys retired longer than the grace period ago that no data key uses
        (``keys retire``); ``keys rotate`` does the same at its end."""
        self.audit.load_key()
        return destroy_retired(
            self.keyring,
            self.audit,
            actor=actor,
            reason=reason,
            now=self._clock(),
            grace=self.retire_grace,
        )

    def status(self) -> KeyStatus:
        """Master keys, data-key counts per master key, shredded subjects (counts only)."""
        provider = self.provider
        primary = provider.primary_key_id()
        available = provider.key_ids()
        subject_scope = data_keys.c.scope.like("subject:%")
        live = data_keys.c.shredded_at.is_(None)
        with self.store.session(write=False) as session:
            per_kek: dict[str | None, int] = dict(
                session.execute(
                    select(data_keys.c.kek_id, func.count())
                    .where(live)
                    .group_by(data_keys.c.kek_id)
                ).all()
            )
            registered = {row.kek_id: row for row in session.execute(select(master_keys)).all()}
            count = lambda q: int(session.execute(q).scalar_one())  # noqa: E731
            data_key_count = count(
                select(func.count()).where(
                    live, subject_scope | (data_keys.c.scope == SHARED_SCOPE)
                )
            )
            subjects = count(select(func.count()).where(live, subject_scope))
            shredded_subjects = count(
                select(func.count(distinct(data_keys.c.scope))).where(
                    data_keys.c.shredded_at.is_not(None), subject_scope
                )
            )
            sealed = count(select(func.count()).select_from(sealed_records))
            shredded_records = count(
                select(func.count())
                .select_from(sealed_records.join(data_keys))
                .where(data_keys.c.shredded_at.is_not(None))
            )
            pending = count(select(func.count()).where(live, data_keys.c.kek_id != primary))
        kek_ids = list(dict.fromkeys([*registered, *available, primary]))
        keys = [
            MasterKeyStatus(
                kek_id=kek_id,
                primary=kek_id == primary,
                available=kek_id in available,
                data_keys=int(per_kek.get(kek_id, 0)),
                created_at=_aware(registered[kek_id].created_at) if kek_id in registered else None,
                retired_at=_aware(registered[kek_id].retired_at) if kek_id in registered else None,
                destroyed_at=(
                    _aware(registered[kek_id].destroyed_at) if kek_id in registered else None
                ),
            )
            for kek_id in kek_ids
        ]
        return KeyStatus(
            provider=provider.describe(),
            primary_kek_id=primary,
            master_keys=keys,
            data_keys=data_key_count,
            subjects=subjects,
            shredded_subjects=shredded_subjects,
            sealed_records=sealed,
            shredded_records=shredded_records,
            pending_rotation=pending,
        )
