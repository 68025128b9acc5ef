"""The sealed-record format and the unwrapped data key that reads and writes it.

Format (version 1), all fields fixed-size::

    offset  size  field
    0       1     version (0x01)
    1       16    data key id (the DEK this record is sealed with)
    17      12    nonce (random, 96 bits)
    29      n+16  AES-256-GCM ciphertext of the n plaintext bytes, then the 16-byte tag

The associated data binds the record to its place, so a ciphertext copied onto another row fails::

    UTF-8 of "gdprguard.sealed.v1\\0{record_id}\\0{kind}\\0{subject_ref}\\0{data key id, hex}"

(``subject_ref`` empty for records without a subject). Record ids and kinds never contain NUL or
other control characters (the vault rejects them), so the encoding is unambiguous.
"""

from __future__ import annotations

import os
from typing import NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .._exceptions import DecryptionError

__all__ = [
    "FORMAT_VERSION",
    "HEADER_SIZE",
    "KEY_ID_SIZE",
    "NONCE_SIZE",
    "TAG_SIZE",
    "DataKey",
    "associated_data",
    "read_key_id",
]

FORMAT_VERSION = 1
KEY_ID_SIZE = 16
NONCE_SIZE = 12
TAG_SIZE = 16
HEADER_SIZE = 1 + KEY_ID_SIZE + NONCE_SIZE
_NONCE_AT = 1 + KEY_ID_SIZE


def associated_data(record_id: str, kind: str, subject_ref: str | None, key_id: str) -> bytes:
    """The associated data that ties a ciphertext to its record, kind, subject and data key."""
    return f"gdprguard.sealed.v1\0{record_id}\0{kind}\0{subject_ref or ''}\0{key_id}".encode()


def read_key_id(blob: bytes, *, record_id: str) -> str:
    """The data key id (hex) a sealed blob names; ``DecryptionError`` if it is not our format."""
    if len(blob) < HEADER_SIZE + TAG_SIZE:
        _corrupt(record_id, "is too short to be a sealed record")
    if blob[0] != FORMAT_VERSION:
        _corrupt(record_id, f"has unknown format version {blob[0]}")
    return blob[1 : 1 + KEY_ID_SIZE].hex()


def _corrupt(record_id: str, what: str) -> NoReturn:
    raise DecryptionError(f"sealed record {record_id} {what}; it was damaged or overwritten")


class DataKey:
    """An unwrapped data key (DEK): seals and opens records. Never printed, never pickled."""

    __slots__ = ("_aead", "_prefix", "key_id")

    def __init__(self, key_id: str, material: bytes) -> None:
        if len(material) != 32:
            raise ValueError("a data key is 32 bytes (AES-256)")
        raw_id = bytes.fromhex(key_id)
        if len(raw_id) != KEY_ID_SIZE:
            raise ValueError(f"a data key id is {KEY_ID_SIZE} bytes")
        self.key_id = key_id
        self._prefix = bytes([FORMAT_VERSION]) + raw_id
        self._aead = AESGCM(material)

    def seal(
        self, plaintext: bytes, *, record_id: str, kind: str, subject_ref: str | None
    ) -> bytes:
        """Encrypt *plaintext* for this record; returns the versioned blob."""
        nonce = os.urandom(NONCE_SIZE)
        aad = f"gdprguard.sealed.v1\0{record_id}\0{kind}\0{subject_ref or ''}\0{self.key_id}"
        return b"".join((self._prefix, nonce, self._aead.encrypt(nonce, plaintext, aad.encode())))

    def open(self, blob: bytes, *, record_id: str, kind: str, subject_ref: str | None) -> bytes:
        """Decrypt a blob sealed for this record; ``DecryptionError`` if anything was altered."""
        # One prefix test covers the version byte and the data key id; the precise reason is
        # worked out only on the failure path, so the common path stays close to raw AESGCM.
        if not blob.startswith(self._prefix) or len(blob) < HEADER_SIZE + TAG_SIZE:
            read_key_id(blob, record_id=record_id)  # raises for a short or foreign blob
            raise DecryptionError(
                f"sealed record {record_id} names data key {blob[1:_NONCE_AT].hex()}, not "
                f"{self.key_id}; its ciphertext was swapped or overwritten"
            )
        aad = f"gdprguard.sealed.v1\0{record_id}\0{kind}\0{subject_ref or ''}\0{self.key_id}"
        try:
            return self._aead.decrypt(
                blob[_NONCE_AT:HEADER_SIZE], memoryview(blob)[HEADER_SIZE:], aad.encode()
            )
        except InvalidTag:
            raise DecryptionError(
                f"sealed record {record_id} failed authentication: its ciphertext was modified, "
                "swapped with another record's, or sealed under a different key"
            ) from None

    def __repr__(self) -> str:
        return f"DataKey({self.key_id!r})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("data keys cannot be pickled")
