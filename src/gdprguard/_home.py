"""Where gdprguard keeps its state (the home directory) and how it reads and creates secret files.

The home is chosen, first match wins, by ``--home DIR``, ``$GDPRGUARD_HOME``, ``[home] path`` in
the configuration file, then ``./.gdprguard``. The command line resolves it once per command and
pins it with :func:`pin_home`, so everything that asks :func:`home_dir` agrees on one directory.
"""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ._exceptions import KeyProviderError

__all__ = [
    "DEFAULT_HOME",
    "HOME_ENV",
    "PSEUDONYM_KEY_FILE",
    "HomeChoice",
    "choose_home",
    "fsync_dir",
    "home_dir",
    "load_or_create_secret_file",
    "pin_home",
    "pinned_home",
    "read_secret_file",
    "use_home",
    "write_secret_file",
]

DEFAULT_HOME = ".gdprguard"
HOME_ENV = "GDPRGUARD_HOME"
#: the key behind ``redact --operator pseudonym`` tokens, in the home unless configured
PSEUDONYM_KEY_FILE = "pseudonym.key"

_pinned: Path | None = None


@dataclass(frozen=True)
class HomeChoice:
    """The home directory and what chose it (for messages: "set by $GDPRGUARD_HOME")."""

    path: Path
    source: str
    #: True when nothing chose it: ``./.gdprguard`` (a configuration's ``[home]`` may still)
    is_default: bool = False


def choose_home(explicit: Path | None = None, configured: Path | None = None) -> HomeChoice:
    """Pick the home: *explicit* (``--home``), ``$GDPRGUARD_HOME``, *configured* (``[home]``),
    then ``./.gdprguard``. The path is made absolute; nothing is created."""
    env = os.environ.get(HOME_ENV)
    if explicit is not None:
        path, source = explicit, "--home"
    elif env:
        path, source = Path(env), f"${HOME_ENV}"
    elif configured is not None:
        path, source = configured, "[home] path in the configuration file"
    else:
        default = Path(DEFAULT_HOME)
        return HomeChoice(Path(os.path.abspath(default)), f"the default ./{DEFAULT_HOME}", True)
    return HomeChoice(Path(os.path.abspath(path.expanduser())), source)


def pinned_home() -> Path | None:
    """The home :func:`pin_home` pinned, if any."""
    return _pinned


def pin_home(path: Path | None) -> Path | None:
    """Make :func:`home_dir` return *path* (``None`` unpins); returns what was pinned before.

    The pin is process-wide (threads included); the command line pins the home it resolved
    and restores the previous pin when the command ends.
    """
    global _pinned
    previous, _pinned = _pinned, path
    return previous


@contextmanager
def use_home(path: Path) -> Iterator[Path]:
    """Pin *path* as the home inside the block (see :func:`pin_home`)."""
    previous = pin_home(path)
    try:
        yield path
    finally:
        pin_home(previous)


def home_dir(create: bool = True) -> Path:
    """The state directory: the pinned home, else ``$GDPRGUARD_HOME``, else ``./.gdprguard``.

    With *create* a missing directory is made with mode 0700 (library use; the command line
    never relies on this: only ``gdprguard init`` creates a home).
    """
    path = _pinned or Path(os.environ.get(HOME_ENV) or DEFAULT_HOME).expanduser()
    if create and not path.exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)
    return path


def read_secret_file(path: Path, nbytes: int = 32) -> bytes:
    """Read a binary secret from an existing *path*.

    Refuses (``KeyProviderError``) a file readable or writable by group or others, or one whose
    length is not *nbytes*; ``FileNotFoundError`` if it does not exist.
    """
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
    return read_secret_file(path, nbytes)


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
