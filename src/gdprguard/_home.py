"""Where gdprguard keeps its state (``GDPRGUARD_HOME``) and how it creates secret files."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from ._exceptions import KeyProviderError

__all__ = ["home_dir", "load_or_create_secret_file"]

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
        # O_EXCL: never clobber a key another process created a moment ago.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_or_create_secret_file(path, nbytes)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secret)
            handle.flush()
            os.fsync(handle.fileno())
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
