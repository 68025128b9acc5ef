"""``gdprguard keys status|rotate|shred``: master keys, rotation and crypto-shredding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ._common import JsonOption, emit_json, info, open_vault, result, warn

if TYPE_CHECKING:
    from ..vault import KeyStatus

__all__ = ["register"]

ReasonOption = Annotated[
    str, typer.Option("--reason", metavar="TEXT", help="why, for the audit log (no names)")
]


def _actor() -> str:
    from ..audit import default_actor

    return default_actor()


def _print_status(status: KeyStatus) -> None:
    result(f"provider: {', '.join(f'{k}={v}' for k, v in status.provider.items())}")
    result(f"primary master key: {status.primary_kek_id}")
    for key in status.master_keys:
        flags = [
            "primary" if key.primary else "",
            "" if key.available or key.destroyed_at else "UNAVAILABLE",
            "retired" if key.retired_at and not key.destroyed_at else "",
            "destroyed" if key.destroyed_at else "",
        ]
        label = ", ".join(flag for flag in flags if flag)
        result(f"  {key.kek_id}: {key.data_keys} data keys{f' ({label})' if label else ''}")
    result(
        f"data keys: {status.data_keys} ({status.subjects} subjects); "
        f"shredded subjects: {status.shredded_subjects}"
    )
    result(f"sealed records: {status.sealed_records} ({status.shredded_records} shredded)")
    if status.pending_rotation:
        warn(
            f"{status.pending_rotation} data keys are not under the primary key yet: "
            "run `gdprguard keys rotate` to finish rotating"
        )


def register(app: typer.Typer) -> None:
    """Add the ``keys`` command group to *app*."""
    keys = typer.Typer(
        help="Master keys, key rotation and crypto-shredding of data subjects.\n\n"
        "Example: gdprguard keys status",
        no_args_is_help=True,
    )

    @keys.command("status")
    def status_command(ctx: typer.Context, json_output: JsonOption = False) -> None:
        """Show master keys, data keys per master key and shredded subjects (counts only).

        \b
        Example: gdprguard keys status --json
        """
        with open_vault(ctx) as vault:
            status = vault.status()
        if json_output:
            emit_json(status.model_dump(mode="json"))
        else:
            _print_status(status)

    @keys.command("rotate")
    def rotate_command(
        ctx: typer.Context,
        json_output: JsonOption = False,
        batch_size: Annotated[
            int,
            typer.Option(
                "--batch-size", min=1, metavar="N", help="data keys re-wrapped per transaction"
            ),
        ] = 500,
        reason: ReasonOption = "",
    ) -> None:
        """Make a new master key and wrap every data key under it again (data stays as it is).

        Resumable: after an interruption, rerunning finishes the same rotation. The old master
        key is retired once no data key uses it.

        \b
        Example: gdprguard keys rotate --reason "yearly rotation"
        """

        def progress(done: int, total: int) -> None:
            info(f"re-wrapped {done}/{total} data keys")

        with open_vault(ctx) as vault:
            report = vault.rotate(
                actor=_actor(), reason=reason, batch_size=batch_size, progress=progress
            )
        if json_output:
            emit_json(report.model_dump(mode="json"))
            return
        verb = "finished the interrupted rotation" if report.resumed else "rotated"
        result(f"{verb}: {report.rewrapped} data keys now under {report.primary_kek_id}")
        for note in report.notes:
            result(f"  {note}")

    @keys.command("retire")
    def retire_command(
        ctx: typer.Context, json_output: JsonOption = False, reason: ReasonOption = ""
    ) -> None:
        """Destroy retired master keys whose grace period is over and that nothing uses.

        Rotation retires the old master key at once but destroys it only after
        [keys] retired_key_grace_days (default 7), so processes still running with the old key
        can notice the rotation first. See docs/security.md.

        \b
        Example: gdprguard keys retire --reason "grace period over"
        """
        with open_vault(ctx) as vault:
            report = vault.destroy_retired(actor=_actor(), reason=reason)
        if json_output:
            emit_json(report.model_dump(mode="json"))
            return
        if not report.destroyed:
            result("no retired master key is due for destruction")
        for kek_id in report.destroyed:
            result(f"destroyed master key {kek_id}")
        for note in report.notes:
            result(f"  {note}")

    @keys.command("shred")
    def shred_command(
        ctx: typer.Context,
        subject: Annotated[
            str,
            typer.Option(
                "--subject", metavar="ID", help="the subject id the records were sealed for"
            ),
        ],
        yes: Annotated[
            bool, typer.Option("--yes", "-y", help="do not ask for confirmation")
        ] = False,
        json_output: JsonOption = False,
        reason: ReasonOption = "",
    ) -> None:
        """Destroy a subject's data key: their sealed records can never be opened again.

        \b
        Example: gdprguard keys shred --subject "zendesk:support:user:123" --reason "DSAR 42"
        """
        with open_vault(ctx) as vault:
            subject_ref = vault.subject_ref(subject)
            if not yes:
                count = len(vault.record_ids(subject))
                typer.confirm(
                    f"Destroy the data key of subject {subject_ref[:12]}…? Its {count} sealed "
                    "records become permanently unreadable.",
                    abort=True,
                    err=True,
                )
            report = vault.shred_subject(subject, actor=_actor(), reason=reason)
        if json_output:
            emit_json(report.model_dump(mode="json"))
        elif report.status == "shredded":
            result(f"shredded subject {subject_ref[:12]}…: {report.records} records unreadable")
        elif report.status == "already-shredded":
            result(f"subject {subject_ref[:12]}… was already shredded; nothing to do")
        else:
            result(f"subject {subject_ref[:12]}…: nothing sealed, nothing to destroy")
        if not json_output:
            for warning in report.warnings:
                warn(warning)

    app.add_typer(keys, name="keys")
