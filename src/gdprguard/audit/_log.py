"""``AuditLog``: an append-only, hash-chained, HMAC-keyed log in the store.

Each entry's ``mac`` is ``HMAC-SHA256(audit key, canonical JSON of the entry including the
previous entry's mac)``. Editing, deleting, inserting or reordering rows breaks a mac or the chain;
cutting off the newest entries is caught by a checkpoint (last seq and mac, itself MACed) kept in
a file under ``GDPRGUARD_HOME``, outside the database. Appending refuses to continue a log that
no longer reaches its checkpoint (so a cut tail cannot be papered over by new entries), and
``verify`` fails on any checkpoint file it cannot match to the current log and key (so replacing
the audit key, or wiping the log and starting again, is caught too).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

try:  # POSIX: serialise checkpoint writers across processes too
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from .._exceptions import AuditTamperedError, InputError
from .._home import home_dir
from ..store import Store, StoreConflictError, audit_log
from ._models import AuditEntry, AuditProblem, AuditReport

__all__ = [
    "CHECKPOINT_GLOB",
    "GENESIS_MAC",
    "AuditLog",
    "canonical_json",
    "count_entries",
    "summarise",
]

GENESIS_MAC = "0" * 64
_MAC_DOMAIN = b"gdprguard.audit.v1\n"
_FIELDS = ("seq", "ts", "actor", "action", "target_ids", "reason", "details", "prev_mac")
CHECKPOINT_GLOB = "audit-checkpoint-*.json"
_PG_APPEND_LOCK = 0x67647072  # pg_advisory_xact_lock key serialising appends ("gdpr")
_THREAD_LOCK = threading.Lock()


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the exact bytes the mac covers."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _check_json(name: str, value: Any) -> Any:
    try:
        return json.loads(canonical_json(value))
    except (TypeError, ValueError):
        raise InputError(f"audit {name} must be JSON-serialisable") from None


class AuditLog:
    """Append entries and verify the whole log.

    *key* is the 32-byte HMAC key or a callable returning it (the vault keeps it wrapped by the
    master key); *checkpoint_dir* defaults to ``GDPRGUARD_HOME``.
    """

    def __init__(
        self,
        store: Store,
        key: bytes | Callable[[], bytes],
        *,
        checkpoint_dir: Path | None = None,
    ) -> None:
        self.store = store
        self._key_source = key
        self._key: bytes | None = key if isinstance(key, bytes) else None
        self._checkpoint_dir = checkpoint_dir

    # -- keys and checkpoint ----------------------------------------------------------------

    def load_key(self) -> None:
        """Unwrap the audit key now (before a caller takes a database write lock)."""
        self._hmac_key()

    def _hmac_key(self) -> bytes:
        if self._key is None:
            assert callable(self._key_source)
            self._key = self._key_source()
        return self._key

    def _mac(self, fields: Mapping[str, Any]) -> str:
        body = canonical_json({name: fields[name] for name in _FIELDS}).encode()
        return hmac.new(self._hmac_key(), _MAC_DOMAIN + body, hashlib.sha256).hexdigest()

    @property
    def checkpoint_dir(self) -> Path:
        """Where this log's checkpoint files live (``GDPRGUARD_HOME`` unless given)."""
        return self._checkpoint_dir or home_dir()

    @property
    def checkpoint_path(self) -> Path:
        """The checkpoint file of this log (named by a fingerprint of the audit key)."""
        tag = hmac.new(self._hmac_key(), b"checkpoint file", hashlib.sha256).hexdigest()[:16]
        return self.checkpoint_dir / f"audit-checkpoint-{tag}.json"

    def _checkpoint_tag(self, seq: int, mac: str) -> str:
        message = f"checkpoint\0{seq}\0{mac}".encode()
        return hmac.new(self._hmac_key(), message, hashlib.sha256).hexdigest()

    def _read_checkpoint(self, path: Path | None = None) -> tuple[int, str, bool] | None:
        """``(seq, mac, authentic)`` of a checkpoint file, None if there is none."""
        path = path or self.checkpoint_path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            seq, mac, tag = int(data["seq"]), str(data["mac"]), str(data["tag"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return (0, "", False)
        return seq, mac, hmac.compare_digest(tag, self._checkpoint_tag(seq, mac))

    @contextmanager
    def _checkpoint_lock(self) -> Iterator[None]:
        """Serialise checkpoint writers: threads of this process, and other processes."""
        directory = self.checkpoint_dir
        directory.mkdir(parents=True, mode=0o700, exist_ok=True)
        with _THREAD_LOCK:
            if fcntl is None:  # pragma: no cover - Windows
                yield
                return
            fd = os.open(directory / ".audit-checkpoint.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # releases the lock

    def _write_checkpoint(self, seq: int, mac: str) -> None:
        with self._checkpoint_lock():
            current = self._read_checkpoint()
            if current is not None and current[2] and current[0] >= seq:
                return  # another writer already recorded a later entry
            path = self.checkpoint_path
            document = {
                "version": 1,
                "seq": seq,
                "mac": mac,
                "tag": self._checkpoint_tag(seq, mac),
            }
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(canonical_json(document))
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
            except BaseException:
                with suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise

    def reset_checkpoint(self, seq: int, mac: str) -> None:
        """Overwrite this log's checkpoint with (*seq*, *mac*), even if it names a later entry.

        Only for ``gdprguard restore`` after it has deliberately accepted a shorter log.
        """
        with self._checkpoint_lock():
            path = self.checkpoint_path
            if path.exists():
                path.unlink()
        self._write_checkpoint(seq, mac)

    def _check_reaches_checkpoint(self, session: Session, last_seq: int) -> None:
        """Refuse to append to a log whose tail was cut or rewritten (see the module doc)."""
        checkpoint = self._read_checkpoint()
        if checkpoint is None:
            return
        cp_seq, cp_mac, authentic = checkpoint
        if not authentic:
            raise AuditTamperedError(
                f"audit checkpoint {self.checkpoint_path} was modified; nothing more is appended "
                "until this is investigated (run `gdprguard audit verify`)"
            )
        if last_seq < cp_seq:
            raise AuditTamperedError(
                f"the audit log ends at entry {last_seq}, but entry {cp_seq} was written: entries "
                "were deleted from the end; nothing more is appended until this is investigated "
                "(run `gdprguard audit verify`, restore from backup)"
            )
        if cp_seq == 0:
            return
        mac_at = session.execute(
            select(audit_log.c.mac).where(audit_log.c.seq == cp_seq)
        ).scalar_one_or_none()
        if mac_at is None or not hmac.compare_digest(str(mac_at), cp_mac):
            raise AuditTamperedError(
                f"audit entry {cp_seq} differs from the one recorded in the checkpoint: the log "
                "was rewritten; nothing more is appended until this is investigated "
                "(run `gdprguard audit verify`)"
            )

    # -- writing ----------------------------------------------------------------------------

    def append(
        self,
        actor: str,
        action: str,
        target_ids: Iterable[str] = (),
        reason: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry (ids and counts only, never personal data) and return it.

        ``AuditTamperedError`` if the log no longer reaches its checkpoint.
        """
        self._hmac_key()  # unwrap the key before taking the write lock
        for attempt in range(20):
            try:
                with self.store.session() as session:
                    entry = self.append_in(session, actor, action, target_ids, reason, details)
            except StoreConflictError:
                if attempt == 19:
                    raise
                time.sleep(0.01 * (attempt + 1))  # another writer took this seq: retry
                continue
            return entry
        raise AssertionError("unreachable")

    def append_in(
        self,
        session: Session,
        actor: str,
        action: str,
        target_ids: Iterable[str] = (),
        reason: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry inside the caller's write transaction *session*, so the entry and
        the change it records commit together or not at all (shreds, deletes, rotation).

        The checkpoint file is updated once that transaction commits.
        """
        if not actor or not action:
            raise InputError("an audit entry needs an actor and an action")
        targets = [str(t) for t in target_ids]
        detail_doc = _check_json("details", dict(details or {}))
        self._hmac_key()
        if session.get_bind().dialect.name == "postgresql":
            # Appends queue here instead of colliding on the next seq.
            session.execute(select(func.pg_advisory_xact_lock(_PG_APPEND_LOCK)))
        last = session.execute(
            select(audit_log.c.seq, audit_log.c.mac).order_by(audit_log.c.seq.desc()).limit(1)
        ).first()
        seq, prev = (1, GENESIS_MAC) if last is None else (int(last[0]) + 1, str(last[1]))
        self._check_reaches_checkpoint(session, seq - 1)
        fields = {
            "seq": seq,
            "ts": datetime.now(UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "target_ids": targets,
            "reason": reason,
            "details": detail_doc,
            "prev_mac": prev,
        }
        mac = self._mac(fields)
        session.execute(
            insert(audit_log).values(
                **{
                    **fields,
                    "target_ids": canonical_json(targets),
                    "details": canonical_json(detail_doc),
                },
                mac=mac,
            )
        )
        event.listen(
            session, "after_commit", lambda _s: self._write_checkpoint(seq, mac), once=True
        )
        return AuditEntry(**fields, mac=mac)

    # -- reading ----------------------------------------------------------------------------

    def entries(self, *, since_seq: int = 0, limit: int | None = None) -> Iterator[AuditEntry]:
        """Entries with ``seq > since_seq`` in order (as stored; ``verify`` checks them)."""
        query = select(audit_log).where(audit_log.c.seq > since_seq).order_by(audit_log.c.seq)
        if limit is not None:
            query = query.limit(limit)
        with self.store.session(write=False) as session:
            rows = session.execute(query).mappings().all()
        for row in rows:
            yield entry_from_row(dict(row))

    # -- verification -----------------------------------------------------------------------

    def verify(self, *, batch: int = 5000) -> AuditReport:
        """Check every mac, the chain, sequence gaps and the checkpoint; never raises on tamper."""
        problems: list[AuditProblem] = []
        warnings: list[str] = []
        count, first, last_seq, last_mac = 0, None, None, GENESIS_MAC
        macs_at: dict[int, str] = {}
        checkpoint = self._read_checkpoint()
        cursor = None
        while True:
            query = select(audit_log).order_by(audit_log.c.seq).limit(batch)
            if cursor is not None:
                query = query.where(audit_log.c.seq > cursor)
            with self.store.session(write=False) as session:
                rows = session.execute(query).mappings().all()
            if not rows:
                break
            for row in rows:
                seq = int(row["seq"])
                cursor = seq
                count += 1
                first = seq if first is None else first
                self._check_row(dict(row), seq, last_seq, last_mac, problems)
                if checkpoint is not None and seq == checkpoint[0]:
                    macs_at[seq] = row["mac"]
                last_seq, last_mac = seq, row["mac"]
        self._check_other_checkpoints(problems)
        if checkpoint is None:
            if count:
                warnings.append(
                    f"no checkpoint file {self.checkpoint_path.name} on this host: entries cut off "
                    "the end of the log cannot be detected here"
                )
        elif not checkpoint[2]:
            problems.append(
                AuditProblem(
                    kind="checkpoint-forged",
                    message=f"checkpoint file {self.checkpoint_path} was modified",
                )
            )
        else:
            cp_seq, cp_mac, _ = checkpoint
            if last_seq is None or last_seq < cp_seq:
                problems.append(
                    AuditProblem(
                        kind="truncated",
                        seq=cp_seq,
                        message=f"the log ends at {last_seq or 0} but entry {cp_seq} was written; "
                        "entries were deleted from the end",
                    )
                )
            elif macs_at.get(cp_seq) != cp_mac:
                problems.append(
                    AuditProblem(
                        kind="checkpoint-mismatch",
                        seq=cp_seq,
                        message=f"entry {cp_seq} differs from the one recorded in the checkpoint",
                    )
                )
        return AuditReport(
            ok=not problems,
            entries=count,
            first_seq=first,
            last_seq=last_seq,
            checkpoint_seq=checkpoint[0] if checkpoint is not None and checkpoint[2] else None,
            problems=problems,
            warnings=warnings,
        )

    def _check_other_checkpoints(self, problems: list[AuditProblem]) -> None:
        """Every checkpoint file beside ours must be ours: one written under another audit key
        means the key was replaced or the log re-created, hiding whatever came before."""
        own = self.checkpoint_path
        for path in sorted(self.checkpoint_dir.glob(CHECKPOINT_GLOB)):
            if path == own:
                continue
            problems.append(
                AuditProblem(
                    kind="checkpoint-foreign",
                    message=f"checkpoint file {path.name} was not written under this log's "
                    "audit key: the audit key was replaced or the log was re-created since; "
                    "restore the database from a backup",
                )
            )

    def _check_row(
        self,
        row: Mapping[str, Any],
        seq: int,
        last_seq: int | None,
        last_mac: str,
        problems: list[AuditProblem],
    ) -> None:
        expected = 1 if last_seq is None else last_seq + 1
        if seq != expected:
            problems.append(
                AuditProblem(
                    kind="bad-start" if last_seq is None else "gap",
                    seq=seq,
                    message=f"entry {seq} follows {last_seq or 0}: entries {expected}..{seq - 1} "
                    "are missing",
                )
            )
        if row["prev_mac"] != last_mac:
            problems.append(
                AuditProblem(
                    kind="broken-chain",
                    seq=seq,
                    message=f"entry {seq} does not chain to the entry before it "
                    "(deleted, inserted or reordered entries)",
                )
            )
        try:
            fields = {
                **{name: row[name] for name in _FIELDS},
                "seq": seq,
                "target_ids": json.loads(row["target_ids"]),
                "details": json.loads(row["details"]),
            }
        except ValueError:
            problems.append(
                AuditProblem(kind="unreadable", seq=seq, message=f"entry {seq} is not valid JSON")
            )
            return
        # The mac covers the canonical form; the stored text must be exactly that form, or two
        # texts (say, with a duplicate key) would pass as one entry.
        if (
            canonical_json(fields["target_ids"]) != row["target_ids"]
            or canonical_json(fields["details"]) != row["details"]
        ):
            problems.append(
                AuditProblem(
                    kind="non-canonical",
                    seq=seq,
                    message=f"entry {seq} is not stored in canonical form: it was edited",
                )
            )
        if not hmac.compare_digest(self._mac(fields), str(row["mac"])):
            problems.append(
                AuditProblem(
                    kind="mac-mismatch",
                    seq=seq,
                    message=f"entry {seq} was modified (its mac does not match its contents)",
                )
            )

    def verify_or_raise(self) -> AuditReport:
        """``verify()``, raising ``AuditTamperedError`` with a summary when it finds problems."""
        report = self.verify()
        if not report.ok:
            raise AuditTamperedError(summarise(report))
        return report


def entry_from_row(row: Mapping[str, Any]) -> AuditEntry:
    """An ``audit_log`` row as an :class:`AuditEntry` (its JSON columns decoded)."""
    return AuditEntry(
        seq=int(row["seq"]),
        ts=row["ts"],
        actor=row["actor"],
        action=row["action"],
        target_ids=json.loads(row["target_ids"]),
        reason=row["reason"],
        details=json.loads(row["details"]),
        prev_mac=row["prev_mac"],
        mac=row["mac"],
    )


def summarise(report: AuditReport) -> str:
    """One line describing a failed report."""
    first = report.problems[0]
    more = f" (and {len(report.problems) - 1} more problems)" if len(report.problems) > 1 else ""
    return f"audit log does not verify: {first.message}{more}"


def count_entries(store: Store) -> int:
    """Number of rows in the audit log."""
    with store.session(write=False) as session:
        return int(session.execute(select(func.count()).select_from(audit_log)).scalar_one())
