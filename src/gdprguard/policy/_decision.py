"""What a policy decided for one ticket (or person): planned actions, notes and the reasons why."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from ._vocab import ACTION_RANK, Action, Kind, Operator

__all__ = [
    "FindingLike",
    "PersonDecision",
    "PlannedAction",
    "RedactSpan",
    "RedactionSpec",
    "RuleVerdict",
    "TicketDecision",
    "Verdict",
    "consolidate",
]

Verdict = Literal["applies", "merged", "outranked", "superseded", "held", "skipped", "no_match"]


class FindingLike(Protocol):
    """A detection finding: ``type``, ``start`` and ``end`` (``gdprguard.detect.Finding``)."""

    @property
    def type(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class RedactSpan(_Frozen):
    """A stretch of text to redact, ``[start, end)`` in code points, and the type it was."""

    start: int
    end: int
    type: str


class RedactionSpec(_Frozen):
    """How one rule redacts: which types (None: all), with which operator, digits kept."""

    rule: str
    entity_types: tuple[str, ...] | None = None
    operator: Operator = "mask"
    keep_first: int = 0
    keep_last: int = 0

    def covers(self, entity_type: str) -> bool:
        """Whether this rule redacts *entity_type*."""
        return self.entity_types is None or entity_type in self.entity_types


class PlannedAction(_Frozen):
    """One change to one record, by the rule that won (ids and names only, never text)."""

    action: Action
    connector: str
    target_kind: Kind
    target_id: str
    ticket_id: str | None = Field(default=None, description="the ticket the record belongs to")
    comment_id: str | None = Field(default=None, description="an attachment's comment")
    rule: str = Field(description="the rule that decided it")
    rules: tuple[str, ...] = Field(default=(), description="every rule merged into it")
    entity_types: tuple[str, ...] | None = Field(
        default=None, description="redact: the types to redact; None for every type"
    )
    operator: Operator | None = None
    redactions: tuple[RedactionSpec, ...] = Field(
        default=(), description="redact: per rule, in precedence order (first covering wins)"
    )
    keep_original_for: timedelta | None = Field(
        default=None, description="seal the original in the vault for this long first"
    )
    keep_original_until: datetime | None = None
    realtime: bool = False
    note: str | None = Field(default=None, description="e.g. why a purge became a deletion")

    @property
    def target(self) -> str:
        """The record reference, ``connector:kind:id``."""
        return f"{self.connector}:{self.target_kind}:{self.target_id}"

    def spec_for(self, entity_type: str) -> RedactionSpec | None:
        """The redaction that applies to findings of *entity_type* (None: leave them)."""
        return next((s for s in self.redactions if s.covers(entity_type)), None)

    def spans(self, text: str, findings: Iterable[FindingLike]) -> list[RedactSpan]:
        """What to redact in *text*: the findings this action covers, card digits kept.

        With ``keep_digits`` the span shrinks to the digits between the first N and the last M
        (``4111 11▇▇ ▇▇▇▇ 1111``); a value with too few digits is redacted whole.
        """
        out: list[RedactSpan] = []
        for finding in findings:
            spec = self.spec_for(finding.type)
            if spec is None or not 0 <= finding.start < finding.end <= len(text):
                continue
            start, end = finding.start, finding.end
            if spec.keep_first or spec.keep_last:
                value = text[start:end]
                digits = [i for i, ch in enumerate(value) if ch.isdigit()]
                if len(digits) > spec.keep_first + spec.keep_last:
                    end = start + digits[len(digits) - spec.keep_last - 1] + 1
                    start = start + digits[spec.keep_first]
            out.append(RedactSpan(start=start, end=end, type=finding.type))
        return out

    def describe(self) -> str:
        """One line for people: ``purge ticket 42 (rule …; original sealed for 30 days)``."""
        what = {
            "redact": "redact",
            "redact_attachments": "redact attachment",
            "anonymize_person": "anonymise person",
            "delete": "delete",
            "purge": "purge",
            "keep": "keep",
        }[self.action]
        noun = (
            ""
            if self.action in ("redact_attachments", "anonymize_person")
            else (f" {self.target_kind}")
        )
        text = f"{what}{noun} {self.target_id}"
        if self.action == "redact":
            types = (
                "all personal data" if self.entity_types is None else ", ".join(self.entity_types)
            )
            text += f" ({types})"
        extra = [f"rule {self.rule}"]
        if len(self.rules) > 1:
            extra.append("also " + ", ".join(r for r in self.rules if r != self.rule))
        if self.keep_original_for is not None:
            extra.append(f"original sealed for {_days(self.keep_original_for)}")
        if self.note:
            extra.append(self.note)
        return f"{text} [{'; '.join(extra)}]"


def _days(delta: timedelta) -> str:
    days = round(delta.total_seconds() / 86400)
    return f"{days} day{'' if days == 1 else 's'}"


class RuleVerdict(_Frozen):
    """What one rule did for this ticket, and why."""

    rule: str
    action: Action
    verdict: Verdict
    targets: tuple[str, ...] = Field(default=(), description="the records it applies or matched")
    reason: str


class TicketDecision(_Frozen):
    """The policy's decision for one ticket: actions, hold, notes and explanation."""

    connector: str
    ticket_id: str
    evaluated_at: datetime
    hold: str | None = Field(default=None, description="the legal hold that froze the ticket")
    hold_reason: str | None = None
    rules: tuple[str, ...] = Field(default=(), description="the rules that produced actions")
    actions: tuple[PlannedAction, ...] = ()
    notes: tuple[str, ...] = Field(
        default=(), description="what cannot be changed through the API, and until when"
    )
    deletion_due: datetime | None = Field(
        default=None, description="when a rule will delete the ticket if nothing changes"
    )
    deletion_rule: str | None = None
    verdicts: tuple[RuleVerdict, ...] = ()
    blocked_person_ids: tuple[str, ...] = Field(
        default=(),
        description="people whose anonymisation or deletion must wait: this ticket is held or open",
    )

    @property
    def held(self) -> bool:
        """A legal hold applies: nothing is changed."""
        return self.hold is not None

    def explain(self) -> str:
        """The decision for people (``gdprguard policy explain``): ids and rule names only."""
        lines = [f"ticket {self.ticket_id} on {self.connector}, as of {_date(self.evaluated_at)}"]
        if self.hold:
            lines.append(f"legal hold {self.hold}: {self.hold_reason}; no rule applies")
        if self.actions:
            lines.append("planned:")
            lines.extend(f"  - {a.describe()}" for a in self.actions)
        elif not self.hold:
            lines.append("planned: nothing")
        lines.append("rules:")
        for v in self.verdicts:
            lines.append(f"  {v.rule} ({v.action}): {v.verdict.replace('_', ' ')} - {v.reason}")
        if self.notes:
            lines.append("notes:")
            lines.extend(f"  - {n}" for n in self.notes)
        if self.deletion_due is not None and not any(
            a.action in ("delete", "purge") and a.target_kind == "ticket" for a in self.actions
        ):
            lines.append(
                f"deletion: {_date(self.deletion_due)} by rule {self.deletion_rule} "
                "(if nothing about the ticket changes)"
            )
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (timedeltas in seconds)."""
        return self.model_dump(mode="json")


class PersonDecision(_Frozen):
    """The policy's decision for one person seen outside any ticket."""

    connector: str
    person_id: str
    evaluated_at: datetime
    actions: tuple[PlannedAction, ...] = ()
    verdicts: tuple[RuleVerdict, ...] = ()


def _date(moment: datetime) -> str:
    return moment.date().isoformat()


def consolidate(
    decisions: Sequence[TicketDecision | PersonDecision],
) -> list[PlannedAction]:
    """Every action of *decisions*, each record once, people only when none of theirs is blocked.

    A person is seen through each of their tickets: the strongest person action wins, and it is
    dropped when any of their tickets is held or still open (``blocked_person_ids``).
    """
    blocked = {
        (d.connector, pid)
        for d in decisions
        if isinstance(d, TicketDecision)
        for pid in d.blocked_person_ids
    }
    out: dict[str, PlannedAction] = {}
    for decision in decisions:
        for action in decision.actions:
            key = action.target
            if action.target_kind == "person" and (action.connector, action.target_id) in blocked:
                continue
            current = out.get(key)
            if current is None or ACTION_RANK[action.action] > ACTION_RANK[current.action]:
                out[key] = action
    return list(out.values())
