"""Does a rule's ``when:`` select a record? Each condition says yes or no, and why, in words.

The words name ids, statuses, tags, dates and entity *types*: never text or values, so an
explanation can be printed and logged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._duration import Duration
from ._facts import CommentFacts, PersonFacts, TicketFacts
from ._schema import Scalar, Selector, TagMatch
from ._vocab import Kind

__all__ = ["Target", "age_thresholds", "check", "field_matches", "fmt_date", "targets"]


@dataclass(frozen=True, slots=True)
class Target:
    """One record a rule may act on, within one ticket (or one person)."""

    kind: Kind
    id: str
    comment: CommentFacts | None = None

    @property
    def label(self) -> str:
        """``comment 123``."""
        return f"{self.kind} {self.id}"


def targets(kind: Kind, facts: TicketFacts) -> list[Target]:
    """The records of *kind* in this ticket: itself, its comments, attachments or requester."""
    if kind == "ticket":
        return [Target("ticket", facts.ticket_id)]
    if kind == "comment":
        return [Target("comment", c.id, c) for c in facts.comments]
    if kind == "attachment":
        return [Target("attachment", a, c) for c in facts.comments for a in c.attachment_ids]
    return [Target("person", facts.requester.id)] if facts.requester is not None else []


def fmt_date(moment: datetime) -> str:
    """``2024-03-01``."""
    return moment.date().isoformat()


def _one_of(values: list[str]) -> str:
    return values[0] if len(values) == 1 else "one of " + ", ".join(values)


def _norm(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def field_matches(actual: Any, wanted: list[Scalar]) -> bool:
    """A field's value matches one of *wanted* (text comparison; null matches empty)."""
    targets_ = {_norm(w) for w in wanted}
    values = actual if isinstance(actual, list) else [actual]
    if not values:
        values = [None]
    return any(_norm(v) in targets_ for v in values)


def _tags(match: TagMatch, tags: frozenset[str]) -> tuple[bool, str]:
    if match.any is not None and not tags & set(match.any):
        return False, f"has none of the tags {', '.join(match.any)}"
    if match.all is not None and not set(match.all) <= tags:
        missing = sorted(set(match.all) - tags)
        return False, f"lacks the tag(s) {', '.join(missing)}"
    if match.none is not None and tags & set(match.none):
        return False, f"has the excluded tag(s) {', '.join(sorted(tags & set(match.none)))}"
    shown = sorted(tags & set((match.any or []) + (match.all or [])))
    return True, f"tagged {', '.join(shown)}" if shown else "tags match"


def _age(
    label: str, when: datetime | None, more: Duration | None, less: Duration | None, now: datetime
) -> Iterator[tuple[bool, str]]:
    if more is None and less is None:
        return
    if when is None:
        yield False, f"its {label} time is unknown"
        return
    if more is not None:
        due = more.after(when)
        if due <= now:
            yield True, f"{label} {fmt_date(when)}, more than {more.describe()} ago"
        else:
            yield (
                False,
                f"{label} {fmt_date(when)}, not {more.describe()} ago until {fmt_date(due)}",
            )
    if less is not None:
        limit = less.after(when)
        if now < limit:
            yield True, f"{label} {fmt_date(when)}, less than {less.describe()} ago"
        else:
            yield (
                False,
                (
                    f"{label} {fmt_date(when)}, more than {less.describe()} ago "
                    f"since {fmt_date(limit)}"
                ),
            )


