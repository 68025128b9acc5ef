"""The subject index: keyed hashes of every identifier seen on each ticket, and where.

A helpdesk's own search cannot answer "every ticket about this person": Freshdesk's search does
not read text at all and Zendesk's stops at 1,000 results and lags. So every walk of a ticket
(sweeps, data-subject searches, the webhook receiver) records here which identifiers it holds:
its people (requester, submitter, CCs, followers, comment authors and email senders) and what
detection found in its text (addresses, numbers and names mentioned). Rows hold keyed hashes
only; locating a subject is an index lookup followed by a check of the few tickets it names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select

from ..connectors import HelpdeskConnector
from ..detect import Detector, Finding
from ..models import Comment, Person
from ..store import Store, insert_ignore, subject_index
from .fields import field_findings, field_texts
from .identifiers import IdentifierHasher
from .walker import TicketBundle, TicketWalker

__all__ = ["INDEX_STREAM", "IndexHit", "SubjectIndex", "finding_digests"]

#: the walker stream whose bookmark says how far the index is up to date
INDEX_STREAM = "index"
#: detected types that identify a person, and the identifier kind each is hashed as
_MENTION_KINDS = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "PERSON": "name"}
_BATCH = 200


@dataclass(frozen=True, slots=True)
class IndexHit:
    """One place an identifier was seen: ticket, comment ('' for the ticket itself), role."""

    connector: str
    ticket_id: str
    comment_id: str
    role: str
    digest: str


def finding_digests(
    hasher: IdentifierHasher, text: str, findings: Iterable[Finding]
) -> Iterable[tuple[Finding, set[str]]]:
    """Each identifying finding with the keyed hashes of the value it found."""
    for finding in findings:
        kind = _MENTION_KINDS.get(finding.type)
        if kind is not None:
            yield finding, hasher.digests(kind, text[finding.start : finding.end])


class SubjectIndex:
    """Read and maintain the subject index of the store."""

    def __init__(
        self, store: Store, hasher: IdentifierHasher, detector: Detector | None = None
    ) -> None:
        self.store = store
        self.hasher = hasher
        #: finds who a ticket's subject line and custom fields name (without it, only comments)
        self.detector = detector

    # -- what a ticket holds ------------------------------------------------------------------

    def _person(self, rows: set[tuple[str, str, str]], person: Person | None, where: str,
                role: str) -> None:  # fmt: skip
        if person is None:
            return
        connector = person.connector or ""
        rows.add((where, role, self.hasher.person(connector, person.id)))
        for email in person.emails:
            rows.update((where, role, d) for d in self.hasher.digests("email", email))
        for phone in person.phones:
            rows.update((where, role, d) for d in self.hasher.digests("phone", phone))
        if person.name:
            rows.update((where, role, d) for d in self.hasher.digests("name", person.name))

    def entries(
        self, bundle: TicketBundle, findings: Mapping[str, list[Finding]]
    ) -> set[tuple[str, str, str]]:
        """``(comment id or '', role, digest)`` for everything identifying on the ticket."""
        rows: set[tuple[str, str, str]] = set()
        ticket = bundle.ticket
        name = bundle.connector
        people = {p.id: p for p in bundle.people}
        if bundle.requester is not None:
            self._person(rows, bundle.requester, "", "requester")
        if ticket.requester_id:
            rows.add(("", "requester", self.hasher.person(name, ticket.requester_id)))
        for role, ids in (
            ("submitter", [ticket.submitter_id] if ticket.submitter_id else []),
            ("cc", ticket.cc_ids),
            ("follower", ticket.follower_ids),
        ):
            for pid in ids:
                if pid == ticket.requester_id:
                    continue
                rows.add(("", role, self.hasher.person(name, pid)))
                self._person(rows, people.get(pid), "", role)
        for address in ticket.cc_emails:
            rows.update(("", "cc", d) for d in self.hasher.digests("email", address))
        if ticket.sender is not None:
            rows.update(
                ("", "sender", d) for d in self.hasher.digests("email", ticket.sender.address)
            )
            if ticket.sender.name:
                rows.update(
                    ("", "sender", d) for d in self.hasher.digests("name", ticket.sender.name)
                )
        for comment in bundle.comments:
            self._comment(rows, name, comment, findings.get(comment.id, []))
        if self.detector is not None:
            texts = field_texts(ticket)
            for field, found in field_findings(self.detector, ticket).items():
                for _finding, digests in finding_digests(self.hasher, texts[field], found):
                    rows.update(("", "mention", d) for d in digests)
        return rows

    def _comment(
        self, rows: set[tuple[str, str, str]], name: str, comment: Comment, found: list[Finding]
    ) -> None:
        where = comment.id
        if comment.author_id:
            rows.add((where, "author", self.hasher.person(name, comment.author_id)))
        sender = getattr(comment, "sender", None)
        if sender is not None:
            rows.update((where, "sender", d) for d in self.hasher.digests("email", sender.address))
            if sender.name:
                rows.update((where, "sender", d) for d in self.hasher.digests("name", sender.name))
        for _finding, digests in finding_digests(self.hasher, comment.body, found):
            rows.update((where, "mention", d) for d in digests)

    # -- writing ------------------------------------------------------------------------------

    def record(self, bundles: Iterable[tuple[TicketBundle, Mapping[str, list[Finding]]]]) -> int:
        """Replace what the index holds for each ticket with what it holds now (one
        transaction for the batch); a deleted ticket leaves nothing. Returns rows written."""
        now = datetime.now(UTC)
        written = 0
        batch = list(bundles)
        if not batch:
            return 0
        with self.store.session() as session:
            for bundle, findings in batch:
                session.execute(
                    delete(subject_index).where(
                        subject_index.c.connector == bundle.connector,
                        subject_index.c.ticket_id == bundle.ticket.id,
                    )
                )
                if bundle.ticket.deleted:
                    continue
                rows = [
                    {
                        "connector": bundle.connector,
                        "ticket_id": bundle.ticket.id,
                        "comment_id": comment_id,
                        "role": role,
                        "digest": digest,
                        "seen_at": now,
                    }
                    for comment_id, role, digest in sorted(self.entries(bundle, findings))
                ]
                if rows:
                    session.execute(insert_ignore(session, subject_index), rows)
                    written += len(rows)
        return written

    def forget_ticket(self, connector: str, ticket_id: str) -> None:
        """Drop a ticket from the index (deleted from the helpdesk)."""
        with self.store.session() as session:
            session.execute(
                delete(subject_index).where(
                    subject_index.c.connector == connector, subject_index.c.ticket_id == ticket_id
                )
            )

    def refresh(
        self,
        connector: HelpdeskConnector,
        detector: Detector,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Bring the index of *connector* up to date: the tickets changed since its last
        refresh (every ticket, the first time). Returns the tickets read."""
        if self.detector is None:
            self.detector = detector
        walker = TicketWalker(connector, self.store, stream=INDEX_STREAM)
        first = walker.bookmarks.get(connector.name, INDEX_STREAM) is None
        pending: list[tuple[TicketBundle, Mapping[str, list[Finding]]]] = []
        for bundle in walker.walk(full=first):
            # The ticket's own people are indexed from its records; detection looks for the
            # identifiers of anyone else mentioned in the text.
            findings = {c.id: detector.analyze(c.body, language="auto") for c in bundle.comments}
            pending.append((bundle, findings))
            if len(pending) >= _BATCH:
                self.record(pending)
                pending = []
            if progress is not None:
                progress(walker.tickets)
        self.record(pending)
        return walker.tickets

    # -- reading ------------------------------------------------------------------------------

    def lookup(self, digests: Iterable[str], *, connector: str | None = None) -> list[IndexHit]:
        """Every place any of *digests* was seen."""
        wanted = sorted(set(digests))
        hits: list[IndexHit] = []
        for start in range(0, len(wanted), 500):
            query = select(
                subject_index.c.connector,
                subject_index.c.ticket_id,
                subject_index.c.comment_id,
                subject_index.c.role,
                subject_index.c.digest,
            ).where(subject_index.c.digest.in_(wanted[start : start + 500]))
            if connector is not None:
                query = query.where(subject_index.c.connector == connector)
            with self.store.session(write=False) as session:
                hits.extend(IndexHit(*row) for row in session.execute(query).all())
        return sorted(set(hits), key=lambda h: (h.connector, h.ticket_id, h.comment_id, h.role))
