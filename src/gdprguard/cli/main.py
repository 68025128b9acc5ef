"""Entry point of the ``gdprguard`` command.

Each command group lives in its own module exposing ``register(app)``; this module only wires
them together and turns every way a command can end into the contract's exit code, with one clear
line on stderr: 0 success, 2 bad input/usage/configuration, 1 any other failure, 128 + the signal
number when interrupted (130 for Ctrl-C, 143 for SIGTERM).
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from .._exceptions import ConfigError, GdprGuardError
from .._home import pin_home, pinned_home
from .._logging import configure_cli_logging, reset_cli_logging
from ._common import AppState
from ._output import error_line
from ._signals import Interrupted, interrupts_raise

__all__ = ["app", "main"]  # noqa: F822 - ``app`` is built on first access (__getattr__)

#: command modules, each with ``register(app)``; a plain tuple of names, in help order
COMMAND_MODULES: tuple[str, ...] = (
    "demo",
    "init",
    "doctor",
    "status",
    "scan",
    "sandbox",
    "connector",
    "keys",
    "audit",
    "backup",
    "sweep",
    "dsar",
    "serve",
    "console",
    "user",
    "events",
    "schedule",
    "policy",
)

#: commands whose name is not the name of the module that registers them
_COMMAND_MODULE = {"redact": "scan", "restore": "backup"}
#: root options that take a value, and root flags, which may stand before the command
_ROOT_VALUE_OPTIONS = ("--config", "--home")
_ROOT_FLAGS = ("--verbose", "-v")

#: optional extras, by the module whose absence means the extra is not installed
_EXTRAS = {"psycopg": "postgres", "psycopg2": "postgres"}
#: exit status when the reader of stdout went away, as for a tool stopped by SIGPIPE (128 + 13)
BROKEN_PIPE_EXIT = 141
_DEVICE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG})

_app = typer.Typer(
    name="gdprguard",
    help="Make your helpdesk privacy-compliant: redact personal data, encrypt what is kept, "
    "enforce retention and answer requests from data subjects.\n\n"
    "New here? `gdprguard demo` shows it all working on a sandbox helpdesk; then run "
    "`gdprguard init` and `gdprguard doctor` to set it up.\n\n"
    "\b\nExample: gdprguard scan tickets.jsonl --min-score 0.6",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gdprguard {__version__}")
        raise typer.Exit()


@_app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            help="configuration file (default ./gdprguard.toml or $GDPRGUARD_CONFIG)",
        ),
    ] = None,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            metavar="DIR",
            help="state directory (default $GDPRGUARD_HOME, [home] path, then ./.gdprguard)",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log details to stderr")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version")
    ] = False,
) -> None:
    configure_cli_logging(verbose)
    state = AppState(config, verbose, home)
    ctx.obj = state
    # Pin the home now, so library code asking home_dir() agrees with the command. A broken
    # configuration is reported by the command that needs it (doctor reports it as a check).
    with contextlib.suppress(ConfigError):
        _ = state.home


_registered: set[str] = set()
_origin: dict[int, int] = {}  # id of a registered command or group -> its module's position


def _register(modules: Iterable[str]) -> typer.Typer:
    """Import command modules and register their commands, keeping the help order.

    A command imports only its own module (``gdprguard scan`` never imports the connectors or
    the policy engine); help, completion and unknown commands register all of them.
    """
    for name in modules:
        if name in _registered:
            continue
        commands, groups = len(_app.registered_commands), len(_app.registered_groups)
        importlib.import_module(f"{__package__}.{name}").register(_app)
        for info in [*_app.registered_commands[commands:], *_app.registered_groups[groups:]]:
            _origin[id(info)] = COMMAND_MODULES.index(name)
        _registered.add(name)

    def position(info: object) -> int:
        return _origin.get(id(info), len(COMMAND_MODULES))

    _app.registered_commands.sort(key=position)
    _app.registered_groups.sort(key=position)
    return _app


def _modules_for(args: Sequence[str]) -> tuple[str, ...]:
    """The command modules *args* needs: the command's own, or all when it is not known."""
    if any(key.startswith("_GDPRGUARD_COMPLETE") for key in os.environ):
        return COMMAND_MODULES
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _ROOT_VALUE_OPTIONS:
            i += 2
        elif arg in _ROOT_FLAGS or arg.startswith(tuple(f"{o}=" for o in _ROOT_VALUE_OPTIONS)):
            i += 1
        else:
            module = _COMMAND_MODULE.get(arg, arg)
            return (module,) if module in COMMAND_MODULES else COMMAND_MODULES
    return COMMAND_MODULES


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # the whole CLI, every command registered
        return _register(COMMAND_MODULES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    _register(_modules_for(sys.argv[1:] if argv is None else argv))
    previous_home = pinned_home()
    try:
        with interrupts_raise():
            return _run(argv)
    except Interrupted as exc:  # arrived after the command had ended: it still did not "finish"
        return _interrupted(exc)
    finally:
        pin_home(previous_home)
        reset_cli_logging()


def _run(argv: list[str] | None) -> int:
    try:
        outcome = _app(args=argv, prog_name="gdprguard", standalone_mode=False)
    except Interrupted as exc:
        return _interrupted(exc)
    except GdprGuardError as exc:
        error_line(str(exc))
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:  # a prompt answered "no", or closed with Ctrl-D
        typer.echo("gdprguard: aborted, nothing was changed", err=True)
        return 1
    except typer.TyperException as exc:  # usage errors: a short usage line and the problem
        if type(exc).__name__ == "NoArgsIsHelpError":  # `gdprguard keys`: the help, on stdout
            typer.echo(getattr(exc, "format_message", lambda: "")())
        else:
            show = getattr(exc, "show", None)
            if callable(show):
                show()
        return int(getattr(exc, "exit_code", 2))
    except SystemExit as exc:  # shell completion and a closed pipe end this way
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            # click's sign that the reader went away (`gdprguard scan … | head`): end quietly
            # with the status of a tool stopped by SIGPIPE; the output is incomplete, not failed
            return BROKEN_PIPE_EXIT
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except OSError as exc:
        if exc.errno not in _DEVICE_ERRORS:
            return _internal_error(exc)
        # a full disk or a failing device: say which, never the path (it may name a person)
        error_line(
            f"could not write: {os.strerror(exc.errno)}; free some space (or fix the device) "
            "and run the command again; any output it wrote is incomplete"
        )
        return 1
    except ModuleNotFoundError as exc:
        extra = _EXTRAS.get((exc.name or "").split(".")[0])
        if extra is None:
            return _internal_error(exc)
        error_line(
            f"this needs the optional module {exc.name}, which is not installed; install it "
            f"with `pip install 'gdprguard[{extra}]'`"
        )
        return 2
    except Exception as exc:  # a real bug: say so without dumping data-bearing locals
        return _internal_error(exc)
    # With standalone_mode=False click hands an Exit back as its code instead of raising it.
    return outcome if isinstance(outcome, int) else 0


def _interrupted(exc: Interrupted) -> int:
    with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream
        sys.stdout.flush()
    typer.echo(
        f"gdprguard: interrupted by {exc.name}; the command did not finish (exit "
        f"{exc.exit_code}), and any output it wrote is incomplete",
        err=True,
    )
    return exc.exit_code


def _internal_error(exc: BaseException) -> int:
    logging.getLogger("gdprguard").debug("unexpected error", exc_info=True)
    error_line(
        f"internal error ({type(exc).__name__}); rerun with --verbose for details, and please "
        "report it"
    )
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
