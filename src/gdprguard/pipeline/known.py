"""What the helpdesk knows about the people on a ticket, as detection's ``KnownSubject``."""

from __future__ import annotations

from ..detect import KnownSubject
from .walker import TicketBundle

__all__ = ["known_subject_for"]


def known_subject_for(bundle: TicketBundle) -> KnownSubject:
    """The names, emails and phones of the requester and everyone on the ticket (CC,
    followers), so detection finds them even where no rule would."""
    names: list[str] = []
    emails: list[str] = []
    phones: list[str] = []
    people = [bundle.requester, *bundle.people] if bundle.requester else list(bundle.people)
    for person in people:
        if person is None:
            continue
        if person.name:
            names.append(person.name)
        emails.extend(person.emails)
        phones.extend(person.phones)
    emails.extend(bundle.ticket.contact_emails())
    return KnownSubject(
        names=tuple(dict.fromkeys(names)),
        emails=tuple(dict.fromkeys(emails)),
        phones=tuple(dict.fromkeys(phones)),
    )
