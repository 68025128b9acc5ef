"""Retention policies: YAML rules that say what happens to tickets, comments, files and people.

A pure library (no network, no database): load a policy, check it, and ask it what to do with one
ticket described by its :class:`TicketFacts` (ids, statuses, tags, times and the *types* of
personal data found, never text)::

    from datetime import UTC, datetime
    from gdprguard.policy import TicketFacts, load_policy

    policy = load_policy("policies/default.yaml")        # PolicyValidationError: file:line:col
    problems = policy.check({"support": connector.capabilities})
    decision = policy.decide(facts, datetime.now(UTC))
    for action in decision.actions:                        # PlannedAction: what, where, which rule
        ...
    print(decision.explain())                              # why, for people

The language is documented in ``docs/policies.md``.
"""

from __future__ import annotations

from ._capabilities import ConnectorCapabilities
from ._decision import (
    FindingLike,
    PersonDecision,
    PlannedAction,
    RedactionSpec,
    RedactSpan,
    RuleVerdict,
    TicketDecision,
    consolidate,
)
from ._duration import Duration, parse_duration
from ._facts import CommentFacts, PersonFacts, TicketFacts, facts_from_records, person_facts
from ._policy import Policy, load_policy, parse_policy
from ._problems import PolicyValidationError, Problem
from ._schema import Defaults, Hold, KeepDigits, PolicyDocument, Rule, Selector, TagMatch
from ._shipped import copy_shipped_policies, default_policy_path, shipped_policies
from ._vocab import ACTIONS, ENTITY_TYPES, KINDS, OPERATORS, STATUSES

__all__ = [
    "ACTIONS",
    "ENTITY_TYPES",
    "KINDS",
    "OPERATORS",
    "STATUSES",
    "CommentFacts",
    "ConnectorCapabilities",
    "Defaults",
    "Duration",
    "FindingLike",
    "Hold",
    "KeepDigits",
    "PersonDecision",
    "PersonFacts",
    "PlannedAction",
    "Policy",
    "PolicyDocument",
    "PolicyValidationError",
    "Problem",
    "RedactSpan",
    "RedactionSpec",
    "Rule",
    "RuleVerdict",
    "Selector",
    "TagMatch",
    "TicketDecision",
    "TicketFacts",
    "consolidate",
    "copy_shipped_policies",
    "default_policy_path",
    "facts_from_records",
    "load_policy",
    "parse_duration",
    "parse_policy",
    "person_facts",
    "shipped_policies",
]
