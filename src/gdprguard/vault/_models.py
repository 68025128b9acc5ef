"""Result models of vault operations (pydantic, so the CLI can print them as JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "KeyStatus",
    "MasterKeyStatus",
    "RotationReport",
    "SealedRecord",
    "ShredReport",
    "ShredStatus",
]

#: ``nothing-sealed``: the subject had no data key (a success, reported with a warning)
ShredStatus = Literal["shredded", "already-shredded", "nothing-sealed"]


@dataclass(frozen=True, slots=True)
class SealedRecord:
    """What ``Vault.seal`` stored: ids only, never contents."""

    record_id: str
    kind: str
    subject_ref: str | None
    key_id: str
    size: int


class MasterKeyStatus(BaseModel):
    """One master key as ``keys status`` reports it."""

    kek_id: str
    primary: bool
    available: bool = Field(description="the provider can unwrap with it now")
    data_keys: int = Field(description="live data keys wrapped under it")
    created_at: datetime | None = None
    retired_at: datetime | None = None
    destroyed_at: datetime | None = None


class KeyStatus(BaseModel):
    """``keys status``: where the master keys are and what uses them (counts only)."""

    provider: dict[str, str]
    primary_kek_id: str
    master_keys: list[MasterKeyStatus]
    data_keys: int = Field(description="live data keys of subjects and the shared key")
    subjects: int
    shredded_subjects: int
    sealed_records: int
    shredded_records: int
    pending_rotation: int = Field(description="live data keys not yet under the primary key")


class RotationReport(BaseModel):
    """``keys rotate``: what moved where."""

    primary_kek_id: str
    created: bool = Field(description="a new master key was made by this run")
    resumed: bool = Field(description="this run finished an interrupted rotation")
    rewrapped: int
    retired: list[str] = Field(description="master keys retired by this run (nothing uses them)")
    destroyed: list[str] = Field(
        default_factory=list,
        description="retired master keys destroyed by this run (grace period over, unused)",
    )
    notes: list[str]


class ShredReport(BaseModel):
    """``keys shred``: the outcome for one subject (named by its keyed hash, not its id)."""

    subject_ref: str
    status: ShredStatus
    key_ids: list[str]
    records: int = Field(description="sealed records that can no longer be opened")
    warnings: list[str] = Field(default_factory=list)
