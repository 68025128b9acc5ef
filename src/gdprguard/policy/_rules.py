"""Rule-level answers shared by the engine and the checks: holds, operators, originals, types."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ._decision import RedactionSpec
from ._duration import Duration
from ._facts import TicketFacts
from ._match import field_matches
from ._schema import Hold, PolicyDocument, Rule
from ._vocab import Operator

__all__ = [
    "hold_for",
    "keep_original_for",
    "operator_of",
    "redacted_types",
    "redaction_spec",
    "shortest_keep",
]


def hold_for(doc: PolicyDocument, facts: TicketFacts) -> tuple[Hold, str] | None:
    """The first legal hold that applies to the ticket, with the reason."""
    for hold in doc.holds:
        if hold.tags and facts.tags & set(hold.tags):
            return hold, f"tagged {', '.join(sorted(facts.tags & set(hold.tags)))}"
        for name, wanted in (hold.custom_fields or {}).items():
            if field_matches(facts.custom_fields.get(name), wanted):
                return hold, f"field {name} is set to a held value"
    return None


def operator_of(doc: PolicyDocument, rule: Rule) -> Operator:
    """The rule's operator, or the policy default."""
    return rule.operator or doc.defaults.operator


def keep_original_for(doc: PolicyDocument, rule: Rule) -> Duration | None:
    """How long the rule keeps sealed originals (its own value, explicit null, or the default)."""
    if rule.action == "keep":
        return None
    if "keep_original_for" in rule.model_fields_set:
        return rule.keep_original_for
    return doc.defaults.keep_original_for


def redacted_types(rule: Rule) -> tuple[str, ...] | None:
    """The types a redact rule redacts: its ``entities``, else ``when.entities``; None for all."""
    if rule.entities is not None:
        return None if rule.entities == "all" else tuple(rule.entities)
    if isinstance(rule.when.entities, list):
        return tuple(rule.when.entities)
    return None


def redaction_spec(doc: PolicyDocument, rule: Rule) -> RedactionSpec:
    digits = rule.keep_digits
    return RedactionSpec(
        rule=rule.name,
        entity_types=redacted_types(rule),
        operator=operator_of(doc, rule),
        keep_first=digits.first if digits else 0,
        keep_last=digits.last if digits else 0,
    )


def shortest_keep(doc: PolicyDocument, rules: Sequence[Rule], now: datetime) -> Duration | None:
    """The shortest keep_original_for of merged rules; a rule that keeps no original wins."""
    periods = [keep_original_for(doc, r) for r in rules]
    if any(p is None for p in periods):
        return None
    return min((p for p in periods if p is not None), key=lambda d: d.after(now), default=None)
