"""The sealed-record format: round trip, tamper detection and binding to the record."""

from __future__ import annotations

import os
import pickle
import secrets

import pytest

from gdprguard import DecryptionError
from gdprguard.vault import FORMAT_VERSION, DataKey
from gdprguard.vault._envelope import HEADER_SIZE, TAG_SIZE, read_key_id

RECORD = {"record_id": "zendesk:support:comment:42", "kind": "original", "subject_ref": "ab" * 32}


@pytest.fixture
def key() -> DataKey:
    return DataKey(secrets.token_hex(16), os.urandom(32))


@pytest.mark.parametrize("size", [0, 1, 4096, 65536])
def test_round_trip(key: DataKey, size: int) -> None:
    plaintext = os.urandom(size)
    blob = key.seal(plaintext, **RECORD)
    assert len(blob) == HEADER_SIZE + size + TAG_SIZE
    assert blob[0] == FORMAT_VERSION
    assert read_key_id(blob, record_id="r") == key.key_id
    assert key.open(blob, **RECORD) == plaintext


def test_same_plaintext_gives_different_ciphertexts(key: DataKey) -> None:
    assert key.seal(b"same", **RECORD) != key.seal(b"same", **RECORD)


@pytest.mark.parametrize("position", [17, 20, HEADER_SIZE, HEADER_SIZE + 5, -1])
def test_flipped_byte_is_rejected(key: DataKey, position: int) -> None:
    blob = bytearray(key.seal(b"Alice Example, +44 20 7946 0958", **RECORD))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionError, match="zendesk:support:comment:42 failed authentication"):
        key.open(bytes(blob), **RECORD)


def test_flipped_key_id_is_rejected(key: DataKey) -> None:
    blob = bytearray(key.seal(b"secret", **RECORD))
    blob[3] ^= 0x80
    with pytest.raises(DecryptionError, match="swapped or overwritten"):
        key.open(bytes(blob), **RECORD)


@pytest.mark.parametrize(
    "change",
    [
        {"record_id": "zendesk:support:comment:43"},
        {"kind": "dsar-export"},
        {"subject_ref": "cd" * 32},
        {"subject_ref": None},
    ],
)
def test_ciphertext_is_bound_to_record_kind_and_subject(key: DataKey, change: dict) -> None:
    blob = key.seal(b"secret", **RECORD)
    with pytest.raises(DecryptionError, match="failed authentication"):
        key.open(blob, **{**RECORD, **change})


def test_other_key_cannot_open(key: DataKey) -> None:
    other = DataKey(key.key_id, os.urandom(32))
    with pytest.raises(DecryptionError):
        other.open(key.seal(b"secret", **RECORD), **RECORD)


@pytest.mark.parametrize("blob", [b"", b"\x01" * 10, b"\x02" + b"\0" * 60])
def test_garbage_is_reported_as_damaged(key: DataKey, blob: bytes) -> None:
    with pytest.raises(DecryptionError, match="damaged or overwritten"):
        key.open(blob, **RECORD)


def test_data_key_does_not_leak(key: DataKey) -> None:
    assert repr(key) == f"DataKey({key.key_id!r})"
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(key)


def test_bad_key_material_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        DataKey(secrets.token_hex(16), b"short")
    with pytest.raises(ValueError, match="16 bytes"):
        DataKey("abcd", os.urandom(32))
