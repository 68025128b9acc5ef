"""Admin pages for the helpdesk connectors: list and test them, add one (checked first, exactly
as ``gdprguard connector add`` checks it), remove one (after a confirmation).

Both change the configuration file through the same code as the command line (validated,
written atomically), and the console works with the new set of connectors at once. Secrets
never appear: a token is always an ``env:VAR`` reference, and the audit log records a
connector's name and type only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, abort, redirect, request, url_for

from .._config_file import validated_settings
from .._exceptions import GdprGuardError, HelpdeskError, InputError, UsageError
from ..connectors import config_notes, connector_types
from ..connectors.setup import (
    CONNECTOR_NAME,
    TOKEN_REFERENCE,
    Wording,
    check_connector,
    connector_config,
    connector_file_text,
    connector_removed_text,
    write_atomically,
)
from ._web import admin_required, console, current_user, render

__all__ = ["blueprint"]

blueprint = Blueprint("connectors", __name__, url_prefix="/admin/connectors")

#: how the service's messages name this page's fields
WORDING = Wording(
    field="the {name} field",
    token_example="env:ZENDESK_TOKEN in the token field (set where the console runs)",
    replace="tick “Replace the existing connector” to overwrite it",
)
_FIELDS = ("name", "type", "url", "email", "token")


def shown_url(url: str) -> str:
    """*url* without any user name or password written into it."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _config_path() -> Path:
    path = console().config.config_path
    if path is None:
        raise InputError(
            "this console was started without a configuration file, so it cannot change one; "
            "start it with `gdprguard --config gdprguard.toml console`"
        )
    return path


def _page(status: int = 200, **context: Any) -> tuple[str, int]:
    configs = console().connector_configs
    values: dict[str, Any] = {
        "configs": configs,
        "urls": {name: shown_url(cfg.url) for name, cfg in configs.items()},
        "results": {},
        "form": {"type": "zendesk"},
        "error": None,
        "notes": [],
        "types": connector_types(),
        "editable": console().config.config_path is not None,
        "notice": request.args.get("notice"),
    }
    values.update(context)
    return render("admin_connectors.html", status=status, **values)


@blueprint.get("")
@admin_required
def index() -> Any:
    """The configured helpdesks (no secrets), a connection test for each, and the form to add
    one."""
    return _page()


@blueprint.post("/<name>/test")
@admin_required
def test(name: str) -> Any:
    """Check the helpdesk's credentials and admin rights."""
    configs = console().connector_configs
    if name not in configs:
        abort(404)
    result: dict[str, Any]
    try:
        connector = console().build_connectors([name])[name]
        try:
            who = connector.verify()
        finally:
            connector.close()
        result = {"ok": who.is_admin, "role": who.role, "user_id": who.id, "error": None}
    except GdprGuardError as exc:
        result = {"ok": False, "role": None, "user_id": None, "error": type(exc).__name__}
    console().audit(current_user().name, "console.connector-test", [f"connector:{name}"],
                    {"ok": result["ok"]})  # fmt: skip
    return _page(results={name: result})


def _form() -> dict[str, Any]:
    form: dict[str, Any] = {key: request.form.get(key, "").strip() for key in _FIELDS}
    form["replace"] = request.form.get("replace") == "on"
    form["allow_insecure_http"] = request.form.get("allow_insecure_http") == "on"
    return form


@blueprint.post("")
@admin_required
def add() -> Any:
    """Check the connector's credentials and admin rights, then save it to the configuration
    file; nothing is saved when the check fails."""
    form = _form()
    name = form["name"]
    notes: list[str] = []
    try:
        path = _config_path()
        cfg = connector_config(
            name, form["type"], form["url"], form["email"] or None, form["token"],
            allow_insecure_http=form["allow_insecure_http"], wording=WORDING,
        )  # fmt: skip
        notes = config_notes(cfg)
        connector_file_text(path, name, cfg, replace=form["replace"], wording=WORDING)
        check_connector(name, cfg, wording=WORDING)
        with console().config_lock:  # the file as it is now, another admin may have changed it
            text = connector_file_text(path, name, cfg, replace=form["replace"], wording=WORDING)
            write_atomically(path, text)
            console().use_connectors(validated_settings(path, text).connectors)
    except (UsageError, HelpdeskError) as exc:
        if not TOKEN_REFERENCE.match(form["token"]):
            form["token"] = ""  # perhaps the token itself: never sent back
        status = 502 if isinstance(exc, HelpdeskError) else 400
        return _page(status=status, form=form, error=str(exc), notes=notes)
    console().audit(current_user().name, "console.connector-add", [f"connector:{name}"],
                    {"name": name, "type": cfg.type})  # fmt: skip
    return redirect(url_for("connectors.index", notice="connector-added"))


def _existing(name: str) -> Any:
    if not CONNECTOR_NAME.match(name):
        abort(404)
    cfg = console().connector_configs.get(name)
    if cfg is None:
        abort(404)
    return cfg


def _confirm_page(name: str, status: int = 200, error: str | None = None) -> tuple[str, int]:
    cfg = _existing(name)
    return render("admin_connector_remove.html", status=status, name=name, config=cfg,
                  url=shown_url(cfg.url), job=console().jobs.running_on(name), error=error,
                  editable=console().config.config_path is not None)  # fmt: skip


@blueprint.get("/<name>/remove")
@admin_required
def confirm_remove(name: str) -> Any:
    """Ask before removing the connector."""
    return _confirm_page(name)


@blueprint.post("/<name>/remove")
@admin_required
def remove(name: str) -> Any:
    """Remove ``[connectors.NAME]`` from the configuration file (refused while a job uses it)."""
    cfg = _existing(name)
    job = console().jobs.running_on(name)
    if job is not None:
        return _confirm_page(name, status=409, error=(
            f"connector {name} is in use by a running {job.kind} ({job.target}); wait for it "
            "to finish, then remove the connector"
        ))  # fmt: skip
    try:
        path = _config_path()
        with console().config_lock:
            text = connector_removed_text(path, name)
            write_atomically(path, text)
            console().use_connectors(validated_settings(path, text).connectors)
    except UsageError as exc:
        return _confirm_page(name, status=400, error=str(exc))
    console().audit(current_user().name, "console.connector-remove", [f"connector:{name}"],
                    {"name": name, "type": cfg.type})  # fmt: skip
    return redirect(url_for("connectors.index", notice="connector-removed"))
