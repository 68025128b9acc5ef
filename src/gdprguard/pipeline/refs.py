"""References to helpdesk records and the people they are about.

A :class:`RecordRef` names one record of one configured connector, ``(connector, kind, id)``. Its
string form, ``support:comment:123``, is what the journal, plans and the vault use as a record id:
opaque ids only, never personal data.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .._exceptions import InputError

__all__ = ["RecordKind", "RecordRef", "Subject"]

RecordKind = Literal["ticket", "comment", "attachment", "person"]
_CONNECTOR = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_KINDS = ("ticket", "comment", "attachment", "person")


class RecordRef(BaseModel):
    """One record of one configured connector: ``support:comment:123``."""

    model_config = ConfigDict(frozen=True)

    connector: str
    kind: RecordKind
    id: str

    @field_validator("connector")
    @classmethod
    def _connector_name(cls, value: str) -> str:
        if not _CONNECTOR.match(value):
            raise ValueError("a connector name is 1-64 letters, digits, '-' or '_'")
        return value

    @field_validator("id")
    @classmethod
    def _opaque_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("a record id is 1-128 letters, digits, '.', '_' or '-'")
        return value

    def __str__(self) -> str:
        return f"{self.connector}:{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> RecordRef:
        """The reference written as ``connector:kind:id`` (``InputError`` otherwise)."""
        parts = text.split(":")
        if len(parts) != 3 or parts[1] not in _KINDS:
            raise InputError(
                "a record reference looks like support:comment:123 (connector:kind:id, kind one "
                f"of {', '.join(_KINDS)})"
            )
        try:
            return cls(connector=parts[0], kind=parts[1], id=parts[2])  # type: ignore[arg-type]
        except ValueError:
            raise InputError(f"record reference {text!r} has a malformed part") from None


class Subject(BaseModel):
    """A data subject as gdprguard knows them: identifiers, and their person ids per connector.

    Identifiers are personal data: a Subject lives in memory (or sealed in the vault), never in
    clear in the store, logs or plans.
    """

    model_config = ConfigDict(frozen=True)

    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    person_ids: tuple[tuple[str, str], ...] = Field(
        default=(), description="(connector name, person id) pairs"
    )

    def __repr__(self) -> str:  # identifiers are personal data: never printed
        return (
            f"Subject(emails={len(self.emails)}, phones={len(self.phones)}, "
            f"names={len(self.names)}, person_ids={len(self.person_ids)})"
        )

    __str__ = __repr__

    def person_refs(self) -> list[RecordRef]:
        """The subject's person records, one per connector where they are known."""
        return [RecordRef(connector=c, kind="person", id=p) for c, p in self.person_ids]
