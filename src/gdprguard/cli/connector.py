"""``gdprguard connector add | remove | test | list``: configure and check helpdesk accounts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from .._config import DEFAULT_CONFIG_NAME, ConnectorConfig, find_config_path
from .._exceptions import ConfigError, HelpdeskError, UsageError
from ..connectors import build_connector, config_notes
from ..connectors.setup import (
    check_connector,
    connector_config,
    connector_file_text,
    connector_removed_text,
    write_atomically,
)
from ._common import JsonOption, app_state, emit_json, info, result, settings_from

__all__ = ["check_connector", "register"]

connector_app = typer.Typer(
    help="Configure helpdesk connectors and check their credentials.\n\n"
    "Example: gdprguard connector list",
    no_args_is_help=True,
)


def _ok_line(name: str, result: dict[str, Any]) -> str:
    return f"connector {name}: ok (user {result['user_id']}, role {result['role']}, admin rights)"


def register(app: typer.Typer) -> None:
    """Add the ``connector`` command group to the root app."""
    app.add_typer(connector_app, name="connector")


def _config_path(ctx: typer.Context) -> Path:
    return find_config_path(app_state(ctx).config_path) or Path(DEFAULT_CONFIG_NAME)


def _token_status(token: str) -> str:
    if token.startswith("env:"):
        return "set" if os.environ.get(token[4:].strip()) else "unset"
    return "literal"


def _describe(name: str, cfg: ConnectorConfig) -> dict[str, Any]:
    return {
        "name": name,
        "type": cfg.type,
        "url": cfg.url,
        "email": cfg.email,
        # The env: reference is a name, not a secret; a literal token is never shown.
        "token": cfg.token if cfg.token.startswith("env:") else "<literal, hidden>",
        "token_status": _token_status(cfg.token),
    }


_ADD_HELP = (
    "Check a helpdesk account's credentials, then add it to the configuration file.\n\n"
    "Nothing is saved when the check fails; --no-test saves without checking (offline set-up).\n\n"
    "\b\nExample: gdprguard connector add support --type zendesk --url https://acme.zendesk.com "
    "--email admin@acme.com --token env:ZENDESK_TOKEN"
)


@connector_app.command("add", help=_ADD_HELP)
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="connector name, e.g. support")],
    type_: Annotated[
        str, typer.Option("--type", metavar="TYPE", help="zendesk, freshdesk or a plugin's type")
    ],
    url: Annotated[
        str, typer.Option("--url", metavar="URL", help="base URL, e.g. https://acme.zendesk.com")
    ],
    token: Annotated[
        str,
        typer.Option(
            "--token", metavar="env:VAR", help="the variable that holds the API token or key"
        ),
    ],
    email: Annotated[
        str | None,
        typer.Option(
            "--email", metavar="EMAIL", help="Zendesk: the admin's email (API-token auth)"
        ),
    ] = None,
    allow_insecure_http: Annotated[
        bool,
        typer.Option(
            "--allow-insecure-http",
            help="accept a plain http:// URL that is not this machine's loopback (the token "
            "then crosses the network unencrypted; only on a network you trust)",
        ),
    ] = False,
    test: Annotated[
        bool,
        typer.Option("--test/--no-test", help="check the connection first; save only if it works"),
    ] = True,
    replace: Annotated[bool, typer.Option("--replace", help="overwrite an existing one")] = False,
    json_out: JsonOption = False,
) -> None:
    """Check a helpdesk account's credentials, then add it to the configuration file."""
    cfg = connector_config(
        name, type_, url, email, token, allow_insecure_http=allow_insecure_http
    )  # before anything is written
    for note in config_notes(cfg):
        info(f"note: {note}")
    path = _config_path(ctx)
    text = connector_file_text(path, name, cfg, replace=replace)  # refuses duplicates up front
    outcome: dict[str, Any] = {**_describe(name, cfg), "config": str(path), "tested": test}
    if test:
        try:
            outcome.update(check_connector(name, cfg))
        except (HelpdeskError, ConfigError) as exc:
            info(
                f"nothing was saved to {path}; fix the problem below and rerun, or pass "
                "--no-test to save the connector without checking it"
            )
            raise exc from None
    write_atomically(path, text)
    if json_out:
        emit_json(outcome)
        return
    result(f"saved [connectors.{name}] to {path}")
    if test:
        result(_ok_line(name, outcome))


