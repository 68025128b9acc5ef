"""Admin pages for retention policies: which one ``[dsar] policy`` names (erasures honour its
legal holds; the subject's report explains its rules), and the policy files themselves.

The files live in the folder next to the configuration file (``policies/``, where
``gdprguard init`` copies the shipped ones). A new or edited policy is checked exactly as
``gdprguard policy check`` checks it, against every configured helpdesk, before anything is
written; choosing one rewrites ``[dsar] policy`` and the console honours it at once. Each change
is audited with the file's name and the SHA-256 of its content.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, redirect, request, url_for

from .._exceptions import InputError, UsageError
from ..policy import PolicyValidationError, load_policy, parse_policy, shipped_policies
from ._policy_files import (
    PolicyFolder,
    capabilities_of,
    checked_policy,
    decode_policy,
    dsar_policy_setting,
    policy_file_name,
    select_policy,
    sha256_of,
    shipped_text,
)
from ._web import admin_required, console, current_user, render

__all__ = ["blueprint"]

blueprint = Blueprint("policies", __name__, url_prefix="/admin/policies")
_SOURCES = ("folder", "shipped")


def _folder() -> PolicyFolder | None:
    folder = console().config.policy_dir
    return PolicyFolder(folder) if folder is not None else None


def _shown_folder() -> str | None:
    """The policy folder as the pages name it (relative to the working directory if inside)."""
    folder = console().config.policy_dir
    return f"{dsar_policy_setting(folder)}/" if folder is not None else None


def _require_folder() -> PolicyFolder:
    folder = _folder()
    if folder is None or console().config.config_path is None:
        raise InputError(
            "this console was started without a configuration file, so it cannot change "
            "policies; start it with `gdprguard --config gdprguard.toml console`"
        )
    return folder


def _same_file(a: str | None, b: Path) -> bool:
    return a is not None and Path(a).resolve() == b.resolve()


def _describe(label: str, source: Path | bytes, capabilities: dict[str, Any]) -> dict[str, Any]:
    """A policy file (*source*: its path, or its content, then named *label* in the messages)
    loaded and checked, for the page."""
    entry: dict[str, Any] = {"label": label, "rules": [], "problems": [], "error": None}
    try:
        if isinstance(source, Path):
            policy = load_policy(source)
        else:
            policy = parse_policy(decode_policy(source, label), label)
    except UsageError as exc:
        return {**entry, "error": str(exc), "usable": False}
    problems = policy.check(capabilities)
    entry["rules"] = [{"name": r.name, "realtime": r.realtime} for r in policy.rules]
    entry["problems"] = [str(p) for p in problems]
    entry["usable"] = not any(p.severity == "error" for p in problems)
    return entry


def _page(status: int = 200, error: str | None = None, problems: Any = ()) -> tuple[str, int]:
    capabilities = capabilities_of(console().connector_configs)
    in_use = console().policy_source
    folder = _folder()
    files: list[dict[str, Any]] = []
    if folder is not None:
        for name in folder.names():
            entry = _describe(name, folder.path(name).read_bytes(), capabilities)
            entry.update(name=name, in_use=_same_file(in_use, folder.path(name)))
            files.append(entry)
    shipped = []
    for item in shipped_policies():
        entry = _describe(item.name, item.read_bytes(), capabilities)
        entry.update(name=item.name, in_use=in_use == str(item))
        shipped.append(entry)
    outside = None
    if in_use and not any(e["in_use"] for e in [*files, *shipped]):
        outside = {**_describe(in_use, Path(in_use), capabilities), "name": in_use, "in_use": True}
    return render(
        "admin_policies.html", status=status, files=files, shipped=shipped, outside=outside,
        in_use=in_use, folder=_shown_folder(),
        editable=folder is not None and console().config.config_path is not None,
        checked_against=sorted(capabilities), notice=request.args.get("notice"), error=error,
        problems=[str(p) for p in problems],
    )  # fmt: skip


@blueprint.get("")
@admin_required
def index() -> Any:
    """The policy in use, the folder's and the shipped policies, each checked against what
    every configured helpdesk can do."""
    return _page()


@blueprint.post("/select")
@admin_required
def select() -> Any:
    """Make ``[dsar] policy`` name this policy (a shipped one is copied into the folder)."""
    source = request.form.get("source", "")
    try:
        if source not in _SOURCES:
            raise InputError("choose a policy from the folder or a shipped one")
        name = policy_file_name(request.form.get("name", ""))
        folder = _require_folder()
        config_path = console().config.config_path
        assert config_path is not None  # _require_folder checked it
        capabilities = capabilities_of(console().connector_configs)
        with console().config_lock:
            text = shipped_text(name) if source == "shipped" else folder.read(name)
            policy, _warnings = checked_policy(text, name, capabilities)
            path = folder.place_shipped(name, text) if source == "shipped" else folder.path(name)
            select_policy(config_path, path)
            console().use_policy(policy, str(path))
    except PolicyValidationError as exc:
        return _page(status=400, problems=exc.problems)
    except UsageError as exc:
        return _page(status=400, error=str(exc))
    console().audit(current_user().name, "console.policy-select", [f"policy:{name}"],
                    {"file": name, "sha256": sha256_of(text)})  # fmt: skip
    return redirect(url_for("policies.index", notice="policy-selected"))


def _editor(
    status: int = 200,
    *,
    name: str = "",
    text: str = "",
    mode: str = "new",
    error: str | None = None,
    problems: Any = (),
) -> tuple[str, int]:
    return render(
        "admin_policy_edit.html", status=status, name=name, text=text, mode=mode, error=error,
        problems=[str(p) for p in problems], folder=_shown_folder(),
        checked_against=sorted(capabilities_of(console().connector_configs)),
    )  # fmt: skip


@blueprint.get("/new")
@admin_required
def new() -> Any:
    """The form for a new policy: typed or pasted, or uploaded as a UTF-8 file."""
    _require_folder()
    return _editor()


@blueprint.get("/<name>/edit")
@admin_required
def edit(name: str) -> Any:
    """The form to change one of the folder's policies."""
    folder = _require_folder()
    try:
        text = folder.read(policy_file_name(name))
    except InputError:
        abort(404)
    return _editor(name=name, text=text, mode="edit")


