"""Locate a data subject across every configured helpdesk.

For each connector:

1. the subject's person records, through the helpdesk's people search (by email, phone, name),
   kept only when the record really carries the identifier (a name alone is a weaker match);
2. the subject index brought up to date with the tickets changed since its last refresh (the
   first time, one walk of the helpdesk), then read for the keyed hashes of the subject's
   identifiers and person records: the few tickets that may concern them;
3. the tickets each person record requested, straight from the helpdesk (nothing indexed can be
   missing from them);
4. each candidate ticket read and checked: the ticket's fields say who requested, submitted,
   follows or is copied on it and who wrote each comment; detection, told who the subject is,
   finds mentions of them in the text. Each match says how it was found and how sure it is.

A ticket or person deleted meanwhile (404) is reported as a problem, not a failure. A helpdesk
that cannot be read leaves its connector ``failed`` or ``partial``, and callers decide (an export
refuses to present a partial result as whole).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .._exceptions import HelpdeskError, NotFoundError
from ..connectors import HelpdeskConnector
from ..detect import Detector, Finding, KnownSubject
from ..models import Person, Ticket
from ..pipeline import (
    IdentifierHasher,
    SubjectIndex,
    TicketBundle,
    TicketWalker,
    finding_digests,
    known_subject_for,
)
from ..store import Store
from .models import Confidence, ConnectorRead, Evidence, Identifier, Problem, Role

__all__ = ["LocateResult", "Locator", "PersonMatch", "TicketMatch", "known_subject_of"]

_PARTY_ROLES = frozenset({"requester", "submitter", "cc", "follower", "author", "sender"})
_RANK = {"certain": 3, "high": 2, "medium": 1}
#: rounds of "people found on tickets lead to more tickets"
_MAX_ROUNDS = 3


@dataclass
class PersonMatch:
    """One person record of the subject, and why it is theirs."""

    connector: str
    person: Person
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def confidence(self) -> Confidence:
        """The strongest evidence's confidence."""
        return max((e.confidence for e in self.evidence), key=_RANK.__getitem__, default="medium")


@dataclass
class TicketMatch:
    """A ticket that concerns the subject: how, and where in it the subject's data is."""

    bundle: TicketBundle
    evidence: list[Evidence] = field(default_factory=list)
    subject_spans: dict[str, list[Finding]] = field(default_factory=dict)
    """comment id -> findings that are the subject's data ('' for the ticket's subject line)"""

    @property
    def roles(self) -> list[Role]:
        """The subject's roles on the ticket, in a stable order."""
        return sorted({e.role for e in self.evidence})

    @property
    def scope(self) -> str:
        """``full`` when the subject is a party to the ticket, ``mentions`` otherwise."""
        return "full" if _PARTY_ROLES & set(self.roles) else "mentions"

    @property
    def confidence(self) -> Confidence:
        """The strongest evidence's confidence."""
        return max((e.confidence for e in self.evidence), key=_RANK.__getitem__, default="medium")


@dataclass
class LocateResult:
    """Everything found about one subject."""

    people: list[PersonMatch] = field(default_factory=list)
    tickets: list[TicketMatch] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    connectors: list[ConnectorRead] = field(default_factory=list)
    trashed: list[tuple[str, str]] = field(default_factory=list)
    """(connector, ticket id) of tickets the index says the subject requested that the helpdesk
    no longer shows: deleted, perhaps still in its trash (an erasure purges them from there)"""

    @property
    def complete(self) -> bool:
        """Every connector was read completely."""
        return all(c.status == "complete" for c in self.connectors)

    def counts(self) -> dict[str, int]:
        """Counts for reports (no personal data)."""
        return {
            "people": len(self.people),
            "tickets": sum(1 for t in self.tickets if t.scope == "full"),
            "mentions": sum(1 for t in self.tickets if t.scope == "mentions"),
            "comments_by_subject": sum(
                1 for t in self.tickets for e in t.evidence if e.role == "author"
            ),
            "problems": len(self.problems),
        }


