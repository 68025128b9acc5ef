"""Entry point of the ``gdprguard`` command.

Each command group lives in its own module exposing ``register(app)``; this module only wires
them together and turns expected errors into one clear line on stderr and the contract's exit code
(2 for bad input/usage/config, 1 for anything else).
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from .._exceptions import GdprGuardError
from ._common import AppState

__all__ = ["app", "main"]

COMMAND_MODULES: tuple[str, ...] = ("scan", "sandbox", "connector", "keys", "audit", "backup")

app = typer.Typer(
    name="gdprguard",
    help="Make your helpdesk privacy-compliant: redact, encrypt, retain, answer "
    "data-subject requests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gdprguard {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="configuration file (default ./gdprguard.toml or $GDPRGUARD_CONFIG)"
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log details to stderr")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version")
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = AppState(config, verbose)


for _name in COMMAND_MODULES:
    importlib.import_module(f"{__package__}.{_name}").register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    try:
        app(args=argv, standalone_mode=False)
    except GdprGuardError as exc:
        typer.echo(f"gdprguard: error: {exc}", err=True)
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.echo("gdprguard: aborted", err=True)
        return 1
    except KeyboardInterrupt:
        typer.echo("gdprguard: interrupted", err=True)
        return 130
    except typer.TyperException as exc:  # usage errors: click already printed help where due
        if hasattr(exc, "show") and type(exc).__name__ != "NoArgsIsHelpError":
            exc.show()
        return int(getattr(exc, "exit_code", 2))
    except Exception as exc:  # a real bug: say so without dumping data-bearing locals
        logging.getLogger("gdprguard").debug("unexpected error", exc_info=True)
        typer.echo(
            f"gdprguard: internal error ({type(exc).__name__}); rerun with --verbose for details",
            err=True,
        )
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
