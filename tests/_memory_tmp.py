"""Temporary files of a test run in memory (``/dev/shm``) when the machine has that RAM disk.

Every store commit ends with an fsync (SQLite in WAL mode with ``synchronous=FULL``), and so do
gdprguard's own file writes; on a disk each costs milliseconds of waiting, on tmpfs nothing,
and the suite commits tens of thousands of times. What runs is the same either way: the
product still calls fsync, it just returns at once. An explicit choice wins: ``--basetemp``,
``TMPDIR`` or ``PYTEST_DEBUG_TEMPROOT``. Child processes (the CLI run as a subprocess, xdist's
workers) inherit ``TMPDIR``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

__all__ = ["use_memory_for_temp_files"]

SHM = Path("/dev/shm")


def _is_tmpfs(path: Path) -> bool:
    try:
        mounts = Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    return any(
        fields[1] == str(path) and fields[2] == "tmpfs"
        for fields in (line.split() for line in mounts)
        if len(fields) > 2
    )


def use_memory_for_temp_files(config: pytest.Config) -> None:
    """Point ``TMPDIR`` (so pytest's ``tmp_path`` and ``tempfile``) at ``/dev/shm`` if it is a
    writable tmpfs and nothing chose a temporary directory already."""
    chosen = config.option.basetemp or os.environ.get("TMPDIR")
    if chosen or os.environ.get("PYTEST_DEBUG_TEMPROOT"):
        return
    if not (SHM.is_dir() and os.access(SHM, os.W_OK | os.X_OK) and _is_tmpfs(SHM)):
        return
    os.environ["TMPDIR"] = str(SHM)
    tempfile.tempdir = None  # tempfile computes its directory again, from TMPDIR
