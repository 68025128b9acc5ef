"""``gdprguard policy check | explain``: validate a retention policy; say what it does to a ticket.

``check`` needs nothing but the file (and, to judge what each helpdesk can do, the configured
connectors or ``--type``). ``explain`` reads one ticket through a configured connector, runs
detection on its text to learn which *types* of personal data it holds, and prints the decision;
the text itself is never printed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._exceptions import ConfigError, NotFoundError, UsageError
from ..policy import (
    ConnectorCapabilities,
    Policy,
    PolicyValidationError,
    Problem,
    TicketFacts,
    facts_from_records,
    load_policy,
)
from ._common import emit_json, info, settings_from

if TYPE_CHECKING:
    from .._config import Settings
    from ..connectors import HelpdeskConnector
    from ..models import Comment, Person, Ticket

__all__ = ["register"]

policy_app = typer.Typer(
    help="Check retention policies and explain their decisions.\n\n"
    "Example: gdprguard policy check policies/default.yaml",
    no_args_is_help=True,
)

FileArg = Annotated[Path, typer.Argument(help="policy file, e.g. policies/default.yaml")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON document")]


def register(app: typer.Typer) -> None:
    """Add the ``policy`` command group to the root app."""
    app.add_typer(policy_app, name="policy")


# --- check ---------------------------------------------------------------------------------------


def _capabilities_of(type_name: str) -> ConnectorCapabilities | None:
    from ..connectors import get_connector_class

    caps: ConnectorCapabilities | None = getattr(
        get_connector_class(type_name), "capabilities", None
    )
    return caps


def _targets(
    settings: Settings, names: list[str], types: list[str]
) -> dict[str, ConnectorCapabilities]:
    """Connector name (or ``type:NAME`` for --type) -> its capabilities."""
    chosen = names or sorted(settings.connectors)
    out: dict[str, ConnectorCapabilities] = {}
    for name in chosen:
        cfg = settings.connectors.get(name)
        if cfg is None:
            known = ", ".join(sorted(settings.connectors)) or "none configured"
            raise ConfigError(
                f"no connector named {name!r} (known: {known}); add one with "
                "`gdprguard connector add`, or check against a helpdesk type with --type"
            )
        caps = _capabilities_of(cfg.type)
        if caps is None:
            info(f"connector {name}: its type {cfg.type} declares no capabilities; not checked")
            continue
        out[name] = caps
    for type_name in types:
        caps = _capabilities_of(type_name)
        if caps is None:
            info(f"type {type_name} declares no capabilities; not checked")
            continue
        out[f"type:{type_name}"] = caps
    return out


def _summary(policy: Policy) -> dict[str, Any]:
    realtime = len(policy.realtime_rules())
    return {
        "name": policy.name,
        "rules": len(policy.rules),
        "realtime_rules": realtime,
        "holds": len(policy.holds),
    }


def _problem_json(problem: Problem) -> dict[str, Any]:
    return problem.model_dump(mode="json", exclude_none=True)


@policy_app.command("check")
def check(
    ctx: typer.Context,
    file: FileArg,
    connector: Annotated[
        list[str] | None,
        typer.Option(
            "--connector",
            help="check against this configured connector's helpdesk (repeatable; default: all)",
        ),
    ] = None,
    type_: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            help="check against a helpdesk type without configuring it, e.g. freshdesk "
            "(repeatable)",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Validate a policy: unknown keys, typos, contradictions, actions a helpdesk cannot do.

    Exit 0 when it is usable (warnings are printed), 2 with every error and its line otherwise.

    \b
    Example: gdprguard policy check policies/default.yaml --type freshdesk
    """
    source = str(file)
    try:
        policy = load_policy(file)
    except PolicyValidationError as exc:
        if json_out:
            emit_json(
                {"file": source, "ok": False, "problems": [_problem_json(p) for p in exc.problems]}
            )
        raise
    settings = settings_from(ctx)
    targets = _targets(settings, connector or [], type_ or [])
    problems = policy.check(targets)
    errors = [p for p in problems if p.severity == "error"]
    if json_out:
        emit_json(
            {
                "file": source,
                "ok": not errors,
                "policy": _summary(policy),
                "checked_against": sorted(targets),
                "problems": [_problem_json(p) for p in problems],
            }
        )
    else:
        for problem in problems:
            typer.echo(str(problem))
        s = _summary(policy)
        against = f"; checked against {', '.join(sorted(targets))}" if targets else ""
        status = "ok" if not errors else f"{len(errors)} error(s)"
        warned = (
            f", {len(problems) - len(errors)} warning(s)" if len(problems) > len(errors) else ""
        )
        typer.echo(
            f"{source}: {status}{warned} - {s['rules']} rules ({s['realtime_rules']} realtime), "
            f"{s['holds']} legal hold(s){against}"
        )
    if errors:
        raise PolicyValidationError(errors)


