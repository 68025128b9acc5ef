"""The ticket pipeline shared by sweeps, data-subject requests and the webhook receiver.

* :class:`TicketWalker` reads one configured connector's tickets with their comments and people,
  keeping a bookmark per connector name and stream;
* :class:`Journal` is the write-ahead journal every change to a helpdesk goes through;
* :class:`RecordRef` names a record, :class:`Subject` a data subject;
* :func:`hold_lock` keeps two runs off the same connector;
* :class:`SubjectIndex` records keyed hashes of the identifiers each ticket holds, so a data
  subject is located without walking the helpdesk.
"""

from __future__ import annotations

from .bookmarks import BookmarkStore
from .identifiers import IdentifierHasher, identifier_keys
from .index import INDEX_STREAM, IndexHit, SubjectIndex, finding_digests
from .journal import Journal, JournalEntry, JournalState
from .known import known_subject_for
from .locks import LockBusyError, StoreLock, hold_lock
from .refs import RecordKind, RecordRef, Subject
from .walker import TicketBundle, TicketWalker, person_ids_on

__all__ = [
    "INDEX_STREAM",
    "BookmarkStore",
    "IdentifierHasher",
    "IndexHit",
    "Journal",
    "JournalEntry",
    "JournalState",
    "LockBusyError",
    "RecordKind",
    "RecordRef",
    "StoreLock",
    "Subject",
    "SubjectIndex",
    "TicketBundle",
    "TicketWalker",
    "finding_digests",
    "hold_lock",
    "identifier_keys",
    "known_subject_for",
    "person_ids_on",
]
