"""Pydantic models of the audit log: entries and the verification report."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AuditEntry", "AuditProblem", "AuditReport"]

ProblemKind = Literal[
    "mac-mismatch",
    "broken-chain",
    "gap",
    "bad-start",
    "truncated",
    "checkpoint-mismatch",
    "checkpoint-forged",
    "checkpoint-foreign",
    "non-canonical",
    "unreadable",
]


class AuditEntry(BaseModel):
    """One audit-log entry: who did what to which records (by id), when and why."""

    model_config = ConfigDict(frozen=True)

    seq: int
    ts: str = Field(description="UTC timestamp, ISO 8601 with microseconds")
    actor: str
    action: str
    target_ids: list[str]
    reason: str
    details: dict[str, Any]
    prev_mac: str
    mac: str


class AuditProblem(BaseModel):
    """Something ``verify`` found wrong, located by sequence number where possible."""

    kind: ProblemKind
    seq: int | None = None
    message: str


class AuditReport(BaseModel):
    """The result of ``AuditLog.verify()``."""

    ok: bool
    entries: int
    first_seq: int | None
    last_seq: int | None
    checkpoint_seq: int | None = Field(
        description="the last sequence number this host recorded outside the database"
    )
    problems: list[AuditProblem]
    warnings: list[str]
