"""``gdprguard backup DIR`` and ``gdprguard restore DIR``: sealed backups; erasure stays final."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .._exceptions import ConfigError
from ._common import JsonOption, app_state, emit_json, info, open_vault, result, warn

if TYPE_CHECKING:
    from ..backup import RestorePlan

__all__ = ["register"]

PASSPHRASE_ENV = "GDPRGUARD_BACKUP_PASSPHRASE"

PassphraseOption = Annotated[
    str,
    typer.Option(
        "--passphrase-env",
        metavar="VAR",
        help="environment variable holding the backup passphrase",
    ),
]


def _passphrase(variable: str, *, confirm: bool) -> str:
    value = os.environ.get(variable)
    if value:
        return value
    if sys.stdin.isatty():
        answer = typer.prompt(
            "Backup passphrase", hide_input=True, confirmation_prompt=confirm, err=True
        )
        return str(answer)
    raise ConfigError(
        f"no backup passphrase: set {variable} to a long random passphrase (keep it apart from "
        "the backup: whoever has both can read everything gdprguard kept)"
    )


def _actor() -> str:
    from ..audit import default_actor

    return default_actor()


def _print_plan(plan: RestorePlan, say: Callable[[str], None]) -> None:
    verb = "restored" if plan.applied else "would restore"
    rows = ", ".join(f"{name} {count}" for name, count in plan.tables.items())
    say(f"{verb} backup {plan.backup_id} of {plan.backup_created_at.isoformat()}: {rows}")
    if plan.audit_mode == "keep-current":
        say(
            f"audit log: kept (entries 1..{plan.current_audit_seq}; the backup's end at "
            f"{plan.backup_audit_seq})"
        )
    else:
        say(f"audit log: taken from the backup (entries 1..{plan.backup_audit_seq})")
    verb = "re-applied" if plan.applied else "will re-apply"
    say(
        f"{verb} {plan.replayed_shreds} shreds and {plan.replayed_deletes} deletes recorded "
        "after the backup"
    )
    for name in plan.key_files_written:
        say(f"master key file {'written' if plan.applied else 'to write'}: {name}")
    for warning in plan.warnings:
        warn(warning)


def register(app: typer.Typer) -> None:
    """Add the ``backup`` and ``restore`` commands to *app*."""

    @app.command("backup")
    def backup_command(
        ctx: typer.Context,
        directory: Annotated[
            Path, typer.Argument(metavar="DIR", help="a new (or empty) directory")
        ],
        passphrase_env: PassphraseOption = PASSPHRASE_ENV,
        json_output: JsonOption = False,
    ) -> None:
        """Write a consistent copy of the store and master key files, sealed with a passphrase.

        Restore it with `gdprguard restore DIR`, which re-applies every erasure done since.
        The passphrase comes from $GDPRGUARD_BACKUP_PASSPHRASE (or a prompt on a terminal).

        \b
        Example: gdprguard backup /backups/gdprguard-$(date +%F)
        """
        from ..backup import create_backup

        passphrase = _passphrase(passphrase_env, confirm=True)
        with open_vault(ctx) as vault:
            report = create_backup(
                vault.store,
                vault.provider,
                directory,
                passphrase,
                audit=vault.audit,
                actor=_actor(),
            )
        if json_output:
            emit_json(report.model_dump(mode="json"))
            return
        rows = sum(report.tables.values())
        result(f"backup {report.backup_id} written to {report.directory}: {rows} rows")
        for note in report.notes:
            info(f"note: {note}")

    @app.command("restore")
    def restore_command(
        ctx: typer.Context,
        directory: Annotated[
            Path, typer.Argument(metavar="DIR", help="a directory written by `backup`")
        ],
        passphrase_env: PassphraseOption = PASSPHRASE_ENV,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="show what would happen; change nothing")
        ] = False,
        yes: Annotated[
            bool, typer.Option("--yes", "-y", help="do not ask for confirmation")
        ] = False,
        accept_log_loss: Annotated[
            bool,
            typer.Option(
                "--accept-log-loss",
                help="restore even though audit entries after the backup are lost (recorded)",
            ),
        ] = False,
        json_output: JsonOption = False,
    ) -> None:
        """Put a backup back, then re-apply every shred and delete recorded after it.

        The current audit log is kept; the whole restore is one transaction. On a new machine
        (no home, or an empty database) it creates them and writes the backup's master key
        files, so `gdprguard init` is not needed first.

        \b
        Example: gdprguard restore /backups/gdprguard-2025-01-31 --dry-run
        """
        from ..backup import plan_restore, restore_backup
        from ._state import open_vault_for_restore

        passphrase = _passphrase(passphrase_env, confirm=False)
        with open_vault_for_restore(app_state(ctx), dry_run=dry_run) as vault:
            checkpoint_dir = vault.audit.checkpoint_dir
            plan = plan_restore(
                vault.store,
                vault.provider,
                directory,
                passphrase,
                checkpoint_dir=checkpoint_dir,
                accept_log_loss=accept_log_loss,
            )
            if not dry_run:
                if not yes:
                    _print_plan(plan, info)
                    typer.confirm(
                        "Replace gdprguard's database with this backup? Records sealed since "
                        "the backup are lost.",
                        abort=True,
                        err=True,
                    )
                plan = restore_backup(
                    vault.store,
                    vault.provider,
                    directory,
                    passphrase,
                    actor=_actor(),
                    checkpoint_dir=checkpoint_dir,
                    accept_log_loss=accept_log_loss,
                )
        if json_output:
            emit_json(plan.model_dump(mode="json"))
        else:
            _print_plan(plan, result)
