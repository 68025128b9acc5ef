"""``AuditLog``: an append-only, hash-chained, HMAC-keyed log in the store.

Each entry's ``mac`` is ``HMAC-SHA256(audit key, canonical JSON of the entry including the
previous entry's mac)``. Editing, deleting, inserting or reordering rows breaks a mac or the chain;
cutting off the newest entries is caught by a checkpoint (last seq and mac, itself MACed) kept in
a file under ``GDPRGUARD_HOME``, outside the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from .._exceptions import AuditTamperedError, InputError
from .._home import home_dir
from ..store import Store, StoreConflictError, audit_log
from ._models import AuditEntry, AuditProblem, AuditReport

__all__ = ["GENESIS_MAC", "AuditLog", "canonical_json", "count_entries", "summarise"]

GENESIS_MAC = "0" * 64
_MAC_DOMAIN = b"gdprguard.audit.v1\n"
_FIELDS = ("seq", "ts", "actor", "action", "target_ids", "reason", "details", "prev_mac")


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

    def _hmac_key(self) -> bytes:
        if self._key is None:
            assert callable(self._key_source)
            self._key = self._key_source()
        return self._key

    def _mac(self, fields: Mapping[str, Any]) -> str:
        body = canonical_json({name: fields[name] for name in _FIELDS}).encode()
        return hmac.new(self._hmac_key(), _MAC_DOMAIN + body, hashlib.sha256).hexdigest()

    @property
    def checkpoint_path(self) -> Path:
        """The checkpoint file of this log (named by a fingerprint of the audit key)."""
        tag = hmac.new(self._hmac_key(), b"checkpoint file", hashlib.sha256).hexdigest()[:16]
        return (self._checkpoint_dir or home_dir()) / f"audit-checkpoint-{tag}.json"

    def _checkpoint_tag(self, seq: int, mac: str) -> str:
        message = f"checkpoint\0{seq}\0{mac}".encode()
        return hmac.new(self._hmac_key(), message, hashlib.sha256).hexdigest()

    def _read_checkpoint(self) -> tuple[int, str, bool] | None:
        path = self.checkpoint_path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            seq, mac, tag = int(data["seq"]), str(data["mac"]), str(data["tag"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return (0, "", False)
        return seq, mac, hmac.compare_digest(tag, self._checkpoint_tag(seq, mac))

    def _write_checkpoint(self, seq: int, mac: str) -> None:
        current = self._read_checkpoint()
        if current is not None and current[2] and current[0] >= seq:
            return  # another process already recorded a later entry
        path = self.checkpoint_path
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        document = {"version": 1, "seq": seq, "mac": mac, "tag": self._checkpoint_tag(seq, mac)}
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(canonical_json(document))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    # -- writing ----------------------------------------------------------------------------

    def append(
        self,
        actor: str,
        action: str,
        target_ids: Iterable[str] = (),
        reason: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry (ids and counts only, never personal data) and return it."""
        if not actor or not action:
            raise InputError("an audit entry needs an actor and an action")
        targets = [str(t) for t in target_ids]
        detail_doc = _check_json("details", dict(details or {}))
        self._hmac_key()  # unwrap the key before taking the write lock
        for attempt in range(20):
            try:
                with self.store.session() as session:
                    last = session.execute(
                        select(audit_log.c.seq, audit_log.c.mac)
                        .order_by(audit_log.c.seq.desc())
                        .limit(1)
                    ).first()
                    seq, prev = (1, GENESIS_MAC) if last is None else (int(last[0]) + 1, last[1])
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
            except StoreConflictError:
                if attempt == 19:
                    raise
                time.sleep(0.01 * (attempt + 1))  # another writer took this seq: retry
                continue
            self._write_checkpoint(seq, mac)
            return AuditEntry(**fields, mac=mac)
        raise AssertionError("unreachable")

    # -- reading ----------------------------------------------------------------------------

    def entries(self, *, since_seq: int = 0, limit: int | None = None) -> Iterator[AuditEntry]:
        """Entries with ``seq > since_seq`` in order (as stored; ``verify`` checks them)."""
        query = select(audit_log).where(audit_log.c.seq > since_seq).order_by(audit_log.c.seq)
        if limit is not None:
            query = query.limit(limit)
        with self.store.session(write=False) as session:
            rows = session.execute(query).mappings().all()
        for row in rows:
            yield self._entry(dict(row))

    @staticmethod
    def _entry(row: Mapping[str, Any]) -> AuditEntry:
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


def summarise(report: AuditReport) -> str:
    """One line describing a failed report."""
    first = report.problems[0]
    more = f" (and {len(report.problems) - 1} more problems)" if len(report.problems) > 1 else ""
    return f"audit log does not verify: {first.message}{more}"


def count_entries(store: Store) -> int:
    """Number of rows in the audit log."""
    with store.session(write=False) as session:
        return int(session.execute(select(func.count()).select_from(audit_log)).scalar_one())
