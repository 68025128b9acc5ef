"""``gdprguard audit verify|list``: check and read the tamper-evident audit log."""

from __future__ import annotations

from typing import Annotated

import typer

from .._exceptions import AuditTamperedError
from ._common import JsonOption, emit_json, emit_jsonl, info, open_vault, result, warn

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command group to *app*."""
    audit = typer.Typer(
        help="Verify and read the tamper-evident audit log.\n\nExample: gdprguard audit verify",
        no_args_is_help=True,
    )

    @audit.command("verify")
    def verify_command(ctx: typer.Context, json_output: JsonOption = False) -> None:
        """Check every entry's HMAC, the hash chain and the checkpoint; exit 1 if tampered.

        \b
        Example: gdprguard audit verify --json
        """
        with open_vault(ctx) as vault:
            report = vault.audit.verify()
        if json_output:
            emit_json(report.model_dump(mode="json"))
        else:
            for problem in report.problems:
                info(f"  {problem.kind}: {problem.message}")
        for warning in report.warnings:
            warn(warning)
        if not report.ok:
            from ..audit import summarise

            raise AuditTamperedError(summarise(report))
        if not json_output:
            result(f"audit log OK: {report.entries} entries verified")

    @audit.command("list")
    def list_command(
        ctx: typer.Context,
        json_output: Annotated[
            bool, typer.Option("--json", help="JSON Lines on stdout, one entry per line")
        ] = False,
        since: Annotated[
            int, typer.Option("--since", min=0, metavar="SEQ", help="entries after this seq")
        ] = 0,
        limit: Annotated[
            int | None, typer.Option("--limit", min=1, metavar="N", help="at most N entries")
        ] = None,
    ) -> None:
        """List entries, oldest first (not verified; `gdprguard audit verify` does that).

        \b
        Example: gdprguard audit list --since 100 --limit 20 > entries.txt
        """
        with open_vault(ctx) as vault:
            for entry in vault.audit.entries(since_seq=since, limit=limit):
                if json_output:
                    emit_jsonl(entry.model_dump(mode="json"))
                else:
                    targets = ",".join(entry.target_ids)
                    result(f"{entry.seq} {entry.ts} {entry.actor} {entry.action} {targets}")

    app.add_typer(audit, name="audit")
