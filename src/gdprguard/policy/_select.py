"""Which rules select which records of one ticket, and which must still hold back.

The gates: open tickets are deleted only by a rule naming their status; people are anonymised or
deleted only while their ticket is solved, and never when they are staff.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ._decision import Verdict
from ._facts import TicketFacts
from ._match import Target, check, targets
from ._schema import PolicyDocument, Rule
from ._vocab import ACTION_RANK, Action

__all__ = ["PERSON_ACTIONS", "REMOVE", "Hit", "RuleLog", "gate", "matches", "ticket_winner"]

REMOVE: frozenset[Action] = frozenset({"delete", "purge"})
PERSON_ACTIONS: frozenset[Action] = frozenset({"anonymize_person", "delete", "purge"})


@dataclass
class Hit:
    index: int
    rule: Rule
    target: Target
    why: list[str]
    via: str | None = None  # "ticket" when a ticket-level rule reaches a comment


@dataclass
class RuleLog:
    """What happened to one rule, gathered while resolving, summarised into a verdict."""

    applied: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    lost: list[tuple[Verdict, str, str]] = field(default_factory=list)  # verdict, target, reason
    why: list[str] = field(default_factory=list)
    miss: str | None = None


def gate(rule: Rule, target: Target, facts: TicketFacts) -> str | None:
    """Why a matching rule must still not act (open ticket, staff, open ticket of a person)."""
    named = rule.when.status is not None and facts.status in rule.when.status
    removal = target.kind == "ticket" and rule.action in REMOVE and not facts.deleted
    if removal and not facts.is_solved and not named:
        shown = facts.status or "unknown"
        return (
            f"the ticket is open (status {shown}) and the rule does not name status {shown}; "
            "open tickets are deleted only by a rule that names their status"
        )
    if target.kind == "person" and rule.action in PERSON_ACTIONS:
        person = facts.requester
        if person is not None and person.is_staff:
            return f"person {person.id} is staff ({person.role}); retention rules leave staff alone"
        if not facts.deleted and not facts.is_solved:
            return (
                f"the requester's ticket {facts.ticket_id} is open; people are anonymised or "
                "deleted only when none of their tickets is open"
            )
    return None


def matches(
    doc: PolicyDocument,
    facts: TicketFacts,
    now: datetime,
    logs: dict[str, RuleLog],
    *,
    kinds: Sequence[str] | None = None,
) -> list[Hit]:
    hits: list[Hit] = []
    for index, rule in enumerate(doc.rules):
        if kinds is not None and rule.when.kind not in kinds:
            continue
        log = logs.setdefault(rule.name, RuleLog())
        found = targets(rule.when.kind, facts)
        if not found:
            log.miss = {
                "comment": "the ticket has no comments",
                "attachment": "the ticket has no attachments",
                "person": "the ticket has no known requester",
            }.get(rule.when.kind, "nothing to select")
        for target in found:
            ok, why = check(rule.when, target, facts, now)
            if not ok:
                if log.miss is None:
                    log.miss = f"{target.label}: {why[0]}"
                continue
            blocked = gate(rule, target, facts)
            if blocked is not None:
                log.lost.append(("skipped", target.label, blocked))
                continue
            if not log.why:
                log.why = why
            hits.append(Hit(index, rule, target, why))
    return hits


# --- the ticket's own fate ------------------------------------------------------------------------


def ticket_winner(hits: Sequence[Hit]) -> tuple[Hit | None, Hit | None]:
    """(the keep hit, the strongest delete/purge hit) on the ticket itself."""
    keep = next((h for h in hits if h.target.kind == "ticket" and h.rule.action == "keep"), None)
    removal = [h for h in hits if h.target.kind == "ticket" and h.rule.action in REMOVE]
    best = max(removal, key=lambda h: (ACTION_RANK[h.rule.action], -h.index), default=None)
    return keep, best
