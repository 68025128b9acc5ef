"""Where gdprguard keeps its state (``GDPRGUARD_HOME``) and how it creates secret files."""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
from pathlib import Path

from ._exceptions import KeyProviderError

__all__ = ["fsync_dir", "home_dir", "load_or_create_secret_file", "write_secret_file"]

DEFAULT_HOME = ".gdprguard"


def home_dir(create: bool = True) -> Path:
    """Return the state directory: ``$GDPRGUARD_HOME`` or ``./.gdprguard`` (mode 0700)."""
    path = Path(os.environ.get("GDPRGUARD_HOME") or DEFAULT_HOME).expanduser()
    if create and not path.exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)
    return path


def load_or_create_secret_file(path: Path, nbytes: int = 32) -> bytes:
    """Read a binary secret from *path*, creating it with mode 0600 on first use.

    Refuses (``KeyProviderError``) to use a file readable or writable by group or others,
    or one whose length is not *nbytes*.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        secret = secrets.token_bytes(nbytes)
        if not write_secret_file(path, secret):  # another process created it a moment ago
            return load_or_create_secret_file(path, nbytes)
        return secret
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyProviderError(
            f"key file {path} has mode {mode:04o}, which lets other users read it; "
            f"run `chmod 600 {path}` and try again"
        )
    data = path.read_bytes()
    if len(data) != nbytes:
        raise KeyProviderError(
            f"key file {path} holds {len(data)} bytes, expected {nbytes}; "
            "restore it from backup (do not replace it, or sealed data becomes unreadable)"
        )
    return data


def write_secret_file(path: Path, data: bytes) -> bool:
    """Write *data* to a new 0600 file at *path*, all or nothing; False if *path* exists.

    The bytes go to a temporary file in the same directory, are fsynced, and the file is then
    hard-linked into place, which fails if *path* already exists (another process's key is
    never clobbered) and never exposes a half-written key, even after a crash.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        fsync_dir(path.parent)
        return True
    finally:
        os.unlink(tmp)


def fsync_dir(path: Path) -> None:
    """Make a directory entry change (create, rename, unlink) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
