"""``gdprguard events list | retry``: the webhook receiver's queue."""

from __future__ import annotations

from typing import Annotated

import typer

from .._exceptions import InputError
from ._common import JsonOption, emit_json, info, open_vault, result

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``events`` command group to *app*."""
    events = typer.Typer(
        help="The webhook receiver's event queue: what failed, and retrying it.\n\n"
        "Example: gdprguard events list --failed",
        no_args_is_help=True,
    )

    @events.command("list")
    def list_command(
        ctx: typer.Context,
        failed: Annotated[
            bool, typer.Option("--failed", help="only events that failed or gave up (dead)")
        ] = False,
        limit: Annotated[int, typer.Option("--limit", min=1, metavar="N")] = 100,
        json_output: JsonOption = False,
    ) -> None:
        """The latest webhook events (ids and statuses; no content).

        \b
        Example: gdprguard events list --failed --json
        """
        from ..realtime import EventQueue

        with open_vault(ctx) as vault:
            queue = EventQueue(vault.store)
            found = queue.events(failed=failed, limit=limit)
            counts = queue.counts()
        if json_output:
            emit_json({"counts": counts, "events": [e.model_dump(mode="json") for e in found]})
            return
        info(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no events")
        for event in found:
            error = f" ({event.last_error})" if event.last_error else ""
            result(
                f"{event.id}  {event.connector} ticket {event.ticket_id}  {event.status}, "
                f"{event.attempts} attempt(s), received {event.received_at:%Y-%m-%d %H:%M:%S}"
                f"{error}"
            )

    @events.command("retry")
    def retry_command(
        ctx: typer.Context,
        event_ids: Annotated[
            list[int] | None, typer.Argument(metavar="[ID]...", help="events to retry")
        ] = None,
        all_failed: Annotated[
            bool, typer.Option("--all", help="every failed and dead event")
        ] = False,
        json_output: JsonOption = False,
    ) -> None:
        """Queue failed or dead events again; a running receiver picks them up.

        \b
        Example: gdprguard events retry --all
        """
        from ..realtime import EventQueue

        if not event_ids and not all_failed:
            raise InputError("say which events: gdprguard events retry ID... or --all")
        with open_vault(ctx) as vault:
            count = EventQueue(vault.store).retry(None if all_failed else event_ids)
        if json_output:
            emit_json({"requeued": count})
        else:
            result(f"{count} event(s) queued again")

    app.add_typer(events, name="events")
