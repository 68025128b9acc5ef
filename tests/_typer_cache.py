"""Tests call the CLI in-process hundreds of times: build its click command tree once.

Typer turns the app into a tree of click commands on every call (``typer.main.get_command``).
A real ``gdprguard`` process calls it once, for the few commands it registered; a test process
has registered them all after a while and rebuilt the whole tree on every ``main([...])``, about
a tenth of a second of CPU each time. The tree depends only on what is registered, so here it is
built again only when that changes: a different app, or a command, group or callback added,
removed or reordered (registration objects compare by identity). Click commands keep no state
between invocations, so running a cached tree is running a fresh one.

``tests/conftest.py`` installs this in every test process; child processes are unaffected.
"""

from __future__ import annotations

from typing import Any

import typer
import typer.main

__all__ = ["install"]

_build = typer.main.get_command
#: id of the Typer app -> (the app, what was registered when built, the click command)
_built: dict[int, tuple[typer.Typer, tuple[Any, ...], Any]] = {}


def _registered(app: typer.Typer) -> tuple[Any, ...]:
    """Everything the click tree is built from, as objects compared by identity."""
    return (
        app.info,
        app.registered_callback,
        tuple(app.registered_commands),
        tuple(
            (group, group.typer_instance and _registered(group.typer_instance))
            for group in app.registered_groups
        ),
    )


def _get_command(app: typer.Typer) -> Any:
    shape = _registered(app)
    hit = _built.get(id(app))
    if hit is not None and hit[0] is app and hit[1] == shape:
        return hit[2]
    command = _build(app)
    _built[id(app)] = (app, shape, command)
    return command


def install() -> None:
    """Make ``typer.main.get_command`` (which ``Typer.__call__`` uses) reuse built trees."""
    typer.main.get_command = _get_command
