"""Resumable incremental export: a bookmark (:class:`SyncState`) and the iterator that keeps it.

The export reads pages; a bookmark is "the position of the page being read, plus the ids of that
page already handed out". Persist ``export.state`` after processing a record (or every N records);
an export started again from it re-reads that page and skips those ids, so after any interruption
no record is yielded twice and none is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .._exceptions import ConfigError
from ..models import Ticket

__all__ = ["ExportPage", "SyncState", "TicketExport"]


class SyncState(BaseModel):
    """A bookmark into a helpdesk's change stream; JSON-serialisable, persist it as you like."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = 1
    helpdesk: str = Field(description="connector type the bookmark belongs to")
    position: dict[str, Any] = Field(description="helpdesk-specific start of the current page")
    done_ids: tuple[str, ...] = Field(
        default=(), description="ids on the page at `position` already handed out"
    )
    end_of_stream: bool = Field(
        default=False, description="caught up; polling again from here returns only new changes"
    )


@dataclass(frozen=True)
class ExportPage:
    """One page of a change stream, as a connector reports it."""

    tickets: list[Ticket]
    next_position: dict[str, Any]
    end_of_stream: bool
    carry_ids: frozenset[str] = field(default_factory=frozenset)
    """ids the page at ``next_position`` will return again (time-based streams that overlap)."""


PageFetcher = Callable[[Mapping[str, Any]], ExportPage]


class TicketExport(Iterator[Ticket]):
    """Iterate changed tickets; ``state`` is the bookmark after the last ticket yielded."""

    def __init__(self, helpdesk: str, state: SyncState, fetch: PageFetcher) -> None:
        if state.helpdesk != helpdesk:
            raise ConfigError(
                f"this bookmark belongs to a {state.helpdesk} connector, not {helpdesk}; "
                "start a new export instead of resuming it"
            )
        self._helpdesk = helpdesk
        self._fetch = fetch
        self._position: dict[str, Any] = dict(state.position)
        self._done: set[str] = set(state.done_ids)
        self._end_of_stream = False
        self._iter = self._run()
        self.pages = 0

    @property
    def state(self) -> SyncState:
        """A bookmark to resume from: persist it after processing the tickets yielded so far."""
        return SyncState(
            helpdesk=self._helpdesk,
            position=dict(self._position),
            done_ids=tuple(sorted(self._done)),
            end_of_stream=self._end_of_stream,
        )

    def __next__(self) -> Ticket:
        return next(self._iter)

    def _run(self) -> Iterator[Ticket]:
        while True:
            page = self._fetch(self._position)
            self.pages += 1
            for ticket in page.tickets:
                if ticket.id in self._done:
                    continue
                self._done.add(ticket.id)
                yield ticket
            if page.next_position == self._position:
                self._done |= page.carry_ids
            else:
                self._position = dict(page.next_position)
                self._done = set(page.carry_ids)
            if page.end_of_stream:
                self._end_of_stream = True
                return
