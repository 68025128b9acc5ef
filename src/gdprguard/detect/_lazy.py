"""Regexes compiled on first use: importing the detection package compiles (almost) nothing.

``re.compile`` runs in Python and costs milliseconds for the long alternations of the
recognizers; a command that never sees Japanese text should not pay for the Japanese ones.
:func:`lazy_re` returns a stand-in that compiles on the first attribute access and then keeps the
compiled pattern's methods as its own attributes, so later calls cost what a compiled pattern's
do.
"""

from __future__ import annotations

import re
from typing import Any, cast

__all__ = ["lazy_re"]

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "split", "groupindex")


class _LazyPattern:
    """Compiles ``pattern`` on first use (see :func:`lazy_re`)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:  # called only for attributes not yet set
        compiled = re.compile(self.pattern, self.flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_re({self.pattern[:40]!r})"


def lazy_re(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A regex compiled on first use, usable wherever its methods are called."""
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))
