"""The sandbox's in-memory helpdesk: records, mutations, background jobs and the ground truth.

One ``threading.RLock`` (``state.lock``) guards everything; the server holds it for the whole of
each API request, so handlers see and leave a consistent state. Mutations keep the ground truth
current because it is computed from the records: a planted value counts only while it is still
present where it can be served from, and only while its record still exists (``truth.py``).

Zendesk archives tickets closed for ``archive_after_days``: lists and views leave them out,
exports, direct reads and search still return them. Every ticket keeps its history as audits
(``records.Audit``), and every successful write is counted per record (``writes``).

Ticket creations and updates are announced to ``listeners`` (``emit``), still under the lock:
that is where business rules (Zendesk triggers, Freshdesk automations) are evaluated. Listeners
must not block; webhook calls leave from a background thread (``delivery.py``).
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..text.html import html_to_text
from .records import Attachment, Audit, Comment, Dataset, Person, Ticket, TicketEvent
from .writes import WriteLog

__all__ = ["REDACTION_BLOCK", "Job", "SandboxState", "html_to_text"]

#: Zendesk replaces redacted characters with this block (U+2587).
REDACTION_BLOCK = "\u2587"


@dataclass
class Job:
    """A queued background job (Zendesk ``job_status``, Freshdesk bulk job)."""

    id: str
    kind: str
    total: int
    ready_at: float
    action: Callable[[], Any]
    status: str = "queued"
    results: Any = None
    message: str | None = None
    completed_at: int | None = None


@dataclass
class SandboxState:
    """All records of one sandbox plus the operations the API views need."""

    data: Dataset
    clock: Callable[[], float] = time.time
    job_seconds: float = 0.2
    lock: threading.RLock = field(default_factory=threading.RLock)
    jobs: dict[str, Job] = field(default_factory=dict)
    archive_after_days: int | None = None
    writes: WriteLog = field(default_factory=WriteLog)
    listeners: list[Callable[[TicketEvent], None]] = field(default_factory=list)
    _counters: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        d = self.data
        photos = [i for p in d.people.values() if p.photo for i in self._photo_ids(p)]
        self._counters = {
            "ticket": max(d.tickets, default=0) + 1,
            "comment": max(d.comments, default=100000) + 1,
            "attachment": max([*d.attachments, *photos], default=500000) + 1,
            "audit": 900000001,
            "user": max(d.people, default=10000) + 1,
            "job": 1,
        }

    # --- basics ------------------------------------------------------------------------------

    def now(self) -> int:
        """Current time in whole Unix seconds."""
        return int(self.clock())

    def new_id(self, kind: str) -> int:
        """Allocate the next id of a kind (ticket, comment, attachment, audit, user, job)."""
        value = self._counters[kind]
        self._counters[kind] = value + 1
        return value

    def touch(self, ticket: Ticket) -> None:
        """Mark a ticket as changed now (it re-enters incremental exports)."""
        ticket.updated_at = max(self.now(), ticket.updated_at)

    def live_tickets(self) -> list[Ticket]:
        """Tickets that are not soft-deleted, by id."""
        return [t for t in self.data.tickets.values() if t.deleted_at is None]

    def is_archived(self, ticket: Ticket) -> bool:
        """Closed for ``archive_after_days`` or more (never when archiving is off)."""
        if self.archive_after_days is None or ticket.status != "closed":
            return False
        closed_at = ticket.closed_at if ticket.closed_at is not None else ticket.updated_at
        return self.now() - closed_at >= self.archive_after_days * 86400

    def listed_tickets(self) -> list[Ticket]:
        """Tickets list endpoints show: live and not archived, by id."""
        return [t for t in self.live_tickets() if not self.is_archived(t)]

    def deleted_tickets(self) -> list[Ticket]:
        """Soft-deleted tickets (restorable, not yet purged), by id."""
        return [t for t in self.data.tickets.values() if t.deleted_at is not None]

    def ticket(self, tid: int, *, deleted: bool = False) -> Ticket | None:
        """A live ticket by id (or a soft-deleted one with ``deleted=True``)."""
        t = self.data.tickets.get(tid)
        if t is None or (t.deleted_at is not None) != deleted:
            return None
        return t

    def comments_of(self, ticket: Ticket) -> list[Comment]:
        """A ticket's comments, oldest first."""
        return [self.data.comments[cid] for cid in ticket.comment_ids]

    def attachments_of(self, comment: Comment) -> list[Attachment]:
        """A comment's attachments."""
        return [self.data.attachments[aid] for aid in comment.attachment_ids]

    def person(self, pid: int) -> Person | None:
        """A person by id, including soft-deleted and purged ones."""
        return self.data.people.get(pid)

    @staticmethod
    def _photo_ids(person: Person) -> list[int]:
        photo = person.photo
        return [photo.image.id, photo.thumbnail.id] if photo else []

    def photo_content(self, token: str) -> Attachment | None:
        """A profile photo or thumbnail by its content token (None if no person has it)."""
        for person in self.data.people.values():
            photo = person.photo
            if photo is not None:
                for image in (photo.image, photo.thumbnail):
                    if image.token == token:
                        return image
        return None

    def remove_photo(self, person: Person) -> bool:
        """Delete a person's profile photo (and its thumbnail); False if there was none."""
        if person.photo is None:
            return False
        person.photo = None
        person.updated_at = self.now()
        return True

    def end_users(self) -> list[Person]:
        """People with the end-user role, by id."""
        return [p for p in self.data.people.values() if p.role == "end-user"]

    def tickets_of(self, pid: int, relation: str) -> list[Ticket]:
        """Live tickets a person requested, is copied on (``ccd``) or is assigned to."""
        if relation == "requested":
            return [t for t in self.live_tickets() if t.requester_id == pid]
        if relation == "ccd":
            return [t for t in self.live_tickets() if pid in t.collaborator_ids]
        return [t for t in self.live_tickets() if t.assignee_id == pid]

    # --- writes ------------------------------------------------------------------------------

    def add_comment(
        self,
        ticket: Ticket,
        *,
        author_id: int,
        body: str | None = None,
        html_body: str | None = None,
        public: bool = True,
        kind: str = "agent",
        attachments: list[Attachment] | None = None,
        channel: str = "api",
    ) -> Comment:
        """Append a comment (plain ``body`` or ``html_body``) to a ticket."""
        now = self.now()
        if html_body is not None:
            text = html_to_text(html_body)
        else:
            text = body or ""
            paragraphs = (
                f'<p dir="auto">{html.escape(p, quote=False).replace(chr(10), "<br>")}</p>'
                for p in text.split("\n\n")
            )
            html_body = f'<div class="zd-comment" dir="auto">{"".join(paragraphs)}</div>'
        comment = Comment(
            id=self.new_id("comment"),
            ticket_id=ticket.id,
            author_id=author_id,
            body=text,
            html_body=html_body,
            public=public,
            created_at=now,
            channel=channel,
            kind=kind,
            audit_id=self.new_id("audit"),
            metadata={"system": {}, "custom": {}},
            updated_at=now,
        )
        for attachment in attachments or []:
            attachment.ticket_id = ticket.id
            attachment.comment_id = comment.id
            comment.attachment_ids.append(attachment.id)
            self.data.attachments[attachment.id] = attachment
        self.data.comments[comment.id] = comment
        ticket.comment_ids.append(comment.id)
        ticket.audits.append(
            Audit(comment.audit_id, ticket.id, now, author_id, channel, comment_id=comment.id)
        )
        self.touch(ticket)
        return comment

    def emit(self, ticket: Ticket, update_type: str, comment: Comment | None = None) -> None:
        """Announce a ticket's creation (``Create``) or update (``Change``) to the listeners."""
        event = TicketEvent(ticket, update_type, comment)
        for listener in self.listeners:
            listener(event)

    def record_creation(self, ticket: Ticket, comment: Comment) -> None:
        """Add the ``Create`` events of a ticket made through the API to its first audit."""
        audit = self._audit(ticket, comment.audit_id, comment.author_id)
        audit.changes += [
            ("Create", "subject", ticket.subject, None),
            ("Create", "status", ticket.status, None),
            ("Create", "priority", ticket.priority, None),
            ("Create", "type", ticket.type, None),
            ("Create", "requester_id", ticket.requester_id, None),
            ("Create", "tags", list(ticket.tags), None),
        ]

    def change_ticket(
        self,
        ticket: Ticket,
        changes: dict[str, Any],
        *,
        author_id: int,
        audit_id: int | None = None,
    ) -> None:
        """Apply field changes (``subject``, ``status``, ``tags``, ``custom_fields.<key>``…) and
        record them as ``Change`` events of one audit (the comment's, when one was added)."""
        events: list[tuple[str, str, Any, Any]] = []
        for name, value in changes.items():
            if name.startswith("custom_fields."):
                key = name.split(".", 1)[1]
                previous = ticket.custom_fields.get(key)
                ticket.custom_fields[key] = value
            else:
                previous = getattr(ticket, name)
                setattr(ticket, name, value)
            if previous != value:
                events.append(("Change", name, value, previous))
        if "status" in changes and ticket.status == "closed" and ticket.closed_at is None:
            ticket.closed_at = self.now()
        elif ticket.status != "closed":
            ticket.closed_at = None
        if events:
            self._audit(ticket, audit_id, author_id).changes.extend(events)
        self.touch(ticket)

    def _audit(self, ticket: Ticket, audit_id: int | None, author_id: int) -> Audit:
        for audit in reversed(ticket.audits):
            if audit_id is not None and audit.id == audit_id:
                return audit
        audit = Audit(self.new_id("audit"), ticket.id, self.now(), author_id, "api")
        ticket.audits.append(audit)
        return audit

    def redact_text(self, comment: Comment, text: str) -> int:
        """Legacy Zendesk redaction: every occurrence of ``text`` becomes U+2587 blocks."""
        if not text or text not in comment.body:
            return 0
        blocks = REDACTION_BLOCK * len(text)
        count = comment.body.count(text)
        comment.body = comment.body.replace(text, blocks)
        escaped = html.escape(text, quote=False)
        comment.html_body = comment.html_body.replace(escaped, blocks).replace(text, blocks)
        self._after_comment_change(comment)
        return count

    def replace_comment_html(self, comment: Comment, markup: str) -> None:
        """Set a comment's HTML (and its plain text from it), e.g. after a redaction or edit."""
        comment.html_body = markup
        comment.body = html_to_text(markup)
        self._after_comment_change(comment)

    def _after_comment_change(self, comment: Comment) -> None:
        comment.updated_at = self.now()
        ticket = self.data.tickets.get(comment.ticket_id)
        if ticket is not None:
            self.touch(ticket)

    def redact_attachment(self, attachment: Attachment) -> None:
        """Replace a file with an empty ``redacted.txt`` (what Zendesk does)."""
        attachment.file_name = "redacted.txt"
        attachment.content_type = "text/plain"
        attachment.content = b""
        attachment.redacted = True
        ticket = self.data.tickets.get(attachment.ticket_id)
        if ticket is not None:
            self.touch(ticket)

    def delete_attachment(self, attachment: Attachment) -> None:
        """Remove an attachment from its comment."""
        self.data.attachments.pop(attachment.id, None)
        comment = self.data.comments.get(attachment.comment_id)
        if comment is not None and attachment.id in comment.attachment_ids:
            comment.attachment_ids.remove(attachment.id)
            self._after_comment_change(comment)

    def delete_comment(self, comment: Comment) -> None:
        """Remove a comment (Freshdesk conversation delete)."""
        for aid in comment.attachment_ids:
            self.data.attachments.pop(aid, None)
        self.data.comments.pop(comment.id, None)
        ticket = self.data.tickets.get(comment.ticket_id)
        if ticket is not None and comment.id in ticket.comment_ids:
            ticket.comment_ids.remove(comment.id)
            self.touch(ticket)

    def soft_delete_ticket(self, ticket: Ticket) -> None:
        """Move a ticket to deleted tickets / trash."""
        ticket.previous_status = ticket.status
        ticket.deleted_at = self.now()
        self.touch(ticket)

    def restore_ticket(self, ticket: Ticket) -> None:
        """Bring a soft-deleted ticket back."""
        ticket.deleted_at = None
        self.touch(ticket)

    def purge_ticket(self, ticket: Ticket) -> None:
        """Permanently delete a ticket, its comments and attachments."""
        for cid in ticket.comment_ids:
            comment = self.data.comments.pop(cid, None)
            for aid in comment.attachment_ids if comment else []:
                self.data.attachments.pop(aid, None)
        self.data.tickets.pop(ticket.id, None)

    def soft_delete_person(self, person: Person) -> None:
        """Deactivate a user/contact (restorable)."""
        person.active = False
        person.deleted_at = self.now()
        person.updated_at = self.now()

    def restore_person(self, person: Person) -> None:
        """Undo a soft delete."""
        person.active = True
        person.deleted_at = None
        person.updated_at = self.now()

    def purge_person(self, person: Person) -> None:
        """Permanently delete a person's own data; Zendesk keeps an anonymous tombstone."""
        person.purged = True
        person.active = False
        person.name = "Permanently Deleted User"
        person.email = None
        person.phone = None
        person.address = None
        person.extra_emails = []
        person.external_id = None
        person.tags = []
        person.photo = None
        person.updated_at = self.now()

    def remove_person(self, person: Person) -> None:
        """Remove a person and every ticket they requested (Freshdesk hard delete)."""
        for ticket in list(self.data.tickets.values()):
            if ticket.requester_id == person.id:
                self.purge_ticket(ticket)
        self.data.people.pop(person.id, None)

    # --- jobs --------------------------------------------------------------------------------

    def create_job(self, kind: str, total: int, action: Callable[[], Any]) -> Job:
        """Queue ``action``; it runs once ``job_seconds`` have passed and a request comes in."""
        job_id = f"V3-{self.new_id('job'):032x}"
        job = Job(job_id, kind, total, self.clock() + self.job_seconds, action)
        self.jobs[job_id] = job
        return job

    def run_due_jobs(self) -> None:
        """Run every queued job whose time has come (called at the start of each request)."""
        now = self.clock()
        for job in self.jobs.values():
            if job.status == "queued" and job.ready_at <= now:
                try:
                    job.results = job.action()
                    job.status = "completed"
                    job.message = "Completed at " + time.strftime(
                        "%Y-%m-%d %H:%M:%S +0000", time.gmtime(now)
                    )
                except Exception as exc:  # a job failing must not take the server down
                    job.status = "failed"
                    job.message = type(exc).__name__
                job.completed_at = int(now)

    # --- ground truth ------------------------------------------------------------------------

    def ground_truth(self, flavor: str) -> dict[str, Any]:
        """What personal data is still present, and where (see ``truth.py``), plus the writes."""
        from .truth import ground_truth  # truth.py reads this module's records

        return ground_truth(self, flavor)
