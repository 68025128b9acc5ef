"""The sealed file format of backups: a passphrase-derived key and chunked AES-256-GCM.

A backup is sealed under a key derived from a passphrase with scrypt, so it can be opened on a
new machine that has nothing of the old one (not even its master key). Files are sealed as a
stream of chunks, so a large store never has to fit in memory::

    "GGBK1\\0" (6 bytes) | nonce prefix (7 bytes) | chunks...
    chunk = length of ciphertext (4 bytes, big-endian) | AES-256-GCM(plaintext chunk)

Chunk *i* uses the nonce ``prefix | i (4 bytes) | last (1 byte)`` and the associated data names
the file, so chunks cannot be reordered, dropped, moved between files, or cut off at the end.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .._exceptions import InputError, VaultError

__all__ = ["BackupKeys", "KdfParams", "open_file", "seal_file"]

_MAGIC = b"GGBK1\0"
_PREFIX_SIZE = 7
CHUNK_SIZE = 1 << 20
MIN_PASSPHRASE = 12


class KdfParams:
    """scrypt parameters and salt, stored in the manifest."""

    def __init__(self, salt: bytes, n: int = 1 << 15, r: int = 8, p: int = 1) -> None:
        self.salt, self.n, self.r, self.p = salt, n, r, p

    @classmethod
    def new(cls) -> KdfParams:
        """Fresh parameters with a random salt."""
        return cls(os.urandom(16))

    def to_json(self) -> dict[str, object]:
        """The manifest's ``kdf`` section."""
        return {
            "name": "scrypt",
            "salt": base64.b64encode(self.salt).decode(),
            "n": self.n,
            "r": self.r,
            "p": self.p,
        }

    @classmethod
    def from_json(cls, data: object) -> KdfParams:
        """Parse the manifest's ``kdf`` section (``VaultError`` if it is not ours)."""
        try:
            assert isinstance(data, dict) and data["name"] == "scrypt"
            params = cls(
                base64.b64decode(data["salt"]), int(data["n"]), int(data["r"]), int(data["p"])
            )
        except (AssertionError, KeyError, TypeError, ValueError):
            raise VaultError("the backup manifest's kdf section is damaged") from None
        if not (1 << 10 <= params.n <= 1 << 20 and params.r <= 32 and params.p <= 16):
            raise VaultError("the backup manifest asks for unreasonable scrypt parameters")
        return params


class BackupKeys:
    """The two keys of one backup, derived from the passphrase: one seals, one MACs."""

    __slots__ = ("_aead", "_mac_key")

    def __init__(self, passphrase: str, params: KdfParams) -> None:
        if len(passphrase) < MIN_PASSPHRASE:
            raise InputError(
                f"the backup passphrase must be at least {MIN_PASSPHRASE} characters; use a long "
                "random one and keep it apart from the backup"
            )
        material = Scrypt(salt=params.salt, length=64, n=params.n, r=params.r, p=params.p).derive(
            passphrase.encode("utf-8")
        )
        self._aead = AESGCM(material[:32])
        self._mac_key = material[32:]

    def mac(self, data: bytes) -> str:
        """HMAC-SHA256 of *data* (the manifest) under the passphrase's MAC key."""
        return hmac.new(self._mac_key, data, hashlib.sha256).hexdigest()

    def seal_chunk(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        """One AES-GCM chunk."""
        return self._aead.encrypt(nonce, data, aad)

    def open_chunk(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        """Inverse of ``seal_chunk``; ``VaultError`` if the chunk was altered."""
        try:
            return self._aead.decrypt(nonce, data, aad)
        except InvalidTag:
            raise VaultError("a backup file failed authentication: it was altered") from None

    def __repr__(self) -> str:
        return "BackupKeys(...)"


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def _aad(name: str) -> bytes:
    return b"gdprguard.backup.v1\0" + name.encode()


def seal_file(path: Path, keys: BackupKeys, chunks: Iterable[bytes]) -> str:
    """Write *chunks* (any sizes) sealed to a new file *path*; returns its SHA-256 (hex)."""
    prefix = os.urandom(_PREFIX_SIZE)
    digest = hashlib.sha256()
    aad = _aad(path.name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:

        def write(data: bytes) -> None:
            handle.write(data)
            digest.update(data)

        write(_MAGIC + prefix)
        index, pending = 0, bytearray()

        def flush(block: bytes, last: bool) -> None:
            nonlocal index
            sealed = keys.seal_chunk(_nonce(prefix, index, last), block, aad)
            write(struct.pack(">I", len(sealed)) + sealed)
            index += 1

        for chunk in chunks:
            pending += chunk
            while len(pending) > CHUNK_SIZE:
                flush(bytes(pending[:CHUNK_SIZE]), False)
                del pending[:CHUNK_SIZE]
        flush(bytes(pending), True)
        handle.flush()
        os.fsync(handle.fileno())
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_file(path: Path, keys: BackupKeys) -> Iterator[bytes]:
    """The plaintext chunks of a sealed file; ``VaultError`` if anything was altered or cut."""
    aad = _aad(path.name)
    with path.open("rb") as handle:
        head = handle.read(len(_MAGIC) + _PREFIX_SIZE)
        if not head.startswith(_MAGIC) or len(head) != len(_MAGIC) + _PREFIX_SIZE:
            raise VaultError(f"backup file {path.name} is not a sealed gdprguard backup file")
        prefix = head[len(_MAGIC) :]
        index = 0
        while True:
            size_bytes = handle.read(4)
            if len(size_bytes) != 4:
                raise VaultError(f"backup file {path.name} was cut short")
            (size,) = struct.unpack(">I", size_bytes)
            if size > CHUNK_SIZE + 16:
                raise VaultError(f"backup file {path.name} is damaged")
            sealed = _read_exact(handle, size, path)
            try:
                block = keys.open_chunk(_nonce(prefix, index, False), sealed, aad)
                last = False
            except VaultError:
                block = keys.open_chunk(_nonce(prefix, index, True), sealed, aad)
                last = True
            yield block
            index += 1
            if last:
                if handle.read(1):
                    raise VaultError(f"backup file {path.name} has data after its end")
                return


def _read_exact(handle: BinaryIO, size: int, path: Path) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise VaultError(f"backup file {path.name} was cut short")
    return data
