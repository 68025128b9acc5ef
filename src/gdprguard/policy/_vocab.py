"""The words of the policy language: record kinds, actions, statuses, entity types, operators.

Every list lives here once; the schema, the checks, the engine and the docs read it from here.
``ENTITY_TYPES`` comes from the light ``gdprguard._entities`` module detection uses too, and
``OPERATORS`` mirrors :mod:`gdprguard.detect` (a test keeps them equal), so loading a policy never
imports the detection engine.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Literal

from .._entities import ENTITY_TYPES as _ENTITY_TYPES

__all__ = [
    "ACTIONS",
    "ACTIONS_BY_KIND",
    "ACTION_RANK",
    "CLOSED_STATUSES",
    "ENTITY_TYPES",
    "KEEP_DIGITS_TYPES",
    "KINDS",
    "OPEN_STATUSES",
    "OPERATORS",
    "STATUSES",
    "STATUS_ALIASES",
    "Action",
    "Kind",
    "Operator",
    "canonical_status",
    "did_you_mean",
]

Kind = Literal["ticket", "comment", "attachment", "person"]
Action = Literal["redact", "redact_attachments", "anonymize_person", "delete", "purge", "keep"]
Operator = Literal["placeholder", "mask", "pseudonym"]

KINDS: tuple[Kind, ...] = ("ticket", "comment", "attachment", "person")
ACTIONS: tuple[Action, ...] = (
    "redact",
    "redact_attachments",
    "anonymize_person",
    "delete",
    "purge",
    "keep",
)
OPERATORS: tuple[Operator, ...] = ("placeholder", "mask", "pseudonym")

#: which actions a rule may take on each kind of record
ACTIONS_BY_KIND: dict[Kind, tuple[Action, ...]] = {
    "ticket": ("redact", "redact_attachments", "delete", "purge", "keep"),
    "comment": ("redact", "redact_attachments", "keep"),
    "attachment": ("redact_attachments", "keep"),
    "person": ("anonymize_person", "delete", "purge", "keep"),
}

#: on one record, a higher rank wins: a purge includes the deletion, a deletion makes
#: redaction moot, anonymisation of a person gives way to deleting them
ACTION_RANK: dict[Action, int] = {
    "redact": 1,
    "redact_attachments": 1,
    "anonymize_person": 2,
    "delete": 3,
    "purge": 4,
    "keep": 0,
}

#: ticket statuses in the Zendesk vocabulary; connectors map theirs onto these
STATUSES: tuple[str, ...] = ("new", "open", "pending", "hold", "solved", "closed")
#: other helpdesks' names for the same statuses (Freshdesk says "resolved")
STATUS_ALIASES: dict[str, str] = {"resolved": "solved"}
OPEN_STATUSES: frozenset[str] = frozenset({"new", "open", "pending", "hold"})
CLOSED_STATUSES: frozenset[str] = frozenset({"solved", "closed"})

#: every entity type detection can report
ENTITY_TYPES = _ENTITY_TYPES

#: ``keep_digits`` is for card numbers only: PCI DSS lets the first six and last four show
KEEP_DIGITS_TYPES: frozenset[str] = frozenset({"CREDIT_CARD"})


def canonical_status(status: str | None) -> str | None:
    """A helpdesk status in the policy's vocabulary (``resolved`` → ``solved``), lower-cased."""
    if status is None:
        return None
    value = status.strip().lower()
    return STATUS_ALIASES.get(value, value)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``" did you mean 'x'?"`` for the closest option, or ``""`` when nothing is close."""
    choices = list(options)
    folded = {o.lower(): o for o in choices}
    close = difflib.get_close_matches(word.lower(), list(folded), n=1, cutoff=0.6)
    if not close:
        return ""
    return f"did you mean {folded[close[0]]!r}?"