def _conditions(
    sel: Selector, target: Target, facts: TicketFacts, person: PersonFacts | None, now: datetime
) -> Iterator[tuple[bool, str]]:
    if sel.connector is not None:
        ok = facts.connector in sel.connector
        yield ok, f"connector {facts.connector}" + ("" if ok else f", not {_one_of(sel.connector)}")
    if target.kind == "person":
        yield from _person_conditions(sel, person, now)
        return
    if target.kind == "ticket":
        if facts.deleted != sel.deleted:
            yield False, "it is deleted" if facts.deleted else "it is not deleted"
            return
    elif facts.deleted:
        yield False, "its ticket is deleted"
        return
    if sel.status is not None:
        ok = facts.status in sel.status
        shown = facts.status or "unknown"
        yield ok, f"status {shown}" + ("" if ok else f", not {_one_of(sel.status)}")
    if sel.tags is not None:
        yield _tags(sel.tags, facts.tags)
    for key, value in (
        ("group", facts.group),
        ("brand", facts.brand),
        ("channel", facts.channel),
        ("organization", facts.organization),
    ):
        wanted = getattr(sel, key)
        if wanted is not None:
            ok = value is not None and value in wanted
            yield ok, f"{key} {value or 'unknown'}" + ("" if ok else f", not {_one_of(wanted)}")
    if sel.custom_fields is not None:
        for field, wanted_values in sel.custom_fields.items():
            ok = field_matches(facts.custom_fields.get(field), wanted_values)
            yield ok, f"field {field} " + ("matches" if ok else "does not match")
    own_created = facts.created_at if target.comment is None else target.comment.created_at
    yield from _age("created", own_created, sel.created_more_than, sel.created_less_than, now)
    yield from _age("updated", facts.updated_at, sel.updated_more_than, sel.updated_less_than, now)
    if (sel.solved_more_than or sel.solved_less_than) and facts.solved_time is None:
        yield False, f"it is not solved (status {facts.status or 'unknown'})"
    else:
        yield from _age(
            "solved", facts.solved_time, sel.solved_more_than, sel.solved_less_than, now
        )
    if sel.public is not None and target.comment is not None:
        ok = target.comment.public == sel.public
        state = "public" if target.comment.public else "private"
        yield ok, f"{target.kind} is {state}"
    if sel.entities is not None:
        found = facts.all_entity_types if target.comment is None else target.comment.entity_types
        if sel.entities == "any":
            ok = bool(found)
            yield ok, "holds personal data" if ok else "no personal data was found"
        else:
            hits = sorted(found & set(sel.entities))
            yield (
                (True, f"holds {', '.join(hits)}")
                if hits
                else (False, f"holds none of {', '.join(sel.entities)}")
            )


def _person_conditions(
    sel: Selector, person: PersonFacts | None, now: datetime
) -> Iterator[tuple[bool, str]]:
    if person is None:
        yield False, "no person"
        return
    if person.deleted != sel.deleted:
        yield False, "the person is deleted" if person.deleted else "the person is not deleted"
        return
    if sel.organization is not None:
        ok = person.organization is not None and person.organization in sel.organization
        org = person.organization or "none"
        yield ok, f"organization {org}" + ("" if ok else f", not {_one_of(sel.organization)}")
    yield from _age("created", person.created_at, sel.created_more_than, sel.created_less_than, now)
    yield from _age(
        "last active", person.last_activity_at, sel.inactive_more_than, sel.inactive_less_than, now
    )


def check(
    sel: Selector,
    target: Target,
    facts: TicketFacts,
    now: datetime,
    person: PersonFacts | None = None,
) -> tuple[bool, list[str]]:
    """``(True, reasons it matches)`` or ``(False, [the first reason it does not])``."""
    why: list[str] = []
    for ok, text in _conditions(sel, target, facts, person or facts.requester, now):
        if not ok:
            return False, [text]
        why.append(text)
    return True, why


def age_thresholds(sel: Selector, facts: TicketFacts) -> list[datetime]:
    """The moments when one of *sel*'s age conditions on this ticket changes its answer."""
    out: list[datetime] = []
    pairs = (
        (facts.created_at, sel.created_more_than, sel.created_less_than),
        (facts.updated_at, sel.updated_more_than, sel.updated_less_than),
        (facts.solved_time, sel.solved_more_than, sel.solved_less_than),
    )
    for when, more, less in pairs:
        if when is None:
            continue
        out.extend(d.after(when) for d in (more, less) if d is not None)
    return out
