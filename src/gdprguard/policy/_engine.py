"""Evaluate a policy for one ticket: holds, matching, precedence, notes, projected deletion.

Precedence, in order (docs/policies.md "Precedence" says the same):

1. A legal hold on the ticket suspends every rule for it, its comments, attachments, and its
   requester's anonymisation or deletion.
2. A ``keep`` rule wins over every other rule on the records it selects and on what they contain
   (a kept ticket's comments and attachments, a kept comment's attachments).
3. On one record the stronger action wins: purge > delete > anonymize_person > redact /
   redact_attachments. Deleting or purging a ticket supersedes every redaction inside it.
4. Redactions of one comment merge: every type any matching rule redacts is redacted; for a type
   several rules redact, the rule listed first in the file decides how (operator, digits kept).
   Merged rules keep the original for the shortest of their ``keep_original_for``, and not at
   all if one of them keeps none (a rule that forbids a copy is never overridden).
5. Open tickets (new, open, pending, hold, or no status) are deleted or purged only by a rule whose
   ``when.status`` names their status; people are anonymised or deleted only while none of their
   tickets is open or held, and never if they are staff (agents, admins).
"""

from __future__ import annotations

from datetime import datetime

from ._capabilities import ConnectorCapabilities
from ._decision import PersonDecision, RuleVerdict, TicketDecision
from ._facts import PersonFacts, TicketFacts
from ._match import age_thresholds
from ._resolve import Resolver, resolve_person, summarise
from ._rules import hold_for
from ._schema import PolicyDocument
from ._select import REMOVE, RuleLog, matches, ticket_winner

__all__ = ["decide_person", "decide_ticket", "deletion_due"]


def deletion_due(
    doc: PolicyDocument, facts: TicketFacts, now: datetime
) -> tuple[datetime, str] | None:
    """When a rule deletes or purges the ticket if nothing about it changes, and which rule.

    None when it is held, or when no rule ever deletes it.
    """
    if hold_for(doc, facts) is not None:
        return None
    moments = {now}
    for rule in doc.rules:
        if rule.when.kind == "ticket" and (rule.action in REMOVE or rule.action == "keep"):
            moments.update(t for t in age_thresholds(rule.when, facts) if t > now)
    for moment in sorted(moments):
        hits = matches(doc, facts, moment, {}, kinds=("ticket",))
        keep, best = ticket_winner(hits)
        if keep is None and best is not None:
            return moment, best.rule.name
    return None


def decide_ticket(
    doc: PolicyDocument,
    facts: TicketFacts,
    now: datetime,
    caps: ConnectorCapabilities | None = None,
) -> TicketDecision:
    """Everything the policy does to one ticket at *now*, and why."""
    held = hold_for(doc, facts)
    requester = facts.requester.id if facts.requester else None
    if held is not None:
        hold, reason = held
        verdicts = [
            RuleVerdict(
                rule=r.name,
                action=r.action,
                verdict="held",
                reason=f"suspended by legal hold {hold.name}",
            )
            for r in doc.rules
        ]
        note = f"legal hold {hold.name}: nothing is changed until the hold is lifted"
        return TicketDecision(
            connector=facts.connector, ticket_id=facts.ticket_id, evaluated_at=now,
            hold=hold.name, hold_reason=reason, verdicts=tuple(verdicts), notes=(note,),
            blocked_person_ids=(requester,) if requester else (),
        )  # fmt: skip
    resolver = Resolver(doc, facts, now, caps)
    resolver.run()
    due = deletion_due(doc, facts, now)
    notes = resolver.notes_for(due)
    blocked = requester is not None and not facts.deleted and not facts.is_solved
    rules = tuple(dict.fromkeys(a.rule for a in resolver.actions))
    return TicketDecision(
        connector=facts.connector,
        ticket_id=facts.ticket_id,
        evaluated_at=now,
        rules=rules,
        actions=tuple(resolver.actions),
        notes=tuple(notes),
        deletion_due=due[0] if due else None,
        deletion_rule=due[1] if due else None,
        verdicts=tuple(resolver.verdicts()),
        blocked_person_ids=(requester,) if blocked and requester else (),
    )


def decide_person(
    doc: PolicyDocument,
    connector: str,
    person: PersonFacts,
    now: datetime,
    caps: ConnectorCapabilities | None = None,
) -> PersonDecision:
    """The person rules for one person seen on their own (e.g. a person with no tickets).

    The caller must not apply the result while the person has an open or held ticket
    (:func:`consolidate` drops it given those tickets' decisions).
    """
    facts = TicketFacts(connector=connector, ticket_id="-", status="closed", requester=person)
    logs: dict[str, RuleLog] = {}
    hits = matches(doc, facts, now, logs, kinds=("person",))
    action = resolve_person(doc, connector, person.id, hits, {}, logs, now, caps, None)
    verdicts = [summarise(r, logs[r.name]) for r in doc.rules if r.when.kind == "person"]
    return PersonDecision(
        connector=connector, person_id=person.id, evaluated_at=now,
        actions=(action,) if action else (), verdicts=tuple(verdicts),
    )  # fmt: skip
