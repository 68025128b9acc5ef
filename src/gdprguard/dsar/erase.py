"""Erasure (GDPR Art. 17): a plan of what goes, then applying it through the journal.

What a plan does, from what :class:`~gdprguard.dsar.locate.Locator` found:

* tickets the subject **requested** are deleted, and purged where the helpdesk allows it
  (Freshdesk has no permanent ticket deletion; hard-deleting the requester removes them);
* in tickets they are a **party** to without having requested them (copied, following, or
  writing in), their own comments lose all personal data and the other comments lose theirs;
* in **other people's tickets** that mention them, the comments keep their text but lose the
  subject's data (only that: the rest is someone else's record);
* their **person records** are deleted and purged;
* **sealed originals** of comments on those tickets, kept by sweeps under another person's key,
  are re-sealed without the subject's data (or destroyed with the ticket);
* the subject's own **vault key** is crypto-shredded, so every sealed copy and backup of their
  data becomes unreadable.

Legal holds of the active policy are honoured (held tickets are left and reported), and by
default an erasure is refused while a ticket the subject requested is still open. Matches by
name alone are reported for review, never acted on, unless the officer asks.

Every item is a journaled unit (``dsar:<plan>:<seq>``): applying again after a crash finishes
what was left, and each action checks the record's current state first.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import insert, select

from .._exceptions import (
    GdprGuardError,
    HelpdeskError,
    InputError,
    NotFoundError,
    ShreddedError,
)
from ..connectors import HelpdeskConnector, NotRedactableError, UnsupportedOperationError
from ..detect import Detector, Finding, KnownSubject
from ..models import Comment
from ..pipeline import (
    IdentifierHasher,
    Journal,
    RecordRef,
    SubjectIndex,
    TicketWalker,
    finding_digests,
    hold_lock,
    known_subject_for,
)
from ..pipeline.fields import mask_spans
from ..pipeline.plans import (
    item_state_update,
    plan_rows,
    refuse_rejected,
    set_item_state,
    set_plan_status,
)
from ..policy import Policy, facts_from_records
from ..store import plan_items, plans
from ..sweep.actions import ActionContext, ActionSpec, execute
from ..vault import Vault
from .locate import LocateResult, TicketMatch

__all__ = ["ErasureBlockedError", "ErasureEngine", "ErasurePlan", "ErasureReport"]

ErasureAction = Literal[
    "purge", "delete", "redact", "redact_subject", "redact_subject_line", "purge_person",
    "delete_person", "reseal_original", "destroy_original", "shred",
]  # fmt: skip
_OPEN_STATUSES = frozenset({"new", "open", "pending", "hold", "on-hold", "waiting"})


def _now() -> datetime:
    return datetime.now(UTC)


class ErasureBlockedError(GdprGuardError):
    """The subject still has open tickets (and ``block_if_open`` is on); exit code 1."""

    def __init__(self, open_tickets: list[str]) -> None:
        self.open_tickets = open_tickets
        shown = ", ".join(open_tickets[:10]) + ("…" if len(open_tickets) > 10 else "")
        super().__init__(
            f"erasure refused: the subject still has {len(open_tickets)} unresolved ticket(s) "
            f"they requested ({shown}); solve or close them first, or pass --no-block-if-open"
        )


class ErasureItem(BaseModel):
    """One planned step (ids and names only)."""

    seq: int
    connector: str
    ticket_id: str = ""
    target: str = Field(description="record reference connector:kind:id")
    action: ErasureAction
    reason: str = Field(description="requested, party, mention, person, original, key")


class ErasurePlan(BaseModel):
    """A saved erasure plan: what will be done, counted; the items are in the store."""

    plan_id: str
    request_id: str
    created_at: datetime
    connectors: list[str]
    actions: dict[str, int] = Field(description="action -> count")
    held: list[str] = Field(default_factory=list, description="tickets kept under a legal hold")
    review: list[str] = Field(
        default_factory=list, description="matches by name only, not acted on (record refs)"
    )
    notes: dict[str, int] = Field(default_factory=dict, description="what cannot be changed")
    status: str = "planned"


class ErasureReport(BaseModel):
    """What applying a plan did."""

    plan_id: str
    request_id: str
    status: str
    done: int = 0
    unchanged: int = 0
    skipped: dict[str, int] = Field(default_factory=dict, description="reason -> count")
    failed: dict[str, int] = Field(default_factory=dict, description="error -> count")
    shredded: int = 0
    resumed: int = 0


def subject_targets(
    detector: Detector,
    hasher: IdentifierHasher,
    text: str,
    known: KnownSubject,
    digests: Mapping[str, set[str]],
) -> list[Finding]:
    """The stretches of *text* that are the subject's data (their identifiers, however written,
    and their name as detection finds it when told who they are)."""
    strong = digests.get("email", set()) | digests.get("phone", set())
    names = digests.get("name", set())
    findings = detector.analyze(
        text, language="auto", known_subject=None if known.is_empty else known
    )
    found = []
    for finding, hashed in finding_digests(hasher, text, findings):
        if hashed & (strong | names) or finding.recognizer == "KnownSubjectRecognizer":
            found.append(finding)
    return found


class ErasureEngine:
    """Plans and applies erasures; the register records the outcome."""

    def __init__(
        self,
        vault: Vault,
        connectors: Mapping[str, HelpdeskConnector],
        hasher: IdentifierHasher,
        *,
        detector: Detector | None = None,
        policy: Policy | None = None,
        actor: str = "dsar",
        clock: Callable[[], datetime] = _now,
        progress: Callable[[str, int, int | None], None] | None = None,
    ) -> None:
        self.vault = vault
        self.store = vault.store
        self.connectors = dict(connectors)
        self.hasher = hasher
        self.detector = detector or Detector()
        self.policy = policy
        self.actor = actor
        self.clock = clock
        self.progress = progress or (lambda _what, _done, _total: None)
        self.journal = Journal(self.store, vault.audit)
        self.index = SubjectIndex(self.store, hasher, self.detector)

    # -- planning -----------------------------------------------------------------------------

    def plan(
        self,
        request_id: str,
        result: LocateResult,
        *,
        block_if_open: bool = True,
        include_name_matches: bool = False,
    ) -> ErasurePlan:
        """Decide every step and save the plan (``ErasureBlockedError`` while tickets are open)."""

        def acted_on(confidence: str) -> bool:
            return confidence != "medium" or include_name_matches

        open_tickets = [
            f"{m.bundle.connector}:ticket:{m.bundle.ticket.id}"
            for m in result.tickets
            if "requester" in m.roles
            and acted_on(m.confidence)
            and not m.bundle.ticket.deleted
            and (m.bundle.ticket.status or "open") in _OPEN_STATUSES
        ]
        if block_if_open and open_tickets:
            raise ErasureBlockedError(open_tickets)
        items: list[ErasureItem] = []
        held: list[str] = []
        review: list[str] = []
        notes: Counter[str] = Counter()

        def add(connector: str, ticket_id: str, target: str, action: ErasureAction,
                reason: str) -> None:  # fmt: skip
            items.append(ErasureItem(seq=len(items) + 1, connector=connector,
                                     ticket_id=ticket_id, target=target, action=action,
                                     reason=reason))  # fmt: skip

        for match in result.tickets:
            ref = f"{match.bundle.connector}:ticket:{match.bundle.ticket.id}"
            if not acted_on(match.confidence):
                review.append(ref)
                continue
            if self._held(match):
                held.append(ref)
                continue
            self._plan_ticket(match, add, notes)
        for name, ticket_id in result.trashed:
            # the subject's own ticket, deleted before: purged from the trash where the helpdesk
            # allows it (a delete otherwise, which finds it gone); either way the index forgets it
            caps = self.connectors[name].capabilities
            step: ErasureAction = "purge" if caps.permanent_ticket_delete else "delete"
            add(name, ticket_id, f"{name}:ticket:{ticket_id}", step, "requested-deleted")
        for person in result.people:
            ref = f"{person.connector}:person:{person.person.id}"
            if not acted_on(person.confidence):
                review.append(ref)
                continue
            caps = self.connectors[person.connector].capabilities
            action: ErasureAction = (
                "purge_person" if caps.permanent_person_delete else "delete_person"
            )
            add(person.connector, "", ref, action, "person")
        for person in result.people:
            if acted_on(person.confidence):
                ref = f"{person.connector}:person:{person.person.id}"
                add(person.connector, "", ref, "shred", "key")
        now = self.clock()
        plan_id = f"er-{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"
        summary = ErasurePlan(
            plan_id=plan_id,
            request_id=request_id,
            created_at=now,
            connectors=sorted(self.connectors),
            actions=dict(Counter(i.action for i in items)),
            held=held,
            review=review,
            notes=dict(notes),
        )
        with self.store.session() as session:
            session.execute(
                insert(plans).values(
                    plan_id=plan_id,
                    created_at=now,
                    policy_name=self.policy.name if self.policy else "",
                    policy_sha256="",
                    policy_text="",
                    connectors=json.dumps(sorted(self.connectors)),
                    status="planned",
                    summary=summary.model_dump_json(),
                    kind="erasure",
                    request_id=request_id,
                )
            )
            if items:
                session.execute(
                    insert(plan_items),
                    [
                        {
                            "plan_id": plan_id,
                            "seq": i.seq,
                            "connector": i.connector,
                            "ticket_id": i.ticket_id,
                            "target": i.target,
                            "action": i.action,
                            "rule": i.reason,
                            "params": "{}",
                            "content_hash": "",
                            "state": "planned",
                            "note": None,
                        }
                        for i in items
                    ],
                )
        return summary

    def _held(self, match: TicketMatch) -> bool:
        if self.policy is None:
            return False
        bundle = match.bundle
        facts = facts_from_records(
            bundle.connector, bundle.ticket, bundle.comments, bundle.requester
        )
        return self.policy.hold_for(facts) is not None

    def _plan_ticket(
        self,
        match: TicketMatch,
        add: Callable[[str, str, str, ErasureAction, str], None],
        notes: Counter[str],
    ) -> None:
        bundle = match.bundle
        name, ticket = bundle.connector, bundle.ticket
        caps = self.connectors[name].capabilities
        originals = [
            c for c in bundle.comments if self.vault.exists(f"original:{name}:comment:{c.id}")
        ]
        if "requester" in match.roles:
            for comment in originals:
                add(name, ticket.id, f"original:{name}:comment:{comment.id}",
                    "destroy_original", "original")  # fmt: skip
            if ticket.deleted and not caps.permanent_ticket_delete:
                notes["deleted-ticket-purged-by-helpdesk"] += 1
                return
            action: ErasureAction = "purge" if caps.permanent_ticket_delete else "delete"
            if not caps.permanent_ticket_delete:
                notes["ticket-soft-deleted-removed-with-requester"] += 1
            add(name, ticket.id, f"{name}:ticket:{ticket.id}", action, "requested")
            return
        authored = {e.comment_id for e in match.evidence if e.role in ("author", "sender")}
        for comment in bundle.comments:
            ref = f"{name}:comment:{comment.id}"
            if comment.id in authored:
                step: ErasureAction = "redact"
            elif comment.id in match.subject_spans:
                step = "redact_subject"
            else:
                continue
            if not caps.can_redact(comment, ticket):
                notes["comment-not-redactable"] += 1
                continue
            add(name, ticket.id, ref, step, "party" if match.scope == "full" else "mention")
            if comment in originals:
                add(name, ticket.id, f"original:{name}:comment:{comment.id}",
                    "reseal_original", "original")  # fmt: skip
        if "" in match.subject_spans:
            if "update_fields" in caps.ticket_actions(ticket):
                add(name, ticket.id, f"{name}:ticket:{ticket.id}", "redact_subject_line",
                    "party" if match.scope == "full" else "mention")  # fmt: skip
                if caps.field_history:
                    notes["ticket-subject-line-kept-in-history"] += 1
            else:
                notes["ticket-subject-line-unchangeable"] += 1
        if match.scope == "full" and any(r in match.roles for r in ("cc", "follower")):
            notes["still-listed-as-cc-or-follower-until-person-deleted"] += 1

    # -- applying -----------------------------------------------------------------------------

    def load(self, plan_id: str) -> ErasurePlan:
        """A saved erasure plan (``InputError`` if there is none)."""
        with self.store.session(write=False) as session:
            row = session.execute(
                select(plans.c.summary, plans.c.status, plans.c.kind).where(
                    plans.c.plan_id == plan_id
                )
            ).first()
        if row is None or row.kind != "erasure":
            raise InputError(
                f"there is no saved erasure plan {plan_id}; `gdprguard dsar erase --email …` "
                "makes one"
            )
        return ErasurePlan.model_validate_json(row.summary).model_copy(
            update={"status": row.status}
        )

    def apply(
        self, plan_id: str, subject: KnownSubject, digests: Mapping[str, set[str]]
    ) -> ErasureReport:
        """Carry out a saved plan (or finish one a crash interrupted)."""
        plan = self.load(plan_id)
        refuse_rejected(plan_id, plan.status)
        report = ErasureReport(plan_id=plan_id, request_id=plan.request_id, status="applying")
        if plan.status == "applied":
            report.status = "applied"
            return report
        missing = sorted(set(plan.connectors) - set(self.connectors))
        if missing:
            raise InputError(f"plan {plan_id} covers connector {missing[0]}, not configured now")
        report.resumed = len(self.journal.unfinished(prefix=f"dsar:{plan_id}:"))
        set_plan_status(self.store, plan_id, "applying")
        rows = plan_rows(self.store, plan_id)
        done = 0
        for name in plan.connectors:
            with hold_lock(self.store, f"sweep:{name}") as lock:
                for row in (r for r in rows if r["connector"] == name):
                    self._apply_item(plan_id, row, subject, digests, report)
                    done += 1
                    self.progress("erasing", done, len(rows))
                    lock.heartbeat()
        report.status = "applied" if not report.failed else "applied-with-failures"
        set_plan_status(self.store, plan_id, report.status, applied_at=self.clock())
        return report

    def _apply_item(
        self,
        plan_id: str,
        row: Mapping[str, Any],
        subject: KnownSubject,
        digests: Mapping[str, set[str]],
        report: ErasureReport,
    ) -> None:
        unit = f"dsar:{plan_id}:{row['seq']}"
        target, action = row["target"], row["action"]
        ref = _journal_ref(target)
        entry = self.journal.intend(unit, ref, action, {"reason": row["rule"]})
        if entry.state in ("done", "skipped"):
            set_item_state(self.store, plan_id, row["seq"], entry.state)
            report.done += entry.state == "done"
            return
        connector = self.connectors[row["connector"]]
        try:
            outcome = self._execute(connector, row, subject, digests)
        except HelpdeskError as exc:
            code = f"{type(exc).__name__} {exc.status or ''}".strip()
            self.journal.fail(unit, code, also=[item_state_update(plan_id, row["seq"], "failed")])
            report.failed[code] = report.failed.get(code, 0) + 1
            return
        state = outcome.pop("state", "done")
        self.journal.complete(
            unit, outcome, actor=self.actor, audit_action=f"dsar.{action}",
            reason=f"dsar:{row['rule']}", state=state,
            also=[item_state_update(plan_id, row["seq"], state)],
        )  # fmt: skip
        if state == "skipped":
            reason = str(outcome.get("reason", "skipped"))
            report.skipped[reason] = report.skipped.get(reason, 0) + 1
        elif outcome.get("changed", True):
            report.done += 1
        else:
            report.unchanged += 1
        if action == "shred" and outcome.get("status") == "shredded":
            report.shredded += 1

    def _execute(
        self,
        connector: HelpdeskConnector,
        row: Mapping[str, Any],
        subject: KnownSubject,
        digests: Mapping[str, set[str]],
    ) -> dict[str, Any]:
        """One step, checking the record's current state first; returns its outcome."""
        action, target = row["action"], row["target"]
        name = row["connector"]
        if action == "shred":
            shred = self.vault.shred_subject(target, actor=self.actor, reason="dsar:erasure")
            return {"status": shred.status, "changed": shred.status == "shredded"}
        if action == "destroy_original":
            gone = self.vault.delete(target, actor=self.actor, reason="dsar:erasure")
            return {"changed": gone}
        if action == "reseal_original":
            return self._reseal(target, subject, digests)
        context = ActionContext(self.detector, None, self.clock, self.actor)
        if action in ("purge_person", "delete_person"):
            spec = ActionSpec(action="purge" if action == "purge_person" else "delete",
                              target=target, rule="dsar-erasure")  # fmt: skip
            result = execute(connector, spec, context)
            return {"changed": result.changed, **result.detail}
        if action in ("purge", "delete"):
            spec = ActionSpec(action=action, target=target, ticket_id=row["ticket_id"],
                              rule="dsar-erasure")  # fmt: skip
            try:
                result = execute(connector, spec, context)
            except UnsupportedOperationError:
                spec = spec.model_copy(update={"action": "delete"})
                result = execute(connector, spec, context)
            self.index.forget_ticket(name, row["ticket_id"])
            return {"changed": result.changed, **result.detail}
        if action == "redact_subject_line":
            return self._redact_subject_line(connector, row["ticket_id"], subject, digests)
        comment = self._comment(connector, row["ticket_id"], target.rsplit(":", 1)[1])
        if comment is None:
            return {"state": "skipped", "reason": "gone", "changed": False}
        if action == "redact":
            walker = TicketWalker(connector, self.store, stream="dsar")
            try:
                bundle = walker.bundle(connector.get_ticket(row["ticket_id"]))
            except NotFoundError:
                return {"state": "skipped", "reason": "gone", "changed": False}
            ticket_known = known_subject_for(bundle)
            known = KnownSubject(
                names=ticket_known.names + subject.names,
                emails=ticket_known.emails + subject.emails,
                phones=ticket_known.phones + subject.phones,
            )
            found = self.detector.analyze(comment.body, language="auto", known_subject=known)
        else:
            found = subject_targets(self.detector, self.hasher, comment.body, subject, digests)
        if not found:
            return {"changed": False, "redacted": 0}
        try:
            redaction = connector.redact_comment(comment, [f.to_dict() for f in found])
        except NotRedactableError:
            return {"state": "skipped", "reason": "not-redactable", "changed": False}
        return {"changed": redaction.redacted > 0, "redacted": redaction.redacted,
                "types": sorted({f.type for f in found})}  # fmt: skip

    def _redact_subject_line(
        self,
        connector: HelpdeskConnector,
        ticket_id: str,
        subject: KnownSubject,
        digests: Mapping[str, set[str]],
    ) -> dict[str, Any]:
        """Mask the subject's data in a ticket's subject line (someone else's ticket)."""
        try:
            ticket = connector.get_ticket(ticket_id)
        except NotFoundError:
            return {"state": "skipped", "reason": "gone", "changed": False}
        line = ticket.subject or ""
        found = subject_targets(self.detector, self.hasher, line, subject, digests)
        if not found:
            return {"changed": False, "redacted": 0}
        masked = mask_spans(line, [(f.start, f.end) for f in found])
        try:
            connector.update_ticket_fields(ticket, subject=masked)
        except NotRedactableError:
            return {"state": "skipped", "reason": "not-redactable", "changed": False}
        return {"changed": True, "redacted": len(found), "types": sorted({f.type for f in found}),
                "fields": ["subject"]}  # fmt: skip

    def _comment(
        self, connector: HelpdeskConnector, ticket_id: str, comment_id: str
    ) -> Comment | None:
        try:
            return next((c for c in connector.iter_comments(ticket_id) if c.id == comment_id), None)
        except NotFoundError:
            return None

    def _reseal(
        self, record_id: str, subject: KnownSubject, digests: Mapping[str, set[str]]
    ) -> dict[str, Any]:
        """Re-seal a sealed original without the subject's data (under the same key)."""
        if not self.vault.exists(record_id):
            return {"changed": False, "outcome": "gone"}
        try:
            payload = json.loads(self.vault.open(record_id))
        except ShreddedError:
            return {"changed": False, "outcome": "already-shredded"}
        changed = 0
        for key in ("body", "html_body"):
            text = payload.get(key)
            if not text:
                continue
            found = subject_targets(self.detector, self.hasher, text, subject, digests)
            for finding in sorted(found, key=lambda f: f.start, reverse=True):
                text = text[: finding.start] + f"<{finding.type}>" + text[finding.end :]
                changed += 1
            payload[key] = text
        if not changed:
            return {"changed": False, "outcome": "nothing-of-theirs"}
        self.vault.reseal(
            record_id,
            json.dumps(payload, ensure_ascii=False).encode(),
            actor=self.actor,
            reason="dsar:erasure",
        )
        return {"changed": True, "outcome": "resealed", "removed": changed}

    # -- store helpers ------------------------------------------------------------------------


def _journal_ref(target: str) -> RecordRef:
    """The journal's record reference for a step (a sealed original is journaled against its
    comment)."""
    if target.startswith("original:"):
        return RecordRef.parse(target[len("original:") :])
    return RecordRef.parse(target)
