"""Sealed backups of gdprguard's store and keys, and restores that keep erasure final."""

from __future__ import annotations

from ._service import (
    BackupManifest,
    BackupReport,
    RestorePlan,
    create_backup,
    plan_restore,
    read_manifest,
    restore_backup,
)

__all__ = [
    "BackupManifest",
    "BackupReport",
    "RestorePlan",
    "create_backup",
    "plan_restore",
    "read_manifest",
    "restore_backup",
]
