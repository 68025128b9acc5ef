"""Nothing personal at rest in clear: plant values, run every flow, grep every written byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from gdprguard.store import Store, data_keys
from gdprguard.vault import FileKeyProvider, Vault

pytest_plugins = ["_store_fixtures"]

EMAIL = "zelda.quackenbush@example.net"
PLANTED = {
    "name": "Zelda Quackenbush",
    "email": EMAIL,
    "phone": "+44 20 7946 0123",
    "card": "4111 1111 1111 1111",
    "japanese": "山田花子",
    "address": "〒150-0001 東京都渋谷区神宮前1-2-3",
}
OTHER = "other.person@example.org"


def _run_every_flow(vault: Vault) -> None:
    for n, (field, value) in enumerate(PLANTED.items()):
        vault.seal(
            f"zendesk:support:comment:{n}",
            f"{field}: {value}".encode(),
            kind="original",
            subject_id=EMAIL,  # the worst case: a caller using the e-mail itself as subject id
            actor="cli:uid1000",
            reason="policy:default:rule:closed",
        )
    vault.seal(
        "zendesk:support:comment:99",
        f"mentions {PLANTED['name']}".encode(),
        kind="original",
        subject_id=OTHER,
    )
    vault.seal("policy:note:1", f"about {PLANTED['phone']}".encode(), kind="note")
    assert vault.open("zendesk:support:comment:0", actor="dsar").startswith(b"name")
    vault.rotate(actor="ops", batch_size=2)
    vault.shred_subject(OTHER, actor="dsar", reason="dsar:request:1")
    vault.rotate(actor="ops")
    vault.status()
    assert vault.audit.verify().ok


def _needles() -> dict[str, bytes]:
    needles: dict[str, bytes] = {}
    for field, value in {**PLANTED, "other": OTHER}.items():
        needles[f"{field} (utf-8)"] = value.encode()
        needles[f"{field} (utf-16)"] = value.encode("utf-16-le")
        needles[f"{field} (sha256)"] = hashlib.sha256(value.encode()).hexdigest().encode()
    return needles


def test_nothing_personal_in_any_written_file(home: Path) -> None:
    store = Store(f"sqlite:///{home / 'gdprguard.db'}")
    with Vault(store, FileKeyProvider(home / "master.key")) as vault:
        _run_every_flow(vault)
    files = [p for p in home.rglob("*") if p.is_file()]
    assert home / "gdprguard.db" in files and home / "master.key" in files
    assert any(p.name.startswith("audit-checkpoint-") for p in files)
    for path in files:
        content = path.read_bytes()
        for label, needle in _needles().items():
            assert needle not in content, f"{label} found in clear in {path.name}"


def test_nothing_personal_in_any_column(store: Store, home: Path) -> None:
    """The same check on both dialects, reading every row of every table."""
    with Vault(store, FileKeyProvider(home / "master.key")) as vault:
        _run_every_flow(vault)
    dump = bytearray()
    with store.engine.connect() as connection:
        for table in sa.inspect(store.engine).get_table_names():
            for row in connection.execute(sa.text(f"SELECT * FROM {table}")):
                for value in row:
                    dump += value if isinstance(value, bytes) else str(value).encode()
                    dump += b"\0"
    assert len(dump) > 1000
    for label, needle in _needles().items():
        assert needle not in dump, f"{label} found in clear in the database"


def test_shredded_key_bytes_leave_the_sqlite_file(home: Path) -> None:
    store = Store(f"sqlite:///{home / 'gdprguard.db'}")
    vault = Vault(store, FileKeyProvider(home / "master.key"))
    vault.seal("r:1", b"x", kind="original", subject_id=EMAIL)
    vault.seal("r:2", b"y", kind="original", subject_id=OTHER)
    scope = f"subject:{vault.subject_ref(EMAIL)}"
    with store.session(write=False) as session:
        wrapped = bytes(
            session.execute(
                sa.select(data_keys.c.wrapped).where(data_keys.c.scope == scope)
            ).scalar_one()
        )

    def on_disk() -> bytes:
        return b"".join(p.read_bytes() for p in home.glob("gdprguard.db*"))

    assert wrapped in on_disk()
    vault.shred_subject(EMAIL, actor="dsar")
    assert wrapped not in on_disk()  # neither in the database file nor in its WAL
    vault.close()
    assert wrapped not in on_disk()


@pytest.mark.parametrize("subject", [EMAIL, "zendesk:support:user:7"])
def test_subject_ref_is_keyed(vault: Vault, subject: str) -> None:
    ref = vault.subject_ref(subject)
    assert len(ref) == 64 and ref == vault.subject_ref(subject)
    assert ref != hashlib.sha256(subject.encode()).hexdigest()
