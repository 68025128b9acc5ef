"""Master-key (KEK) providers: one small interface, three implementations.

A provider wraps and unwraps data keys under its master key(s) and can make a new primary
master key for rotation. Key material never leaves the provider object (and for HashiCorp Vault
transit, never leaves Vault).

* ``FileKeyProvider``: ``GDPRGUARD_HOME/master.key`` (0600, created on first use unless
  ``create=False``, as every command but ``gdprguard init`` asks); rotation
  archives the previous key beside it as ``master-<fingerprint>.key`` until nothing uses it.
* ``EnvKeyProvider``: a base64 key in ``$GDPRGUARD_MASTER_KEY``; previous keys, while still in
  use, in ``$GDPRGUARD_MASTER_KEY_PREVIOUS`` (comma-separated).
* ``VaultTransitKeyProvider`` (``_transit.py``): HashiCorp Vault's transit engine.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .._exceptions import KeyProviderError
from .._home import fsync_dir, home_dir, load_or_create_secret_file, write_secret_file

__all__ = ["EnvKeyProvider", "FileKeyProvider", "KeyProvider", "LocalMasterKey"]

_WRAP_PREFIX = b"gdprguard.kek.v1\x00"


class KeyProvider(ABC):
    """Wraps data keys under a master key. Subclasses implement the six methods below."""

    #: short provider name shown by ``keys status`` and stored with each master key
    name: str = "abstract"

    @abstractmethod
    def primary_key_id(self) -> str:
        """The id of the master key new data keys are wrapped under."""

    @abstractmethod
    def key_ids(self) -> list[str]:
        """Every master key id this provider can unwrap with now, oldest first."""

    @abstractmethod
    def wrap(self, data_key: bytes, context: bytes) -> tuple[str, bytes]:
        """Wrap *data_key* under the primary master key; returns ``(kek_id, wrapped)``."""

    @abstractmethod
    def unwrap(self, kek_id: str, wrapped: bytes, context: bytes) -> bytes:
        """Unwrap a data key wrapped under master key *kek_id* with the same *context*."""

    @abstractmethod
    def create_primary(self) -> str:
        """Make a new primary master key (rotation) and return its id; resumable if interrupted."""

    @abstractmethod
    def retire(self, kek_id: str) -> str:
        """Retire a master key nothing uses any more; returns a one-line note of what happened."""

    def describe(self) -> dict[str, str]:
        """Non-secret facts about where the keys live, for ``keys status``."""
        return {"provider": self.name}

    def reload(self) -> None:
        """Forget what this provider cached about its keys (another process may have rotated);
        providers that ask their backend every time need not do anything."""
        return None


class LocalMasterKey:
    """A 256-bit master key held in this process. Refuses to be printed or pickled."""

    __slots__ = ("_aead", "key_id")

    def __init__(self, material: bytes) -> None:
        if len(material) != 32:
            raise KeyProviderError(f"a master key must be 32 bytes, got {len(material)}")
        self.key_id = fingerprint(material)
        self._aead = AESGCM(material)

    def wrap(self, data_key: bytes, context: bytes) -> bytes:
        """``nonce || AES-256-GCM(data_key)``, authenticated together with *context*."""
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data_key, _WRAP_PREFIX + context)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        """Inverse of ``wrap``; ``KeyProviderError`` if the wrapped key does not authenticate."""
        try:
            return self._aead.decrypt(wrapped[:12], wrapped[12:], _WRAP_PREFIX + context)
        except (InvalidTag, ValueError):
            raise KeyProviderError(
                f"a data key wrapped under master key {self.key_id} does not authenticate: "
                "the data_keys row was modified or copied from another row"
            ) from None

    def __repr__(self) -> str:
        return f"LocalMasterKey({self.key_id!r})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("master keys cannot be pickled")


def fingerprint(material: bytes) -> str:
    """A public id for a local master key (``local:`` + 16 hex digits); reveals nothing of it."""
    digest = hmac.new(material, b"gdprguard master key id", hashlib.sha256).hexdigest()
    return f"local:{digest[:16]}"


class _LocalKeyring(KeyProvider):
    """Shared logic of the providers whose master keys are held in this process."""

    def __init__(self) -> None:
        self._keys: dict[str, LocalMasterKey] = {}
        self._primary: LocalMasterKey | None = None

    def _load(self) -> None:  # fills _keys and _primary
        raise NotImplementedError

    def _ready(self) -> LocalMasterKey:
        if self._primary is None:
            self._load()
        assert self._primary is not None
        return self._primary

    def reload(self) -> None:
        self._load()

    def primary_key_id(self) -> str:
        return self._ready().key_id

    def key_ids(self) -> list[str]:
        primary = self._ready()
        return [kid for kid in self._keys if kid != primary.key_id] + [primary.key_id]

    def wrap(self, data_key: bytes, context: bytes) -> tuple[str, bytes]:
        primary = self._ready()
        return primary.key_id, primary.wrap(data_key, context)

    def unwrap(self, kek_id: str, wrapped: bytes, context: bytes) -> bytes:
        self._ready()
        key = self._keys.get(kek_id)
        if key is None:
            self._missing(kek_id)
        return key.unwrap(wrapped, context)

    def _missing(self, kek_id: str) -> NoReturn:
        raise KeyProviderError(f"master key {kek_id} is not available")


class FileKeyProvider(_LocalKeyring):
    """Master keys in files: *path* is the primary, ``<stem>-<fingerprint><suffix>`` older ones."""

    name = "file"

    def __init__(self, path: Path | None = None, *, create: bool = True) -> None:
        super().__init__()
        self.path = Path(path) if path is not None else home_dir() / "master.key"
        #: whether a missing primary key file may be generated (``gdprguard init``, library use);
        #: without it a missing file is an error that says to restore it from backup
        self.create = create

    @property
    def _next_path(self) -> Path:
        return self.path.with_name(self.path.name + ".next")

    def _archive_path(self, kek_id: str) -> Path:
        return self.path.with_name(f"{self.path.stem}-{kek_id.split(':', 1)[1]}{self.path.suffix}")

    def _load(self) -> None:
        if not self.create and not self.path.exists():
            raise KeyProviderError(
                f"master key file {self.path} does not exist; gdprguard will not generate a new "
                "one, which could never open the data keys already stored. Restore the file from "
                "backup (`gdprguard restore DIR` writes back a backup's key files), or check "
                "[keys] file; for a new set-up run `gdprguard init`"
            )
        primary = LocalMasterKey(load_or_create_secret_file(self.path))
        keys: dict[str, LocalMasterKey] = {}
        for archive in sorted(self.path.parent.glob(f"{self.path.stem}-*{self.path.suffix}")):
            key = LocalMasterKey(load_or_create_secret_file(archive))
            if archive != self._archive_path(key.key_id):
                raise KeyProviderError(
                    f"key file {archive} holds master key {key.key_id}, which does not match its "
                    "name; restore the original file or move the stray file elsewhere"
                )
            keys[key.key_id] = key
        keys[primary.key_id] = primary
        self._keys, self._primary = keys, primary

    def create_primary(self) -> str:
        """New key in ``<name>.next``, archive the current key, then atomically swap it in.

        The archive is a hard link to the current key file (the same blocks, complete or not at
        all), so destroying it later overwrites the only copy. A crash at any step leaves every
        key readable; rerunning picks up an existing ``.next`` file instead of generating yet
        another key.
        """
        self.reload()  # another process may have rotated since this one loaded its keys
        current = self._ready()
        new = LocalMasterKey(load_or_create_secret_file(self._next_path))
        archive = self._archive_path(current.key_id)
        if not archive.exists():
            os.link(self.path, archive)
            fsync_dir(self.path.parent)
        os.replace(self._next_path, self.path)
        fsync_dir(self.path.parent)
        self._load()
        assert self._primary is not None and self._primary.key_id == new.key_id
        return new.key_id

    def retire(self, kek_id: str) -> str:
        if kek_id == self.primary_key_id():
            raise KeyProviderError(f"master key {kek_id} is the primary key and cannot be retired")
        archive = self._archive_path(kek_id)
        if archive.exists():
            _destroy_file(archive)
        self._keys.pop(kek_id, None)
        return f"deleted key file {archive}"

    def export_keys(self) -> dict[str, bytes]:
        """Every master key this provider holds, by id (for ``gdprguard backup`` only)."""
        self._load()
        return {
            kek_id: load_or_create_secret_file(
                self.path if kek_id == self.primary_key_id() else self._archive_path(kek_id)
            )
            for kek_id in self._keys
        }

    def import_keys(self, keys: dict[str, bytes], *, primary_kek_id: str | None) -> list[Path]:
        """Write master keys back from a backup, never replacing a file (``gdprguard restore``).

        The backup's primary becomes the primary file only if there is none; every other key is
        written as an archived key beside it. Returns the files written.
        """
        written: list[Path] = []
        for kek_id, material in sorted(keys.items()):
            if LocalMasterKey(material).key_id != kek_id:
                raise KeyProviderError(f"the key given for {kek_id} does not match its id")
            as_primary = not self.path.exists() and (
                kek_id == primary_kek_id or primary_kek_id not in keys
            )
            target = self.path if as_primary else self._archive_path(kek_id)
            target.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
            if write_secret_file(target, material):
                written.append(target)
        self._primary = None
        return written

    def _missing(self, kek_id: str) -> NoReturn:
        raise KeyProviderError(
            f"master key {kek_id} is not available: neither {self.path} nor "
            f"{self._archive_path(kek_id)} holds it; restore that key file from backup"
        )

    def describe(self) -> dict[str, str]:
        return {"provider": self.name, "key_file": str(self.path)}


class EnvKeyProvider(_LocalKeyring):
    """The master key in an environment variable (base64 of 32 bytes); previous keys in
    ``<VAR>_PREVIOUS`` (comma-separated) until rotation has moved every data key off them."""

    name = "env"

    def __init__(self, variable: str = "GDPRGUARD_MASTER_KEY") -> None:
        super().__init__()
        self.variable = variable
        self.previous_variable = f"{variable}_PREVIOUS"

    def _load(self) -> None:
        value = os.environ.get(self.variable)
        if not value:
            raise KeyProviderError(
                f"[keys] provider is 'env' but {self.variable} is not set; set it to a base64 "
                '32-byte key, e.g. from: python -c "import base64,os; '
                'print(base64.b64encode(os.urandom(32)).decode())"'
            )
        primary = LocalMasterKey(_decode_key(value, self.variable))
        keys: dict[str, LocalMasterKey] = {}
        for item in os.environ.get(self.previous_variable, "").split(","):
            if item.strip():
                key = LocalMasterKey(_decode_key(item.strip(), self.previous_variable))
                keys[key.key_id] = key
        keys[primary.key_id] = primary
        self._keys, self._primary = keys, primary

    def create_primary(self) -> str:
        raise KeyProviderError(
            f"every data key already uses the key in {self.variable}; to rotate, move that key "
            f"to {self.previous_variable}, put a new key in {self.variable}, then rerun "
            "`gdprguard keys rotate`"
        )

    def retire(self, kek_id: str) -> str:
        self._keys.pop(kek_id, None)
        return f"master key {kek_id} is no longer used; remove it from {self.previous_variable}"

    def _missing(self, kek_id: str) -> NoReturn:
        raise KeyProviderError(
            f"master key {kek_id} is not available: it is neither in {self.variable} nor in "
            f"{self.previous_variable}; add the old key to {self.previous_variable}"
        )

    def describe(self) -> dict[str, str]:
        return {"provider": self.name, "variable": self.variable}


def _decode_key(value: str, variable: str) -> bytes:
    try:
        material = base64.b64decode(value.strip() + "=" * (-len(value.strip()) % 4), altchars=None)
    except (binascii.Error, ValueError):
        material = b""
    if len(material) != 32:
        try:
            material = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
        except (binascii.Error, ValueError):
            material = b""
    if len(material) != 32:
        raise KeyProviderError(
            f"{variable} must hold a base64-encoded 32-byte key (44 characters); it does not"
        )
    return material


def _destroy_file(path: Path) -> None:
    """Overwrite with zeros, then unlink (best effort: SSDs and copy-on-write file systems may
    keep old blocks; see docs/security.md)."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.write(b"\0" * size)
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
    fsync_dir(path.parent)