class Locator:
    """Finds a subject in every connector given (see the module docstring for how)."""

    def __init__(
        self,
        store: Store,
        hasher: IdentifierHasher,
        connectors: Mapping[str, HelpdeskConnector],
        *,
        detector: Detector | None = None,
        refresh_index: bool = True,
        progress: Callable[[str, int, int | None], None] | None = None,
    ) -> None:
        self.store = store
        self.hasher = hasher
        self.connectors = dict(connectors)
        self.detector = detector or Detector()
        self.index = SubjectIndex(store, hasher, self.detector)
        self.refresh_index = refresh_index
        self.progress = progress or (lambda _what, _done, _total: None)

    def walker(self, name: str, stream: str = "dsar") -> TicketWalker:
        """The pipeline's walker over connector *name*."""
        return TicketWalker(self.connectors[name], self.store, stream=stream)

    def locate(
        self, identifiers: list[Identifier], digests: Mapping[str, set[str]] | None = None
    ) -> LocateResult:
        """Find the subject by their *identifiers* (in clear) or, when those were destroyed
        after an erasure, by their keyed hashes alone (*digests*, kind -> hashes)."""
        wanted: dict[str, set[str]] = {k: set(v) for k, v in (digests or {}).items()}
        for kind, values in self.hasher.all_digests(identifiers).items():
            wanted.setdefault(kind, set()).update(values)
        result = LocateResult()
        for name in sorted(self.connectors):
            self._locate_in(name, identifiers, wanted, result)
        return result

    # -- one connector ------------------------------------------------------------------------

    def _locate_in(
        self,
        name: str,
        identifiers: list[Identifier],
        wanted: Mapping[str, set[str]],
        result: LocateResult,
    ) -> None:
        connector = self.connectors[name]
        status = "complete"
        error: str | None = None
        strong = wanted.get("email", set()) | wanted.get("phone", set())
        names = wanted.get("name", set())
        people: dict[str, PersonMatch] = {}
        try:
            for person in self._search_people(connector, identifiers):
                self._consider_person(name, person, strong, names, people, via="search")
        except HelpdeskError as exc:
            status, error = "partial", _code(exc)
        if self.refresh_index:
            try:
                self.index.refresh(
                    connector, self.detector,
                    progress=lambda done: self.progress(f"indexing {name}", done, None),
                )  # fmt: skip
            except HelpdeskError as exc:
                status, error = "partial", _code(exc)
        tickets: dict[str, TicketMatch] = {}
        looked: set[str] = set()
        walker = self.walker(name)
        requested_read: set[str] = set()
        requested: set[str] = set()  # what the index says the subject requested
        try:
            for _round in range(_MAX_ROUNDS):
                person_digests = {
                    self.hasher.person(name, pid)
                    for pid, m in people.items()
                    if m.confidence != "medium"
                }
                hits = self.index.lookup(strong | names | person_digests, connector=name)
                candidates = {hit.ticket_id for hit in hits}
                theirs = strong | person_digests  # not a name alone
                requested.update(
                    h.ticket_id for h in hits if h.role == "requester" and h.digest in theirs
                )
                for pid, match in people.items():
                    if pid in requested_read or match.confidence == "medium":
                        continue
                    requested_read.add(pid)
                    candidates.update(t.id for t in connector.iter_tickets_by_requester(pid))
                new = sorted(candidates - looked, key=_numeric)
                if not new:
                    break
                for done, ticket_id in enumerate(new, 1):
                    looked.add(ticket_id)
                    self.progress(f"checking {name}", done, len(new))
                    checked = self._check_ticket(
                        name, walker, ticket_id, identifiers, wanted, people, result,
                        requested=ticket_id in requested,
                    )  # fmt: skip
                    if checked is not None:
                        tickets[ticket_id] = checked
        except HelpdeskError as exc:
            status, error = "failed" if not tickets and not people else "partial", _code(exc)
        result.people.extend(people[pid] for pid in sorted(people, key=_numeric))
        result.tickets.extend(tickets[tid] for tid in sorted(tickets, key=_numeric))
        result.connectors.append(
            ConnectorRead(name=name, type=connector.type, status=status, error=error)  # type: ignore[arg-type]
        )

    def _search_people(
        self, connector: HelpdeskConnector, identifiers: list[Identifier]
    ) -> Iterable[Person]:
        for identifier in identifiers:
            yield from connector.find_people(**{identifier.kind: identifier.value})

    def _consider_person(
        self,
        name: str,
        person: Person,
        strong: set[str],
        names: set[str],
        people: dict[str, PersonMatch],
        *,
        via: str,
    ) -> PersonMatch | None:
        """Keep *person* if it carries one of the subject's identifiers."""
        confidence: Confidence | None = None
        if self.hasher.person(name, person.id) in strong:
            confidence = "certain"
        digests = set()
        for email in person.emails:
            digests |= self.hasher.digests("email", email)
        for phone in person.phones:
            digests |= self.hasher.digests("phone", phone)
        if digests & strong:
            confidence = "high"
        elif (
            confidence is None and person.name and self.hasher.digests("name", person.name) & names
        ):
            confidence = "medium"
        if confidence is None:
            return None
        found = people.get(person.id)
        if found is None:
            found = people[person.id] = PersonMatch(name, person)
        evidence = Evidence(role="person", confidence=confidence, via=via)
        if evidence not in found.evidence:
            found.evidence.append(evidence)
        return found

    def _check_ticket(
        self,
        name: str,
        walker: TicketWalker,
        ticket_id: str,
        identifiers: list[Identifier],
        wanted: Mapping[str, set[str]],
        people: dict[str, PersonMatch],
        result: LocateResult,
        *,
        requested: bool = False,
    ) -> TicketMatch | None:
        connector = self.connectors[name]
        try:
            ticket: Ticket = connector.get_ticket(ticket_id)
        except NotFoundError:
            result.problems.append(
                Problem(connector=name, record=f"{name}:ticket:{ticket_id}", code="not-found")
            )
            if requested:
                # deleted, but perhaps still in the helpdesk's trash: kept in the index until an
                # erasure has purged it from there
                result.trashed.append((name, ticket_id))
            else:
                self.index.forget_ticket(name, ticket_id)
            return None
        bundle = walker.bundle(ticket)
        strong = wanted.get("email", set()) | wanted.get("phone", set())
        names = wanted.get("name", set())
        # the people on the ticket who are the subject (found before, or by their identifiers)
        for person in [bundle.requester, *bundle.people]:
            if person is not None:
                self._consider_person(name, person, strong, names, people, via="ticket-field")
        subject_ids = {pid for pid, m in people.items() if m.confidence != "medium"}
        weak_ids = {pid for pid, m in people.items() if m.confidence == "medium"}
        match = TicketMatch(bundle)

        def add(role: Role, confidence: Confidence, via: str, **extra: str | None) -> None:
            evidence = Evidence(role=role, confidence=confidence, via=via, **extra)
            if evidence not in match.evidence:
                match.evidence.append(evidence)

        for role, ids in (
            ("requester", [ticket.requester_id]),
            ("submitter", [ticket.submitter_id]),
            ("cc", ticket.cc_ids),
            ("follower", ticket.follower_ids),
        ):
            for pid in ids:
                if pid in subject_ids:
                    add(role, "certain", "ticket-field")  # type: ignore[arg-type]
                elif pid in weak_ids:
                    add(role, "medium", "ticket-field")  # type: ignore[arg-type]
        for address in ticket.cc_emails:
            if self.hasher.digests("email", address) & strong:
                add("cc", "high", "ticket-field")
        if (
            ticket.sender is not None
            and self.hasher.digests("email", ticket.sender.address) & strong
        ):
            add("sender", "high", "ticket-field")
        known = known_subject_of(
            identifiers, [m.person for m in people.values() if m.confidence != "medium"]
        )
        for comment in bundle.comments:
            if comment.author_id in subject_ids:
                add("author", "certain", "ticket-field", comment_id=comment.id)
            from_ = getattr(comment, "sender", None)
            if from_ is not None and self.hasher.digests("email", from_.address) & strong:
                add("sender", "high", "ticket-field", comment_id=comment.id)
            spans = self._mentions(comment.body, known, bundle, strong, names)
            if spans:
                match.subject_spans[comment.id] = [f for f, _ in spans]
                for finding, confidence in spans:
                    add("mention", confidence, "detection", comment_id=comment.id,
                        entity_type=finding.type)  # fmt: skip
        if ticket.subject:
            spans = self._mentions(ticket.subject, known, bundle, strong, names)
            if spans:
                match.subject_spans[""] = [f for f, _ in spans]
                for finding, confidence in spans:
                    add("mention", confidence, "detection", entity_type=finding.type)
        if not match.evidence:
            return None
        return match

    def _mentions(
        self,
        text: str,
        known: KnownSubject,
        bundle: TicketBundle,
        strong: set[str],
        names: set[str],
    ) -> list[tuple[Finding, Confidence]]:
        """Findings in *text* that are the subject's data, with how sure each is."""
        if not text:
            return []
        found: list[tuple[Finding, Confidence]] = []
        subject_known = known if not known.is_empty else None
        findings = self.detector.analyze(text, language="auto", known_subject=subject_known)
        others = known_subject_for(bundle)
        for finding, digests in finding_digests(self.hasher, text, findings):
            if digests & strong:
                found.append((finding, "high"))
            elif digests & names:
                found.append((finding, "medium"))
            elif finding.recognizer == "KnownSubjectRecognizer" and subject_known is not None:
                # a part or form of the subject's name the hashes do not cover (Yamada-san);
                # not theirs if it is equally the name of someone else on the ticket
                value = text[finding.start : finding.end]
                if not _names_someone_else(value, others, known):
                    found.append((finding, "medium"))
        return found


def known_subject_of(
    identifiers: Sequence[Identifier], people: Sequence[Person] = ()
) -> KnownSubject:
    """The subject as detection's known subject: the given identifiers and their records'."""
    names = [i.value for i in identifiers if i.kind == "name"]
    emails = [i.value for i in identifiers if i.kind == "email"]
    phones = [i.value for i in identifiers if i.kind == "phone"]
    for person in people:
        if person.name:
            names.append(person.name)
        emails.extend(person.emails)
        phones.extend(person.phones)
    return KnownSubject(
        names=tuple(dict.fromkeys(names)),
        emails=tuple(dict.fromkeys(emails)),
        phones=tuple(dict.fromkeys(phones)),
    )


def _names_someone_else(value: str, others: KnownSubject, subject: KnownSubject) -> bool:
    folded = value.casefold()
    theirs = [n for n in others.names if n not in subject.names]
    return any(folded in n.casefold() for n in theirs)


def _numeric(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)


def _code(exc: HelpdeskError) -> str:
    status = getattr(exc, "status", None)
    return f"{type(exc).__name__}{f' {status}' if status else ''}"
