"""Admin pages: the accounts (officers get 403 here); the connectors and policies pages are in
``_views_connectors`` and ``_views_policies``."""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, abort, redirect, request, url_for

from .._exceptions import InputError
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
