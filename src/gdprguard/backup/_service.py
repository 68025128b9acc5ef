"""``backup`` and ``restore``: a consistent, sealed copy of the store and its keys, and a restore
that cannot undo an erasure.

A backup taken before a shred still holds the shredded subject's wrapped data key and the master
key that opens it. So ``restore`` never simply puts the old database back: in the same transaction
it re-applies every shred and delete the current audit log recorded after the backup was taken,
keeps that audit log (the backup's log is a prefix of it), and writes what it did to the log.
Either all of this commits, or nothing does. See docs/security.md, "Backups and erasure".
"""

from __future__ import annotations

import hmac
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Connection, delete, insert, select

from .. import __version__
from .._exceptions import InputError, VaultError
from ..audit import CHECKPOINT_GLOB, AuditLog, canonical_json
from ..store import Store, audit_log, data_keys, sealed_records
from ..vault import FileKeyProvider, KeyProvider, Keyring
from ..vault._keyring import wrap_context
from ..vault._providers import LocalMasterKey
from ._dump import decode_row, dump_lines, iter_rows, tables
from ._sealed import BackupKeys, KdfParams, open_file, seal_file, sha256_file

__all__ = [
    "BackupManifest",
    "BackupReport",
    "RestorePlan",
    "create_backup",
    "plan_restore",
    "read_manifest",
    "restore_backup",
]

MANIFEST = "manifest.json"
STORE_FILE = "store.sealed"
KEYS_FILE = "keys.sealed"
_BATCH = 500


class BackupManifest(BaseModel):
    """``manifest.json``: non-secret facts about a backup, MACed under the passphrase."""

    format: str = "gdprguard-backup"
    version: int = 1
    backup_id: str
    created_at: datetime
    gdprguard_version: str
    schema_revision: str
    dialect: str
    provider: dict[str, str]
    key_files: list[str] = Field(description="master key ids whose key files are in the backup")
    audit_last_seq: int
    audit_last_mac: str
    tables: dict[str, int]
    files: dict[str, str] = Field(description="file name -> SHA-256 of its sealed bytes")
    kdf: dict[str, Any]
    mac: str = ""

    def body(self) -> bytes:
        """The bytes the manifest's MAC covers (everything but the MAC)."""
        return canonical_json(self.model_dump(mode="json", exclude={"mac"})).encode()


class BackupReport(BaseModel):
    """What ``gdprguard backup`` wrote."""

    backup_id: str
    directory: str
    created_at: datetime
    tables: dict[str, int]
    key_files: list[str]
    audit_last_seq: int
    notes: list[str]


class RestorePlan(BaseModel):
    """What ``gdprguard restore`` does (``--dry-run``) or did."""

    backup_id: str
    backup_created_at: datetime
    tables: dict[str, int] = Field(description="rows restored per table")
    audit_mode: str = Field(
        description="keep-current: the current log continues the backup's and is kept; "
        "from-backup: there is no current log, the backup's is used"
    )
    current_audit_seq: int
    backup_audit_seq: int
    replayed_shreds: int = Field(description="shreds recorded after the backup, re-applied")
    replayed_deletes: int = Field(description="deletes recorded after the backup, re-applied")
    lost_entries: list[int] = Field(
        default_factory=list, description="[first, last] audit seqs lost (only when accepted)"
    )
    key_files_written: list[str]
    applied: bool = False
    warnings: list[str] = Field(default_factory=list)


# -- backup ---------------------------------------------------------------------------------


