"""Checks that relate a policy's keys to each other, and to what each helpdesk's API can do.

Errors make a policy unusable (``load_policy`` raises); warnings are printed by
``gdprguard policy check`` and kept on the policy. Every problem points at the key it is about.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ._capabilities import ConnectorCapabilities
from ._problems import Problem, dotted
from ._rules import operator_of, redacted_types
from ._schema import PolicyDocument, Rule, Selector
from ._vocab import (
    ACTION_RANK,
    ACTIONS_BY_KIND,
    CLOSED_STATUSES,
    KEEP_DIGITS_TYPES,
    OPEN_STATUSES,
    Kind,
)
from ._yaml import Located, Path

__all__ = ["SELECTOR_KEYS", "capability_problems", "policy_problems"]

_TICKET_KEYS = {
    "connector", "status", "tags", "group", "brand", "channel", "organization", "custom_fields",
    "created_more_than", "created_less_than", "updated_more_than", "updated_less_than",
    "solved_more_than", "solved_less_than",
}  # fmt: skip
#: the ``when:`` keys that make sense for each kind of record
SELECTOR_KEYS: dict[Kind, frozenset[str]] = {
    "ticket": frozenset(_TICKET_KEYS | {"entities", "deleted"}),
    "comment": frozenset(_TICKET_KEYS | {"entities", "public"}),
    "attachment": frozenset(_TICKET_KEYS | {"public"}),
    "person": frozenset(
        {"connector", "organization", "created_more_than", "created_less_than",
         "inactive_more_than", "inactive_less_than", "deleted"}
    ),
}  # fmt: skip
_KEY_HINTS = {
    "inactive_more_than": "a person's inactivity is for kind: person",
    "inactive_less_than": "a person's inactivity is for kind: person",
    "public": "public is a comment's property (kind: comment or attachment)",
    "entities": "entity types are found in comments and tickets, not in attachments or people",
    "deleted": "only tickets and people can be selected as deleted",
}
_VERBS = {
    "redact": "redacted", "redact_attachments": "given redact_attachments",
    "anonymize_person": "anonymised", "delete": "deleted", "purge": "purged", "keep": "kept",
}  # fmt: skip
_RANGES = ("created", "updated", "solved", "inactive")
_REMOVE = ("delete", "purge")
_AGE_KEYS = tuple(f"{f}_{w}" for f in _RANGES for w in ("more_than", "less_than"))


class _Out:
    def __init__(self, located: Located, source: str) -> None:
        self.located, self.source = located, source
        self.problems: list[Problem] = []

    def add(
        self,
        severity: str,
        path: Path,
        message: str,
        *,
        rule: str | None = None,
        key: bool = False,
        connector: str | None = None,
    ) -> None:
        position = self.located.where(path, key=key)
        self.problems.append(
            Problem(
                severity=severity,  # type: ignore[arg-type]
                message=message,
                source=self.source,
                line=position.line if position else None,
                column=position.column if position else None,
                path=dotted(path) or None,
                rule=rule,
                connector=connector,
            )
        )


def policy_problems(doc: PolicyDocument, located: Located, source: str) -> list[Problem]:
    """Every contradiction (error) and every doubtful rule (warning) in *doc*."""
    out = _Out(located, source)
    _names(doc, out)
    for index, rule in enumerate(doc.rules):
        _rule(index, rule, out)
    for index, hold in enumerate(doc.holds):
        if not hold.tags and not hold.custom_fields:
            out.add("error", ("holds", index),
                    f"hold {hold.name!r} names no tags and no custom_fields, so it holds nothing; "
                    "add `tags: [legal_hold]` or `custom_fields: {FIELD: VALUE}`")  # fmt: skip
    if not any(p.severity == "error" for p in out.problems):
        _shadowed(doc, out)
        _operator_conflicts(doc, out)
        _lives_forever(doc, out)
    return out.problems


def _names(doc: PolicyDocument, out: _Out) -> None:
    sections: tuple[tuple[str, list[str]], ...] = (
        ("rules", [r.name for r in doc.rules]),
        ("holds", [h.name for h in doc.holds]),
    )
    for section, names in sections:
        seen: dict[str, int] = {}
        for index, name in enumerate(names):
            if name in seen:
                out.add("error", (section, index, "name"),
                        f"{section[:-1]} name {name!r} is used twice (first at "
                        f"{section}[{seen[name]}]); names must be unique: plans and the "
                        "audit log cite them")  # fmt: skip
            seen.setdefault(name, index)


def _rule(index: int, rule: Rule, out: _Out) -> None:
    name, kind, sel = rule.name, rule.when.kind, rule.when
    base: Path = ("rules", index)
    allowed = ACTIONS_BY_KIND[kind]
    if rule.action not in allowed:
        hint = {
            ("comment", "delete"): "comments cannot be deleted by rule: redact them, or delete "
            "their ticket with kind: ticket",
            ("comment", "purge"): "comments cannot be purged by rule: purge their ticket",
            ("ticket", "anonymize_person"): "use kind: person to anonymise requesters",
            ("attachment", "redact"): "use redact_attachments for files",
            ("person", "redact"): "use anonymize_person for people",
        }.get((kind, rule.action), f"a {kind} rule can {', '.join(allowed)}")
        verb = _VERBS[rule.action]
        out.add("error", (*base, "action"),
                f"rule {name!r}: a {kind} cannot be {verb}; {hint}", rule=name)  # fmt: skip
    for key in sel.given():
        if key not in SELECTOR_KEYS[kind]:
            hint = _KEY_HINTS.get(
                key, f"a {kind} rule can use {', '.join(sorted(SELECTOR_KEYS[kind]))}"
            )
            out.add("error", (*base, "when", key),
                    f"rule {name!r}: when.{key} does not apply to kind {kind}; {hint}",
                    rule=name, key=True)  # fmt: skip
    _params(index, rule, out)
    _ranges(index, rule, out)
    if sel.deleted and rule.action not in ("purge", "keep"):
        out.add("error", (*base, "when", "deleted"),
                f"rule {name!r} selects deleted {kind}s, which can only be purged or kept; "
                "use action: purge", rule=name, key=True)  # fmt: skip
    if rule.action == "keep" and not any(
        getattr(sel, f"{f}_less_than") is not None for f in _RANGES
    ):
        out.add("error", (*base, "action"),
                f"rule {name!r} keeps records with no age limit, so they would live forever; add "
                "an upper bound such as `created_less_than: 10y` to its when, or use a legal hold "
                "for records that must be kept until further notice", rule=name)  # fmt: skip
    if rule.realtime:
        _realtime(index, rule, out)
    if (
        rule.action in _REMOVE
        and not sel.deleted
        and not any(getattr(sel, k) is not None for k in _AGE_KEYS)
    ):
        out.add("warning", (*base, "when"),
                f"rule {name!r} {rule.action}s every {kind} it selects at the next sweep, "
                "whatever its age; add an age condition such as `solved_more_than: 3y` unless "
                "that is intended", rule=name)  # fmt: skip


def _params(index: int, rule: Rule, out: _Out) -> None:
    name, base = rule.name, ("rules", index)
    if rule.action != "redact":
        for key in ("entities", "operator", "keep_digits"):
            if key in rule.model_fields_set:
                out.add("error", (*base, key),
                        f"rule {name!r}: {key} only applies to action redact, not "
                        f"{rule.action}; remove it", rule=name, key=True)  # fmt: skip
    if rule.action == "keep" and "keep_original_for" in rule.model_fields_set:
        out.add("error", (*base, "keep_original_for"),
                f"rule {name!r} keeps records unchanged, so there is no original to seal; "
                "remove keep_original_for", rule=name, key=True)  # fmt: skip
    if rule.keep_digits is not None and rule.action == "redact":
        types = redacted_types(rule)
        if types is None or not set(types) <= KEEP_DIGITS_TYPES:
            shown = "all types" if types is None else ", ".join(types)
            out.add("error", (*base, "keep_digits"),
                    f"rule {name!r}: keep_digits is for card numbers only (PCI DSS lets the "
                    f"first 6 and last 4 digits show), but the rule redacts {shown}; set "
                    "`entities: [CREDIT_CARD]` or move the other types to their own rule",
                    rule=name, key=True)  # fmt: skip
        elif rule.keep_digits.first == 0 and rule.keep_digits.last == 0:
            out.add("warning", (*base, "keep_digits"),
                    f"rule {name!r}: keep_digits keeps no digits; remove it", rule=name,
                    key=True)  # fmt: skip


def _ranges(index: int, rule: Rule, out: _Out) -> None:
    sel, name = rule.when, rule.name
    for field in _RANGES:
        more = getattr(sel, f"{field}_more_than")
        less = getattr(sel, f"{field}_less_than")
        if more is not None and less is not None and more.surely_at_least(less):
            out.add("error", ("rules", index, "when", f"{field}_less_than"),
                    f"rule {name!r} can never match: {field} more than {more} ago and less "
                    f"than {less} ago exclude each other; the less_than bound must be the "
                    "longer one", rule=name, key=True)  # fmt: skip
    solved_given = sel.solved_more_than is not None or sel.solved_less_than is not None
    if solved_given and sel.status is not None and not set(sel.status) & CLOSED_STATUSES:
        out.add("error", ("rules", index, "when", "status"),
                f"rule {name!r} can never match: it asks for a solve time but only for open "
                f"statuses ({', '.join(sel.status)}); add solved or closed, or use "
                "updated_more_than for open tickets", rule=name, key=True)  # fmt: skip


def _realtime(index: int, rule: Rule, out: _Out) -> None:
    name, base, sel = rule.name, ("rules", index), rule.when
    allowed = (rule.action == "redact" and sel.kind in ("ticket", "comment")) or (
        rule.action == "redact_attachments" and sel.kind in ("comment", "attachment")
    )
    if not allowed:
        out.add("error", (*base, "realtime"),
                f"rule {name!r}: only redact rules on tickets or comments, and "
                "redact_attachments rules on comments or attachments, can run in real time "
                "(the webhook receiver sees new tickets and comments); remove realtime: true",
                rule=name, key=True)  # fmt: skip
    for key in _AGE_KEYS:
        if getattr(sel, key) is not None:
            out.add("error", (*base, "when", key),
                    f"rule {name!r} is realtime (applied to new comments on sight), so an age "
                    f"condition cannot hold; remove when.{key} or realtime: true", rule=name,
                    key=True)  # fmt: skip


# --- precedence: rules that can never act, and rules whose order matters ------------------------


def _subset(a: list[str] | None, b: list[str] | None) -> bool:
    """Condition *a* holds whenever condition *b* holds (None: no condition)."""
    return a is None or (b is not None and set(b) <= set(a))


def _covers(a: Rule, b: Rule) -> bool:
    """Every record *b* selects is also selected by *a* (conservatively: provable only)."""
    x, y = a.when, b.when
    if x.kind != y.kind or x.deleted != y.deleted:
        return False
    for key in ("connector", "group", "brand", "channel", "organization"):
        if not _subset(getattr(x, key), getattr(y, key)):
            return False
    a_status = x.status
    if a_status is None and a.action in _REMOVE and x.kind == "ticket" and not x.deleted:
        a_status = sorted(CLOSED_STATUSES)  # removal rules act on open tickets only if named
    if not _subset(a_status, y.status):
        return False
    if x.tags is not None:
        if y.tags is None:
            return False
        t, u = x.tags, y.tags
        any_ok = (
            t.any is None
            or (u.any is not None and set(u.any) <= set(t.any))
            or bool(u.all and set(u.all) & set(t.any))
        )
        all_ok = t.all is None or (u.all is not None and set(t.all) <= set(u.all))
        none_ok = t.none is None or (u.none is not None and set(t.none) <= set(u.none))
        if not (any_ok and all_ok and none_ok):
            return False
    if x.custom_fields:
        for field, values in x.custom_fields.items():
            theirs = (y.custom_fields or {}).get(field)
            if theirs is None or not {str(v) for v in theirs} <= {str(v) for v in values}:
                return False
    for field in _RANGES:
        xm, ym = getattr(x, f"{field}_more_than"), getattr(y, f"{field}_more_than")
        if xm is not None and (ym is None or not ym.surely_at_least(xm)):
            return False
        xl, yl = getattr(x, f"{field}_less_than"), getattr(y, f"{field}_less_than")
        if xl is not None and (yl is None or not xl.surely_at_least(yl)):
            return False
    if x.entities is not None:
        if y.entities is None:
            return False
        if x.entities != "any" and (y.entities == "any" or not set(y.entities) <= set(x.entities)):
            return False
    return x.public is None or x.public == y.public


def _shadowed(doc: PolicyDocument, out: _Out) -> None:
    for j, b in enumerate(doc.rules):
        for a in doc.rules:
            if a is b or not _covers(a, b):
                continue
            if a.action == "keep" and b.action != "keep":
                why = f"keep rule {a.name!r} keeps every record it selects"
            elif (
                "keep" not in (a.action, b.action) and ACTION_RANK[a.action] > ACTION_RANK[b.action]
            ):
                why = (
                    f"rule {a.name!r} selects every record it selects and its action "
                    f"{a.action} is stronger than {b.action}"
                )
            else:
                continue
            out.add("warning", ("rules", j, "name"),
                    f"rule {b.name!r} never takes effect: {why}; remove it or narrow "
                    f"{a.name!r}", rule=b.name)  # fmt: skip
            break


def _maybe_overlap(a: Selector, b: Selector) -> bool:
    """False only when no record can satisfy both selections."""
    for key in ("connector", "group", "brand", "channel", "organization", "status"):
        x, y = getattr(a, key), getattr(b, key)
        if x is not None and y is not None and not set(x) & set(y):
            return False
    if a.public is not None and b.public is not None and a.public != b.public:
        return False
    for field in _RANGES:
        am, bl = getattr(a, f"{field}_more_than"), getattr(b, f"{field}_less_than")
        if am is not None and bl is not None and am.surely_at_least(bl):
            return False
        bm, al = getattr(b, f"{field}_more_than"), getattr(a, f"{field}_less_than")
        if bm is not None and al is not None and bm.surely_at_least(al):
            return False
    return True


def _operator_conflicts(doc: PolicyDocument, out: _Out) -> None:
    redacts = [
        (i, r) for i, r in enumerate(doc.rules)
        if r.action == "redact" and r.when.kind in ("ticket", "comment")
    ]  # fmt: skip
    for n, (j, b) in enumerate(redacts):
        b_types = redacted_types(b)
        if b_types is None:
            continue  # "all" fills in after the specific rules: order is the point
        for _, a in redacts[:n]:
            a_types = redacted_types(a)
            shared = set(b_types) if a_types is None else set(b_types) & set(a_types)
            if not shared or not _maybe_overlap(a.when, b.when):
                continue
            if operator_of(doc, a) == operator_of(doc, b) and a.keep_digits == b.keep_digits:
                continue
            out.add("warning", ("rules", j, "operator" if "operator" in b.model_fields_set
                                else "name"),
                    f"rule {b.name!r} redacts {', '.join(sorted(shared))} differently from rule "
                    f"{a.name!r}, which is listed first and decides how those are redacted where "
                    "both match; reorder the rules or align their operator and keep_digits",
                    rule=b.name)  # fmt: skip
            break


def _unconditional(rule: Rule) -> bool:
    sel = rule.when
    narrowing = ("connector", "tags", "group", "brand", "channel", "organization",
                 "custom_fields", "entities", "public")  # fmt: skip
    if any(getattr(sel, k) is not None for k in narrowing):
        return False
    return not any(getattr(sel, f"{f}_less_than") is not None for f in _RANGES)


def _lives_forever(doc: PolicyDocument, out: _Out) -> None:
    removal = [
        r for r in doc.rules
        if r.when.kind == "ticket" and r.action in _REMOVE and not r.when.deleted
        and _unconditional(r)
    ]  # fmt: skip
    if not any(set(r.when.status or CLOSED_STATUSES) >= CLOSED_STATUSES for r in removal):
        out.add("warning", ("rules",),
                "no rule deletes every solved and closed ticket at some age, so some tickets "
                "would be kept forever; add a rule such as `when: {kind: ticket, status: [solved, "
                "closed], solved_more_than: 3y}` with `action: delete`")  # fmt: skip
    if not any(r.when.status and set(r.when.status) >= OPEN_STATUSES for r in removal):
        out.add("warning", ("rules",),
                "no rule deletes open tickets that nobody touches any more, so abandoned tickets "
                "would be kept forever; add a rule naming status [new, open, pending, hold] with "
                "`updated_more_than: 2y` and `action: delete`")  # fmt: skip


# --- what each helpdesk can do --------------------------------------------------------------------


def _applies_to(rule: Rule, connector: str) -> bool:
    return rule.when.connector is None or connector in rule.when.connector


def capability_problems(
    doc: PolicyDocument,
    capabilities: Mapping[str, ConnectorCapabilities],
    located: Located,
    source: str,
) -> list[Problem]:
    """Rules that a connector's helpdesk cannot carry out (errors) or only in part (warnings)."""
    out = _Out(located, source)
    for connector, caps in sorted(capabilities.items()):
        partial: list[tuple[int, Rule]] = []
        for index, rule in enumerate(doc.rules):
            if not _applies_to(rule, connector):
                continue
            for severity, key, message in _capability(rule, caps):
                out.add(severity, ("rules", index, key),
                        f"connector {connector}: rule {rule.name!r} {message}",
                        rule=rule.name, connector=connector)  # fmt: skip
            if _partly_redactable(rule, caps):
                partial.append((index, rule))
        if partial:
            kinds = set(caps.redactable_comment_kinds)
            missing = "/".join(sorted({"reply", "note", "description"} - kinds))
            names = ", ".join(repr(r.name) for _, r in partial)
            out.add("warning", ("rules", partial[0][0], "action"),
                    f"connector {connector}: {missing} entries cannot be edited there, so the "
                    f"personal data that rule(s) {names} would redact in them stays until the "
                    "ticket is deleted", rule=partial[0][1].name, connector=connector)  # fmt: skip
    return sorted(out.problems, key=lambda p: (p.connector or "", p.line or 0, p.column or 0))