def _submitted_text(name: str) -> str:
    upload = request.files.get("upload")
    if upload is not None and upload.filename:
        return decode_policy(upload.read(), name)
    return request.form.get("text", "").replace("\r\n", "\n")


@blueprint.post("/save")
@admin_required
def save() -> Any:
    """Check the policy as ``gdprguard policy check`` does and save it; nothing is written
    when it has an error."""
    mode = "edit" if request.form.get("mode") == "edit" else "new"
    name = request.form.get("name", "").strip()
    text = request.form.get("text", "")
    try:
        folder = _require_folder()
        name = policy_file_name(name)
        text = _submitted_text(name)
        if not text.strip():
            raise InputError("the policy is empty; type it, paste it or upload a .yaml file")
        policy, _warnings = checked_policy(text, name, capabilities_of(console().connector_configs))
        with console().config_lock:
            path = folder.path(name)
            if mode == "new" and path.exists():
                raise InputError(f"{path} already exists; edit it, or choose another name")
            folder.write(name, text)
            if _same_file(console().policy_source, path):
                console().use_policy(policy, str(path))
    except PolicyValidationError as exc:
        return _editor(400, name=name, text=text, mode=mode, problems=exc.problems)
    except UsageError as exc:
        return _editor(400, name=name, text=text, mode=mode, error=str(exc))
    console().audit(current_user().name, "console.policy-save", [f"policy:{name}"],
                    {"file": name, "sha256": sha256_of(text), "new": mode == "new"})  # fmt: skip
    return redirect(url_for("policies.index", notice="policy-saved"))