def create_backup(
    store: Store,
    provider: KeyProvider,
    directory: Path,
    passphrase: str,
    *,
    audit: AuditLog,
    actor: str,
    now: Callable[[], datetime] | None = None,
) -> BackupReport:
    """Write a sealed, consistent backup of *store* (and the file provider's key files)."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError(
            f"backup directory {directory} already exists and is not empty; name a new one"
        )
    directory.parent.mkdir(parents=True, exist_ok=True)
    created_at = (now or (lambda: datetime.now(UTC)))()
    params = KdfParams.new()
    keys = BackupKeys(passphrase, params)
    key_material = _key_files(provider)
    work = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        files: dict[str, str] = {}
        counts: dict[str, int] = {}
        used: set[str] = set()
        last_seq, last_mac = 0, ""
        with _snapshot(store) as connection:
            revision = _revision(connection)
            files[STORE_FILE] = seal_file(work / STORE_FILE, keys, dump_lines(connection, counts))
            used = {
                kek
                for (kek,) in connection.execute(
                    select(data_keys.c.kek_id).where(data_keys.c.kek_id.is_not(None)).distinct()
                )
            }
            last = connection.execute(
                select(audit_log.c.seq, audit_log.c.mac).order_by(audit_log.c.seq.desc()).limit(1)
            ).first()
            if last is not None:
                last_seq, last_mac = int(last[0]), str(last[1])
        notes: list[str] = []
        if key_material:
            missing = used - set(key_material)
            if missing:
                raise VaultError(
                    f"master key {sorted(missing)[0]} was created while the backup ran (a "
                    "rotation in another process); run the backup again"
                )
            document = [
                {"kek_id": kek, "material": material.hex()}
                for kek, material in sorted(key_material.items())
            ]
            files[KEYS_FILE] = seal_file(work / KEYS_FILE, keys, [json.dumps(document).encode()])
        else:
            notes.append(
                f"the master keys are held by the '{provider.name}' provider, not in files: back "
                "them up there (the backup cannot be opened without them)"
            )
        manifest = BackupManifest(
            backup_id=f"bk-{created_at.strftime('%Y%m%dT%H%M%SZ')}-{os.urandom(4).hex()}",
            created_at=created_at,
            gdprguard_version=__version__,
            schema_revision=revision,
            dialect=store.dialect,
            provider=provider.describe(),
            key_files=sorted(key_material),
            audit_last_seq=last_seq,
            audit_last_mac=last_mac,
            tables=counts,
            files=files,
            kdf=params.to_json(),
        )
        manifest.mac = keys.mac(manifest.body())
        _write_new(work / MANIFEST, manifest.model_dump_json(indent=2).encode())
        if directory.exists():
            directory.rmdir()
        os.replace(work, directory)
        os.chmod(directory, 0o700)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    audit.append(
        actor, "backup.create", [manifest.backup_id], "", {"audit_seq": last_seq, **counts}
    )
    return BackupReport(
        backup_id=manifest.backup_id,
        directory=str(directory),
        created_at=created_at,
        tables=counts,
        key_files=manifest.key_files,
        audit_last_seq=last_seq,
        notes=notes,
    )


def _key_files(provider: KeyProvider) -> dict[str, bytes]:
    """Master key id -> key bytes, for providers that keep keys in files."""
    if not isinstance(provider, FileKeyProvider):
        return {}
    provider.reload()
    return provider.export_keys()


@contextmanager
def _snapshot(store: Store) -> Iterator[Connection]:
    """One read transaction that sees a single consistent state of every table."""
    connection = store.engine.connect()
    if store.dialect == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    try:
        connection.begin()
        yield connection
    finally:
        connection.rollback()
        connection.close()


def _revision(connection: Connection) -> str:
    from alembic.runtime.migration import MigrationContext

    revision = MigrationContext.configure(connection).get_current_revision()
    if revision is None:  # pragma: no cover - Store migrates before anything else
        raise VaultError("the database has no schema yet; nothing to back up")
    return revision


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


# -- restore --------------------------------------------------------------------------------


def read_manifest(directory: Path, passphrase: str) -> tuple[BackupManifest, BackupKeys]:
    """The verified manifest of the backup in *directory*, and the keys that open it."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise InputError(f"{directory} is not a gdprguard backup (no {MANIFEST} in it)")
    try:
        manifest = BackupManifest.model_validate_json(path.read_bytes())
    except ValidationError:
        raise VaultError(f"{path} is damaged or not a gdprguard backup manifest") from None
    if manifest.format != "gdprguard-backup" or manifest.version != 1:
        raise VaultError(f"{path} is a backup format this version of gdprguard cannot read")
    keys = BackupKeys(passphrase, KdfParams.from_json(manifest.kdf))
    if not _same(keys.mac(manifest.body()), manifest.mac):
        raise InputError(
            f"the passphrase does not open the backup in {directory} (or its manifest was "
            "altered); check GDPRGUARD_BACKUP_PASSPHRASE"
        )
    for name, digest in manifest.files.items():
        file = Path(directory) / name
        if not file.is_file() or not _same(sha256_file(file), digest):
            raise VaultError(f"backup file {name} is missing or altered; the backup is unusable")
    return manifest, keys


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass
class _CurrentLog:
    """What the current database's audit log says happened after the backup."""

    last_seq: int = 0
    shreds: list[tuple[int, str]] = field(default_factory=list)  # (seq, subject ref)
    deletes: list[tuple[int, str]] = field(default_factory=list)  # (seq, record id): deletes
    # and expiries of sealed records


