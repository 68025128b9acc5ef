"""Per-record write counter of the sandbox, so tests can prove no action was done twice.

Every API call that changed a record counts once against it, under a key ``kind:id``
(``ticket:12``, ``comment:100004``, ``attachment:500003``, ``person:10012``) and an action
(``update``, ``comment``, ``redact``, ``delete``, ``purge``, ``restore``). Only successful
writes count; reads, refused writes (4xx) and the records a cascade removes (a contact's tickets
on a Freshdesk hard delete) do not. Bulk jobs count per record when the job runs.
"""

from __future__ import annotations

from collections import Counter

__all__ = ["WriteLog"]


class WriteLog:
    """Counts of successful writes per record and action (guarded by the state's lock)."""

    def __init__(self) -> None:
        self._counts: dict[str, Counter[str]] = {}

    def record(self, kind: str, record_id: int | str, action: str) -> None:
        """Count one successful *action* on record ``kind:record_id``."""
        self._counts.setdefault(f"{kind}:{record_id}", Counter())[action] += 1

    def totals(self) -> dict[str, int]:
        """``{"ticket:12": 2, …}``: writes per record, keys sorted."""
        return {key: sum(c.values()) for key, c in sorted(self._counts.items())}

    def actions(self) -> dict[str, dict[str, int]]:
        """``{"ticket:12": {"update": 1, "delete": 1}, …}``: writes per record and action."""
        return {key: dict(sorted(c.items())) for key, c in sorted(self._counts.items())}
