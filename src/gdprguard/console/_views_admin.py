"""Admin pages: accounts, connectors and policies (officers get 403 here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from flask import Blueprint, abort, redirect, request, url_for

from .._exceptions import GdprGuardError, InputError
from ..policy import load_policy, shipped_policies
from ._accounts import ROLES, Role
from ._web import admin_required, console, current_user, render

__all__ = ["blueprint"]

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.get("/")
@admin_required
def index() -> Any:
    """The admin pages start at the accounts."""
    return redirect(url_for("admin.users"))


@blueprint.get("/users")
@admin_required
def users() -> Any:
    """Every console account, and a form to add one."""
    return render("admin_users.html", users=console().accounts.all(), roles=ROLES, error=None,
                  notice=request.args.get("notice"))  # fmt: skip


@blueprint.post("/users")
@admin_required
def add_user() -> Any:
    """Add an account with a password."""
    name = request.form.get("name", "").strip()
    role = request.form.get("role", "")
    password = request.form.get("password", "")
    try:
        if role not in ROLES:
            raise InputError("choose the role: officer or admin")
        if password != request.form.get("confirm", ""):
            raise InputError("the two passwords differ; type the same password twice")
        console().accounts.add(name, cast(Role, role), password=password)
    except InputError as exc:
        return render("admin_users.html", status=400, users=console().accounts.all(),
                      roles=ROLES, error=str(exc), notice=None)  # fmt: skip
    console().audit(current_user().name, "console.user-add", [f"console-user:{name}"],
                    {"role": role})  # fmt: skip
    return redirect(url_for("admin.users", notice="added"))


@blueprint.post("/users/<name>")
@admin_required
def change_user(name: str) -> Any:
    """Disable or enable an account, or change its role."""
    accounts = console().accounts
    if accounts.get(name) is None:
        abort(404)
    action = request.form.get("action", "")
    if name == current_user().name and action in ("disable", "role"):
        raise InputError("you cannot disable your own account or change your own role")
    if action == "disable":
        accounts.disable(name)
    elif action == "enable":
        accounts.enable(name)
    elif action == "role" and request.form.get("role") in ROLES:
        accounts.set_role(name, cast(Role, request.form["role"]))
    else:
        abort(400)
    console().audit(current_user().name, f"console.user-{action}", [f"console-user:{name}"],
                    {"role": request.form.get("role")} if action == "role" else {})  # fmt: skip
    return redirect(url_for("admin.users", notice="changed"))


@blueprint.get("/connectors")
@admin_required
def connectors() -> Any:
    """The configured helpdesks (no secrets), with a connection test."""
    configs = console().connector_configs
    return render("admin_connectors.html", configs=configs, results={})


@blueprint.post("/connectors/<name>/test")
@admin_required
def test_connector(name: str) -> Any:
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
    return render("admin_connectors.html", configs=configs, results={name: result})


@blueprint.get("/policies")
@admin_required
def policies() -> Any:
    """The policy erasures honour, and the shipped policies, each checked against the
    configured helpdesks."""
    shown: list[dict[str, Any]] = []
    configured = console().config.policy_name
    sources: list[tuple[str, Any]] = []
    if configured:
        sources.append((configured, Path(configured)))
    sources += [(f"shipped: {item.name}", item) for item in shipped_policies()]
    capabilities = _capabilities()
    for label, source in sources:
        entry: dict[str, Any] = {"label": label, "rules": [], "problems": [], "error": None}
        try:
            policy = load_policy(source)
            entry["rules"] = [
                {"name": r.name, "realtime": getattr(r, "realtime", False)}
                for r in policy.document.rules
            ]
            entry["problems"] = [str(p) for p in policy.check(capabilities)]
        except GdprGuardError as exc:
            entry["error"] = str(exc)
        shown.append(entry)
    return render("admin_policies.html", policies=shown)


def _capabilities() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in console().connector_configs:
        try:
            connector = console().build_connectors([name])[name]
        except GdprGuardError:
            continue
        found[name] = connector.capabilities
        connector.close()
    return found
