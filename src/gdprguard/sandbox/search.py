"""Query languages of the two search APIs, over the sandbox records.

Zendesk: whitespace-separated terms; ``key:value``, ``key>value``, ``key<value`` filters
(``type``, ``status``, ``tags``/``tag``, ``requester``, ``assignee``, ``organization``,
``created``, ``updated``, ``email``, ``phone``, ``name``) and free-text words or "quoted
phrases" matched case-insensitively in the record's text (for tickets: subject and comments).

Freshdesk: ``"field:'value' AND field:value OR ..."`` (AND binds tighter than OR);
contacts: email, phone, mobile, company_id, tag, active, created_at, updated_at; tickets:
status, priority, tag, type, agent_id, group_id, company_id, requester_id, created_at,
updated_at, and the ``cf_*`` custom fields.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..text.phone import phone_digits
from .records import Organization, Person, Ticket
from .state import SandboxState

__all__ = [
    "SearchError",
    "freshdesk_contact_filter",
    "freshdesk_ticket_filter",
    "zendesk_search",
]

_ZD_FILTER = re.compile(r"^(\w+)(:|<|>|<=|>=)(.+)$")
_FD_TERM = re.compile(r"^\s*(\w+)\s*:\s*([<>]?)\s*(?:'([^']*)'|(\S+))\s*$")
_FD_STATUS = {"open": 2, "pending": 3, "hold": 3, "new": 2, "solved": 4, "closed": 5}


class SearchError(Exception):
    """The query cannot be parsed or uses a field the API does not support."""


def _date(value: str) -> int:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SearchError(f"invalid date {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())


def _compare(actual: int, op: str, expected: int) -> bool:
    return {
        ":": actual == expected,
        "<": actual < expected,
        ">": actual > expected,
        "<=": actual <= expected,
        ">=": actual >= expected,
    }[op]


def _ticket_text(state: SandboxState, ticket: Ticket) -> str:
    parts = [ticket.subject, *(c.body for c in state.comments_of(ticket))]
    return "\n".join(parts).lower()


def _person_matches(person: Person | None, value: str) -> bool:
    if person is None:
        return False
    value = value.lower()
    if value.isdigit() and int(value) == person.id:
        return True
    emails = [e.lower() for e in (person.email, *person.extra_emails) if e]
    return value in emails or value == person.name.lower()


def zendesk_search(state: SandboxState, query: str) -> list[tuple[str, Any]]:
    """Evaluate a Zendesk search query; returns (result_type, record) pairs."""
    try:
        terms = shlex.split(query)
    except ValueError:
        raise SearchError("unbalanced quotes") from None
    types = {"ticket", "user", "organization"}
    checks: list[tuple[str, str, str]] = []
    words: list[str] = []
    for term in terms:
        match = _ZD_FILTER.match(term)
        if match is None:
            words.append(term.lower())
            continue
        key, op, value = match.group(1).lower(), match.group(2), match.group(3)
        if key == "type":
            if value not in ("ticket", "user", "organization"):
                raise SearchError(f"unknown type {value!r}")
            types = {value}
        else:
            checks.append((key, op, value))
    results: list[tuple[str, Any]] = []
    if "ticket" in types:
        for ticket in state.live_tickets():
            if _ticket_ok(state, ticket, checks, words):
                results.append(("ticket", ticket))
    if "user" in types:
        for person in state.data.people.values():
            if not person.purged and _user_ok(person, checks, words):
                results.append(("user", person))
    if "organization" in types:
        for org in state.data.organizations.values():
            if _org_ok(org, checks, words):
                results.append(("organization", org))
    return results


def _ticket_ok(
    state: SandboxState, ticket: Ticket, checks: list[tuple[str, str, str]], words: list[str]
) -> bool:
    people = state.data.people
    needed = list(words)
    for key, op, value in checks:
        if key == "status":
            if op == ":" and ticket.status != value:
                return False
        elif key in ("tags", "tag"):
            if value not in ticket.tags:
                return False
        elif key == "requester":
            if not _person_matches(people.get(ticket.requester_id), value):
                return False
        elif key in ("cc", "collaborator"):
            if not any(_person_matches(people.get(p), value) for p in ticket.collaborator_ids):
                return False
        elif key == "assignee":
            if ticket.assignee_id is None or not _person_matches(
                people.get(ticket.assignee_id), value
            ):
                return False
        elif key == "organization":
            if str(ticket.organization_id) != value:
                return False
        elif key in ("created", "updated"):
            stamp = ticket.created_at if key == "created" else ticket.updated_at
            if not _compare(stamp, op, _date(value)):
                return False
        else:
            needed.append(value.lower())  # unknown keys are searched as text, like Zendesk does
    if needed:
        text = _ticket_text(state, ticket)
        return all(word in text for word in needed)
    return True


def _user_ok(person: Person, checks: list[tuple[str, str, str]], words: list[str]) -> bool:
    emails = [e.lower() for e in (person.email, *person.extra_emails) if e]
    for key, op, value in checks:
        value_l = value.lower()
        if key == "email":
            if value_l not in emails:
                return False
        elif key == "phone":
            if not person.phone or phone_digits(person.phone) != phone_digits(value):
                return False
        elif key == "name":
            if value_l not in person.name.lower():
                return False
        elif key == "role":
            if person.role != value_l:
                return False
        elif key == "organization":
            if str(person.organization_id) != value:
                return False
        elif key in ("created", "updated"):
            stamp = person.created_at if key == "created" else person.updated_at
            if not _compare(stamp, op, _date(value)):
                return False
        else:
            return False
    if words:
        text = " ".join([person.name, *emails, person.phone or ""]).lower()
        return all(word in text for word in words)
    return True


def _org_ok(org: Organization, checks: list[tuple[str, str, str]], words: list[str]) -> bool:
    if checks:
        return False
    text = " ".join([org.name, *org.domain_names]).lower()
    return all(word in text for word in words)


def _freshdesk_clauses(query: str) -> list[list[tuple[str, str, str]]]:
    """``"a:'x' AND b:2 OR c:3"`` → [[(a, '', x), (b, '', 2)], [(c, '', 3)]]."""
    if len(query) < 2 or not (query.startswith('"') and query.endswith('"')):
        raise SearchError("query must be enclosed in double quotes")
    inner = query[1:-1].strip()
    if not inner:
        raise SearchError("empty query")
    if len(query) > 512:
        raise SearchError("query is longer than 512 characters")
    inner = inner.replace("(", " ").replace(")", " ")
    clauses = []
    for alternative in re.split(r"\s+OR\s+", inner):
        terms = []
        for part in re.split(r"\s+AND\s+", alternative):
            match = _FD_TERM.match(part)
            if match is None:
                raise SearchError("invalid search term")
            value = match.group(3) if match.group(3) is not None else match.group(4)
            terms.append((match.group(1), match.group(2), value))
        clauses.append(terms)
    return clauses


def _fd_eval(query: str, record: Any, getter: Callable[[Any, str], Any], fields: set[str]) -> bool:
    for clause in _freshdesk_clauses(query):
        if all(_fd_term(record, getter, fields, *term) for term in clause):
            return True
    return False


def _fd_term(
    record: Any, getter: Callable[[Any, str], Any], fields: set[str], name: str, op: str, value: str
) -> bool:
    if name not in fields and not name.startswith("cf_"):
        raise SearchError(f"{name} is not a supported search field")
    actual = getter(record, name)
    if name in ("created_at", "updated_at"):
        stamp, wanted = int(actual), _date(value)
        return {"<": stamp <= wanted, ">": stamp >= wanted, "": stamp // 86400 == wanted // 86400}[
            op
        ]
    if isinstance(actual, list):
        return value.lower() in [str(a).lower() for a in actual]
    if name in ("phone", "mobile"):
        return actual is not None and phone_digits(str(actual)) == phone_digits(value)
    return actual is not None and str(actual).lower() == value.lower()


_CONTACT_FIELDS = {
    "email",
    "phone",
    "mobile",
    "company_id",
    "tag",
    "active",
    "created_at",
    "updated_at",
}
_TICKET_FIELDS = {
    "status", "priority", "tag", "type", "agent_id", "group_id", "company_id", "requester_id",
    "created_at", "updated_at",
}  # fmt: skip


def freshdesk_contact_filter(query: str) -> Callable[[Person], bool]:
    """A predicate for ``/search/contacts?query=``; raises SearchError on a bad query."""
    _freshdesk_clauses(query)  # validate once up front

    def get(person: Person, name: str) -> Any:
        return {
            "email": [e for e in (person.email, *person.extra_emails) if e],
            "phone": person.phone,
            "mobile": None,
            "company_id": person.organization_id,
            "tag": person.tags,
            "active": str(person.active).lower(),
            "created_at": person.created_at,
            "updated_at": person.updated_at,
        }[name]

    return lambda person: _fd_eval(query, person, get, _CONTACT_FIELDS)


def freshdesk_ticket_filter(
    query: str, custom: Callable[[Ticket, str], Any], priority: Callable[[Ticket], int]
) -> Callable[[Ticket], bool]:
    """A predicate for ``/search/tickets?query=``; raises SearchError on a bad query."""
    _freshdesk_clauses(query)

    def get(ticket: Ticket, name: str) -> Any:
        if name.startswith("cf_"):
            return custom(ticket, name)
        return {
            "status": _FD_STATUS.get(ticket.status, 2),
            "priority": priority(ticket),
            "tag": ticket.tags,
            "type": ticket.type,
            "agent_id": ticket.assignee_id,
            "group_id": ticket.group_id,
            "company_id": ticket.organization_id,
            "requester_id": ticket.requester_id,
            "created_at": ticket.created_at,
            "updated_at": ticket.updated_at,
        }[name]

    return lambda ticket: _fd_eval(query, ticket, get, _TICKET_FIELDS)
