"""Turn one ticket's rule matches into planned actions, notes and per-rule verdicts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ._capabilities import ConnectorCapabilities
from ._decision import PlannedAction, RedactionSpec, RuleVerdict, Verdict
from ._facts import TicketFacts
from ._match import Target, fmt_date
from ._rules import redaction_spec, shortest_keep
from ._schema import PolicyDocument, Rule
from ._select import PERSON_ACTIONS, REMOVE, Hit, RuleLog, matches, ticket_winner
from ._vocab import ACTION_RANK, Action

__all__ = ["Resolver", "resolve_person", "summarise"]


def _planned(
    doc: PolicyDocument,
    facts: TicketFacts,
    action: Action,
    target_kind: str,
    target_id: str,
    rules: Sequence[Rule],
    now: datetime,
    **extra: object,
) -> PlannedAction:
    keep = shortest_keep(doc, rules, now)
    return PlannedAction.model_validate(
        {
            "action": action,
            "connector": facts.connector,
            "target_kind": target_kind,
            "target_id": target_id,
            "ticket_id": facts.ticket_id,
            "rule": rules[0].name,
            "rules": tuple(r.name for r in rules),
            "keep_original_for": keep.timedelta_from(now) if keep else None,
            "keep_original_until": keep.after(now) if keep else None,
            "realtime": all(r.realtime for r in rules),
            **extra,
        }
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class Resolver:
    """Turns the matches of one ticket into planned actions, notes and verdicts."""

    def __init__(
        self,
        doc: PolicyDocument,
        facts: TicketFacts,
        now: datetime,
        caps: ConnectorCapabilities | None,
    ) -> None:
        self.doc, self.facts, self.now, self.caps = doc, facts, now, caps
        self.logs: dict[str, RuleLog] = {}
        self.actions: list[PlannedAction] = []
        self.unredactable: dict[str, int] = {}  # comment kind -> count with data left

    # capabilities, with conservative answers when unknown (Zendesk's limits)
    def _closed_updates(self) -> bool:
        return bool(self.caps and self.caps.closed_ticket_updates)

    def _closed_redaction(self) -> bool:
        return True if self.caps is None else bool(self.caps.closed_ticket_redaction)

    def _can_redact(self, kind: str, redactable: bool) -> bool:
        if not redactable:
            return False
        return self.caps is None or kind in self.caps.redactable_comment_kinds

    def run(self) -> None:
        hits = matches(self.doc, self.facts, self.now, self.logs)
        by_target: dict[tuple[str, str], list[Hit]] = {}
        for hit in hits:
            by_target.setdefault((hit.target.kind, hit.target.id), []).append(hit)

        kept = self._keeps(by_target)
        removed = self._ticket(by_target, kept)
        self._person(by_target, kept)
        if removed is None:
            self._contents(by_target, kept)
        else:
            for hit in hits:
                if hit.target.kind in ("comment", "attachment") or (
                    hit.target.kind == "ticket"
                    and hit.rule.action not in REMOVE
                    and hit.rule.action != "keep"
                ):
                    self._lose(hit, "superseded", f"the ticket is {removed}")

    # -- keep ---------------------------------------------------------------------------------
    def _keeps(self, by_target: dict[tuple[str, str], list[Hit]]) -> dict[tuple[str, str], str]:
        """Records protected by a keep rule, and by which rule."""
        kept: dict[tuple[str, str], str] = {}
        for (kind, tid), hits in by_target.items():
            keep = next((h for h in hits if h.rule.action == "keep"), None)
            if keep is None:
                continue
            name = keep.rule.name
            self.logs[name].applied.append(f"{kind} {tid}")
            kept[(kind, tid)] = name
            if kind == "ticket":
                for c in self.facts.comments:
                    kept.setdefault(("comment", c.id), name)
                    for a in c.attachment_ids:
                        kept.setdefault(("attachment", a), name)
            elif kind == "comment":
                comment = next(c for c in self.facts.comments if c.id == tid)
                for a in comment.attachment_ids:
                    kept.setdefault(("attachment", a), name)
        return kept

    def _lose(self, hit: Hit, verdict: Verdict, reason: str) -> None:
        self.logs[hit.rule.name].lost.append((verdict, hit.target.label, reason))

    # -- ticket deletion ----------------------------------------------------------------------
    def _ticket(
        self, by_target: dict[tuple[str, str], list[Hit]], kept: dict[tuple[str, str], str]
    ) -> str | None:
        hits = by_target.get(("ticket", self.facts.ticket_id), [])
        keep, best = ticket_winner(hits)
        removal = [h for h in hits if h.rule.action in REMOVE]
        if keep is not None or ("ticket", self.facts.ticket_id) in kept:
            keeper = kept.get(("ticket", self.facts.ticket_id), keep.rule.name if keep else "")
            for h in removal:
                self._lose(h, "outranked", f"keep rule {keeper} keeps the ticket")
            return None
        if best is None:
            return None
        action: Action = best.rule.action
        note = None
        if action == "purge" and self.caps is not None and not self.caps.permanent_ticket_delete:
            if self.facts.deleted:
                self._lose(
                    best,
                    "skipped",
                    "this helpdesk cannot purge a single ticket through "
                    "its API; it empties its trash itself (Freshdesk: after 30 days)",
                )
                return None
            action = "delete"
            note = (
                "this helpdesk cannot purge a single ticket through its API: deleted instead; "
                "it empties its trash on its own schedule (Freshdesk: after 30 days)"
            )
        same = sorted(
            (h for h in removal if h.rule.action == best.rule.action), key=lambda h: h.index
        )
        winner = [best.rule, *[h.rule for h in same if h.rule is not best.rule]]
        self.actions.append(
            _planned(self.doc, self.facts, action, "ticket", self.facts.ticket_id, winner,
                     self.now, note=note)
        )  # fmt: skip
        self.logs[best.rule.name].applied.append(f"ticket {self.facts.ticket_id}")
        for h in removal:
            if h.rule is best.rule:
                continue
            if h.rule.action == best.rule.action:
                self.logs[h.rule.name].merged.append(f"ticket {self.facts.ticket_id}")
            else:
                self._lose(
                    h, "outranked", f"{best.rule.action} by rule {best.rule.name} is stronger"
                )
        return f"{'purged' if best.rule.action == 'purge' else 'deleted'} by rule {best.rule.name}"

    # -- the requester ------------------------------------------------------------------------
    def _person(
        self, by_target: dict[tuple[str, str], list[Hit]], kept: dict[tuple[str, str], str]
    ) -> None:
        person = self.facts.requester
        if person is None:
            return
        hits = by_target.get(("person", person.id), [])
        action = resolve_person(self.doc, self.facts.connector, person.id, hits, kept,
                                 self.logs, self.now, self.caps, self.facts.ticket_id)  # fmt: skip
        if action is not None:
            self.actions.append(action)

    # -- comments and attachments -------------------------------------------------------------
    def _contents(
        self, by_target: dict[tuple[str, str], list[Hit]], kept: dict[tuple[str, str], str]
    ) -> None:
        facts = self.facts
        ticket_hits = by_target.get(("ticket", facts.ticket_id), [])
        ticket_redacts = [h for h in ticket_hits if h.rule.action == "redact"]
        ticket_attach = [h for h in ticket_hits if h.rule.action == "redact_attachments"]
        self._ticket_fields(ticket_redacts, kept)
        for comment in facts.comments:
            key = ("comment", comment.id)
            own = by_target.get(key, [])
            redacts = [h for h in own if h.rule.action == "redact"]
            redacts += [Hit(h.index, h.rule, Target("comment", comment.id, comment), h.why,
                             "ticket") for h in ticket_redacts]  # fmt: skip
            redacts.sort(key=lambda h: h.index)
            if key in kept:
                for h in redacts:
                    self._lose(h, "outranked", f"keep rule {kept[key]} keeps {h.target.label}")
            elif redacts:
                self._redact_comment(comment.id, redacts)
            attach = [h for h in own if h.rule.action == "redact_attachments"]
            for a in comment.attachment_ids:
                akey = ("attachment", a)
                hits = [*by_target.get(akey, []), *attach, *ticket_attach]
                hits = [h for h in hits if h.rule.action == "redact_attachments"]
                hits.sort(key=lambda h: h.index)
                if not hits:
                    continue
                target = Target("attachment", a, comment)
                hits = [Hit(h.index, h.rule, target, h.why) for h in hits]
                if akey in kept:
                    for h in hits:
                        self._lose(h, "outranked", f"keep rule {kept[akey]} keeps attachment {a}")
                    continue
                self._redact_attachment(comment.id, a, hits)
            if not comment.attachment_ids:
                for h in attach:
                    self.logs[h.rule.name].lost.append(
                        ("skipped", f"comment {comment.id}", "it has no attachments")
                    )

    def _redact_comment(self, comment_id: str, hits: list[Hit]) -> None:
        comment = next(c for c in self.facts.comments if c.id == comment_id)
        specs: list[RedactionSpec] = []
        rules: list[Rule] = []
        for h in hits:
            if h.rule not in rules:
                rules.append(h.rule)
                specs.append(redaction_spec(self.doc, h.rule))
        wanted: set[str] | None = set()
        for s in specs:
            if s.entity_types is None:
                wanted = None
                break
            assert wanted is not None
            wanted |= set(s.entity_types)
        present = comment.entity_types if wanted is None else comment.entity_types & wanted
        if not present:
            for h in hits:
                self._lose(h, "skipped", f"{h.target.label} holds none of the types it redacts")
            return
        closed_block = self.facts.is_closed and not self._closed_redaction()
        if closed_block or not self._can_redact(comment.kind, comment.redactable):
            self.unredactable[comment.kind] = self.unredactable.get(comment.kind, 0) + 1
            why = (
                "the helpdesk cannot redact comments of closed tickets"
                if closed_block
                else f"the helpdesk does not let a {comment.kind} be edited"
            )
            for h in hits:
                self._lose(h, "skipped", f"{h.target.label}: {why}")
            return
        # keep only the rules that redact something present, first-listed first
        useful = [
            (r, s) for r, s in zip(rules, specs, strict=True)
            if s.entity_types is None or present & set(s.entity_types)
        ]  # fmt: skip
        for h in hits:
            if h.rule not in [r for r, _ in useful]:
                self._lose(h, "skipped", f"{h.target.label} holds none of the types it redacts")
        lead = useful[0][0]
        self.actions.append(
            _planned(
                self.doc, self.facts, "redact", "comment", comment.id, [r for r, _ in useful],
                self.now,
                entity_types=None if wanted is None else tuple(sorted(wanted)),
                operator=useful[0][1].operator,
                redactions=tuple(s for _, s in useful),
            )
        )  # fmt: skip
        self.logs[lead.name].applied.append(f"comment {comment.id}")
        for r, _ in useful[1:]:
            self.logs[r.name].merged.append(f"comment {comment.id}")

    def _redact_attachment(self, comment_id: str, attachment_id: str, hits: list[Hit]) -> None:
        if self.facts.is_closed and not self._closed_redaction():
            for h in hits:
                self._lose(h, "skipped", "the helpdesk cannot redact attachments of closed tickets")
            return
        rules: list[Rule] = []
        for h in hits:
            if h.rule not in rules:
                rules.append(h.rule)
        self.actions.append(
            _planned(self.doc, self.facts, "redact_attachments", "attachment", attachment_id,
                     rules, self.now, comment_id=comment_id)
        )  # fmt: skip
        self.logs[rules[0].name].applied.append(f"attachment {attachment_id}")
        for r in rules[1:]:
            self.logs[r.name].merged.append(f"attachment {attachment_id}")

    def _ticket_fields(self, hits: list[Hit], kept: dict[tuple[str, str], str]) -> None:
        """A ticket-level redact also covers the subject and fields, where they can change."""
        facts = self.facts
        if not hits or not facts.entity_types or ("ticket", facts.ticket_id) in kept:
            return
        specs = [redaction_spec(self.doc, h.rule) for h in hits]
        present = {t for t in facts.entity_types if any(s.covers(t) for s in specs)}
        if not present:
            return
        if facts.is_closed and not self._closed_updates():
            self.unredactable["subject"] = 1
            return
        useful = [(h.rule, s) for h, s in zip(hits, specs, strict=True)
                  if any(s.covers(t) for t in present)]  # fmt: skip
        types = None if any(s.entity_types is None for _, s in useful) else tuple(sorted(present))
        self.actions.append(
            _planned(
                self.doc, facts, "redact", "ticket", facts.ticket_id, [r for r, _ in useful],
                self.now, entity_types=types, operator=useful[0][1].operator,
                redactions=tuple(s for _, s in useful),
            )
        )  # fmt: skip
        self.logs[useful[0][0].name].applied.append(f"ticket {facts.ticket_id} (subject, fields)")

    # -- notes --------------------------------------------------------------------------------
    def notes_for(self, due: tuple[datetime, str] | None) -> list[str]:
        facts = self.facts
        if facts.deleted or any(
            a.target_kind == "ticket" and a.action in REMOVE for a in self.actions
        ):
            return []
        until = (
            f"until the ticket is deleted on {fmt_date(due[0])} (rule {due[1]})"
            if due
            else "indefinitely: no rule deletes this ticket"
        )
        notes: list[str] = []
        redacted = any(a.action == "redact" for a in self.actions)
        lead = "comments redacted; " if redacted else ""
        with_ip = sum(1 for c in facts.comments if c.system_metadata)
        if with_ip:
            notes.append(
                f"{lead}IP address and location recorded with {_plural(with_ip, 'comment')} "
                f"cannot be changed through the API; they remain {until}"
            )
        if facts.sender_recorded:
            notes.append(
                "the sender's email address (via.source.from) cannot be changed through the API; "
                f"it remains {until}"
            )
        if self.unredactable.pop("subject", 0) or (
            facts.is_closed and facts.entity_types and not self._closed_updates()
        ):
            types = ", ".join(sorted(facts.entity_types)) or "personal data"
            notes.append(
                f"the subject and fields of a closed ticket cannot be edited; the {types} found "
                f"there remain {until}"
            )
        if (
            self.caps is not None
            and self.caps.field_history
            and any(a.action == "redact" and a.target_kind == "ticket" for a in self.actions)
        ):
            notes.append(
                "the subject's and fields' earlier values stay in the ticket's history, which "
                f"cannot be changed through the API; they remain {until}"
            )
        for kind, count in sorted(self.unredactable.items()):
            notes.append(
                f"{_plural(count, kind)} cannot be redacted through the API; the personal data "
                f"in {'it' if count == 1 else 'them'} remains {until}"
            )
        return notes

    def verdicts(self) -> list[RuleVerdict]:
        out: list[RuleVerdict] = []
        for rule in self.doc.rules:
            log = self.logs.get(rule.name, RuleLog())
            out.append(summarise(rule, log))
        return out


def summarise(rule: Rule, log: RuleLog) -> RuleVerdict:
    why = "; ".join(log.why)
    if log.applied:
        reason = f"applies to {_list(log.applied)}" + (f" ({why})" if why else "")
        if log.lost:
            reason += f"; not to {_list([t for _, t, _ in log.lost])} ({log.lost[0][2]})"
        return RuleVerdict(rule=rule.name, action=rule.action, verdict="applies",
                           targets=tuple(log.applied), reason=reason)  # fmt: skip
    if log.merged:
        return RuleVerdict(
            rule=rule.name,
            action=rule.action,
            verdict="merged",
            targets=tuple(log.merged),
            reason=f"matches {_list(log.merged)}, merged into an earlier rule's action"
            + (f" ({why})" if why else ""),
        )
    if log.lost:
        verdict, _, reason = log.lost[0]
        lost_targets = tuple(t for _, t, _ in log.lost)
        return RuleVerdict(rule=rule.name, action=rule.action, verdict=verdict,
                           targets=lost_targets,
                           reason=f"matches {_list(list(lost_targets))} but {reason}")  # fmt: skip
    return RuleVerdict(
        rule=rule.name, action=rule.action, verdict="no_match",
        reason=log.miss or "selects nothing here",
    )  # fmt: skip


def _list(items: Sequence[str]) -> str:
    unique = list(dict.fromkeys(items))
    if len(unique) > 4:
        return ", ".join(unique[:3]) + f" and {len(unique) - 3} more"
    return ", ".join(unique)


def resolve_person(
    doc: PolicyDocument,
    connector: str,
    person_id: str,
    hits: Sequence[Hit],
    kept: dict[tuple[str, str], str],
    logs: dict[str, RuleLog],
    now: datetime,
    caps: ConnectorCapabilities | None,
    ticket_id: str | None,
) -> PlannedAction | None:
    if not hits:
        return None
    keep = next((h for h in hits if h.rule.action == "keep"), None)
    acting = [h for h in hits if h.rule.action in PERSON_ACTIONS]
    if keep is not None:
        logs[keep.rule.name].applied.append(f"person {person_id}")
        for h in acting:
            logs[h.rule.name].lost.append(
                ("outranked", f"person {person_id}", f"keep rule {keep.rule.name} keeps them")
            )
        return None
    if not acting:
        return None
    best = max(acting, key=lambda h: (ACTION_RANK[h.rule.action], -h.index))
    action: Action = best.rule.action
    note = None
    if action == "purge" and caps is not None and not caps.permanent_person_delete:
        action, note = "delete", "this helpdesk cannot purge people through its API: deleted"
    rules = [best.rule] + [h.rule for h in acting if h.rule.action == best.rule.action
                           and h.rule is not best.rule]  # fmt: skip
    keep_for = shortest_keep(doc, rules, now)
    logs[best.rule.name].applied.append(f"person {person_id}")
    for h in acting:
        if h.rule is best.rule:
            continue
        if h.rule.action == best.rule.action:
            logs[h.rule.name].merged.append(f"person {person_id}")
        else:
            logs[h.rule.name].lost.append(
                ("outranked", f"person {person_id}",
                 f"{best.rule.action} by rule {best.rule.name} is stronger")
            )  # fmt: skip
    return PlannedAction(
        action=action,
        connector=connector,
        target_kind="person",
        target_id=person_id,
        ticket_id=ticket_id,
        rule=best.rule.name,
        rules=tuple(r.name for r in rules),
        keep_original_for=keep_for.timedelta_from(now) if keep_for else None,
        keep_original_until=keep_for.after(now) if keep_for else None,
        note=note,
    )
