"""The ticket walker: every ticket of one configured connector, with its comments and people.

Sweeps, data-subject requests and the webhook receiver's catch-up all read a helpdesk through
this one walker. It reads the helpdesk's change stream (``export_tickets``), so archived tickets
that lists and views no longer show are included, and it keeps a bookmark per connector **name**
and stream in the store: an incremental walk resumes after the last ticket the caller finished,
and a crash in the middle of a walk never loses a ticket: it repeats at most the few finished
since the last saved bookmark (``save_every``), and changes go through the journal, so a
repeated ticket changes nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from .._exceptions import NotFoundError
from ..connectors import HelpdeskConnector, SyncState
from ..models import Comment, Person, Ticket
from ..store import Store
from .bookmarks import BookmarkStore
from .refs import RecordRef

__all__ = ["TicketBundle", "TicketWalker"]


@dataclass
class TicketBundle:
    """One ticket as the pipeline sees it: the ticket, its comments and the people on it."""

    connector: str
    ticket: Ticket
    comments: list[Comment]
    requester: Person | None = None
    people: list[Person] = field(default_factory=list)
    """everyone on the ticket besides the requester (CC, followers, submitter)"""

    @property
    def ref(self) -> RecordRef:
        """The ticket's record reference."""
        return RecordRef(connector=self.connector, kind="ticket", id=self.ticket.id)

    def comment_ref(self, comment: Comment) -> RecordRef:
        """A comment's record reference."""
        return RecordRef(connector=self.connector, kind="comment", id=comment.id)


def person_ids_on(ticket: Ticket) -> list[str]:
    """Ids of the people named on *ticket* other than the requester (submitter, CC, followers),
    in a stable order."""
    return ticket.contact_ids()


#: tickets whose people are fetched together on a bulk walk
_PEOPLE_BATCH = 100


def _numeric_id(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)


