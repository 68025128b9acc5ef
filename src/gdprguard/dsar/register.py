"""The register of data-subject requests: what was asked, by whom, when it is due, what was done.

GDPR Art. 12(3) gives one month to answer, extendable by two more with a reason; the register
keeps the dates, every status change and run, and the outcome, so an officer sees what is due and
an auditor sees what was done. Identifiers and free text (how identity was verified, reasons) are
sealed in the vault under the register's own key, never the subject's (which an erasure shreds).
After a completed erasure the sealed identifiers are destroyed; their keyed hashes stay, with the
history, so a retry or re-search still runs and the accountability record survives.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, insert, select, update

from .._exceptions import InputError
from ..audit import canonical_json
from ..pipeline.identifiers import IdentifierHasher
from ..policy import Duration
from ..store import dsar_events, dsar_identifiers, dsar_requests, insert_ignore
from ..vault import Vault
from .models import Identifier

__all__ = [
    "DsarRegister",
    "RequestDetails",
    "RequestKind",
    "RequestRecord",
    "RequestStatus",
    "add_months",
]

RequestKind = Literal["access", "erasure", "rectification"]
RequestStatus = Literal[
    "open",  # registered, nothing run yet
    "running",  # a run is in progress (or was interrupted: retry finishes it)
    "exported",  # access: the export was written
    "planned",  # erasure: a plan waits for --apply
    "blocked",  # erasure: refused while the subject has open tickets
    "completed",  # erasure applied and the re-search found nothing
    "incomplete",  # erasure applied, but the re-search still found something
    "failed",  # the last run failed (see last_error); retry it
]
_CLOSED = ("exported", "completed")
#: the subject's own pseudonymous scope in the vault is never this one
REGISTER_SCOPE = "gdprguard:dsar-register"
NOT_RECORDED = "not recorded"
#: kind prefix of identifier hashes found on the subject's person records, not given
_DERIVED = "derived:"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def add_months(moment: datetime, months: int) -> datetime:
    """*moment* plus calendar months; the 31st becomes the month's last day (Art. 12(3))."""
    return Duration(count=months, unit="m").after(moment)


class RequestDetails(BaseModel):
    """The sealed part of a request: identifiers and free text (personal data)."""

    identifiers: list[Identifier] = Field(default_factory=list)
    derived: list[Identifier] = Field(
        default_factory=list,
        description="further identifiers of the subject's person records, found while locating",
    )
    verification: str = NOT_RECORDED
    notes: list[str] = Field(default_factory=list, description="extension reasons, in order")


class RequestRecord(BaseModel):
    """A request as the register's table holds it: ids, dates, statuses and counts."""

    request_id: str
    kind: RequestKind
    status: RequestStatus
    received_at: datetime
    due_at: datetime
    extended_months: int = 0
    verification_recorded: bool = False
    identifiers_sealed: bool = True
    last_run_at: datetime | None = None
    last_run_status: str | None = None
    last_error: str | None = None
    plan_id: str | None = None
    outcome: dict[str, Any] = Field(default_factory=dict)
    closed_at: datetime | None = None

    @property
    def open(self) -> bool:
        """Still to be answered (not exported or completed)."""
        return self.status not in _CLOSED

    def flags(self, now: datetime) -> list[str]:
        """What an officer must look at: overdue, due within 7 days, failed, unverified."""
        found: list[str] = []
        if self.open and self.due_at <= now:
            found.append("overdue")
        elif self.open and self.due_at <= now + timedelta(days=7):
            found.append("due-soon")
        if self.open and self.status in ("failed", "incomplete", "running"):
            found.append("last-run-failed" if self.status == "failed" else self.status)
        if not self.verification_recorded:
            found.append("verification-not-recorded")
        return found


