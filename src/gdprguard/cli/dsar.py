"""``gdprguard dsar``: data-subject requests: export, erase, list, extend, retry, show, verify."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from .._exceptions import ConfigError, InputError
from ._common import JsonOption, emit_json, info, open_vault, result, settings_from, warn
from ._jobs import Progress, configured_connectors

if TYPE_CHECKING:
    from ..dsar.models import Identifier
    from ..dsar.register import RequestKind, RequestRecord
    from ..dsar.service import DsarService

__all__ = ["register"]

EmailOption = Annotated[
    list[str] | None,
    typer.Option("--email", metavar="ADDRESS", help="the subject's e-mail address (repeatable)"),
]
PhoneOption = Annotated[
    list[str] | None,
    typer.Option("--phone", metavar="NUMBER", help="the subject's phone number (repeatable)"),
]
NameOption = Annotated[
    list[str] | None,
    typer.Option("--name", metavar="NAME", help="the subject's name (repeatable)"),
]
ConnectorOption = Annotated[
    list[str] | None,
    typer.Option("--connector", metavar="NAME", help="only this connector (repeatable)"),
]
VerificationOption = Annotated[
    str | None,
    typer.Option(
        "--verification",
        metavar="TEXT",
        help="how the subject's identity was checked (recorded, sealed, in the register)",
    ),
]
RequestOption = Annotated[
    str | None,
    typer.Option("--request", metavar="ID", help="an existing request (default: find or create)"),
]
PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        metavar="FILE",
        help="retention policy whose legal holds apply (default: [dsar] policy in the config)",
    ),
]

_DURATION = re.compile(r"^\s*(\d{1,4})\s*([dw])\s*$")


def _identifiers(
    emails: list[str] | None, phones: list[str] | None, names: list[str] | None
) -> list[Identifier]:
    from ..dsar.identifiers import validate_identifier
    from ..dsar.models import Identifier

    found: list[Identifier] = []
    for kind, values in (("email", emails), ("phone", phones), ("name", names)):
        for value in values or []:
            found.append(Identifier(kind=kind, value=validate_identifier(kind, value)))  # type: ignore[arg-type]
    if not found:
        raise InputError(
            "say who the request is about: --email ADDRESS, --phone NUMBER or --name NAME "
            "(repeatable; e-mail or phone locate a person far more surely than a name)"
        )
    return found


def _policy(ctx: typer.Context, path: Path | None) -> Any:
    from ..policy import load_policy

    chosen = path
    if chosen is None:
        configured = settings_from(ctx).dsar.policy
        chosen = Path(configured) if configured else None
    if chosen is None:
        return None
    if not chosen.is_file():
        raise ConfigError(
            f"policy file {chosen} does not exist; pass --policy FILE or fix [dsar] policy"
        )
    return load_policy(chosen)


@contextmanager
def _service(
    ctx: typer.Context, connectors: list[str] | None, policy: Path | None, *, need_policy: bool
) -> Iterator[tuple[DsarService, Progress]]:
    from ..audit import default_actor
    from ..dsar.service import DsarService

    loaded = _policy(ctx, policy)
    if loaded is None and need_policy:
        warn(
            "no retention policy given, so no legal hold is checked; pass --policy FILE or set "
            "[dsar] policy in the configuration"
        )
    built = configured_connectors(ctx, list(connectors or []))
    progress = Progress()
    try:
        with open_vault(ctx) as vault:
            yield (
                DsarService(
                    vault,
                    built,
                    policy=loaded,
                    controller=settings_from(ctx).dsar.controller,
                    actor=default_actor(),
                    progress=progress,
                ),
                progress,
            )
    finally:
        progress.done()
        for connector in built.values():
            connector.close()


def _due_within(text: str | None) -> timedelta | None:
    if text is None:
        return None
    match = _DURATION.match(text)
    if match is None:
        raise InputError(f"--due-within {text!r}: write a number of days or weeks, e.g. 7d or 2w")
    number, unit = int(match.group(1)), match.group(2)
    return timedelta(days=number * (7 if unit == "w" else 1))


def _received(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InputError(f"--received {text!r}: write the date as YYYY-MM-DD") from None
    if moment > datetime.now(UTC):
        raise InputError("--received is in the future; give the day the request arrived")
    return moment


def _row(record: RequestRecord, now: datetime) -> dict[str, Any]:
    return {
        **record.model_dump(mode="json"),
        "days_left": (record.due_at - now).days,
        "flags": record.flags(now),
    }


def register(app: typer.Typer) -> None:
    """Add the ``dsar`` command group to *app*."""
    dsar = typer.Typer(
        help="Data-subject requests: export what is held about a person, erase it, and keep "
        "the register of requests and deadlines.\n\n"
        "Example: gdprguard dsar export --email jane@example.com --out jane.zip",
        no_args_is_help=True,
    )

    @dsar.command("export")
    def export_command(
        ctx: typer.Context,
        out: Annotated[
            Path, typer.Option("--out", metavar="FILE.zip", help="where to write the export")
        ],
        email: EmailOption = None,
        phone: PhoneOption = None,
        name: NameOption = None,
        connector: ConnectorOption = None,
        verification: VerificationOption = None,
        request: RequestOption = None,
        policy: PolicyOption = None,
        attachments: Annotated[
            bool, typer.Option("--attachments", help="include the attached files themselves")
        ] = False,
        encrypt: Annotated[
            bool,
            typer.Option(
                "--encrypt", help="AES-256 encrypted ZIP; the passphrase is shown once, on stderr"
            ),
        ] = False,
        allow_partial: Annotated[
            bool,
            typer.Option(
                "--allow-partial",
                help="write the export even if a helpdesk could not be read (marked partial)",
            ),
        ] = False,
        overwrite: Annotated[bool, typer.Option("--overwrite", help="replace FILE")] = False,
        json_output: JsonOption = False,
    ) -> None:
        """Export everything held about a data subject (GDPR Art. 15 and 20) as one ZIP.

        \b
        Example: gdprguard dsar export --email jane@example.com --out jane.zip
        """
        identifiers = _identifiers(email, phone, name)
        if out.suffix.lower() != ".zip":
            raise InputError(f"--out {out.name}: the export is a ZIP file; name it *.zip")
        with _service(ctx, connector, policy, need_policy=False) as (service, _progress):
            record = service.request_for(
                "access", identifiers, verification=verification, request_id=request
            )
            outcome = service.export(
                record.request_id, out, encrypt=encrypt, attachments=attachments,
                allow_partial=allow_partial, overwrite=overwrite,
            )  # fmt: skip
        if json_output:
            emit_json(outcome.model_dump(mode="json", exclude={"passphrase"}))
        else:
            counts = outcome.counts
            result(
                f"{outcome.path}: request {outcome.request_id}, {counts['people']} person "
                f"record(s), {counts['tickets']} ticket(s), {counts['mentions']} mention(s) in "
                f"other tickets; sha256 {outcome.sha256}"
            )
        if outcome.passphrase:
            info(
                f"passphrase (shown once, not stored; send it separately): {outcome.passphrase}\n"
                "The ZIP is AES-256 encrypted: 7-Zip, WinZip, Keka and The Unarchiver open it; "
                "the built-in Windows and macOS tools do not."
            )
        if outcome.status != "exported":
            warn("the export is partial: a helpdesk could not be read; see connectors in it")
            raise typer.Exit(1)

    @dsar.command("erase")
    def erase_command(
        ctx: typer.Context,
        email: EmailOption = None,
        phone: PhoneOption = None,
        name: NameOption = None,
        connector: ConnectorOption = None,
        verification: VerificationOption = None,
        request: RequestOption = None,
        policy: PolicyOption = None,
        apply: Annotated[
            bool, typer.Option("--apply", help="carry out the erasure (without it: plan only)")
        ] = False,
        plan_id: Annotated[
            str | None, typer.Option("--plan", metavar="ID", help="with --apply: a saved plan")
        ] = None,
        block_if_open: Annotated[
            bool,
            typer.Option(
                "--block-if-open/--no-block-if-open",
                help="refuse while a ticket the subject requested is unresolved",
            ),
        ] = True,
        include_name_matches: Annotated[
            bool,
            typer.Option(
                "--include-name-matches",
                help="also act on matches by name alone (reported for review otherwise)",
            ),
        ] = False,
        json_output: JsonOption = False,
    ) -> None:
        """Erase a data subject (GDPR Art. 17): plan first, then --apply.

        \b
        Example: gdprguard dsar erase --email jane@example.com --verification "ID checked"
        """
        if plan_id is not None and not apply:
            raise InputError(
                "--plan ID is applied with --apply: gdprguard dsar erase --apply --plan ID"
            )
        with _service(ctx, connector, policy, need_policy=True) as (service, _progress):
            if plan_id is not None:
                if email or phone or name:
                    raise InputError(
                        "--plan ID already names the subject; drop --email/--phone/--name"
                    )
                outcome = service.apply_erasure(plan_id)
            else:
                identifiers = _identifiers(email, phone, name)
                record = service.request_for(
                    "erasure", identifiers, verification=verification, request_id=request
                )
                plan = service.plan_erasure(
                    record.request_id,
                    block_if_open=block_if_open,
                    include_name_matches=include_name_matches,
                )
                if not apply:
                    _emit_plan(plan, json_output)
                    return
                outcome = service.apply_erasure(plan.plan_id)
        if json_output:
            emit_json(outcome.model_dump(mode="json"))
        else:
            _print_outcome(outcome)
        if outcome.status != "completed":
            raise typer.Exit(1)

    @dsar.command("register")
    def register_command(
        ctx: typer.Context,
        kind: Annotated[
            str,
            typer.Option("--kind", metavar="KIND", help="access, erasure or rectification"),
        ],
        email: EmailOption = None,
        phone: PhoneOption = None,
        name: NameOption = None,
        verification: VerificationOption = None,
        received: Annotated[
            str | None,
            typer.Option(
                "--received", metavar="YYYY-MM-DD", help="when the request arrived (default today)"
            ),
        ] = None,
        json_output: JsonOption = False,
    ) -> None:
        """Record a request as it arrives; its deadline runs from the day it was received.

        \b
        Example: gdprguard dsar register --kind rectification --email jane@example.com
        """
        from ..dsar.register import DsarRegister

        if kind not in ("access", "erasure", "rectification"):
            raise InputError(f"--kind {kind!r}: use access, erasure or rectification")
        identifiers = _identifiers(email, phone, name)
        moment = _received(received)
        with open_vault(ctx) as vault:
            record = DsarRegister(vault).create(
                cast("RequestKind", kind),
                identifiers,
                verification=verification,
                received_at=moment,
            )
        if json_output:
            emit_json(_row(record, datetime.now(UTC)))
        else:
            result(f"{record.request_id}: {record.kind}, due {record.due_at:%Y-%m-%d}")

    @dsar.command("close")
    def close_command(
        ctx: typer.Context,
        request_id: str,
        note: Annotated[str, typer.Option("--note", metavar="TEXT", help="what was done (sealed)")],
        json_output: JsonOption = False,
    ) -> None:
        """Mark a request answered by hand, e.g. a rectification made in the helpdesk.

        \b
        Example: gdprguard dsar close req-20261201-a1b2c3 --note "address corrected"
        """
        from ..dsar.register import DsarRegister

        with open_vault(ctx) as vault:
            record = DsarRegister(vault).close(request_id, note)
        if json_output:
            emit_json(_row(record, datetime.now(UTC)))
        else:
            result(f"{record.request_id}: {record.status}")

    @dsar.command("list")
    def list_command(
        ctx: typer.Context,
        due_within: Annotated[
            str | None,
            typer.Option("--due-within", metavar="DAYS", help="only requests due within, e.g. 7d"),
        ] = None,
        all_requests: Annotated[
            bool, typer.Option("--all", help="include answered requests")
        ] = False,
        json_output: JsonOption = False,
    ) -> None:
        """The register: open requests by due date, with what needs attention.

        \b
        Example: gdprguard dsar list --due-within 7d
        """
        from ..dsar.register import DsarRegister

        within = _due_within(due_within)
        now = datetime.now(UTC)
        with open_vault(ctx) as vault:
            records = DsarRegister(vault).requests(due_within=within, include_closed=all_requests)
        rows = [_row(r, now) for r in records]
        if json_output:
            emit_json({"requests": rows})
            return
        if not rows:
            info("no open requests" if not all_requests else "the register is empty")
            return
        for row in rows:
            flags = f"  [{', '.join(row['flags'])}]" if row["flags"] else ""
            result(
                f"{row['request_id']}  {row['kind']:<13} {row['status']:<10} due "
                f"{row['due_at'][:10]} ({row['days_left']} days){flags}"
            )

    @dsar.command("show")
    def show_command(ctx: typer.Context, request_id: str, json_output: JsonOption = False) -> None:
        """One request with its history (dates, statuses, counts; no personal data).

        \b
        Example: gdprguard dsar show req-20261201-a1b2c3
        """
        from ..dsar.register import DsarRegister

        with open_vault(ctx) as vault:
            register_ = DsarRegister(vault)
            record = register_.get(request_id)
            history = register_.history(request_id)
        document = {**_row(record, datetime.now(UTC)), "history": history}
        if json_output:
            emit_json(document)
            return
        result(f"{record.request_id}: {record.kind}, {record.status}, due {record.due_at:%Y-%m-%d}")
        for event in history:
            detail = ", ".join(f"{k} {v}" for k, v in sorted(event["detail"].items()))
            result(f"  {event['at']:%Y-%m-%d %H:%M} {event['event']} -> {event['status']}"
                   f"{f' ({detail})' if detail else ''}")  # fmt: skip

    @dsar.command("extend")
    def extend_command(
        ctx: typer.Context,
        request_id: str,
        months: Annotated[
            int, typer.Option("--months", min=1, max=2, metavar="N", help="1 or 2 more months")
        ],
        reason: Annotated[
            str, typer.Option("--reason", metavar="TEXT", help="why it needs more time")
        ],
        json_output: JsonOption = False,
    ) -> None:
        """Extend a request's deadline by one or two months (GDPR Art. 12(3)), with a reason.

        \b
        Example: gdprguard dsar extend req-20261201-a1b2c3 --months 1 --reason "many helpdesks"
        """
        from ..dsar.register import DsarRegister

        with open_vault(ctx) as vault:
            record = DsarRegister(vault).extend(request_id, months, reason)
        if json_output:
            emit_json(_row(record, datetime.now(UTC)))
        else:
            result(f"{record.request_id}: now due {record.due_at:%Y-%m-%d}")
            info("tell the data subject about the extension and its reason within the first month")

    @dsar.command("retry")
    def retry_command(
        ctx: typer.Context,
        request_id: str,
        out: Annotated[
            Path | None,
            typer.Option("--out", metavar="FILE.zip", help="for an access request: the export"),
        ] = None,
        connector: ConnectorOption = None,
        policy: PolicyOption = None,
        overwrite: Annotated[bool, typer.Option("--overwrite", help="replace FILE")] = False,
        json_output: JsonOption = False,
    ) -> None:
        """Run a failed, partial or interrupted request again.

        \b
        Example: gdprguard dsar retry req-20261201-a1b2c3
        """
        with _service(ctx, connector, policy, need_policy=True) as (service, _progress):
            record = service.register.get(request_id)
            if record.kind == "access":
                if out is None:
                    raise InputError("an access request is retried with --out FILE.zip")
                export = service.export(request_id, out, overwrite=overwrite)
                if json_output:
                    emit_json(export.model_dump(mode="json", exclude={"passphrase"}))
                else:
                    result(f"{export.path}: request {export.request_id}, sha256 {export.sha256}")
                return
            outcome = service.retry_erasure(request_id)
        if json_output:
            emit_json(outcome.model_dump(mode="json"))
        else:
            _print_outcome(outcome)
        if outcome.status != "completed":
            raise typer.Exit(1)

    @dsar.command("verify")
    def verify_command(
        path: Path,
        passphrase_env: Annotated[
            str | None,
            typer.Option(
                "--passphrase-env",
                metavar="VAR",
                help="environment variable holding the passphrase",
            ),
        ] = None,
        json_output: JsonOption = False,
    ) -> None:
        """Check an export file: every checksum, and data.json against its schema.

        \b
        Example: gdprguard dsar verify jane.zip
        """
        import os

        from ..dsar.package import verify_export

        if not path.is_file():
            raise InputError(f"{path} does not exist or is not a file")
        secret = None
        if passphrase_env is not None:
            secret = os.environ.get(passphrase_env)
            if not secret:
                raise InputError(f"environment variable {passphrase_env} is not set")
        report = verify_export(path, secret)
        if json_output:
            emit_json(report.model_dump(mode="json"))
        else:
            state = "OK" if report.ok else "FAILED"
            result(f"{path.name}: {state}, {report.files_checked} files checked")
            for problem in report.problems:
                result(f"  {problem.code}: {problem.file or ''} {problem.detail}".rstrip())
        if not report.ok:
            raise typer.Exit(1)

    app.add_typer(dsar, name="dsar")


def _emit_plan(plan: Any, json_output: bool) -> None:
    if json_output:
        emit_json(plan.model_dump(mode="json"))
        return
    info(f"erasure plan {plan.plan_id} for request {plan.request_id}:")
    for action, count in sorted(plan.actions.items()):
        info(f"  {action}: {count}")
    if plan.held:
        info(f"  kept under a legal hold: {len(plan.held)} ticket(s): {', '.join(plan.held[:10])}")
    if plan.review:
        info(
            f"  matched by name only, not acted on: {len(plan.review)} (review them; "
            "--include-name-matches acts on them)"
        )
    for note, count in sorted(plan.notes.items()):
        info(f"  note: {note}: {count}")
    sys.stdout.write(plan.plan_id + "\n")
    info(f"review it, then apply it with: gdprguard dsar erase --apply --plan {plan.plan_id}")


def _print_outcome(outcome: Any) -> None:
    report = outcome.report
    result(f"request {outcome.request_id}: erasure {outcome.status}")
    if report is not None:
        info(
            f"  {report.done} changed, {report.unchanged} already so, "
            f"{sum(report.skipped.values())} skipped, {sum(report.failed.values())} failed, "
            f"{report.shredded} key(s) shredded"
        )
        for reason, count in sorted(report.skipped.items()):
            info(f"  skipped ({reason}): {count}")
        for error, count in sorted(report.failed.items()):
            info(f"  failed ({error}): {count}; `gdprguard dsar retry {outcome.request_id}`")
    if outcome.remaining.get("tickets") or outcome.remaining.get("people"):
        info(
            f"  a new search still finds {outcome.remaining['tickets']} ticket(s) and "
            f"{outcome.remaining['people']} person record(s): the request is marked incomplete"
        )
