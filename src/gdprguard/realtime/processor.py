"""The unit of real-time work: one ticket of one connector, checked and redacted now.

:func:`redact_ticket` is a plain function of a connector name and a ticket id (plus the
shared context), so any runner can execute it: the webhook receiver's worker threads today,
workers on other machines later. It reads the ticket with its comments and people through the
pipeline, runs detection with what the helpdesk knows about them, asks the policy's realtime
rules what to do, and makes each change through the write-ahead journal. A journal unit is
keyed on (comment, content): the same event processed twice, or a retry after a crash, redacts
once; a comment edited since gets a new unit and is looked at again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from .._exceptions import NotFoundError
from ..connectors import HelpdeskConnector
from ..detect import Detector, Finding
from ..pipeline import IdentifierHasher, Journal, SubjectIndex, TicketWalker, known_subject_for
from ..pipeline.fields import fields_hash
from ..policy import Policy
from ..sweep.actions import ActionContext, comment_hash, execute
from ..sweep.decide import policy_decider
from ..sweep.models import Decider
from ..vault import Vault

__all__ = ["RealtimeContext", "TicketOutcome", "redact_ticket"]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class RealtimeContext:
    """What the unit of work needs besides its arguments."""

    vault: Vault
    connectors: Mapping[str, HelpdeskConnector]
    decide: Decider
    detector: Detector
    index: SubjectIndex | None = None
    actor: str = "realtime"
    clock: Callable[[], datetime] = _now
    journal: Journal = field(init=False)

    def __post_init__(self) -> None:
        self.journal = Journal(self.vault.store, self.vault.audit)

    @classmethod
    def for_policy(
        cls,
        vault: Vault,
        connectors: Mapping[str, HelpdeskConnector],
        policy: Policy,
        *,
        detector: Detector | None = None,
        actor: str = "realtime",
        clock: Callable[[], datetime] = _now,
    ) -> RealtimeContext:
        """The context applying *policy*'s realtime rules, with the subject index kept up to
        date (what the receiver and each worker process build)."""
        detect = detector or Detector()
        capabilities = {name: c.capabilities for name, c in connectors.items()}
        hasher = IdentifierHasher.from_secret(vault.keyring.system_secret("subject-index"))
        return cls(
            vault, connectors, policy_decider(policy.realtime(), capabilities, detect), detect,
            index=SubjectIndex(vault.store, hasher, detect), actor=actor, clock=clock,
        )  # fmt: skip


class TicketOutcome(BaseModel):
    """What processing one ticket did (ids and counts only)."""

    connector: str
    ticket_id: str
    status: str = Field(description="processed, gone or held")
    comments: int = 0
    redacted: int = Field(default=0, description="comments changed now")
    already: int = Field(default=0, description="units a previous run had completed")
    types: list[str] = Field(default_factory=list)


def redact_ticket(context: RealtimeContext, connector_name: str, ticket_id: str) -> TicketOutcome:
    """Apply the realtime rules to every comment of one ticket (idempotent, journaled).

    A ``HelpdeskError`` propagates (the caller retries the event later); a ticket deleted
    meanwhile is ``gone``.
    """
    connector = context.connectors[connector_name]
    outcome = TicketOutcome(connector=connector_name, ticket_id=ticket_id, status="processed")
    try:
        ticket = connector.get_ticket(ticket_id)
    except NotFoundError:
        outcome.status = "gone"
        return outcome
    walker = TicketWalker(connector, context.vault.store, stream="realtime")
    bundle = walker.bundle(ticket)
    outcome.comments = len(bundle.comments)
    known = known_subject_for(bundle)
    findings: dict[str, list[Finding]] = {
        c.id: context.detector.analyze(c.body, language="auto", known_subject=known)
        for c in bundle.comments
    }
    if context.index is not None:
        context.index.record([(bundle, findings)])
    decision = context.decide(bundle, findings, context.clock())
    if decision.held:
        outcome.status = "held"
        return outcome
    comments = {c.id: c for c in bundle.comments}
    subject_id = f"{connector_name}:person:{ticket.requester_id}" if ticket.requester_id else None
    types: set[str] = set()
    for spec in decision.actions:
        if spec.action != "redact" or spec.ref.kind not in ("comment", "ticket"):
            continue  # realtime rules redact text; deletions and the rest wait for a sweep
        comment = comments.get(spec.ref.id) if spec.ref.kind == "comment" else None
        if spec.ref.kind == "comment" and comment is None:
            continue
        digest = (comment_hash(comment) if comment is not None else fields_hash(ticket))[:16]
        unit = f"rt:{connector_name}:{spec.ref.id}:{spec.rule}:{digest}"
        entry = context.journal.intend(unit, spec.ref, spec.action, spec.params())
        if entry.state in ("done", "skipped"):
            outcome.already += 1
            continue
        action_context = ActionContext(context.detector, context.vault, context.clock,
                                       context.actor)  # fmt: skip
        try:
            result = execute(
                connector, spec, action_context, comment=comment, known=known,
                subject_id=subject_id, ticket=ticket,
            )  # fmt: skip
        except Exception as exc:
            context.journal.fail(unit, type(exc).__name__)
            raise
        detail = {"rule": spec.rule, "changed": result.changed, **result.detail}
        context.journal.complete(
            unit, detail, actor=context.actor, audit_action="realtime.redact",
            reason=f"realtime:rule:{spec.rule}", state=result.status,
        )  # fmt: skip
        if result.changed:
            outcome.redacted += 1
            types.update(str(t) for t in result.detail.get("types", []))
    outcome.types = sorted(types)
    return outcome
