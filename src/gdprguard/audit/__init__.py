"""The tamper-evident audit log: append-only, hash-chained, HMAC-keyed."""

from __future__ import annotations

from ._actor import ACTOR_ENV, default_actor
from ._log import (
    CHECKPOINT_GLOB,
    GENESIS_MAC,
    AuditLog,
    canonical_json,
    count_entries,
    entry_from_row,
    summarise,
)
from ._models import AuditEntry, AuditProblem, AuditReport

__all__ = [
    "ACTOR_ENV",
    "CHECKPOINT_GLOB",
    "GENESIS_MAC",
    "AuditEntry",
    "AuditLog",
    "AuditProblem",
    "AuditReport",
    "canonical_json",
    "count_entries",
    "default_actor",
    "entry_from_row",
    "summarise",
]
