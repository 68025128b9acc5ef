"""Turn what :class:`~gdprguard.dsar.locate.Locator` found into the export's ``data.json``.

Tickets the subject is a party to are exported whole, as they saw them. Other people's tickets
that merely mention the subject are exported as the comments that do, with everyone else's
personal data withheld (GDPR Art. 15(4): a copy must not adversely affect the rights of others).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ..detect import Detector, Finding
from ..models import Attachment, Comment, Person
from ..pipeline import known_subject_for
from ..policy import Policy, facts_from_records
from .locate import LocateResult, TicketMatch
from .models import (
    EmailSender,
    ExportAttachment,
    ExportComment,
    ExportDocument,
    ExportPerson,
    ExportTicket,
    Identifier,
    RetentionRule,
)

__all__ = ["DocumentBuilder", "retention_rules", "withhold_others"]


def withhold_others(
    text: str, theirs: Iterable[Finding], found: Iterable[Finding]
) -> tuple[str, int]:
    """*text* with every finding that is not the subject's replaced by ``<TYPE>``; and how many."""
    keep = [(f.start, f.end) for f in theirs]
    out: list[str] = []
    position = withheld = 0
    for finding in sorted(found, key=lambda f: f.start):
        if finding.start < position:
            continue
        if any(start < finding.end and finding.start < end for start, end in keep):
            continue
        out.append(text[position : finding.start])
        out.append(f"<{finding.type}>")
        position = finding.end
        withheld += 1
    out.append(text[position:])
    return "".join(out), withheld


def _attachment(attachment: Attachment) -> ExportAttachment:
    return ExportAttachment(
        id=attachment.id,
        file_name=attachment.file_name,
        content_type=attachment.content_type,
        size=attachment.size,
    )


def _photo(person: Person) -> ExportAttachment | None:
    photo: Attachment | None = getattr(person, "photo", None)
    return _attachment(photo) if photo is not None else None


def _sender(comment: Comment) -> EmailSender | None:
    sender = getattr(comment, "sender", None)
    if sender is None:
        return None
    return EmailSender(address=sender.address, name=sender.name)


def retention_rules(policy: Policy | None) -> list[RetentionRule]:
    """The active policy's rules, as the subject's report explains them."""
    if policy is None:
        return []
    found: list[RetentionRule] = []
    for rule in policy.rules:
        when = rule.when
        ages = [
            (when.solved_more_than, "solved"),
            (when.created_more_than, "created"),
            (when.updated_more_than, "updated"),
            (when.inactive_more_than, "inactive"),
        ]
        after = next((f"{d} after {event}" for d, event in ages if d is not None), None)
        found.append(
            RetentionRule(
                policy=policy.name,
                rule=rule.name,
                description=rule.description,
                applies_to=str(when.kind),
                action=str(rule.action),
                after=after,
            )
        )
    return found


class DocumentBuilder:
    """Builds the export document; detection finds what to withhold in others' tickets."""

    def __init__(
        self,
        detector: Detector | None = None,
        *,
        policy: Policy | None = None,
        controller: str | None = None,
    ) -> None:
        self.detector = detector or Detector()
        self.policy = policy
        self.controller = controller

    def build(
        self,
        request_id: str,
        identifiers: list[Identifier],
        result: LocateResult,
        *,
        generated_at: datetime,
    ) -> ExportDocument:
        """The whole ``data.json`` for one located subject."""
        subject_people = {(m.connector, m.person.id) for m in result.people}
        people = [
            ExportPerson(
                connector=m.connector,
                id=m.person.id,
                name=m.person.name,
                emails=list(m.person.emails),
                phones=list(m.person.phones),
                role=m.person.role,
                active=m.person.active,
                created_at=m.person.created_at,
                updated_at=m.person.updated_at,
                organization_id=m.person.organization_id,
                photo=_photo(m.person),
                extra=dict(m.person.extra),
                evidence=list(m.evidence),
            )
            for m in result.people
        ]
        tickets = [self._ticket(match, subject_people, generated_at) for match in result.tickets]
        return ExportDocument(
            request_id=request_id,
            generated_at=generated_at,
            identifiers=identifiers,
            connectors=list(result.connectors),
            people=people,
            tickets=tickets,
            problems=list(result.problems),
            retention=retention_rules(self.policy),
            controller=self.controller,
        )

    def _ticket(
        self, match: TicketMatch, subject_people: set[tuple[str, str]], now: datetime
    ) -> ExportTicket:
        bundle = match.bundle
        ticket = bundle.ticket
        full = match.scope == "full"
        authored = {e.comment_id for e in match.evidence if e.role in ("author", "sender")}
        known = known_subject_for(bundle)
        comments: list[ExportComment] = []
        for comment in bundle.comments:
            theirs = match.subject_spans.get(comment.id)
            if not full and not theirs:
                continue
            body, withheld = comment.body, 0
            if not full:
                found = self.detector.analyze(comment.body, language="auto", known_subject=known)
                body, withheld = withhold_others(comment.body, theirs or [], found)
            by_subject = comment.id in authored or (
                (bundle.connector, comment.author_id or "") in subject_people
            )
            comments.append(
                ExportComment(
                    id=comment.id,
                    author_id=comment.author_id,
                    by_subject=by_subject,
                    created_at=comment.created_at,
                    public=comment.public,
                    kind=comment.kind,
                    body=body,
                    sender=_sender(comment) if full or by_subject else None,
                    attachments=[_attachment(a) for a in comment.attachments] if full else [],
                    withheld=withheld,
                )
            )
        subject_line = ticket.subject
        if subject_line and not full:
            theirs = match.subject_spans.get("")
            if theirs:
                found = self.detector.analyze(subject_line, language="auto", known_subject=known)
                subject_line, _ = withhold_others(subject_line, theirs, found)
            else:
                subject_line = None
        return ExportTicket(
            connector=bundle.connector,
            id=ticket.id,
            scope="full" if full else "mentions",
            roles=match.roles,
            subject_line=subject_line,
            status=ticket.status,
            channel=ticket.channel,
            archived=ticket.archived,
            tags=list(ticket.tags) if full else [],
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            comments=comments,
            evidence=list(match.evidence),
            retention=self._retention(match, now),
        )

    def _retention(self, match: TicketMatch, now: datetime) -> list[str]:
        if self.policy is None:
            return []
        bundle = match.bundle
        facts = facts_from_records(
            bundle.connector, bundle.ticket, bundle.comments, bundle.requester
        )
        notes: list[str] = []
        hold = self.policy.hold_for(facts)
        if hold is not None:
            notes.append(f"kept under legal hold {hold.name}")
        due = self.policy.deletion_due(facts, now)
        if due is not None:
            moment, rule = due
            notes.append(f"deleted on or after {moment.date().isoformat()} (rule {rule})")
        return notes