def _current_log(store: Store, manifest: BackupManifest) -> _CurrentLog:
    state = _CurrentLog()
    with store.session(write=False) as session:
        last = session.execute(
            select(audit_log.c.seq).order_by(audit_log.c.seq.desc()).limit(1)
        ).scalar_one_or_none()
        state.last_seq = int(last or 0)
        if state.last_seq == 0:
            return state
        if state.last_seq >= manifest.audit_last_seq and manifest.audit_last_seq > 0:
            mac = session.execute(
                select(audit_log.c.mac).where(audit_log.c.seq == manifest.audit_last_seq)
            ).scalar_one_or_none()
            if mac is None or not _same(str(mac), manifest.audit_last_mac):
                raise InputError(
                    "this backup was not taken from this database (its audit log does not "
                    f"continue the backup's at entry {manifest.audit_last_seq}); restore it into "
                    "an empty database, or pick the right backup"
                )
        elif state.last_seq < manifest.audit_last_seq:
            raise InputError(
                f"the current audit log ends at entry {state.last_seq}, before the backup's "
                f"{manifest.audit_last_seq}: this database is older than the backup or not its "
                "origin; restore into an empty database instead"
            )
        rows = session.execute(
            select(audit_log.c.seq, audit_log.c.action, audit_log.c.target_ids)
            .where(audit_log.c.seq > manifest.audit_last_seq)
            .where(
                audit_log.c.action.in_(
                    ["keys.shred", "vault.delete", "vault.expire", "vault.reseal"]
                )
            )
            .order_by(audit_log.c.seq)
        ).all()
    for seq, action, targets_text in rows:
        targets = json.loads(targets_text)
        if not targets:
            continue
        if action == "keys.shred" and str(targets[0]).startswith("subject:"):
            state.shreds.append((int(seq), str(targets[0])[len("subject:") :]))
        elif action in ("vault.delete", "vault.expire", "vault.reseal"):
            # a re-sealed record's backed-up copy still holds what the re-seal removed: the
            # restore destroys it rather than bring that back
            state.deletes.extend((int(seq), str(target)) for target in targets)
    return state


def plan_restore(
    store: Store,
    provider: KeyProvider,
    directory: Path,
    passphrase: str,
    *,
    checkpoint_dir: Path,
    accept_log_loss: bool = False,
) -> RestorePlan:
    """What ``restore_backup`` would do; writes nothing."""
    manifest, keys = read_manifest(directory, passphrase)
    current = _current_log(store, manifest)
    key_material = _backup_keys(Path(directory), keys, manifest)
    to_write = _key_files_to_write(provider, key_material)
    return _plan(checkpoint_dir, manifest, current, to_write, accept_log_loss, provider)


def _plan(
    checkpoint_dir: Path,
    manifest: BackupManifest,
    current: _CurrentLog,
    to_write: dict[str, bytes],
    accept_log_loss: bool,
    provider: KeyProvider,
) -> RestorePlan:
    warnings: list[str] = []
    lost: list[int] = []
    mode = "keep-current" if current.last_seq > 0 else "from-backup"
    if mode == "from-backup":
        checkpoint = _checkpoint_seq(checkpoint_dir)
        if checkpoint is not None and checkpoint > manifest.audit_last_seq:
            lost = [manifest.audit_last_seq + 1, checkpoint]
            if not accept_log_loss:
                raise InputError(
                    f"the current database holds no audit log, but this host recorded entries up "
                    f"to {checkpoint}; entries {lost[0]}..{lost[1]} (and any shreds among them) "
                    "cannot be replayed. Restore the current database's log if you can; "
                    "otherwise rerun with --accept-log-loss, which records the loss in the log"
                )
            warnings.append(
                f"audit entries {lost[0]}..{lost[1]} are lost; shreds among them were not replayed"
            )
    if not isinstance(provider, FileKeyProvider):
        warnings.append(
            f"master keys live in the '{provider.name}' provider: every key the backup's data "
            "keys are wrapped under must still be available there"
        )
    return RestorePlan(
        backup_id=manifest.backup_id,
        backup_created_at=manifest.created_at,
        tables={k: v for k, v in manifest.tables.items() if k != "audit_log"},
        audit_mode=mode,
        current_audit_seq=current.last_seq,
        backup_audit_seq=manifest.audit_last_seq,
        replayed_shreds=len(current.shreds),
        replayed_deletes=len(current.deletes),
        lost_entries=lost,
        key_files_written=sorted(to_write),
        warnings=warnings,
    )


