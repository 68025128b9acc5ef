"""Retention sweeps: plan what a policy asks of each helpdesk, review it, apply it safely."""

from __future__ import annotations

from .actions import ActionContext, ActionOutcome, ActionSpec, comment_hash, execute, ticket_hash
from .engine import ProgressCallback, SweepEngine
from .models import ApplyReport, Decider, PlanSummary, TicketPlan

__all__ = [
    "ActionContext",
    "ActionOutcome",
    "ActionSpec",
    "ApplyReport",
    "Decider",
    "PlanSummary",
    "ProgressCallback",
    "SweepEngine",
    "TicketPlan",
    "comment_hash",
    "execute",
    "ticket_hash",
]
