"""The vault over a real store (SQLite and PostgreSQL): sealing, tampering, shredding, rotation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from gdprguard import DecryptionError, InputError, KeyProviderError, ShreddedError, VaultError
from gdprguard.store import Store, data_keys, sealed_records
from gdprguard.vault import FileKeyProvider, Vault

pytest_plugins = ["_store_fixtures"]

ALICE = "zendesk:support:user:101"
BOB = "zendesk:support:user:102"


def _seal_sample(vault: Vault) -> dict[str, bytes]:
    records = {
        "zendesk:support:comment:1": b"Hi, I'm Alice, call me on +44 20 7946 0958",
        "zendesk:support:comment:2": "山田太郎です。電話 090-1234-5678".encode(),
        "zendesk:support:comment:3": b"Bob here, bob@example.org",
        "policy:snapshot:1": b"no subject at all",
    }
    vault.seal(
        "zendesk:support:comment:1",
        records["zendesk:support:comment:1"],
        kind="original",
        subject_id=ALICE,
    )
    vault.seal(
        "zendesk:support:comment:2",
        records["zendesk:support:comment:2"],
        kind="original",
        subject_id=ALICE,
    )
    vault.seal(
        "zendesk:support:comment:3",
        records["zendesk:support:comment:3"],
        kind="original",
        subject_id=BOB,
    )
    vault.seal("policy:snapshot:1", records["policy:snapshot:1"], kind="snapshot")
    return records


def _ciphertext(store: Store, record_id: str) -> bytes:
    with store.session(write=False) as session:
        return bytes(
            session.execute(
                select(sealed_records.c.ciphertext).where(sealed_records.c.record_id == record_id)
            ).scalar_one()
        )


def _set_ciphertext(store: Store, record_id: str, blob: bytes) -> None:
    with store.session() as session:
        session.execute(
            update(sealed_records)
            .where(sealed_records.c.record_id == record_id)
            .values(ciphertext=blob)
        )


def test_round_trip(vault: Vault) -> None:
    records = _seal_sample(vault)
    for record_id, plaintext in records.items():
        assert vault.open(record_id) == plaintext
    assert vault.record_ids(ALICE) == ["zendesk:support:comment:1", "zendesk:support:comment:2"]
    assert vault.exists("policy:snapshot:1") and not vault.exists("policy:snapshot:2")


def test_one_data_key_per_subject(vault: Vault) -> None:
    a1 = vault.seal("r:1", b"x", kind="original", subject_id=ALICE)
    a2 = vault.seal("r:2", b"y", kind="original", subject_id=ALICE)
    b1 = vault.seal("r:3", b"z", kind="original", subject_id=BOB)
    n1 = vault.seal("r:4", b"w", kind="original")
    assert a1.key_id == a2.key_id
    assert len({a1.key_id, b1.key_id, n1.key_id}) == 3
    assert a1.subject_ref == vault.subject_ref(ALICE) and ALICE not in a1.subject_ref
    assert n1.subject_ref is None


def test_reopened_vault_reads_everything(vault: Vault, store_url: str, home) -> None:
    records = _seal_sample(vault)
    with Vault(Store(store_url), FileKeyProvider(home / "master.key")) as again:
        assert all(again.open(r) == p for r, p in records.items())


def test_flipped_byte_in_database_is_rejected(vault: Vault, store: Store) -> None:
    _seal_sample(vault)
    blob = bytearray(_ciphertext(store, "zendesk:support:comment:1"))
    blob[40] ^= 0x04
    _set_ciphertext(store, "zendesk:support:comment:1", bytes(blob))
    with pytest.raises(DecryptionError) as info:
        vault.open("zendesk:support:comment:1")
    assert "zendesk:support:comment:1 failed authentication" in str(info.value)
    assert "Alice" not in str(info.value)
    assert vault.open("zendesk:support:comment:2")  # the neighbour is fine


def test_ciphertext_swapped_between_records_of_one_subject(vault: Vault, store: Store) -> None:
    _seal_sample(vault)
    one = _ciphertext(store, "zendesk:support:comment:1")
    two = _ciphertext(store, "zendesk:support:comment:2")
    _set_ciphertext(store, "zendesk:support:comment:1", two)
    _set_ciphertext(store, "zendesk:support:comment:2", one)
    for record_id in ("zendesk:support:comment:1", "zendesk:support:comment:2"):
        with pytest.raises(DecryptionError, match="failed authentication"):
            vault.open(record_id)


def test_ciphertext_swapped_between_subjects(vault: Vault, store: Store) -> None:
    _seal_sample(vault)
    _set_ciphertext(
        store, "zendesk:support:comment:1", _ciphertext(store, "zendesk:support:comment:3")
    )
    with pytest.raises(DecryptionError, match="swapped or overwritten"):
        vault.open("zendesk:support:comment:1")
    # also re-pointing the row at the other subject's key does not help the attacker
    with store.session() as session:
        bob_key = session.execute(
            select(sealed_records.c.key_id).where(
                sealed_records.c.record_id == "zendesk:support:comment:3"
            )
        ).scalar_one()
        session.execute(
            update(sealed_records)
            .where(sealed_records.c.record_id == "zendesk:support:comment:1")
            .values(key_id=bob_key)
        )
    with pytest.raises(DecryptionError, match="failed authentication"):
        vault.open("zendesk:support:comment:1")


def test_wrapped_data_key_swapped_between_subjects(vault: Vault, store: Store) -> None:
    _seal_sample(vault)
    alice, bob = vault.subject_ref(ALICE), vault.subject_ref(BOB)
    with store.session() as session:
        bob_wrapped = session.execute(
            select(data_keys.c.wrapped).where(data_keys.c.scope == f"subject:{bob}")
        ).scalar_one()
        session.execute(
            update(data_keys)
            .where(data_keys.c.scope == f"subject:{alice}")
            .values(wrapped=bob_wrapped)
        )
    fresh = Vault(store, FileKeyProvider(vault.provider.path))  # type: ignore[attr-defined]
    with pytest.raises(KeyProviderError, match="does not authenticate"):
        fresh.open("zendesk:support:comment:1")
    assert fresh.open("zendesk:support:comment:3").startswith(b"Bob")


def test_existing_record_needs_replace(vault: Vault) -> None:
    vault.seal("r:1", b"first", kind="original", subject_id=ALICE)
    with pytest.raises(VaultError, match="already exists"):
        vault.seal("r:1", b"second", kind="original", subject_id=ALICE)
    vault.seal("r:1", b"second", kind="original", subject_id=BOB, replace=True)
    assert vault.open("r:1") == b"second"
    assert vault.record_ids(ALICE) == [] and vault.record_ids(BOB) == ["r:1"]


@pytest.mark.parametrize("record_id", ["", "alice@example.com", "has space", "x" * 256, "a\0b"])
def test_record_ids_must_be_opaque(vault: Vault, record_id: str) -> None:
    with pytest.raises(InputError, match="record id"):
        vault.seal(record_id, b"x", kind="original")


def test_bad_kind_and_plaintext_type(vault: Vault) -> None:
    with pytest.raises(InputError, match="record kind"):
        vault.seal("r:1", b"x", kind="Original Text")
    with pytest.raises(InputError, match="takes bytes"):
        vault.seal("r:1", "text", kind="original")  # type: ignore[arg-type]


def test_missing_record(vault: Vault) -> None:
    with pytest.raises(VaultError, match="no sealed record r:404"):
        vault.open("r:404")


def test_delete(vault: Vault) -> None:
    vault.seal("r:1", b"x", kind="original", subject_id=ALICE)
    assert vault.delete("r:1", actor="test") is True
    assert vault.delete("r:1", actor="test") is False
    assert not vault.exists("r:1")


def test_shredding_one_subject_leaves_the_others(vault: Vault) -> None:
    records = _seal_sample(vault)
    report = vault.shred_subject(ALICE, actor="test", reason="dsar:erase:7")
    assert report.status == "shredded" and report.records == 2
    assert report.subject_ref == vault.subject_ref(ALICE)
    for record_id in ("zendesk:support:comment:1", "zendesk:support:comment:2"):
        with pytest.raises(
            ShreddedError, match=f"record {record_id} belongs to a shredded subject"
        ):
            vault.open(record_id)
    assert vault.open("zendesk:support:comment:3") == records["zendesk:support:comment:3"]
    assert vault.open("policy:snapshot:1") == records["policy:snapshot:1"]
    again = vault.shred_subject(ALICE, actor="test")
    assert again.status == "already-shredded" and again.records == 2
    nothing = vault.shred_subject("zendesk:support:user:999", actor="test")
    assert nothing.status == "nothing-sealed" and nothing.records == 0
    assert "nothing was sealed" in nothing.warnings[0]
    status = vault.status()
    assert status.shredded_subjects == 1 and status.shredded_records == 2
    assert status.subjects == 1


def test_shred_is_seen_by_another_process(vault: Vault, store_url: str, home) -> None:
    """A second vault instance (another process) with the key cached still refuses afterwards."""
    vault.seal("r:1", b"x", kind="original", subject_id=ALICE)
    other = Vault(Store(store_url), FileKeyProvider(home / "master.key"))
    assert other.open("r:1") == b"x"  # caches Alice's key
    vault.shred_subject(ALICE, actor="test")
    with pytest.raises(ShreddedError):
        other.open("r:1")
    other.close()


def test_sealing_after_shred_uses_a_new_key(vault: Vault) -> None:
    first = vault.seal("r:1", b"old", kind="original", subject_id=ALICE)
    vault.shred_subject(ALICE, actor="test")
    second = vault.seal("r:2", b"new", kind="original", subject_id=ALICE)
    assert second.key_id != first.key_id
    assert vault.open("r:2") == b"new"
    with pytest.raises(ShreddedError):
        vault.open("r:1")


def test_rotation_keeps_every_record_readable(vault: Vault, home) -> None:
    records = _seal_sample(vault)
    old = vault.status().primary_kek_id
    report = vault.rotate(actor="test", reason="scheduled")
    assert report.created and not report.resumed
    assert report.primary_kek_id != old and report.retired == [old]
    assert report.rewrapped == 5  # Alice, Bob, the shared key and the two system keys
    archive = home / f"master-{old.split(':')[1]}.key"
    assert archive.exists() and report.destroyed == []  # kept for the grace period
    for record_id, plaintext in records.items():
        assert vault.open(record_id) == plaintext
    fresh = Vault(vault.store, FileKeyProvider(home / "master.key"))
    assert all(fresh.open(r) == p for r, p in records.items())
    status = fresh.status()
    assert status.pending_rotation == 0
    assert {k.kek_id: k.data_keys for k in status.master_keys}[report.primary_kek_id] >= 4
    assert next(k for k in status.master_keys if k.kek_id == old).retired_at is not None
    assert fresh.destroy_retired(actor="test").destroyed == []  # grace period not over
    later = Vault(
        vault.store,
        FileKeyProvider(home / "master.key"),
        clock=lambda: datetime.now(UTC) + timedelta(days=8),
    )
    assert later.destroy_retired(actor="test").destroyed == [old]
    assert not archive.exists()
    assert all(later.open(r) == p for r, p in records.items())
    assert next(k for k in later.status().master_keys if k.kek_id == old).destroyed_at


def test_rotation_does_not_reencrypt_data(vault: Vault, store: Store) -> None:
    _seal_sample(vault)
    before = _ciphertext(store, "zendesk:support:comment:1")
    vault.rotate(actor="test")
    assert _ciphertext(store, "zendesk:support:comment:1") == before


class _Crash(Exception):
    pass


def test_rotation_resumes_after_a_crash(vault: Vault, home) -> None:
    subjects = [f"zendesk:support:user:{n}" for n in range(12)]
    for n, subject in enumerate(subjects):
        vault.seal(f"r:{n}", f"record {n}".encode(), kind="original", subject_id=subject)
    old = vault.status().primary_kek_id

    def crash(done: int, total: int) -> None:
        if done >= 5:
            raise _Crash

    with pytest.raises(_Crash):
        vault.rotate(actor="test", batch_size=5, progress=crash)
    # mid-rotation: both master keys exist, every record still opens
    fresh = Vault(vault.store, FileKeyProvider(home / "master.key"))
    status = fresh.status()
    assert status.pending_rotation > 0
    assert (home / f"master-{old.split(':')[1]}.key").exists()
    assert all(fresh.open(f"r:{n}") == f"record {n}".encode() for n in range(12))
    fresh.retire_grace = timedelta(0)
    report = fresh.rotate(actor="test", batch_size=5)
    assert report.resumed and not report.created
    assert report.primary_kek_id == status.primary_kek_id  # no third key
    assert report.retired == [old] and report.destroyed == [old]
    assert fresh.status().pending_rotation == 0
    assert all(fresh.open(f"r:{n}") == f"record {n}".encode() for n in range(12))
    assert sorted(p.name for p in home.glob("master*")) == ["master.key"]


def test_shredded_keys_are_not_rewrapped(vault: Vault) -> None:
    _seal_sample(vault)
    vault.shred_subject(ALICE, actor="test")
    vault.rotate(actor="test")
    with pytest.raises(ShreddedError):
        vault.open("zendesk:support:comment:1")
    assert vault.open("zendesk:support:comment:3").startswith(b"Bob")


def test_status_counts(vault: Vault) -> None:
    _seal_sample(vault)
    status = vault.status()
    assert status.provider["provider"] == "file"
    assert status.data_keys == 3 and status.subjects == 2 and status.sealed_records == 4
    assert [k.primary for k in status.master_keys] == [True]
    assert status.master_keys[0].available