@connector_app.command("remove")
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="the connector to remove")],
    json_out: JsonOption = False,
) -> None:
    """Remove ``[connectors.NAME]`` from the configuration file (the helpdesk is not touched).

    What gdprguard keeps about the helpdesk (plans, journal, audit log, sealed originals) stays:
    a later `connector add` under the same name finds it again.

    Example: gdprguard connector remove support
    """
    path = _config_path(ctx)
    if not path.exists():
        raise ConfigError(f"no configuration file at {path}; nothing to remove")
    text = connector_removed_text(path, name)
    write_atomically(path, text)
    if json_out:
        emit_json({"name": name, "config": str(path), "removed": True})
        return
    result(f"removed [connectors.{name}] from {path}")


@connector_app.command("test")
def test_(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="the NAME of a [connectors.NAME] section")
    ],
    json_out: JsonOption = False,
) -> None:
    """Check a connector's credentials and admin rights (exit 1 with the reason if they fail).

    \b
    Example: gdprguard connector test support
    """
    settings = settings_from(ctx)
    cfg = settings.connectors.get(name)
    if cfg is None:
        known = ", ".join(sorted(settings.connectors)) or "none configured"
        raise ConfigError(
            f"no connector named {name!r} (known: {known}); add one with `gdprguard connector add`"
        )
    outcome = {**_describe(name, cfg), **check_connector(name, cfg)}
    webhook = _webhook_status(ctx, name)
    if webhook is not None:
        outcome["webhook"] = webhook
    if json_out:
        emit_json(outcome)
    else:
        result(_ok_line(name, outcome))
        if webhook is not None:
            result(_webhook_line(name, webhook))


def _webhook_status(ctx: typer.Context, name: str) -> dict[str, Any] | None:
    """Whether a webhook is installed for *name* and whether its events arrive (None when
    there is no gdprguard home to look in)."""
    from sqlalchemy import func, select

    from ..realtime.secrets import load_webhook_secret
    from ..store import webhook_events
    from ._common import open_vault

    try:
        with open_vault(ctx) as vault:
            if load_webhook_secret(vault, name) is None:
                return {"installed": False}
            with vault.store.session(write=False) as session:
                count, last = session.execute(
                    select(func.count(), func.max(webhook_events.c.received_at)).where(
                        webhook_events.c.connector == name
                    )
                ).one()
    except UsageError:
        return None
    return {
        "installed": True,
        "events": int(count),
        "last_event_at": last.isoformat() if last is not None else None,
    }


def _webhook_line(name: str, webhook: dict[str, Any]) -> str:
    if not webhook["installed"]:
        return f"connector {name}: no webhook installed (`gdprguard connector install-webhook`)"
    if not webhook["events"]:
        return (
            f"connector {name}: webhook installed, but no event has arrived yet; is "
            "`gdprguard serve` reachable at the URL the helpdesk calls (for Freshdesk: was the "
            "automation rule created)? Add a note to a ticket and test again"
        )
    return (
        f"connector {name}: webhook installed, {webhook['events']} event(s) received, the last "
        f"at {webhook['last_event_at']}"
    )


