"""The guided tour behind ``gdprguard demo``: every main job of gdprguard, end to end, on a
sandbox helpdesk, leaving nothing behind but the data-subject export it names.

:func:`run_demo` makes a temporary home (database, master key, audit log), starts the sandbox
helpdesk in this process (Zendesk flavor, seeded English and Japanese tickets), connects to it over
HTTP on 127.0.0.1 and then:

1. **scans** every comment for personal data (counted per entity type and language);
2. **sweeps** with the shipped default retention policy: plans, then applies the plan;
3. **exports** what the helpdesk holds about one seeded person (a verifiable ZIP);
4. **erases** another seeded person (plan, then apply; their open tickets are solved in the
   sandbox first, as an agent would, since an erasure waits for open tickets);
5. **verifies** the audit log's hash chain.

The sandbox's data is generated relative to the day the demo runs, so old tickets are due under
the policy. However the run ends (success, an error, Ctrl-C), the sandbox is stopped, the
connection closed and the temporary home removed; the export is moved to its destination only
once everything succeeded. Reports hold counts, ids and hashes, never personal data.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from ._exceptions import UsageError
from ._home import use_home

if TYPE_CHECKING:
    from .connectors import HelpdeskConnector
    from .detect import Detector
    from .sandbox import SandboxServer
    from .vault import Vault

__all__ = [
    "DEFAULT_EXPORT_NAME",
    "DEFAULT_SEED",
    "DEFAULT_TICKETS",
    "AuditSummary",
    "DemoReport",
    "ErasureSummary",
    "ExportSummary",
    "ScanSummary",
    "SweepSummary",
    "check_destination",
    "run_demo",
]

#: where ``gdprguard demo`` writes the export unless told otherwise (in the working directory)
DEFAULT_EXPORT_NAME = "gdprguard-demo-export.zip"
DEFAULT_SEED = 7
DEFAULT_TICKETS = 120
#: the connector's name in the demo's (temporary) configuration
CONNECTOR_NAME = "demo"
#: sandbox jobs finish at once, so the connector polls them every this many seconds at most
_SANDBOX_POLL_SECONDS = 0.02

ProgressCallback = Callable[[str, int, int | None], None]
NoteCallback = Callable[[str], None]


# -- the report -----------------------------------------------------------------------------------


class ScanSummary(BaseModel):
    """Detection over every comment, counted (no text, no offsets)."""

    tickets: int
    comments: dict[str, int] = Field(
        description="language -> comments (ja: the text has kana or kanji; en otherwise)"
    )
    findings: dict[str, dict[str, int]] = Field(description="entity type -> language -> count")
    total: int


class SweepSummary(BaseModel):
    """The retention sweep with the shipped default policy: the plan and what applying did."""

    plan_id: str
    policy: str
    tickets: int = Field(description="tickets read")
    held: int = Field(description="tickets under a legal hold")
    actions: int = Field(description="actions planned")
    status: str
    done: int
    unchanged: int
    skipped: int
    failed: int
    per_rule: dict[str, dict[str, dict[str, int]]] = Field(
        description="rule -> action -> outcome -> count"
    )


class ExportSummary(BaseModel):
    """The data-subject access export (GDPR Art. 15)."""

    request_id: str
    subject: str = Field(description="the sandbox's id of the person (not personal data)")
    path: str
    sha256: str
    bytes: int
    counts: dict[str, int]
    verified: bool = Field(description="every checksum in the manifest matches")
    files_checked: int


class ErasureSummary(BaseModel):
    """The erasure (GDPR Art. 17) of another seeded person."""

    request_id: str
    subject: str = Field(description="the sandbox's id of the person (not personal data)")
    tickets_solved_first: int = Field(
        description="open tickets of theirs the demo solved in the sandbox before erasing"
    )
    plan_id: str
    planned: dict[str, int] = Field(description="action -> count")
    held: int = Field(description="tickets kept under a legal hold")
    status: str
    done: int
    unchanged: int
    skipped: int
    failed: int
    keys_shredded: int
    remaining: dict[str, int] = Field(description="what a new search still finds")


class AuditSummary(BaseModel):
    """The audit log's verification."""

    ok: bool
    entries: int


class DemoReport(BaseModel):
    """Everything ``gdprguard demo`` did, counted."""

    sandbox: dict[str, Any] = Field(description="flavor, seed, tickets")
    connector: str
    scan: ScanSummary
    sweep: SweepSummary
    export: ExportSummary
    erasure: ErasureSummary
    audit: AuditSummary
    seconds: float = Field(description="wall-clock time of the whole run")

    @property
    def ok(self) -> bool:
        """Every step succeeded: nothing failed, the erasure completed, the audit log verifies."""
        return (
            self.sweep.failed == 0
            and self.export.verified
            and self.erasure.status == "completed"
            and self.audit.ok
        )


