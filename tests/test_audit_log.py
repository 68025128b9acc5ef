"""The audit log on SQLite and PostgreSQL: chaining, keyed MACs and tamper detection."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from gdprguard import AuditTamperedError, InputError
from gdprguard.audit import GENESIS_MAC, AuditLog
from gdprguard.store import Store
from gdprguard.vault import FileKeyProvider, Vault

pytest_plugins = ["_store_fixtures"]


@pytest.fixture
def log(vault: Vault) -> AuditLog:
    for n in range(1, 6):
        vault.audit.append(
            "cli:uid1000",
            "retention.redact",
            [f"zendesk:support:ticket:{n}"],
            "policy:default:rule:closed-90d",
            {"comments": n},
        )
    return vault.audit


@pytest.fixture
def tamper(store: Store, drop_audit_triggers) -> Callable[[str], None]:
    """Run SQL against the audit log as an attacker with DDL rights would."""

    def run(statement: str) -> None:
        drop_audit_triggers(store)
        with store.engine.begin() as connection:
            connection.exec_driver_sql(statement)

    return run


def _kinds(log: AuditLog) -> set[str]:
    return {problem.kind for problem in log.verify().problems}


def test_entries_chain_and_verify(log: AuditLog) -> None:
    entries = list(log.entries())
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_mac == GENESIS_MAC
    assert all(b.prev_mac == a.mac for a, b in itertools.pairwise(entries))
    assert entries[2].target_ids == ["zendesk:support:ticket:3"]
    assert entries[2].details == {"comments": 3}
    report = log.verify()
    assert report.ok and report.entries == 5 and report.last_seq == 5
    assert report.checkpoint_seq == 5 and report.problems == [] and report.warnings == []
    assert log.verify_or_raise().ok


def test_empty_log_verifies(vault: Vault) -> None:
    report = vault.audit.verify()
    assert report.ok and report.entries == 0 and report.last_seq is None


def test_edited_entry_is_caught(log: AuditLog, tamper) -> None:
    tamper("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 3")
    report = log.verify()
    assert not report.ok
    assert [(p.kind, p.seq) for p in report.problems] == [("mac-mismatch", 3)]
    with pytest.raises(AuditTamperedError, match="entry 3 was modified"):
        log.verify_or_raise()


def test_edited_details_json_is_caught(log: AuditLog, tamper) -> None:
    tamper("""UPDATE audit_log SET details = '{"comments":0}' WHERE seq = 2""")
    assert _kinds(log) == {"mac-mismatch"}


def test_recomputed_hash_without_the_key_is_caught(log: AuditLog, tamper) -> None:
    """Editing an entry and recomputing a plain hash still fails: the MAC is keyed."""
    forged = hashlib.sha256(b"forged").hexdigest()
    tamper(f"UPDATE audit_log SET reason = 'x', mac = '{forged}' WHERE seq = 5")
    assert "mac-mismatch" in _kinds(log)


def test_deleted_entry_is_caught(log: AuditLog, tamper) -> None:
    tamper("DELETE FROM audit_log WHERE seq = 2")
    report = log.verify()
    assert not report.ok
    assert {(p.kind, p.seq) for p in report.problems} == {("gap", 3), ("broken-chain", 3)}


def test_deleted_and_renumbered_entries_are_caught(log: AuditLog, tamper) -> None:
    tamper("DELETE FROM audit_log WHERE seq = 2")
    for seq in (3, 4, 5):
        tamper(f"UPDATE audit_log SET seq = {seq - 1} WHERE seq = {seq}")
    kinds = _kinds(log)
    assert {"broken-chain", "mac-mismatch", "truncated"} <= kinds


def test_reordered_entries_are_caught(log: AuditLog, tamper) -> None:
    tamper("UPDATE audit_log SET seq = 100 WHERE seq = 2")
    tamper("UPDATE audit_log SET seq = 2 WHERE seq = 3")
    tamper("UPDATE audit_log SET seq = 3 WHERE seq = 100")
    report = log.verify()
    assert not report.ok
    assert {p.seq for p in report.problems} >= {2, 3}
    assert {"mac-mismatch", "broken-chain"} <= {p.kind for p in report.problems}


def test_swapped_contents_are_caught(log: AuditLog, store: Store, drop_audit_triggers) -> None:
    """Swap everything but seq between two rows (a reorder that keeps the numbering)."""
    drop_audit_triggers(store)
    with store.engine.begin() as connection:
        rows = {
            row.seq: row
            for row in connection.execute(sa.text("SELECT * FROM audit_log WHERE seq IN (2, 4)"))
        }
        for seq, other in ((2, 4), (4, 2)):
            source = rows[other]
            connection.execute(
                sa.text(
                    "UPDATE audit_log SET ts=:ts, target_ids=:t, details=:d, prev_mac=:p, mac=:m "
                    "WHERE seq=:seq"
                ),
                {
                    "ts": source.ts,
                    "t": source.target_ids,
                    "d": source.details,
                    "p": source.prev_mac,
                    "m": source.mac,
                    "seq": seq,
                },
            )
    assert {"mac-mismatch", "broken-chain"} <= _kinds(log)


def test_truncated_tail_is_caught_by_the_checkpoint(log: AuditLog, tamper) -> None:
    tamper("DELETE FROM audit_log WHERE seq >= 4")
    report = log.verify()
    assert [(p.kind, p.seq) for p in report.problems] == [("truncated", 5)]


def test_rewritten_tail_is_caught_by_the_checkpoint(log: AuditLog, tamper) -> None:
    tamper("DELETE FROM audit_log WHERE seq = 5")
    report = log.verify()
    assert [(p.kind, p.seq) for p in report.problems] == [("truncated", 5)]


def test_forged_checkpoint_is_caught(log: AuditLog) -> None:
    path = log.checkpoint_path
    document = json.loads(path.read_text())
    document["seq"] = 2
    path.write_text(json.dumps(document))
    assert _kinds(log) == {"checkpoint-forged"}


def test_missing_checkpoint_is_a_warning(log: AuditLog) -> None:
    log.checkpoint_path.unlink()
    report = log.verify()
    assert report.ok and report.checkpoint_seq is None
    assert "cannot be detected" in report.warnings[0]


def test_audit_key_survives_rotation(log: AuditLog, vault: Vault, home: Path) -> None:
    vault.rotate(actor="test")
    fresh = Vault(vault.store, FileKeyProvider(home / "master.key"))
    report = fresh.audit.verify()
    assert report.ok and report.entries == 7  # five entries and the rotation's two
    assert [e.action for e in fresh.audit.entries()][-1] == "keys.rotate"


def test_vault_operations_are_audited(vault: Vault) -> None:
    vault.seal("r:1", b"x", kind="original", subject_id="s:1", actor="sweep", reason="rule:a")
    vault.open("r:1", actor="dsar", reason="dsar:request:9")
    vault.seal("r:2", b"y", kind="original")  # no actor: not audited
    vault.shred_subject("s:1", actor="dsar", reason="dsar:request:10")
    vault.rotate(actor="ops")
    actions = [(e.action, e.actor) for e in vault.audit.entries()]
    assert actions == [
        ("vault.seal", "sweep"),
        ("vault.open", "dsar"),
        ("keys.shred", "dsar"),
        ("keys.rotate.begin", "ops"),
        ("keys.rotate", "ops"),
    ]
    assert vault.audit.verify().ok


def test_other_key_cannot_verify(log: AuditLog, store: Store) -> None:
    other = AuditLog(store, b"k" * 32, checkpoint_dir=log.checkpoint_path.parent)
    assert _kinds(other) == {"mac-mismatch", "checkpoint-foreign"}


def test_entries_must_be_json(log: AuditLog) -> None:
    with pytest.raises(InputError, match="JSON"):
        log.append("a", "b", [], "", {"x": object()})
    with pytest.raises(InputError, match="actor and an action"):
        log.append("", "b")


def test_listing_with_since_and_limit(log: AuditLog) -> None:
    assert [e.seq for e in log.entries(since_seq=2, limit=2)] == [3, 4]