class TicketWalker:
    """Walk one connector's tickets; ``stream`` names whose bookmark this is (``sweep``…)."""

    def __init__(
        self,
        connector: HelpdeskConnector,
        store: Store,
        *,
        stream: str,
        people: bool = True,
        save_every: int = 50,
        person_cache: int = 2048,
    ) -> None:
        self.connector = connector
        self.name = connector.name
        self.stream = stream
        self.bookmarks = BookmarkStore(store)
        self._people = people
        self._save_every = max(1, save_every)
        self._persons: OrderedDict[str, Person | None] = OrderedDict()
        self._person_cache = person_cache
        self.tickets = 0

    def walk(self, *, full: bool = False, since: datetime | None = None) -> Iterator[TicketBundle]:
        """Yield each changed ticket once (every ticket when *full*).

        The bookmark is saved after the caller asks for the next bundle, i.e. once it has
        finished with the previous one, every ``save_every`` tickets and at the end.

        A full walk over a helpdesk with a bulk comment export (Zendesk's ticket events) reads
        comments in bulk instead of one call per ticket (see :meth:`_walk_bulk`).
        """
        if full and since is None and self._bulk_comments():
            yield from self._walk_bulk()
            return
        state: SyncState | None = None if full else self.bookmarks.get(self.name, self.stream)
        export = self.connector.export_tickets(state, since=since if state is None else None)
        pending = 0
        for ticket in export:
            bundle = self.bundle(ticket)
            yield bundle
            self.tickets += 1
            pending += 1
            if pending >= self._save_every:
                self.bookmarks.save(self.name, self.stream, export.state)
                pending = 0
        self.bookmarks.save(self.name, self.stream, export.state)

    def _bulk_comments(self) -> bool:
        capabilities = getattr(self.connector, "capabilities", None)
        return bool(getattr(capabilities, "bulk_comment_export", False))

    def _walk_bulk(self) -> Iterator[TicketBundle]:
        """Every ticket with its comments from two bulk streams, joined in memory as they go.

        The ticket export comes in order of update time and the comment stream in order of
        writing, and a ticket's comments are all written no later than its last update. So a
        ticket is complete once the comment stream has passed its update time: it is yielded
        then, and only comments of tickets not yet complete are held in memory. The ticket
        stream's bookmark is saved at the end, as for any walk.
        """
        tickets = self.connector.export_tickets(None)
        comments = iter(self.connector.export_comment_events(None))
        waiting: OrderedDict[str, Ticket] = OrderedDict()
        held: dict[str, list[Comment]] = {}
        reached: datetime | None = None  # the comment stream's time so far
        exhausted = False

        def advance_past(moment: datetime | None) -> None:
            nonlocal reached, exhausted
            while not exhausted and (moment is None or reached is None or reached <= moment):
                comment = next(comments, None)
                if comment is None:
                    exhausted = True
                    return
                held.setdefault(comment.ticket_id, []).append(comment)
                if comment.created_at is not None:
                    reached = comment.created_at

        ready: list[tuple[Ticket, list[Comment]]] = []

        def complete(ticket: Ticket) -> None:
            found = held.pop(ticket.id, [])
            found.sort(key=lambda c: (c.created_at is None, c.created_at, _numeric_id(c.id)))
            ready.append((ticket, [] if ticket.deleted else found))

        def flush() -> Iterator[TicketBundle]:
            self._prefetch_people([t for t, _ in ready])
            for ticket, found in ready:
                yield self._bundle_with(ticket, found)
                self.tickets += 1
            ready.clear()

        for ticket in tickets:
            waiting[ticket.id] = ticket
            waiting.move_to_end(ticket.id)
            advance_past(ticket.updated_at)
            while waiting:
                first = next(iter(waiting.values()))
                done = exhausted or (
                    first.updated_at is not None and reached is not None
                    and reached > first.updated_at
                )  # fmt: skip
                if not done:
                    break
                waiting.popitem(last=False)
                complete(first)
            if len(ready) >= _PEOPLE_BATCH:
                yield from flush()
        advance_past(None)
        for ticket in waiting.values():
            complete(ticket)
        yield from flush()
        self.bookmarks.save(self.name, self.stream, tickets.state)

    def _prefetch_people(self, tickets: list[Ticket]) -> None:
        """Load the people of *tickets* into the cache in bulk, where the helpdesk can."""
        many = getattr(self.connector, "get_people", None)
        if not self._people or many is None:
            return
        wanted = [
            pid
            for ticket in tickets
            for pid in ([ticket.requester_id] if ticket.requester_id else [])
            + person_ids_on(ticket)
            if pid not in self._persons
        ]
        if not wanted:
            return
        found = {person.id: person for person in many(list(dict.fromkeys(wanted)))}
        for pid in dict.fromkeys(wanted):
            self._persons[pid] = found.get(pid)  # None: deleted since
        while len(self._persons) > self._person_cache:
            self._persons.popitem(last=False)

    def bundle(self, ticket: Ticket) -> TicketBundle:
        """A ticket with its comments and people (one ticket, e.g. for a webhook event)."""
        self._prefetch_people([ticket])
        comments = [] if ticket.deleted else list(self.connector.iter_comments(ticket.id))
        return self._bundle_with(ticket, comments)

    def _bundle_with(self, ticket: Ticket, comments: list[Comment]) -> TicketBundle:
        requester = None
        people: list[Person] = []
        if self._people:
            if ticket.requester_id:
                requester = self._person(ticket.requester_id)
            people = [p for p in map(self._person, person_ids_on(ticket)) if p is not None]
        return TicketBundle(self.name, ticket, comments, requester, people)

    def _person(self, person_id: str) -> Person | None:
        if person_id in self._persons:
            self._persons.move_to_end(person_id)
            return self._persons[person_id]
        try:
            person: Person | None = self.connector.get_person(person_id)
        except NotFoundError:
            person = None  # deleted since: the ticket still names the id
        self._persons[person_id] = person
        while len(self._persons) > self._person_cache:
            self._persons.popitem(last=False)
        return person
