"""Result models of sweeps (pydantic, so the CLI prints them as JSON): ids and counts only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, Field

from ..detect import Finding
from ..pipeline import TicketBundle
from .actions import ActionSpec

__all__ = ["ApplyReport", "Decider", "PlanSummary", "TicketPlan"]


class TicketPlan(BaseModel):
    """What the policy decided for one ticket."""

    ticket_id: str
    held: str | None = Field(default=None, description="the legal hold that protects it")
    actions: list[ActionSpec] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list, description="what no API can change, and until when it stays"
    )
    blocked_people: list[str] = Field(
        default_factory=list,
        description="person ids whose anonymisation or deletion must wait (a held or open "
        "ticket of theirs)",
    )


#: ``decide(bundle, findings per comment id, now) -> TicketPlan``: the policy, as sweeps use it
Decider = Callable[[TicketBundle, dict[str, list[Finding]], datetime], TicketPlan]


class PlanSummary(BaseModel):
    """A saved plan: what a sweep would do, counted per rule and action."""

    plan_id: str
    created_at: datetime
    policy: str
    connectors: list[str]
    tickets: int = Field(description="tickets read")
    held: int = Field(description="tickets under a legal hold")
    actions: int
    per_rule: dict[str, dict[str, int]] = Field(description="rule -> action -> count")
    notes: dict[str, int] = Field(default_factory=dict, description="note -> tickets")
    status: str


class ApplyReport(BaseModel):
    """What applying a plan did, counted per rule, action and outcome."""

    plan_id: str
    status: str
    done: int = 0
    unchanged: int = Field(default=0, description="already as required (e.g. after a crash)")
    skipped: int = 0
    failed: int = 0
    per_rule: dict[str, dict[str, dict[str, int]]] = Field(
        default_factory=dict, description="rule -> action -> outcome -> count"
    )
    skipped_reasons: dict[str, int] = Field(default_factory=dict)
    failures: dict[str, int] = Field(default_factory=dict, description="error -> count")
    originals_expired: int = 0
    resumed: int = Field(default=0, description="units a previous run had left open")
    replanned: int = Field(
        default=0, description="records changed since planning, decided again from their content"
    )

    def count(self, rule: str, action: str, outcome: str) -> None:
        """Add one outcome to the per-rule table."""
        per_action = self.per_rule.setdefault(rule, {}).setdefault(action, {})
        per_action[outcome] = per_action.get(outcome, 0) + 1


def per_rule_counts(actions: list[ActionSpec]) -> dict[str, dict[str, int]]:
    """rule -> action -> count."""
    counts: dict[str, Counter[str]] = {}
    for spec in actions:
        counts.setdefault(spec.rule, Counter())[spec.action] += 1
    return {rule: dict(counter) for rule, counter in sorted(counts.items())}
