"""Interrupts end a command with a non-zero exit: 130 for SIGINT (Ctrl-C), 143 for SIGTERM.

Click turns ``KeyboardInterrupt`` into a return value that looks like a normal end, so a
``redact in > out && upload out`` pipeline would carry on with a truncated file. While a command
runs, both signals instead raise :class:`Interrupted`, which no ``except Exception`` swallows and
which ``main()`` maps to ``128 + signal number`` with a message on stderr. ``finally`` blocks and
context managers still run, so temporary files are removed and transactions rolled back.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["Interrupted", "interrupts_raise"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The command was stopped by a signal before it finished."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        """``SIGINT`` or ``SIGTERM``."""
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        """The shell's convention: 128 plus the signal number."""
        return 128 + self.signum


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def _ours_to_replace(handler: Any) -> bool:
    # An ignored signal stays ignored (``nohup``, a shell's background job); a handler someone
    # else installed is theirs.
    return handler in (signal.SIG_DFL, signal.default_int_handler)


@contextmanager
def interrupts_raise() -> Iterator[None]:
    """Inside the block, SIGINT and SIGTERM raise :class:`Interrupted` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {}
    for signum in _SIGNALS:
        current = signal.getsignal(signum)
        if _ours_to_replace(current):
            previous[signum] = current
            signal.signal(signum, _raise)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
