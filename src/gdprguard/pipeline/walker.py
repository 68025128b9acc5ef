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

#: ticket fields whose values are person ids (the people on a ticket besides the requester)
_PERSON_ID_FIELDS = ("submitter_id", "collaborator_ids", "email_cc_ids", "follower_ids")


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
    """Ids of the people named on *ticket* other than the requester, in a stable order."""
    found: list[str] = []
    for key in _PERSON_ID_FIELDS:
        value = ticket.extra.get(key)
        values = value if isinstance(value, list) else [value] if value is not None else []
        found.extend(str(v) for v in values)
    requester = ticket.requester_id
    return [pid for pid in dict.fromkeys(found) if pid and pid != requester]


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
        """
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

    def bundle(self, ticket: Ticket) -> TicketBundle:
        """A ticket with its comments and people (one ticket, e.g. for a webhook event)."""
        comments = [] if ticket.deleted else list(self.connector.iter_comments(ticket.id))
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