# -- running it -----------------------------------------------------------------------------------


def check_destination(out: Path, *, overwrite: bool) -> Path:
    """The absolute export path, or ``UsageError`` (before any work) if it cannot be written."""
    target = Path(os.path.abspath(out))
    if target.suffix.lower() != ".zip":
        raise UsageError(f"--out {out}: the export is a ZIP file; name it *.zip")
    if target.is_dir():
        raise UsageError(f"--out {out} is a directory; give a file name")
    if not target.parent.is_dir():
        raise UsageError(f"--out {out}: directory {target.parent} does not exist")
    if target.exists() and not overwrite:
        raise UsageError(
            f"{out} already exists; pass --overwrite to replace it, or --out another.zip"
        )
    return target


def run_demo(
    out: Path,
    *,
    overwrite: bool = False,
    seed: int = DEFAULT_SEED,
    tickets: int = DEFAULT_TICKETS,
    progress: ProgressCallback | None = None,
    note: NoteCallback | None = None,
    temp_dir: Path | None = None,
    clock: Callable[[], datetime] | None = None,
) -> DemoReport:
    """Run the whole demo and return its report; the export ZIP ends up at *out*.

    *note* receives one line per step and *progress* ``(what, done, total)`` during the slow
    ones (both free of personal data). The temporary home is made under *temp_dir* (default:
    ``$TMPDIR``, else ``/dev/shm`` where it exists, else the system's temporary directory) and
    removed however the run ends. *clock* is "now" for the sandbox's data and every step.
    """
    target = check_destination(out, overwrite=overwrite)
    started = time.monotonic()
    now = clock or (lambda: datetime.now(UTC))
    say = note or (lambda _line: None)
    opened = functools.partial(
        _Session.open, seed=seed, tickets=tickets, now=now, say=say, progress=progress
    )
    with _temporary_home(temp_dir) as home, use_home(home):
        with opened(home) as session:
            scan = session.scan()
            sweep = session.sweep()
            export = session.export(home / "export.zip")
            erasure = session.erase()
            say("verifying the audit log")
            report = session.vault.audit.verify()
            audit = AuditSummary(ok=report.ok, entries=report.entries)
        staged = Path(export.path)
        _deliver(staged, target, overwrite=overwrite)
    export = export.model_copy(update={"path": str(target)})
    export = _verified(export, target)
    return DemoReport(
        sandbox={"flavor": "zendesk", "seed": seed, "tickets": tickets},
        connector=CONNECTOR_NAME,
        scan=scan,
        sweep=sweep,
        export=export,
        erasure=erasure,
        audit=audit,
        seconds=round(time.monotonic() - started, 1),
    )


@contextlib.contextmanager
def _temporary_home(parent: Path | None) -> Iterator[Path]:
    """A fresh 0700 directory, removed on the way out (also on errors and interrupts)."""
    base = parent if parent is not None else _default_temp_parent()
    home = Path(tempfile.mkdtemp(prefix="gdprguard-demo-", dir=base))
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _default_temp_parent() -> Path | None:
    """``$TMPDIR`` if set; else ``/dev/shm`` (memory: the database's many small synchronous
    commits cost nothing there); else the system's default."""
    configured = os.environ.get("TMPDIR")
    if configured:
        return Path(configured)
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return None


def _deliver(staged: Path, target: Path, *, overwrite: bool) -> None:
    """Copy the finished export next to *target*, then rename it into place (all or nothing)."""
    if target.exists() and not overwrite:
        raise UsageError(f"{target} appeared while the demo ran; pass --overwrite to replace it")
    fd, part = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(staged, part)
        os.replace(part, target)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


