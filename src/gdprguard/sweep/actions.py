"""The changes a sweep (or an erasure, or the webhook receiver) makes to a helpdesk.

Each action is a plain function of a connector, a record reference and parameters, and is
**idempotent and state-checking**: it first looks at the record as it is now and does nothing if
the change is already there. That is what makes the journal's crash recovery simple: an action
found ``intended`` after a crash is just run again, and a change that did reach the helpdesk
before the crash is not made twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from .._exceptions import NotFoundError
from ..connectors import HelpdeskConnector, NotRedactableError
from ..detect import Detector, Finding, KnownSubject
from ..models import Comment, Ticket
from ..pipeline import RecordRef
from ..pipeline.fields import SUBJECT, field_findings, field_texts, mask_spans, split_fields
from ..vault import Vault

__all__ = [
    "ActionName",
    "ActionOutcome",
    "ActionSpec",
    "comment_hash",
    "execute",
    "ticket_hash",
]

ActionName = Literal["redact", "redact_attachments", "anonymize_person", "delete", "purge", "keep"]


class ActionSpec(BaseModel):
    """One planned change: what, to which record, by which rule (ids and names only)."""

    action: ActionName
    target: str = Field(description="record reference, connector:kind:id")
    ticket_id: str = Field(default="", description="the ticket it belongs to ('' for a person)")
    comment_id: str | None = Field(default=None, description="an attachment's comment")
    rule: str
    entity_types: list[str] | None = Field(
        default=None, description="types to redact; None for every type found"
    )
    keep_original_days: float | None = Field(
        default=None, description="seal the original in the vault for this long first"
    )
    planned: dict[str, Any] | None = Field(
        default=None,
        description="the policy's PlannedAction (per-rule redaction specs, digits kept)",
    )

    @property
    def ref(self) -> RecordRef:
        """The record this action changes."""
        return RecordRef.parse(self.target)

    def params(self) -> dict[str, Any]:
        """The parameters the journal records (no personal data)."""
        return self.model_dump(mode="json", exclude={"target", "action"})


class ActionOutcome(BaseModel):
    """What an action did; ``changed`` is False when the record was already as required."""

    changed: bool
    status: Literal["done", "skipped"] = "done"
    detail: dict[str, Any] = Field(default_factory=dict)


def comment_hash(comment: Comment) -> str:
    """A fingerprint of a comment's content (to notice it changed between plan and apply)."""
    digest = hashlib.sha256()
    for part in (comment.body, comment.html_body or "", str(len(comment.attachments))):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def ticket_hash(ticket: Ticket) -> str:
    """A fingerprint of a ticket's state (status, deletion, update time, fields)."""
    document = {
        "status": ticket.status,
        "deleted": ticket.deleted,
        "updated_at": ticket.updated_at.isoformat() if ticket.updated_at else None,
        "tags": sorted(ticket.tags),
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


@dataclass
class ActionContext:
    """What actions need besides the connector: detection, the vault, the clock."""

    detector: Detector
    vault: Vault | None
    now: Callable[[], datetime]
    actor: str


def _targets(
    context: ActionContext,
    spec: ActionSpec,
    text: str,
    known: KnownSubject | None,
    found: list[Finding] | None = None,
) -> list[dict[str, Any]]:
    """The stretches of *text* this action redacts (start, end, type)."""
    if found is None:
        found = context.detector.analyze(text, language="auto", known_subject=known)
    if spec.planned is not None:
        from ..policy import PlannedAction

        planned = PlannedAction.model_validate(spec.planned)
        return [s.model_dump() for s in planned.spans(text, found)]
    if spec.entity_types is not None:
        wanted = set(spec.entity_types)
        found = [f for f in found if f.type in wanted]
    return [f.to_dict() for f in found]


def _redact_ticket_fields(
    connector: HelpdeskConnector,
    spec: ActionSpec,
    context: ActionContext,
    ticket: Ticket,
    known: KnownSubject | None,
    subject_id: str | None,
) -> ActionOutcome:
    """Mask what the rule covers in the subject and free-text custom fields, if anything."""
    texts = field_texts(ticket)
    changed: dict[str, str] = {}
    redacted = 0
    types: set[str] = set()
    for name, found in field_findings(context.detector, ticket, known).items():
        spans = _targets(context, spec, texts[name], known, found)
        if spans:
            changed[name] = mask_spans(texts[name], [(t["start"], t["end"]) for t in spans])
            redacted += len(spans)
            types.update(str(t["type"]) for t in spans)
    if not changed:
        return ActionOutcome(changed=False, detail={"redacted": 0})
    original = _seal(context, spec, {name: texts[name] for name in changed}, subject_id)
    subject, custom = split_fields(changed)
    try:
        connector.update_ticket_fields(ticket, subject=subject, custom_fields=custom)
    except NotRedactableError:
        return ActionOutcome(changed=False, status="skipped", detail={"reason": "not-redactable"})
    detail: dict[str, Any] = {
        "redacted": redacted,
        "types": sorted(types),
        "fields": sorted("subject" if n == SUBJECT else "custom_field" for n in changed),
    }
    if original:
        detail["original"] = original
    return ActionOutcome(changed=True, detail=detail)


def _seal_original(
    context: ActionContext,
    spec: ActionSpec,
    comment: Comment,
    subject_id: str | None,
) -> str | None:
    return _seal(context, spec, {"body": comment.body, "html_body": comment.html_body}, subject_id)


def _seal(
    context: ActionContext,
    spec: ActionSpec,
    original: dict[str, Any],
    subject_id: str | None,
) -> str | None:
    """Seal *original* under the subject's key for the rule's grace period (its record id)."""
    if spec.keep_original_days is None or context.vault is None:
        return None
    record_id = f"original:{spec.target}"
    payload = json.dumps(original, ensure_ascii=False).encode()
    expires = context.now() + timedelta(days=spec.keep_original_days)
    context.vault.seal(
        record_id,
        payload,
        kind="original",
        subject_id=subject_id,
        replace=True,
        expires_at=expires,
    )
    return record_id


def execute(
    connector: HelpdeskConnector,
    spec: ActionSpec,
    context: ActionContext,
    *,
    comment: Comment | None = None,
    known: KnownSubject | None = None,
    subject_id: str | None = None,
    ticket: Ticket | None = None,
) -> ActionOutcome:
    """Make *spec*'s change unless it is already there. *comment* is the comment as it is now
    (for comment actions), *ticket* the ticket as it is now (for a ticket's subject and
    fields); *known* the ticket's known people; *subject_id* whose key seals the original."""
    if spec.action == "keep":
        return ActionOutcome(changed=False, status="skipped", detail={"kept": True})
    if spec.action == "redact" and spec.ref.kind == "ticket":
        if ticket is None:
            try:
                ticket = connector.get_ticket(spec.ref.id)
            except NotFoundError:
                return ActionOutcome(changed=False, detail={"outcome": "gone"})
        return _redact_ticket_fields(connector, spec, context, ticket, known, subject_id)
    if spec.action == "redact":
        assert comment is not None
        found = _targets(context, spec, comment.body, known)
        if not found:
            return ActionOutcome(changed=False, detail={"redacted": 0})
        if not comment.redactable:
            return ActionOutcome(
                changed=False, status="skipped", detail={"reason": "not-redactable"}
            )
        original = _seal_original(context, spec, comment, subject_id)
        try:
            redaction = connector.redact_comment(comment, found)
        except NotRedactableError:
            return ActionOutcome(
                changed=False, status="skipped", detail={"reason": "not-redactable"}
            )
        detail: dict[str, Any] = {
            "redacted": redaction.redacted,
            "types": sorted({str(f["type"]) for f in found}),
        }
        if original:
            detail["original"] = original
        return ActionOutcome(changed=redaction.redacted > 0, detail=detail)
    if spec.action == "redact_attachments":
        assert comment is not None
        done = 0
        only = spec.ref.id if spec.ref.kind == "attachment" else None
        for attachment in comment.attachments:
            if only is not None and attachment.id != only:
                continue
            if attachment.file_name == "redacted.txt":
                continue  # what Zendesk leaves in place of a redacted attachment
            try:
                connector.redact_attachment(comment, attachment.id)
            except NotRedactableError:
                return ActionOutcome(
                    changed=done > 0,
                    status="skipped",
                    detail={"reason": "not-redactable", "attachments": done},
                )
            done += 1
        return ActionOutcome(changed=done > 0, detail={"attachments": done})
    if spec.action == "anonymize_person":
        ref = spec.ref
        try:
            person = connector.get_person(ref.id)
        except NotFoundError:
            return ActionOutcome(changed=False, detail={"outcome": "gone"})
        if (person.name or "").startswith("Anonymised user") and not person.phones:
            return ActionOutcome(changed=False, detail={"outcome": "already_anonymised"})
        connector.anonymize_person(ref.id)
        return ActionOutcome(changed=True, detail={"outcome": "anonymised"})
    if spec.action in ("delete", "purge") and spec.ref.kind == "person":
        try:
            gone = connector.delete_person(spec.ref.id, permanent=spec.action == "purge")
        except NotFoundError:
            return ActionOutcome(changed=False, detail={"outcome": "already_deleted"})
        return ActionOutcome(changed=gone.outcome == "deleted", detail={"outcome": gone.outcome})
    if spec.action in ("delete", "purge"):
        permanent = spec.action == "purge"
        try:
            deletion = connector.delete_ticket(spec.ticket_id, permanent=permanent)
        except NotFoundError:
            return ActionOutcome(changed=False, detail={"outcome": "already_deleted"})
        return ActionOutcome(
            changed=deletion.outcome == "deleted", detail={"outcome": deletion.outcome}
        )
    raise AssertionError(f"unknown action {spec.action}")  # pragma: no cover
