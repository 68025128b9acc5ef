"""Who an audit entry names when gdprguard runs from the command line."""

from __future__ import annotations

import os

__all__ = ["ACTOR_ENV", "default_actor"]

ACTOR_ENV = "GDPRGUARD_ACTOR"


def default_actor() -> str:
    """``$GDPRGUARD_ACTOR`` (an operator id of your choosing) or ``cli:uid<N>``.

    The default is the numeric user id, not the login name, so the log stays free of names.
    """
    actor = os.environ.get(ACTOR_ENV, "").strip()
    if actor:
        return actor[:200]
    getuid = getattr(os, "getuid", None)
    return f"cli:uid{getuid()}" if getuid is not None else "cli"