def _verified(export: ExportSummary, path: Path) -> ExportSummary:
    from .dsar.package import verify_export

    checked = verify_export(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return export.model_copy(
        update={
            "verified": checked.ok and digest == export.sha256,
            "files_checked": checked.files_checked,
        }
    )


class _Clock:
    """The connector's clock: real time, but waits for sandbox jobs (which finish at once) are
    cut short instead of sleeping a second per poll."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(min(seconds, _SANDBOX_POLL_SECONDS))


@dataclass
class _Session:
    """The running sandbox, the connector to it and the vault in the temporary home."""

    server: SandboxServer
    connector: HelpdeskConnector
    vault: Vault
    detector: Detector
    now: Callable[[], datetime]
    say: NoteCallback
    progress: ProgressCallback | None
    exported: int | None = None

    @classmethod
    @contextlib.contextmanager
    def open(
        cls,
        home: Path,
        *,
        seed: int,
        tickets: int,
        now: Callable[[], datetime],
        say: NoteCallback,
        progress: ProgressCallback | None,
    ) -> Iterator[_Session]:
        from ._config import ConnectorConfig
        from .connectors import build_connector
        from .detect import Detector
        from .sandbox import SandboxServer
        from .store import Store
        from .vault import FileKeyProvider, Vault

        say(f"starting the sandbox helpdesk (zendesk, {tickets} tickets, seed {seed})")
        # The data is generated relative to today (midnight UTC), so its ages are the same
        # every day the demo runs and old tickets are due under the policy.
        anchor = int(now().timestamp()) // 86400 * 86400
        with contextlib.ExitStack() as stack:
            server = SandboxServer(
                flavor="zendesk",
                seed=seed,
                port=0,
                tickets=tickets,
                job_seconds=0.0,
                anchor=anchor,
            ).start()
            stack.callback(server.stop)
            vault = Vault(
                Store(f"sqlite:///{home / 'gdprguard.db'}"),
                FileKeyProvider(home / "master.key"),
                checkpoint_dir=home,
                clock=now,
            )
            stack.callback(vault.close)
            vault.initialise()
            creds = server.credentials
            config = ConnectorConfig(
                type="zendesk", url=creds["url"], email=creds["email"], token=creds["token"]
            )
            connector = build_connector(CONNECTOR_NAME, config, clock=_Clock())
            stack.callback(connector.close)
            identity = connector.verify()
            say(
                f"connected as connector {CONNECTOR_NAME!r} to {server.url} "
                f"({'admin' if identity.is_admin else 'agent'} credentials)"
            )
            yield cls(server, connector, vault, Detector(), now, say, progress)

    def _progress(self, what: str, done: int, total: int | None) -> None:
        if self.progress is not None:
            self.progress(what, done, total)

    # -- 1. scan ----------------------------------------------------------------------------

    def scan(self) -> ScanSummary:
        from .detect.language import has_japanese
        from .pipeline import TicketWalker, known_subject_for

        self.say("scanning every comment for personal data")
        walker = TicketWalker(self.connector, self.vault.store, stream="demo-scan")
        comments: Counter[str] = Counter()
        found: dict[str, Counter[str]] = {}
        for read, bundle in enumerate(walker.walk(full=True), start=1):
            known = known_subject_for(bundle)
            for comment in bundle.comments:
                language = "ja" if has_japanese(comment.body) else "en"
                comments[language] += 1
                for finding in self.detector.analyze(comment.body, known_subject=known):
                    found.setdefault(finding.type, Counter())[language] += 1
            self._progress("scanning", read, None)
        return ScanSummary(
            tickets=walker.tickets,
            comments={lang: comments.get(lang, 0) for lang in ("en", "ja")},
            findings={
                kind: {lang: counts.get(lang, 0) for lang in ("en", "ja")}
                for kind, counts in sorted(found.items(), key=lambda kv: (-kv[1].total(), kv[0]))
            },
            total=sum(counter.total() for counter in found.values()),
        )

    # -- 2. retention sweep -----------------------------------------------------------------

    def sweep(self) -> SweepSummary:
        from .policy import default_policy_path, parse_policy
        from .sweep import SweepEngine
        from .sweep.decide import policy_decider

        shipped = default_policy_path()
        text = shipped.read_text(encoding="utf-8")
        policy = parse_policy(text, source=shipped.name)
        capabilities = {CONNECTOR_NAME: self.connector.capabilities}
        engine = SweepEngine(
            self.vault,
            {CONNECTOR_NAME: self.connector},
            policy_decider(policy, capabilities, self.detector),
            policy_name=shipped.name,
            policy_sha256=hashlib.sha256(text.encode()).hexdigest(),
            policy_text=text,
            detector=self.detector,
            actor="demo",
            clock=self.now,
            progress=self._progress,
        )
        self.say(f"planning a retention sweep with the shipped policy {shipped.name}")
        plan = engine.plan()
        self.say(f"applying plan {plan.plan_id} ({plan.actions} actions)")
        applied = engine.apply(plan.plan_id)
        return SweepSummary(
            plan_id=plan.plan_id,
            policy=shipped.name,
            tickets=plan.tickets,
            held=plan.held,
            actions=plan.actions,
            status=applied.status,
            done=applied.done,
            unchanged=applied.unchanged,
            skipped=applied.skipped,
            failed=applied.failed,
            per_rule=applied.per_rule,
        )

    # -- 3. and 4. data-subject requests ----------------------------------------------------

    def _service(self) -> Any:
        from .dsar.service import DsarService

        return DsarService(
            self.vault,
            {CONNECTOR_NAME: self.connector},
            detector=self.detector,
            controller="gdprguard demo (sandbox)",
            actor="demo",
            clock=self.now,
            progress=self._progress,
        )

    def export(self, staged: Path) -> ExportSummary:
        from .dsar.models import Identifier

        person_id, email = _subjects(self.server, exclude=set())[0]
        self.exported = person_id
        self.say(f"exporting what the helpdesk holds about sandbox person {person_id}")
        service = self._service()
        record = service.request_for(
            "access", [Identifier(kind="email", value=email)], verification="demo: sandbox person"
        )
        outcome = service.export(record.request_id, staged)
        return ExportSummary(
            request_id=outcome.request_id,
            subject=f"sandbox person {person_id}",
            path=outcome.path,
            sha256=outcome.sha256,
            bytes=outcome.bytes,
            counts=outcome.counts,
            verified=outcome.status == "exported",
            files_checked=0,
        )

    def erase(self) -> ErasureSummary:
        from .dsar.models import Identifier

        exclude = {self.exported} if self.exported is not None else set()
        person_id, email = _subjects(self.server, exclude=exclude, erasure=True)[0]
        solved = _solve_open_tickets(self.server, person_id)
        if solved:
            self.say(
                f"solved {solved} open ticket(s) of sandbox person {person_id} in the sandbox "
                "first (an erasure waits for open tickets)"
            )
        self.say(f"erasing sandbox person {person_id}: planning, then applying")
        service = self._service()
        record = service.request_for(
            "erasure", [Identifier(kind="email", value=email)], verification="demo: sandbox person"
        )
        plan = service.plan_erasure(record.request_id)
        outcome = service.apply_erasure(plan.plan_id)
        report = outcome.report
        return ErasureSummary(
            request_id=outcome.request_id,
            subject=f"sandbox person {person_id}",
            tickets_solved_first=solved,
            plan_id=plan.plan_id,
            planned=dict(sorted(plan.actions.items())),
            held=len(plan.held),
            status=outcome.status,
            done=report.done if report else 0,
            unchanged=report.unchanged if report else 0,
            skipped=sum(report.skipped.values()) if report else 0,
            failed=sum(report.failed.values()) if report else 0,
            keys_shredded=report.shredded if report else 0,
            remaining=outcome.remaining,
        )


def _subjects(
    server: SandboxServer, *, exclude: set[int], erasure: bool = False
) -> list[tuple[int, str]]:
    """``(person id, email)`` of seeded end users with tickets, most live tickets first; for an
    *erasure*, those whose requested tickets are all solved come first (nothing to solve)."""
    state = server.state
    with state.lock:
        live: dict[int, list[str]] = {}
        for ticket in state.live_tickets():
            live.setdefault(ticket.requester_id, []).append(ticket.status)
        candidates = [
            (person.id, person.email)
            for person in state.end_users()
            if person.id not in exclude
            and person.active
            and not person.purged
            and person.email
            and not person.email.endswith(".invalid")  # anonymised by the sweep
            and live.get(person.id)
        ]
    if not candidates:
        raise UsageError(
            "the sandbox has no person with tickets left to use; run the demo with more --tickets"
        )

    def rank(item: tuple[int, str | None]) -> tuple[int, int, int]:
        statuses = live[item[0]]
        open_ = sum(1 for s in statuses if s not in ("solved", "closed"))
        return (min(open_, 1), -len(statuses), item[0])

    if erasure:
        candidates.sort(key=rank)
    else:
        candidates.sort(key=lambda item: (-len(live[item[0]]), item[0]))
    return [(pid, str(email)) for pid, email in candidates]


def _solve_open_tickets(server: SandboxServer, person_id: int) -> int:
    """Mark the person's unresolved requested tickets solved in the sandbox, as an agent would
    before an erasure; returns how many."""
    state = server.state
    solved = 0
    with state.lock:
        for ticket in state.live_tickets():
            if ticket.requester_id == person_id and ticket.status not in ("solved", "closed"):
                ticket.status = "solved"
                solved += 1
    return solved