def _partly_redactable(rule: Rule, caps: ConnectorCapabilities) -> bool:
    """The rule redacts comments, and some kinds of entry cannot be edited on this helpdesk."""
    if rule.action != "redact" or rule.when.kind not in ("ticket", "comment"):
        return False
    kinds = set(caps.redactable_comment_kinds)
    return bool(kinds) and "comment" not in kinds and bool({"reply", "note", "description"} - kinds)


def _capability(rule: Rule, caps: ConnectorCapabilities) -> Iterator[tuple[str, str, str]]:
    kind, action, sel = rule.when.kind, rule.action, rule.when
    only_closed = sel.status is not None and set(sel.status) <= {"closed"}
    if action == "purge" and kind == "ticket" and not caps.permanent_ticket_delete:
        yield ("warning", "action",
               "purges tickets, but this helpdesk cannot purge a single ticket through its API; "
               "they are deleted instead and the helpdesk empties its trash itself (Freshdesk: "
               "after 30 days)")  # fmt: skip
    if action == "purge" and kind == "person" and not caps.permanent_person_delete:
        yield ("error", "action",
               "purges people, which this helpdesk's API cannot do; use delete, or limit the "
               "rule to other connectors with when.connector")  # fmt: skip
    if action == "redact" and kind in ("ticket", "comment"):
        kinds = set(caps.redactable_comment_kinds)
        if not kinds:
            yield ("error", "action",
                   "redacts comments, which this helpdesk's API cannot do; delete the tickets "
                   "instead, or limit the rule with when.connector")  # fmt: skip
        elif only_closed and not caps.closed_ticket_redaction:
            yield ("error", "action",
                   "redacts comments of closed tickets, which this helpdesk's API cannot do; "
                   "delete those tickets instead")  # fmt: skip
        if kind == "ticket" and only_closed and not caps.closed_ticket_updates:
            yield ("warning", "action",
                   "redacts closed tickets, whose subject and fields cannot be edited there; "
                   "they stay until the ticket is deleted")  # fmt: skip
    if action == "redact_attachments" and only_closed and not caps.closed_ticket_redaction:
        yield ("error", "action",
               "redacts attachments of closed tickets, which this helpdesk's API cannot do; "
               "delete those tickets instead")  # fmt: skip