class DsarRegister:
    """The register, over the store; identifiers sealed in the vault."""

    def __init__(
        self, vault: Vault, *, actor: str = "dsar", clock: Callable[[], datetime] = _now
    ) -> None:
        self.vault = vault
        self.store = vault.store
        self.actor = actor
        self.clock = clock
        self._hasher: IdentifierHasher | None = None

    @property
    def hasher(self) -> IdentifierHasher:
        """Keyed hashes of identifiers (the key derived from the vault's subject-index secret)."""
        if self._hasher is None:
            self._hasher = IdentifierHasher.from_secret(
                self.vault.keyring.system_secret("subject-index")
            )
        return self._hasher

    # -- creating and finding -----------------------------------------------------------------

    def create(
        self,
        kind: RequestKind,
        identifiers: Iterable[Identifier],
        *,
        verification: str | None = None,
        received_at: datetime | None = None,
    ) -> RequestRecord:
        """Register a new request (received now unless *received_at*); due in one month."""
        found = list(identifiers)
        if not found:
            raise InputError("give at least one identifier: --email, --phone or --name")
        received = _aware(received_at) or self.clock()
        request_id = f"req-{received.strftime('%Y%m%d')}-{secrets.token_hex(3)}"
        details = RequestDetails(
            identifiers=found, verification=(verification or "").strip() or NOT_RECORDED
        )
        record_id = self._seal(request_id, details)
        digests = self.hasher.all_digests(found)
        with self.store.session() as session:
            session.execute(
                insert(dsar_requests).values(
                    request_id=request_id,
                    kind=kind,
                    status="open",
                    received_at=received,
                    due_at=add_months(received, 1),
                    extended_months=0,
                    verification_recorded=int(details.verification != NOT_RECORDED),
                    details_record=record_id,
                    outcome="{}",
                )
            )
            rows = _digest_rows(request_id, digests)
            if rows:
                session.execute(insert(dsar_identifiers), rows)
            self._event(session, request_id, "registered", "open", {"kind": kind})
            self.vault.audit.append_in(
                session,
                self.actor,
                "dsar.register",
                [f"dsar:{request_id}"],
                "",
                {"kind": kind, "identifiers": {k: len(v) for k, v in digests.items()}},
            )
        return self.get(request_id)

    def find_open(
        self, kind: RequestKind, identifiers: Iterable[Identifier]
    ) -> RequestRecord | None:
        """The open request of *kind* for exactly these identifiers, if there is one."""
        wanted = {
            (k, d) for k, values in self.hasher.all_digests(identifiers).items() for d in values
        }
        with self.store.session(write=False) as session:
            candidates = (
                session.execute(
                    select(dsar_requests.c.request_id)
                    .where(
                        dsar_requests.c.kind == kind,
                        dsar_requests.c.status.not_in(_CLOSED),
                    )
                    .order_by(dsar_requests.c.received_at)
                )
                .scalars()
                .all()
            )
            for request_id in candidates:
                have = {
                    (kind, digest)
                    for kind, digest in session.execute(
                        select(dsar_identifiers.c.kind, dsar_identifiers.c.digest).where(
                            dsar_identifiers.c.request_id == request_id
                        )
                    ).all()
                    if not kind.startswith(_DERIVED)
                }
                if have == wanted:
                    return self.get(request_id)
        return None

    def get(self, request_id: str) -> RequestRecord:
        """One request (``InputError`` naming ``dsar list`` if there is none)."""
        with self.store.session(write=False) as session:
            row = (
                session.execute(
                    select(dsar_requests).where(dsar_requests.c.request_id == request_id)
                )
                .mappings()
                .first()
            )
        if row is None:
            raise InputError(
                f"there is no request {request_id!r}; `gdprguard dsar list` shows the register"
            )
        return _record(row)

    def requests(
        self, *, due_within: timedelta | None = None, include_closed: bool = False
    ) -> list[RequestRecord]:
        """Requests by due date; open ones only unless *include_closed*."""
        query = select(dsar_requests).order_by(dsar_requests.c.due_at)
        if not include_closed:
            query = query.where(dsar_requests.c.status.not_in(_CLOSED))
        if due_within is not None:
            query = query.where(dsar_requests.c.due_at <= self.clock() + due_within)
        with self.store.session(write=False) as session:
            rows = session.execute(query).mappings().all()
        return [_record(row) for row in rows]

    def details(self, request_id: str) -> RequestDetails | None:
        """The sealed identifiers and notes; None once an erasure destroyed them."""
        self.get(request_id)  # InputError for an unknown request
        with self.store.session(write=False) as session:
            record_id = session.execute(
                select(dsar_requests.c.details_record).where(
                    dsar_requests.c.request_id == request_id
                )
            ).scalar_one()
        if record_id is None:
            return None
        return RequestDetails.model_validate_json(self.vault.open(record_id))

    def digests(self, request_id: str) -> dict[str, set[str]]:
        """kind -> keyed hashes of the request's identifiers (kept after erasure)."""
        with self.store.session(write=False) as session:
            rows = session.execute(
                select(dsar_identifiers.c.kind, dsar_identifiers.c.digest).where(
                    dsar_identifiers.c.request_id == request_id
                )
            ).all()
            found: dict[str, set[str]] = {}
            for kind, digest in rows:
                found.setdefault(kind.removeprefix(_DERIVED), set()).add(digest)
        return found

    def history(self, request_id: str) -> list[dict[str, Any]]:
        """The request's events, oldest first (statuses, counts and error codes)."""
        with self.store.session(write=False) as session:
            rows = session.execute(
                select(dsar_events)
                .where(dsar_events.c.request_id == request_id)
                .order_by(dsar_events.c.seq)
            ).mappings()
            return [
                {
                    "at": _aware(row["at"]),
                    "actor": row["actor"],
                    "event": row["event"],
                    "status": row["status"],
                    "detail": json.loads(row["detail"]),
                }
                for row in rows
            ]

    # -- changing -----------------------------------------------------------------------------

    def extend(self, request_id: str, months: int, reason: str) -> RequestRecord:
        """Extend the deadline by *months* (at most two in all, Art. 12(3)), with a reason."""
        record = self.get(request_id)
        if months not in (1, 2):
            raise InputError("--months is 1 or 2 (GDPR Art. 12(3) allows two more months)")
        if not reason.strip():
            raise InputError("--reason is required: say why the request needs more time")
        if record.extended_months + months > 2:
            raise InputError(
                f"request {request_id} was already extended by {record.extended_months} "
                "month(s); GDPR Art. 12(3) allows two in all"
            )
        if not record.open:
            raise InputError(f"request {request_id} is {record.status}; nothing to extend")
        self._update_details(request_id, lambda d: d.notes.append(reason.strip()))
        total = record.extended_months + months
        with self.store.session() as session:
            session.execute(
                update(dsar_requests)
                .where(dsar_requests.c.request_id == request_id)
                .values(extended_months=total, due_at=add_months(record.received_at, 1 + total))
            )
            self._event(session, request_id, "extended", record.status, {"months": months})
            self.vault.audit.append_in(
                session, self.actor, "dsar.extend", [f"dsar:{request_id}"], "", {"months": months}
            )
        return self.get(request_id)

    def add_derived(self, request_id: str, identifiers: Iterable[Identifier]) -> int:
        """Remember identifiers the subject's person records carry (their name, other
        addresses and numbers), sealed like the given ones and indexed by hash, so an erasure
        removes them too and a re-search looks for them. Returns how many were new."""
        details = self.details(request_id)
        if details is None:
            return 0
        known = {(i.kind, i.value) for i in [*details.identifiers, *details.derived]}
        new = [i for i in identifiers if (i.kind, i.value) not in known]
        new = list({(i.kind, i.value): i for i in new}.values())
        if not new:
            return 0
        details.derived.extend(new)
        self._seal(request_id, details, replace=True)
        digests = self.hasher.all_digests(new)
        with self.store.session() as session:
            rows = _digest_rows(request_id, digests, prefix=_DERIVED)
            if rows:
                session.execute(insert_ignore(session, dsar_identifiers), rows)
        return len(new)

    def close(self, request_id: str, note: str) -> RequestRecord:
        """Mark a request answered by hand (e.g. a rectification made in the helpdesk), with a
        note of what was done (sealed)."""
        record = self.get(request_id)
        if not note.strip():
            raise InputError("--note is required: say what was done to answer the request")
        if not record.open:
            raise InputError(f"request {request_id} is already {record.status}")
        self._update_details(request_id, lambda d: d.notes.append(note.strip()))
        status: RequestStatus = "exported" if record.kind == "access" else "completed"
        return self.set_status(request_id, status, event="closed")

    def record_verification(self, request_id: str, verification: str | None) -> None:
        """Record how identity was checked (a later run may add it to an earlier request)."""
        text = (verification or "").strip()
        if not text:
            return

        def change(details: RequestDetails) -> None:
            details.verification = text

        if not self._update_details(request_id, change):
            return
        with self.store.session() as session:
            session.execute(
                update(dsar_requests)
                .where(dsar_requests.c.request_id == request_id)
                .values(verification_recorded=1)
            )
            self._event(session, request_id, "verification-recorded", self._status(session,
                        request_id), {})  # fmt: skip

    def set_status(
        self,
        request_id: str,
        status: RequestStatus,
        *,
        event: str,
        outcome: dict[str, Any] | None = None,
        error: str | None = None,
        plan_id: str | None = None,
    ) -> RequestRecord:
        """Record a run's result (counts and error codes only) and the request's new status."""
        now = self.clock()
        values: dict[str, Any] = {
            "status": status,
            "last_run_at": now,
            "last_run_status": status,
            "last_error": error,
        }
        if outcome is not None:
            values["outcome"] = canonical_json(outcome)
        if plan_id is not None:
            values["plan_id"] = plan_id
        if status in _CLOSED:
            values["closed_at"] = now
        with self.store.session() as session:
            session.execute(
                update(dsar_requests)
                .where(dsar_requests.c.request_id == request_id)
                .values(**values)
            )
            detail: dict[str, Any] = dict(outcome or {})
            if error:
                detail["error"] = error
            self._event(session, request_id, event, status, detail)
            self.vault.audit.append_in(
                session, self.actor, f"dsar.{event}", [f"dsar:{request_id}"], "", detail
            )
        return self.get(request_id)

    def forget_identifiers(self, request_id: str) -> bool:
        """Destroy the sealed identifiers after a completed erasure (hashes and notes stay)."""
        with self.store.session(write=False) as session:
            record_id = session.execute(
                select(dsar_requests.c.details_record).where(
                    dsar_requests.c.request_id == request_id
                )
            ).scalar_one_or_none()
        if record_id is None:
            return False
        details = RequestDetails.model_validate_json(self.vault.open(record_id))
        kept = RequestDetails(verification=details.verification, notes=details.notes)
        self._seal(request_id, kept, replace=True)
        self.vault.delete(record_id, actor=self.actor, reason=f"dsar:{request_id}:erased")
        with self.store.session() as session:
            session.execute(
                update(dsar_requests)
                .where(dsar_requests.c.request_id == request_id)
                .values(details_record=None)
            )
            self._event(session, request_id, "identifiers-destroyed",
                        self._status(session, request_id), {})  # fmt: skip
        return True

    # -- internals ----------------------------------------------------------------------------

    def _seal(self, request_id: str, details: RequestDetails, *, replace: bool = False) -> str:
        """Identifiers go in ``dsar:<id>:identifiers``; notes alone in ``dsar:<id>:notes``."""
        suffix = "identifiers" if details.identifiers else "notes"
        record_id = f"dsar:{request_id}:{suffix}"
        self.vault.seal(
            record_id,
            details.model_dump_json().encode(),
            kind="dsar-request",
            subject_id=REGISTER_SCOPE,
            replace=replace or suffix == "notes",
        )
        return record_id

    def _update_details(self, request_id: str, change: Callable[[RequestDetails], None]) -> bool:
        details = self.details(request_id)
        if details is None:
            record_id = f"dsar:{request_id}:notes"
            if not self.vault.exists(record_id):
                return False
            details = RequestDetails.model_validate_json(self.vault.open(record_id))
        change(details)
        self._seal(request_id, details, replace=True)
        return True

    @staticmethod
    def _status(session: Any, request_id: str) -> str:
        return str(
            session.execute(
                select(dsar_requests.c.status).where(dsar_requests.c.request_id == request_id)
            ).scalar_one()
        )

    def _event(
        self, session: Any, request_id: str, event: str, status: str, detail: dict[str, Any]
    ) -> None:
        seq = session.execute(
            select(func.coalesce(func.max(dsar_events.c.seq), 0)).where(
                dsar_events.c.request_id == request_id
            )
        ).scalar_one()
        session.execute(
            insert(dsar_events).values(
                request_id=request_id,
                seq=int(seq) + 1,
                at=self.clock(),
                actor=self.actor,
                event=event,
                status=status,
                detail=canonical_json(detail),
            )
        )


def _digest_rows(
    request_id: str, digests: dict[str, set[str]], *, prefix: str = ""
) -> list[dict[str, str]]:
    return [
        {"request_id": request_id, "kind": f"{prefix}{kind}", "digest": digest}
        for kind, values in sorted(digests.items())
        for digest in sorted(values)
    ]


def _record(row: Any) -> RequestRecord:
    return RequestRecord(
        request_id=row["request_id"],
        kind=row["kind"],
        status=row["status"],
        received_at=_aware(row["received_at"]) or _now(),
        due_at=_aware(row["due_at"]) or _now(),
        extended_months=int(row["extended_months"]),
        verification_recorded=bool(row["verification_recorded"]),
        identifiers_sealed=row["details_record"] is not None
        and str(row["details_record"]).endswith(":identifiers"),
        last_run_at=_aware(row["last_run_at"]),
        last_run_status=row["last_run_status"],
        last_error=row["last_error"],
        plan_id=row["plan_id"],
        outcome=json.loads(row["outcome"] or "{}"),
        closed_at=_aware(row["closed_at"]),
    )