def _checkpoint_seq(checkpoint_dir: Path) -> int | None:
    """The highest seq any audit checkpoint on this host claims (unauthenticated: a hint)."""
    best: int | None = None
    for path in checkpoint_dir.glob(CHECKPOINT_GLOB):
        try:
            seq = int(json.loads(path.read_text(encoding="utf-8"))["seq"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        best = seq if best is None else max(best, seq)
    return best


def _backup_keys(directory: Path, keys: BackupKeys, manifest: BackupManifest) -> dict[str, bytes]:
    if KEYS_FILE not in manifest.files:
        return {}
    raw = b"".join(open_file(directory / KEYS_FILE, keys))
    try:
        document = json.loads(raw)
        material = {str(d["kek_id"]): bytes.fromhex(d["material"]) for d in document}
    except (ValueError, KeyError, TypeError):
        raise VaultError("the backup's key file is damaged") from None
    for kek_id, secret in material.items():
        if LocalMasterKey(secret).key_id != kek_id:
            raise VaultError("the backup's key file is damaged (a key does not match its id)")
    return material


def _key_files_to_write(provider: KeyProvider, material: dict[str, bytes]) -> dict[str, bytes]:
    if not isinstance(provider, FileKeyProvider) or not material:
        return {}
    have = set(provider.export_keys()) if provider.path.exists() else set()
    return {kek: secret for kek, secret in material.items() if kek not in have}


def restore_backup(
    store: Store,
    provider: KeyProvider,
    directory: Path,
    passphrase: str,
    *,
    actor: str,
    checkpoint_dir: Path,
    accept_log_loss: bool = False,
) -> RestorePlan:
    """Put the backup back, re-apply later shreds and deletes, keep the audit log; atomic."""
    directory = Path(directory)
    manifest, keys = read_manifest(directory, passphrase)
    current = _current_log(store, manifest)
    key_material = _backup_keys(directory, keys, manifest)
    to_write = _key_files_to_write(provider, key_material)
    plan = _plan(checkpoint_dir, manifest, current, to_write, accept_log_loss, provider)
    if isinstance(provider, FileKeyProvider) and to_write:
        provider.import_keys(to_write, primary_kek_id=_backup_primary(directory, keys))
    provider.reload()
    audit_key = _audit_key(directory, keys, provider)
    audit = AuditLog(store, audit_key, checkpoint_dir=checkpoint_dir)
    if plan.lost_entries:
        audit.reset_checkpoint(manifest.audit_last_seq, manifest.audit_last_mac)
    keyring = Keyring(store, provider)
    table_map = {table.name: table for table in tables()}
    with store.session() as session:
        for table in reversed(tables()):
            if table.name != "audit_log":
                session.execute(delete(table))
        batches: dict[str, list[dict[str, Any]]] = {}
        for name, row in iter_rows(open_file(directory / STORE_FILE, keys)):
            table = table_map.get(name)
            if table is None:
                raise VaultError(
                    f"the backup holds table {name}, which this version of gdprguard does not "
                    "know; restore it with the version that made it, or newer"
                )
            if name == "audit_log" and int(row["seq"]) <= current.last_seq:
                continue  # already in the current log, which continues the backup's
            batch = batches.setdefault(name, [])
            batch.append(decode_row(table, row))
            if len(batch) >= _BATCH:
                session.execute(insert(table), batch)
                batch.clear()
        for name in [t.name for t in tables()]:
            if batches.get(name):
                session.execute(insert(table_map[name]), batches[name])
        for seq, subject_ref in current.shreds:
            scope = keyring.scope_of(subject_ref)
            destroyed, _ = keyring.shred(session, scope)
            audit.append_in(
                session,
                actor,
                "keys.shred",
                [f"subject:{subject_ref}", *sorted(destroyed)],
                f"restore {manifest.backup_id}: replay of audit entry {seq}",
                {"status": "shredded" if destroyed else "already-shredded", "replay_of": seq},
            )
        for seq, record_id in current.deletes:
            session.execute(delete(sealed_records).where(sealed_records.c.record_id == record_id))
            audit.append_in(
                session,
                actor,
                "vault.delete",
                [record_id],
                f"restore {manifest.backup_id}: replay of audit entry {seq}",
                {"replay_of": seq},
            )
        audit.append_in(
            session,
            actor,
            "backup.restore",
            [manifest.backup_id],
            "",
            {
                "backup_audit_seq": manifest.audit_last_seq,
                "replayed_shreds": len(current.shreds),
                "replayed_deletes": len(current.deletes),
                "lost_entries": plan.lost_entries,
            },
        )
    if not store.purge_freed_pages():
        plan.warnings.append(
            "another connection held the database open: destroyed keys may linger in the "
            "SQLite write-ahead log until it closes"
        )
    plan.applied = True
    return plan


def _backup_primary(directory: Path, keys: BackupKeys) -> str | None:
    """The master key the backed-up store named as primary."""
    for name, row in iter_rows(open_file(directory / STORE_FILE, keys)):
        if name == "vault_state" and row.get("name") == "primary_kek_id":
            return str(row["value"])
    return None


def _audit_key(directory: Path, keys: BackupKeys, provider: KeyProvider) -> bytes:
    """The audit HMAC key, unwrapped from the backup's ``system:audit`` data key."""
    for name, row in iter_rows(open_file(directory / STORE_FILE, keys)):
        if name == "data_keys" and row.get("scope") == "system:audit" and row.get("wrapped"):
            decoded = decode_row(data_keys, row)
            return provider.unwrap(
                decoded["kek_id"],
                decoded["wrapped"],
                wrap_context(decoded["key_id"], "system:audit"),
            )
    raise VaultError("the backup holds no audit key; it is damaged or not a complete backup")
