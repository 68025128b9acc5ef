"""Plan and apply retention sweeps over the ticket pipeline, through the write-ahead journal.

``plan()`` walks each connector, runs detection on every comment (with what the helpdesk knows
about the people on the ticket), asks the policy what to do, and saves the plan: one item per
action, with the rule that asked for it and a fingerprint of the record as it was. Nothing in a
plan is personal data: references, rule names, entity types and hashes.

``apply()`` executes a saved plan, one connector at a time under a lock. Each item is journaled
before the helpdesk call and completed (with its audit entry) after it. A record that changed
since planning is decided again from its current content, never blindly overwritten. After a
crash, running ``apply()`` again finishes the plan: items done are not repeated, items left open
are re-run, and every action first checks the record's current state.
"""

from __future__ import annotations

import json
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import func, insert, select, update

from .._exceptions import HelpdeskError, InputError, NotFoundError
from ..connectors import HelpdeskConnector
from ..detect import Detector, Finding
from ..models import Ticket
from ..pipeline import (
    IdentifierHasher,
    Journal,
    JournalEntry,
    SubjectIndex,
    TicketBundle,
    TicketWalker,
    hold_lock,
    known_subject_for,
)
from ..pipeline.plans import (
    item_state_update,
    refuse_rejected,
    set_item_state,
    set_plan_status,
)
from ..store import Store, plan_items, plans
from ..vault import Vault
from .actions import ActionContext, ActionSpec, comment_hash, execute, ticket_hash
from .models import ApplyReport, Decider, PlanSummary, per_rule_counts

__all__ = ["ProgressCallback", "SweepEngine"]

#: ``progress(what, done, total or None)``
ProgressCallback = Callable[[str, int, int | None], None]

_COMMENT_ACTIONS = ("redact", "redact_attachments")


def _now() -> datetime:
    return datetime.now(UTC)


def _comment_of(spec: ActionSpec) -> str:
    """The comment a comment-level action works on (an attachment's comment, or the target)."""
    ref = spec.ref
    if ref.kind == "attachment":
        return spec.comment_id or ""
    return ref.id


