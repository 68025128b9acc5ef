"""Data-subject requests end to end: register, locate, export or erase, and record the outcome.

:class:`DsarService` is what the CLI (and the web console) call. Every run is written to the
register (status, counts, error codes), so a failure is visible in ``dsar list`` and
``dsar retry`` can run it again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from .._exceptions import GdprGuardError, HelpdeskError, InputError, NotFoundError
from ..connectors import HelpdeskConnector
from ..detect import Detector
from ..pipeline.plans import refuse_rejected
from ..policy import Policy
from ..vault import Vault
from .document import DocumentBuilder
from .erase import ErasureBlockedError, ErasureEngine, ErasurePlan, ErasureReport
from .locate import LocateResult, Locator, known_subject_of
from .models import Identifier, Problem
from .package import ExportResult, generate_passphrase, write_export
from .register import DsarRegister, RequestKind, RequestRecord, RequestStatus

__all__ = ["DsarService", "ErasureOutcome", "ExportOutcome", "IncompleteSearchError"]

ProgressCallback = Callable[[str, int, int | None], None]


def _now() -> datetime:
    return datetime.now(UTC)


class IncompleteSearchError(GdprGuardError):
    """A helpdesk could not be read completely, so a result would not be whole."""

    exit_code = 1


class ExportOutcome(BaseModel):
    """What an export did (counts and ids; the identifiers stay inside the file)."""

    request_id: str
    status: str
    path: str
    sha256: str = Field(description="of the export file")
    bytes: int
    encrypted: bool
    passphrase: str | None = Field(
        default=None, description="generated passphrase, shown once (never stored)"
    )
    counts: dict[str, int]
    connectors: dict[str, str] = Field(description="connector -> complete/partial/failed")
    attachments: int = 0


class ErasureOutcome(BaseModel):
    """What an erasure run did."""

    request_id: str
    status: str
    plan: ErasurePlan | None = None
    report: ErasureReport | None = None
    remaining: dict[str, int] = Field(
        default_factory=dict, description="what the re-search still found, counted"
    )


class DsarService:
    """Registers, locates, exports and erases; the CLI is a thin shell over it."""

    def __init__(
        self,
        vault: Vault,
        connectors: Mapping[str, HelpdeskConnector],
        *,
        detector: Detector | None = None,
        policy: Policy | None = None,
        controller: str | None = None,
        actor: str = "dsar",
        clock: Callable[[], datetime] = _now,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.vault = vault
        self.connectors = dict(connectors)
        self.detector = detector or Detector()
        self.policy = policy
        self.controller = controller
        self.actor = actor
        self.clock = clock
        self.progress = progress
        self.register = DsarRegister(vault, actor=actor, clock=clock)

    # -- pieces -------------------------------------------------------------------------------

    def locator(self) -> Locator:
        """A locator over the configured connectors."""
        return Locator(
            self.vault.store,
            self.register.hasher,
            self.connectors,
            detector=self.detector,
            progress=self.progress,
        )

    def erasure_engine(self) -> ErasureEngine:
        """The erasure planner and applier over the configured connectors."""
        return ErasureEngine(
            self.vault,
            self.connectors,
            self.register.hasher,
            detector=self.detector,
            policy=self.policy,
            actor=self.actor,
            clock=self.clock,
            progress=self.progress,
        )

    def request_for(
        self,
        kind: RequestKind,
        identifiers: list[Identifier],
        *,
        verification: str | None = None,
        request_id: str | None = None,
    ) -> RequestRecord:
        """The request this run belongs to: the one named, the open one for these identifiers,
        or a new one."""
        if request_id is not None:
            record = self.register.get(request_id)
            if record.kind != kind:
                raise InputError(f"request {request_id} is an {record.kind} request, not {kind}")
        else:
            found = self.register.find_open(kind, identifiers)
            record = found or self.register.create(kind, identifiers, verification=verification)
        self.register.record_verification(record.request_id, verification)
        return self.register.get(record.request_id)

    def identifiers_of(self, request_id: str) -> tuple[list[Identifier], dict[str, set[str]]]:
        """The request's identifiers (empty once destroyed) and their keyed hashes."""
        details = self.register.details(request_id)
        identifiers = [*details.identifiers, *details.derived] if details is not None else []
        return identifiers, self.register.digests(request_id)

    def _locate(self, request_id: str, *, allow_partial: bool = False) -> LocateResult:
        identifiers, digests = self.identifiers_of(request_id)
        result = self.locator().locate(identifiers, digests)
        self.register.add_derived(request_id, _derived(result))
        if not result.complete and not allow_partial:
            bad = next(c for c in result.connectors if c.status != "complete")
            code = f"connector-{bad.status}:{bad.name}:{bad.error or 'error'}"
            self.register.set_status(request_id, "failed", event="run-failed", error=code)
            raise IncompleteSearchError(
                f"connector {bad.name} could not be read completely ({bad.error}); nothing was "
                f"written. Fix the connection (`gdprguard connector test {bad.name}`) and run "
                f"`gdprguard dsar retry {request_id}`"
            )
        return result

    # -- access -------------------------------------------------------------------------------

    def export(
        self,
        request_id: str,
        out: Path,
        *,
        encrypt: bool = False,
        attachments: bool = False,
        allow_partial: bool = False,
        overwrite: bool = False,
    ) -> ExportOutcome:
        """Locate the subject and write the export file (all or nothing)."""
        self.register.set_status(request_id, "running", event="export-started")
        try:
            result = self._locate(request_id, allow_partial=allow_partial)
            details = self.register.details(request_id)
            identifiers = list(details.identifiers) if details is not None else []
            files = self._attachments(result) if attachments else {}
            builder = DocumentBuilder(self.detector, policy=self.policy, controller=self.controller)
            document = builder.build(request_id, identifiers, result, generated_at=self.clock())
            passphrase = generate_passphrase() if encrypt else None
            written: ExportResult = write_export(
                document, out, attachments=files, passphrase=passphrase,
                progress=self.progress, overwrite=overwrite,
            )  # fmt: skip
        except IncompleteSearchError:
            raise
        except (GdprGuardError, OSError) as exc:
            code = type(exc).__name__
            if isinstance(exc, HelpdeskError) and exc.status:
                code += f" {exc.status}"
            self.register.set_status(request_id, "failed", event="export-failed", error=code)
            raise
        digest = hashlib.sha256()
        with open(written.path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        counts = result.counts()
        status = "exported" if result.complete else "failed"
        self.register.set_status(
            request_id,
            status,  # type: ignore[arg-type]
            event="exported" if result.complete else "exported-partial",
            outcome={**counts, "sha256": digest.hexdigest(), "attachments": len(files)},
            error=None if result.complete else "partial-export",
        )
        return ExportOutcome(
            request_id=request_id,
            status=status,
            path=str(written.path),
            sha256=digest.hexdigest(),
            bytes=written.bytes_written,
            encrypted=written.encrypted,
            passphrase=passphrase,
            counts=counts,
            connectors={c.name: c.status for c in result.connectors},
            attachments=len(files),
        )

    def _attachments(self, result: LocateResult) -> dict[str, bytes]:
        """The attached files of the subject's tickets, from the helpdesks that can serve them."""
        files: dict[str, bytes] = {}
        for match in result.tickets:
            if match.scope != "full":
                continue
            name = match.bundle.connector
            download = getattr(self.connectors[name], "download_attachment", None)
            if download is None:
                continue
            for comment in match.bundle.comments:
                for attachment in comment.attachments:
                    try:
                        files[f"{name}:{attachment.id}"] = download(attachment)
                    except NotFoundError:
                        result.problems.append(
                            Problem(
                                connector=name,
                                record=f"{name}:attachment:{attachment.id}",
                                code="not-found",
                            )
                        )
        return files

    # -- erasure ------------------------------------------------------------------------------

    def plan_erasure(
        self,
        request_id: str,
        *,
        block_if_open: bool = True,
        include_name_matches: bool = False,
    ) -> ErasurePlan:
        """Locate the subject and save an erasure plan (nothing changes yet)."""
        self.register.set_status(request_id, "running", event="erasure-planning")
        result = self._locate(request_id)
        try:
            plan = self.erasure_engine().plan(
                request_id,
                result,
                block_if_open=block_if_open,
                include_name_matches=include_name_matches,
            )
        except ErasureBlockedError as exc:
            self.register.set_status(
                request_id, "blocked", event="erasure-blocked",
                outcome={"open_tickets": len(exc.open_tickets)}, error="open-tickets",
            )  # fmt: skip
            raise
        self.register.set_status(
            request_id, "planned", event="erasure-planned",
            outcome={**result.counts(), "actions": sum(plan.actions.values())},
            plan_id=plan.plan_id,
        )  # fmt: skip
        return plan

    def apply_erasure(self, plan_id: str) -> ErasureOutcome:
        """Apply a saved erasure plan, then search again; the register records the outcome."""
        engine = self.erasure_engine()
        plan = engine.load(plan_id)
        refuse_rejected(plan_id, plan.status)  # before the register records a run
        request_id = plan.request_id
        identifiers, digests = self.identifiers_of(request_id)
        subject = known_subject_of(identifiers)
        self.register.set_status(request_id, "running", event="erasure-applying", plan_id=plan_id)
        try:
            report = engine.apply(plan_id, subject, digests)
        except (GdprGuardError, OSError) as exc:
            self.register.set_status(
                request_id, "failed", event="erasure-failed", error=type(exc).__name__
            )
            raise
        after = self.locator().locate(identifiers, digests)
        remaining = {
            "tickets": sum(1 for t in after.tickets if t.confidence != "medium"),
            "people": sum(1 for p in after.people if p.confidence != "medium"),
            "name_only_matches": sum(1 for t in after.tickets if t.confidence == "medium"),
        }
        failed = bool(report.failed) or not after.complete
        status: RequestStatus
        if failed:
            status = "failed"
        elif remaining["tickets"] or remaining["people"]:
            status = "incomplete"
        else:
            status = "completed"
        outcome = {
            "done": report.done,
            "unchanged": report.unchanged,
            "skipped": sum(report.skipped.values()),
            "failed": sum(report.failed.values()),
            "keys_shredded": report.shredded,
            **{f"remaining_{k}": v for k, v in remaining.items()},
        }
        self.register.set_status(
            request_id, status, event=f"erasure-{status}", outcome=outcome,
            error=None if status == "completed" else status,
        )  # fmt: skip
        if status == "completed":
            self.register.forget_identifiers(request_id)
        return ErasureOutcome(
            request_id=request_id, status=status, plan=plan, report=report, remaining=remaining
        )

    # -- retry --------------------------------------------------------------------------------

    def retry_erasure(self, request_id: str) -> ErasureOutcome:
        """Finish an interrupted or failed erasure, or plan and apply again what a re-search
        still finds."""
        record = self.register.get(request_id)
        if record.kind != "erasure":
            raise InputError(f"request {request_id} is an {record.kind} request")
        engine = self.erasure_engine()
        if record.plan_id is not None:
            plan = engine.load(record.plan_id)
            if plan.status in ("applying", "applied-with-failures"):
                return self.apply_erasure(record.plan_id)
            if plan.status == "planned":
                raise InputError(
                    f"request {request_id} has a plan waiting for review: apply it with "
                    f"`gdprguard dsar erase --apply --plan {record.plan_id}`"
                )
        plan = self.plan_erasure(request_id)
        return self.apply_erasure(plan.plan_id)


def _derived(result: LocateResult) -> list[Identifier]:
    """The identifiers the subject's person records carry (not those matched by name only)."""
    found: list[Identifier] = []
    for match in result.people:
        if match.confidence == "medium":
            continue
        person = match.person
        if person.name:
            found.append(Identifier(kind="name", value=person.name))
        found.extend(Identifier(kind="email", value=e) for e in person.emails)
        found.extend(Identifier(kind="phone", value=p) for p in person.phones)
    return found