# --- explain -------------------------------------------------------------------------------------


def _pick_connector(settings: Settings, name: str | None) -> str:
    if name is not None:
        if name not in settings.connectors:
            known = ", ".join(sorted(settings.connectors)) or "none configured"
            raise ConfigError(
                f"no connector named {name!r} (known: {known}); add one with "
                "`gdprguard connector add`"
            )
        return name
    if len(settings.connectors) == 1:
        return next(iter(settings.connectors))
    if not settings.connectors:
        raise ConfigError(
            "no connectors configured; add one with `gdprguard connector add` (the sandbox "
            "works too: `gdprguard sandbox serve`)"
        )
    raise UsageError(
        f"several connectors are configured ({', '.join(sorted(settings.connectors))}); "
        "choose one with --connector NAME"
    )


def _at(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--at {value!r} is not a date; write e.g. 2026-01-01 or 2026-01-01T09:00:00Z"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _read_ticket(
    connector: HelpdeskConnector, name: str, ticket_id: str
) -> tuple[Ticket, list[Comment], Person | None]:
    try:
        ticket = connector.get_ticket(ticket_id)
    except NotFoundError:
        raise UsageError(
            f"ticket {ticket_id} does not exist on connector {name} (or was deleted); "
            "check --ticket"
        ) from None
    comments = [] if ticket.deleted else list(connector.iter_comments(ticket.id))
    requester = None
    if ticket.requester_id:
        try:
            requester = connector.get_person(ticket.requester_id)
        except NotFoundError:
            requester = None
    return ticket, comments, requester


def _field_texts(ticket: Ticket) -> list[str]:
    texts = [ticket.subject or ""]
    for value in ticket.custom_fields.values():
        values = value if isinstance(value, list) else [value]
        texts.extend(v for v in values if isinstance(v, str) and v)
    return [t for t in texts if t]


def _facts(
    settings: Settings,
    name: str,
    ticket: Ticket,
    comments: list[Comment],
    requester: Person | None,
) -> TicketFacts:
    """Detection on the ticket's text, reduced to the entity types per comment."""
    from ..detect import Detector, KnownSubject  # Presidio loads here, not at start-up

    detector = Detector(settings.detection)
    subject = None
    if requester is not None:
        names = (requester.name,) if requester.name else ()
        subject = KnownSubject(
            names=names, emails=tuple(requester.emails), phones=tuple(requester.phones)
        )

    def types_in(text: str) -> set[str]:
        return {f.type for f in detector.analyze(text, known_subject=subject)} if text else set()

    per_comment = {c.id: types_in(c.body) for c in comments}
    ticket_types: set[str] = set()
    for text in _field_texts(ticket):
        ticket_types |= types_in(text)
    return facts_from_records(
        name,
        ticket,
        comments,
        requester,
        comment_entities=per_comment,
        ticket_entities=ticket_types,
    )


def _facts_json(facts: TicketFacts) -> dict[str, Any]:
    """The facts without field values (a custom field may hold a phone number)."""
    data = facts.model_dump(mode="json", exclude={"custom_fields"})
    data["custom_fields"] = sorted(facts.custom_fields)
    return data


@policy_app.command("explain")
def explain(
    ctx: typer.Context,
    file: FileArg,
    ticket: Annotated[str, typer.Option("--ticket", help="the helpdesk's ticket id")],
    connector: Annotated[
        str | None,
        typer.Option("--connector", help="configured connector (default: the only one)"),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="decide as of this date, e.g. 2026-01-01 (default: now)"),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Say which rules apply to one ticket and why (reads it; changes nothing).

    \b
    Example: gdprguard policy explain policies/default.yaml --ticket 4711
    """
    policy = load_policy(file)
    now = _at(at)
    settings = settings_from(ctx)
    name = _pick_connector(settings, connector)
    from ..connectors import build_connector

    cfg = settings.connectors[name]
    client = build_connector(name, cfg)
    try:
        record, comments, requester = _read_ticket(client, name, ticket)
    finally:
        client.close()
    facts = _facts(settings, name, record, comments, requester)
    capabilities = _capabilities_of(cfg.type)
    decision = policy.decide(facts, now, capabilities=capabilities)
    if json_out:
        emit_json(
            {
                "policy": policy.name,
                "file": str(file),
                "facts": _facts_json(facts),
                "decision": decision.to_json(),
            }
        )
    else:
        typer.echo(decision.explain())