class SweepEngine:
    """Plans and applies sweeps of one policy over configured connectors."""

    def __init__(
        self,
        vault: Vault,
        connectors: Mapping[str, HelpdeskConnector],
        decide: Decider,
        *,
        policy_name: str,
        policy_sha256: str,
        policy_text: str = "",
        detector: Detector | None = None,
        actor: str = "sweep",
        clock: Callable[[], datetime] = _now,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.vault = vault
        self.store = vault.store
        self.connectors = dict(connectors)
        self.decide = decide
        self.policy_name = policy_name
        self.policy_sha256 = policy_sha256
        self.policy_text = policy_text
        self.detector = detector or Detector()
        self.actor = actor
        self.clock = clock
        self.progress = progress or (lambda _what, _done, _total: None)
        self.journal = Journal(self.store, vault.audit)
        self._index: SubjectIndex | None = None

    @property
    def index(self) -> SubjectIndex:
        """The subject index, which planning keeps up to date with every ticket it reads."""
        if self._index is None:
            secret = self.vault.keyring.system_secret("subject-index")
            self._index = SubjectIndex(
                self.store, IdentifierHasher.from_secret(secret), self.detector
            )
        return self._index

    # -- planning -----------------------------------------------------------------------------

    def findings(self, bundle: TicketBundle) -> dict[str, list[Finding]]:
        """Detection on every comment of the ticket, with the ticket's known people."""
        known = known_subject_for(bundle)
        return {
            comment.id: self.detector.analyze(comment.body, language="auto", known_subject=known)
            for comment in bundle.comments
        }

    def plan(self, *, incremental: bool = False) -> PlanSummary:
        """Walk every connector, decide per ticket, save the plan and return its summary."""
        now = self.clock()
        plan_id = f"pl-{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"
        with self.store.session() as session:
            session.execute(
                insert(plans).values(
                    plan_id=plan_id,
                    created_at=now,
                    policy_name=self.policy_name,
                    policy_sha256=self.policy_sha256,
                    policy_text=self.policy_text,
                    connectors=json.dumps(sorted(self.connectors)),
                    status="planning",
                    summary="{}",
                )
            )
        try:
            return self._plan(plan_id, now, incremental)
        except BaseException:
            # the helpdesk failed (or the run was interrupted) mid-walk: the partial plan can
            # never be applied, and says so instead of looking like work in progress
            set_plan_status(self.store, plan_id, "failed")
            raise

    def _plan(self, plan_id: str, now: datetime, incremental: bool) -> PlanSummary:
        tickets = held = 0
        all_actions: list[ActionSpec] = []
        notes: Counter[str] = Counter()
        seq = 0
        for name, connector in sorted(self.connectors.items()):
            walker = TicketWalker(connector, self.store, stream="sweep")
            rows: list[dict[str, Any]] = []
            # A person is seen through each of their tickets: act on them once, at the end, and
            # only if none of their tickets holds them back (held, or still open).
            people: dict[str, ActionSpec] = {}
            blocked: set[str] = set()
            seen: list[tuple[TicketBundle, dict[str, list[Finding]]]] = []
            for bundle in walker.walk(full=not incremental):
                tickets += 1
                findings = self.findings(bundle)
                seen.append((bundle, findings))
                decision = self.decide(bundle, findings, now)
                if decision.held:
                    held += 1
                notes.update(_note_kind(note) for note in decision.notes)
                blocked.update(decision.blocked_people)
                hashes = {c.id: comment_hash(c) for c in bundle.comments}
                for spec in decision.actions:
                    if spec.action == "keep":
                        continue
                    if spec.ref.kind == "person":
                        people.setdefault(spec.target, spec.model_copy(update={"ticket_id": ""}))
                        continue
                    seq += 1
                    all_actions.append(spec)
                    rows.append(_item_row(plan_id, seq, name, spec, bundle, hashes))
                if len(rows) >= 500:
                    self._save_items(rows)
                    rows = []
                if len(seen) >= 200:
                    self.index.record(seen)
                    seen = []
                self.progress(f"planning {name}", walker.tickets, None)
            self.index.record(seen)
            for _target, spec in sorted(people.items()):
                if spec.ref.id in blocked:
                    continue
                seq += 1
                all_actions.append(spec)
                rows.append(_item_row(plan_id, seq, name, spec, None, {}))
            self._save_items(rows)
        summary = PlanSummary(
            plan_id=plan_id,
            created_at=now,
            policy=self.policy_name,
            connectors=sorted(self.connectors),
            tickets=tickets,
            held=held,
            actions=len(all_actions),
            per_rule=per_rule_counts(all_actions),
            notes=dict(notes),
            status="planned",
        )
        with self.store.session() as session:
            session.execute(
                update(plans)
                .where(plans.c.plan_id == plan_id)
                .values(status="planned", summary=summary.model_dump_json())
            )
        return summary

    def _save_items(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            with self.store.session() as session:
                session.execute(insert(plan_items), rows)

    # -- applying -----------------------------------------------------------------------------

    @staticmethod
    def saved_policy(store: Store, plan_id: str) -> tuple[str, str, str]:
        """``(policy name, sha256, text)`` a saved plan was made with (``InputError`` if none)."""
        with store.session(write=False) as session:
            row = session.execute(
                select(plans.c.policy_name, plans.c.policy_sha256, plans.c.policy_text).where(
                    plans.c.plan_id == plan_id
                )
            ).first()
        if row is None:
            raise InputError(
                f"there is no saved plan {plan_id}; `gdprguard sweep --policy FILE` makes one"
            )
        return str(row[0]), str(row[1]), str(row[2])

    @staticmethod
    def interrupted(store: Store, connectors: Iterable[str]) -> list[str]:
        """Plans over any of *connectors* whose apply was interrupted (oldest first): they are
        finished before anything new is planned, so every change a crash left in flight is
        checked, completed and audited."""
        wanted = set(connectors)
        with store.session(write=False) as session:
            rows = session.execute(
                select(plans.c.plan_id, plans.c.connectors)
                .where(plans.c.status == "applying")
                .order_by(plans.c.created_at)
            ).all()
        return [plan_id for plan_id, names in rows if wanted & set(json.loads(names))]

    def load(self, plan_id: str) -> PlanSummary:
        """A saved plan's summary (``InputError`` if there is no such plan)."""
        with self.store.session(write=False) as session:
            row = session.execute(select(plans).where(plans.c.plan_id == plan_id)).first()
        if row is None:
            raise InputError(
                f"there is no saved plan {plan_id}; `gdprguard sweep --policy FILE` makes one"
            )
        if row.status in ("planning", "failed"):
            raise InputError(
                f"plan {plan_id} is incomplete: its walk over the helpdesk "
                f"{'failed' if row.status == 'failed' else 'has not finished'}; plan again"
            )
        summary = PlanSummary.model_validate_json(row.summary)
        if row.policy_sha256 != self.policy_sha256:
            raise InputError(
                f"plan {plan_id} was made with another version of policy {row.policy_name}; "
                "plan again with the current policy"
            )
        return summary.model_copy(update={"status": row.status})

    def apply(self, plan_id: str) -> ApplyReport:
        """Execute a saved plan (or finish one a crash interrupted)."""
        summary = self.load(plan_id)
        refuse_rejected(plan_id, summary.status)
        if summary.status == "applied":
            return ApplyReport(plan_id=plan_id, status="applied")
        missing = sorted(set(summary.connectors) - set(self.connectors))
        if missing:
            raise InputError(
                f"plan {plan_id} covers connector {missing[0]}, which is not configured now"
            )
        report = ApplyReport(plan_id=plan_id, status="applying")
        report.resumed = len(self.journal.unfinished(prefix=f"sweep:{plan_id}:"))
        set_plan_status(self.store, plan_id, "applying")
        total = self._count_items(plan_id)
        done = 0
        for name in summary.connectors:
            with hold_lock(self.store, f"sweep:{name}") as lock:
                walker = TicketWalker(self.connectors[name], self.store, stream="sweep")
                for ticket_id, items in groupby(
                    self._items(plan_id, name), key=lambda row: row["ticket_id"]
                ):
                    batch = list(items)
                    self._apply_ticket(plan_id, walker, ticket_id, batch, report)
                    done += len(batch)
                    self.progress("applying", done, total)
                    lock.heartbeat()
        report.originals_expired = self.vault.destroy_expired(actor=self.actor, now=self.clock())
        report.status = "applied" if not report.failed else "applied-with-failures"
        set_plan_status(self.store, plan_id, report.status, applied_at=self.clock())
        return report

    def _apply_ticket(
        self,
        plan_id: str,
        walker: TicketWalker,
        ticket_id: str,
        items: list[dict[str, Any]],
        report: ApplyReport,
    ) -> None:
        name = walker.name
        connector = walker.connector
        pending = [row for row in items if row["state"] not in ("done", "skipped")]
        for row in items:
            if row not in pending:
                report.count(row["rule"], row["action"], row["state"])
        if not pending:
            return
        bundle: TicketBundle | None = None
        if ticket_id:
            try:
                ticket = connector.get_ticket(ticket_id)
                bundle = walker.bundle(ticket)
            except NotFoundError:
                bundle = None
            except HelpdeskError as exc:
                # the helpdesk failed reading the ticket: its items fail, journaled, and the next
                # apply of this plan tries them again
                self._fail_all(plan_id, pending, report, exc)
                return
        fresh: dict[str, ActionSpec] | None = None
        for row in pending:
            intended = self._intend(plan_id, row, report)
            if intended is None:
                continue
            unit, spec, entry = intended
            resumed = entry.attempts > 1
            comment = None
            if spec.ref.kind == "person":
                self._run(unit, plan_id, row, spec, report, connector, None, None, None)
                continue
            if bundle is None:
                self._finish(unit, plan_id, row, spec, report, "skipped", {"reason": "gone"})
                continue
            if spec.action in _COMMENT_ACTIONS and spec.ref.kind != "ticket":
                comment = next((c for c in bundle.comments if c.id == _comment_of(spec)), None)
                if comment is None:
                    self._finish(unit, plan_id, row, spec, report, "skipped", {"reason": "gone"})
                    continue
                current = comment_hash(comment)
            else:
                current = ticket_hash(bundle.ticket)
            if current != row["content_hash"] and not resumed:
                # Changed since planning: decide again from what is there now.
                report.replanned += 1
                if fresh is None:
                    decision = self.decide(bundle, self.findings(bundle), self.clock())
                    fresh = {f"{s.action}@{s.target}": s for s in decision.actions}
                again = fresh.get(f"{spec.action}@{spec.target}")
                if again is None:
                    self._finish(
                        unit, plan_id, row, spec, report, "skipped",
                        {"reason": "changed-since-plan"},
                    )  # fmt: skip
                    continue
                spec = again
            subject_id = (
                f"{name}:person:{bundle.ticket.requester_id}"
                if bundle.ticket.requester_id
                else None
            )
            known = known_subject_for(bundle)
            self._run(unit, plan_id, row, spec, report, connector, comment, known, subject_id,
                      bundle.ticket)  # fmt: skip

    def _fail_all(
        self,
        plan_id: str,
        rows: list[dict[str, Any]],
        report: ApplyReport,
        exc: HelpdeskError,
    ) -> None:
        code = _error_code(exc)
        for row in rows:
            intended = self._intend(plan_id, row, report)
            if intended is not None:
                unit, spec, _entry = intended
                self._failed(unit, plan_id, row, spec, report, code)

    def _intend(
        self, plan_id: str, row: Mapping[str, Any], report: ApplyReport
    ) -> tuple[str, ActionSpec, JournalEntry] | None:
        """Journal a plan item's intent; None (counted) when an earlier run finished it."""
        spec = ActionSpec.model_validate({**json.loads(row["params"]), "action": row["action"],
                                          "target": row["target"]})  # fmt: skip
        unit = f"sweep:{plan_id}:{row['seq']}"
        entry = self.journal.intend(unit, spec.ref, spec.action, spec.params())
        if entry.state in ("done", "skipped"):
            set_item_state(self.store, plan_id, row["seq"], entry.state, None)
            report.count(spec.rule, spec.action, entry.state)
            return None
        return unit, spec, entry

    def _failed(
        self,
        unit: str,
        plan_id: str,
        row: Mapping[str, Any],
        spec: ActionSpec,
        report: ApplyReport,
        code: str,
    ) -> None:
        self.journal.fail(unit, code, also=[item_state_update(plan_id, row["seq"], "failed", code)])
        report.failed += 1
        report.failures[code] = report.failures.get(code, 0) + 1
        report.count(spec.rule, spec.action, "failed")

    def _run(
        self,
        unit: str,
        plan_id: str,
        row: Mapping[str, Any],
        spec: ActionSpec,
        report: ApplyReport,
        connector: HelpdeskConnector,
        comment: Any,
        known: Any,
        subject_id: str | None,
        ticket: Ticket | None = None,
    ) -> None:
        """Execute one journaled unit and complete it (or record its failure)."""
        context = ActionContext(self.detector, self.vault, self.clock, self.actor)
        try:
            outcome = execute(
                connector, spec, context, comment=comment, known=known, subject_id=subject_id,
                ticket=ticket,
            )  # fmt: skip
        except HelpdeskError as exc:
            self._failed(unit, plan_id, row, spec, report, _error_code(exc))
            return
        detail = {"rule": spec.rule, "changed": outcome.changed, **outcome.detail}
        self._finish(unit, plan_id, row, spec, report, outcome.status, detail)
        if spec.action == "purge" and spec.ref.kind == "ticket" and outcome.status == "done":
            # gone for good: nothing of it is left for a data-subject request to find (a soft
            # delete stays indexed, since the helpdesk's trash still holds the ticket)
            self.index.forget_ticket(connector.name, spec.ticket_id)
        if outcome.status == "done" and not outcome.changed:
            report.unchanged += 1

    def _finish(
        self,
        unit: str,
        plan_id: str,
        row: Mapping[str, Any],
        spec: ActionSpec,
        report: ApplyReport,
        state: str,
        detail: dict[str, Any],
    ) -> None:
        self.journal.complete(
            unit,
            {"rule": spec.rule, **detail},
            actor=self.actor,
            audit_action=f"retention.{spec.action}",
            reason=f"policy:{self.policy_name}:rule:{spec.rule}",
            state="skipped" if state == "skipped" else "done",
            also=[item_state_update(plan_id, row["seq"], state, detail.get("reason"))],
        )
        report.count(spec.rule, spec.action, state)
        if state == "skipped":
            report.skipped += 1
            reason = str(detail.get("reason", "skipped"))
            report.skipped_reasons[reason] = report.skipped_reasons.get(reason, 0) + 1
        else:
            report.done += 1

    # -- store helpers ------------------------------------------------------------------------

    def _items(self, plan_id: str, connector: str) -> Iterable[dict[str, Any]]:
        with self.store.session(write=False) as session:
            rows = (
                session.execute(
                    select(plan_items)
                    .where(plan_items.c.plan_id == plan_id, plan_items.c.connector == connector)
                    .order_by(plan_items.c.seq)
                )
                .mappings()
                .all()
            )
        # grouped by ticket, each ticket's items in plan order (redactions before deletion)
        order: dict[str, int] = {}
        for row in rows:
            order.setdefault(row["ticket_id"], len(order))
        return sorted((dict(r) for r in rows), key=lambda r: (order[r["ticket_id"]], r["seq"]))

    def _count_items(self, plan_id: str) -> int:
        with self.store.session(write=False) as session:
            return int(
                session.execute(
                    select(func.count()).where(plan_items.c.plan_id == plan_id)
                ).scalar_one()
            )


def _error_code(exc: HelpdeskError) -> str:
    """``RetriableAPIError 500``: the error's kind and status, never its text."""
    return f"{type(exc).__name__} {exc.status or ''}".strip()


_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_NUMBER = re.compile(r"\b\d+\b")


def _note_kind(note: str) -> str:
    """A note with its dates and counts taken out, so the summary counts kinds of note."""
    return _NUMBER.sub("N", _DATE.sub("<date>", note))


def _item_row(
    plan_id: str,
    seq: int,
    connector: str,
    spec: ActionSpec,
    bundle: TicketBundle | None,
    hashes: Mapping[str, str],
) -> dict[str, Any]:
    if spec.ref.kind == "person":
        content_hash = ""  # people are checked by the action itself (already anonymised?)
    elif spec.action in _COMMENT_ACTIONS and spec.ref.kind != "ticket":
        content_hash = hashes.get(_comment_of(spec), "")
    else:
        assert bundle is not None
        content_hash = ticket_hash(bundle.ticket)
    return {
        "plan_id": plan_id,
        "seq": seq,
        "connector": connector,
        "ticket_id": spec.ticket_id,
        "target": spec.target,
        "action": spec.action,
        "rule": spec.rule,
        "params": json.dumps(spec.params(), sort_keys=True),
        "content_hash": content_hash,
        "state": "planned",
        "note": None,
    }