@connector_app.command("list")
def list_(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """List configured connectors (tokens are never shown).

    \b
    Example: gdprguard connector list --json
    """
    settings = settings_from(ctx)
    rows = [_describe(name, cfg) for name, cfg in sorted(settings.connectors.items())]
    if json_out:
        emit_json({"connectors": rows})
        return
    if not rows:
        info("no connectors configured; add one with `gdprguard connector add`")
        return
    for row in rows:
        token = f"{row['token']} ({row['token_status']})"
        result(f"{row['name']}\t{row['type']}\t{row['url']}\ttoken {token}")


@connector_app.command("install-webhook")
def install_webhook(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="the NAME of a [connectors.NAME] section")
    ],
    url: Annotated[
        str | None,
        typer.Option(
            "--url", metavar="PUBLIC_URL", help="where the helpdesk reaches `gdprguard serve`"
        ),
    ] = None,
    uninstall: Annotated[
        bool, typer.Option("--uninstall", help="remove the webhook and its secret")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Make the helpdesk call `gdprguard serve` on new tickets and comments.

    Zendesk: creates the webhook and its trigger through the API and seals the signing secret
    in the vault. Freshdesk (whose API cannot create automation rules): seals a new secret and
    prints the rule to create by hand.

    \b
    Example: gdprguard connector install-webhook support --url https://gdprguard.example.com
    """
    from ..audit import default_actor
    from ..realtime.secrets import forget_webhook_secret, new_shared_secret, save_webhook_secret
    from ..realtime.signatures import SECRET_HEADER
    from ._common import open_vault

    settings = settings_from(ctx)
    cfg = settings.connectors.get(name)
    if cfg is None:
        known = ", ".join(sorted(settings.connectors)) or "none configured"
        raise ConfigError(f"no connector named {name!r} (known: {known})")
    hook_name = f"gdprguard-{name}"
    connector = build_connector(name, cfg)
    actor = default_actor()
    try:
        with open_vault(ctx) as vault:
            if uninstall:
                removed = 0
                if connector.capabilities.webhook_install:
                    removed = connector.uninstall_webhook(name=hook_name)  # type: ignore[attr-defined]
                forgot = forget_webhook_secret(vault, name, actor=actor)
                outcome = {"connector": name, "removed": removed, "secret_destroyed": forgot}
                if json_out:
                    emit_json(outcome)
                else:
                    result(f"connector {name}: {removed} webhook object(s) removed, secret "
                           f"{'destroyed' if forgot else 'not found'}")  # fmt: skip
                return
            if not url:
                raise UsageError("--url PUBLIC_URL is required (where the helpdesk reaches serve)")
            endpoint = _webhook_endpoint(url, name)
            if connector.capabilities.webhook_install:
                installed = connector.install_webhook(endpoint, name=hook_name)  # type: ignore[attr-defined]
                save_webhook_secret(vault, name, installed.secret.get_secret_value(), actor=actor)
                outcome = {
                    "connector": name, "endpoint": endpoint, "webhook_id": installed.webhook_id,
                    "trigger_ids": list(installed.trigger_ids), "secret": "sealed in the vault",
                }  # fmt: skip
                if json_out:
                    emit_json(outcome)
                else:
                    result(f"connector {name}: webhook {installed.webhook_id} calls {endpoint}; "
                           "its signing secret is sealed in the vault")  # fmt: skip
                return
            from ..connectors.freshdesk import freshdesk_automation_instructions

            secret = new_shared_secret()
            save_webhook_secret(vault, name, secret, actor=actor)
            instructions = freshdesk_automation_instructions(endpoint, SECRET_HEADER, secret)
            if json_out:
                emit_json({"connector": name, "endpoint": endpoint, "header": SECRET_HEADER,
                           "manual": True})  # fmt: skip
            else:
                result(instructions)
            info(
                f"{SECRET_HEADER} value (shown once, sealed in the vault; paste it into the "
                f"rule): {secret}"
            )
    finally:
        connector.close()


def _webhook_endpoint(url: str, name: str) -> str:
    from urllib.parse import urlsplit

    from .._config import is_loopback_host

    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UsageError(f"--url {url!r}: give the receiver's public URL, e.g. https://host")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise UsageError(
            "--url must be https:// (the helpdesk sends ticket ids and the receiver's secret "
            "travels with each call); put `gdprguard serve` behind a TLS reverse proxy"
        )
    return f"{url.strip().rstrip('/')}/webhooks/{name}"
