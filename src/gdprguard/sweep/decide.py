"""A policy file as the sweep engine's decision function."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from ..detect import Detector, Finding
from ..pipeline import TicketBundle, known_subject_for
from ..pipeline.fields import field_types
from ..policy import ConnectorCapabilities, PlannedAction, Policy, facts_from_records
from .actions import ActionSpec
from .models import Decider, TicketPlan

__all__ = ["policy_decider", "spec_from_planned"]


def spec_from_planned(action: PlannedAction) -> ActionSpec:
    """The engine's unit of work for one of the policy's planned actions."""
    keep = action.keep_original_for
    return ActionSpec(
        action=action.action,
        target=action.target,
        ticket_id=action.ticket_id or "",
        comment_id=action.comment_id,
        rule=action.rule,
        entity_types=list(action.entity_types) if action.entity_types is not None else None,
        keep_original_days=keep.total_seconds() / 86400 if keep is not None else None,
        planned=action.model_dump(mode="json") if action.action == "redact" else None,
    )


def policy_decider(
    policy: Policy,
    capabilities: Mapping[str, ConnectorCapabilities] | None = None,
    detector: Detector | None = None,
) -> Decider:
    """``decide(bundle, findings, now)`` for *policy*, with each connector's capabilities."""
    caps = dict(capabilities or {})
    detect = detector or Detector()

    def decide(
        bundle: TicketBundle, findings: dict[str, list[Finding]], now: datetime
    ) -> TicketPlan:
        ticket = bundle.ticket
        ticket_types = field_types(detect, ticket, known_subject_for(bundle))
        facts = facts_from_records(
            bundle.connector,
            ticket,
            bundle.comments,
            bundle.requester,
            comment_entities={cid: {f.type for f in found} for cid, found in findings.items()},
            ticket_entities=ticket_types,
        )
        decision = policy.decide(facts, now, capabilities=caps.get(bundle.connector))
        return TicketPlan(
            ticket_id=ticket.id,
            held=decision.hold,
            actions=[spec_from_planned(a) for a in decision.actions],
            notes=list(decision.notes),
            blocked_people=list(decision.blocked_person_ids),
        )

    return decide
