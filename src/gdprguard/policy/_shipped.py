"""The policies shipped with gdprguard, package data in ``policy/shipped/`` (``policies/`` at the
top of the repository links there): ``default.yaml`` first by name, then ``jp-appi.yaml`` and
``pci-cards.yaml``."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["copy_shipped_policies", "default_policy_path", "shipped_policies"]

_PACKAGE = "gdprguard.policy"
_FOLDER = "shipped"


def shipped_policies() -> list[Traversable]:
    """Every shipped policy file (``*.yaml``), sorted by name; the first is the default."""
    folder = files(_PACKAGE) / _FOLDER
    found = [item for item in folder.iterdir() if item.is_file() and item.name.endswith(".yaml")]
    return sorted(found, key=lambda item: item.name)


def default_policy_path() -> Traversable:
    """The shipped default policy, ``default.yaml`` (the first shipped file by name)."""
    policies = shipped_policies()
    if not policies:  # pragma: no cover - a broken installation
        raise FileNotFoundError("no shipped policies found; reinstall gdprguard")
    return policies[0]


def copy_shipped_policies(directory: Path, *, overwrite: bool = False) -> list[Path]:
    """Copy the shipped policies into *directory* (created if needed); returns the files written.

    Existing files are left alone unless *overwrite*: an admin's edits are never lost.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for item in shipped_policies():
        target = directory / item.name
        if target.exists() and not overwrite:
            continue
        target.write_bytes(item.read_bytes())
        written.append(target)
    return written
