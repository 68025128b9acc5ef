"""Resumable incremental export: a bookmark (:class:`SyncState`) and the iterator that keeps it.

The export reads pages; a bookmark is "the position of the page being read, plus the ids of that
page already handed out". Persist ``export.state`` after processing a record (or every N records);
an export started again from it re-reads that page and skips those ids, so after any interruption
no record is yielded twice and none is lost.

A bookmark names the connector it belongs to (its configured name, e.g. ``support``), the
helpdesk type and the stream (``tickets`` or ``comment_events``): resuming it on another
connector or stream is refused, because its position would skip or repeat records there.
Bookmarks written before the connector name was recorded (version 1) are still accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from .._exceptions import ConfigError
from ..models import Comment, Ticket

__all__ = [
    "CommentExport",
    "ExportPage",
    "RecordExport",
    "Stream",
    "SyncState",
    "TicketExport",
]

T = TypeVar("T", Ticket, Comment)
Stream = Literal["tickets", "comment_events"]


class SyncState(BaseModel):
    """A bookmark into a helpdesk's change stream; JSON-serialisable, persist it as you like."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = 2
    helpdesk: str = Field(description="connector type the bookmark belongs to")
    connector: str | None = Field(
        default=None,
        description="configured connector name it belongs to (None: a version-1 bookmark)",
    )
    stream: Stream = Field(default="tickets", description="which change stream")
    position: dict[str, Any] = Field(description="helpdesk-specific start of the current page")
    done_ids: tuple[str, ...] = Field(
        default=(), description="ids on the page at `position` already handed out"
    )
    end_of_stream: bool = Field(
        default=False, description="caught up; polling again from here returns only new changes"
    )


@dataclass(frozen=True)
class ExportPage(Generic[T]):
    """One page of a change stream, as a connector reports it."""

    items: list[T]
    next_position: dict[str, Any]
    end_of_stream: bool
    carry_ids: frozenset[str] = field(default_factory=frozenset)
    """ids the page at ``next_position`` will return again (time-based streams that overlap)."""

    @property
    def tickets(self) -> list[T]:
        """The page's records (the name from when only tickets were exported)."""
        return self.items


PageFetcher = Callable[[Mapping[str, Any]], ExportPage[T]]


class RecordExport(Iterator[T]):
    """Iterate changed records; ``state`` is the bookmark after the last record yielded."""

    stream: Stream = "tickets"

    def __init__(
        self,
        helpdesk: str,
        state: SyncState,
        fetch: PageFetcher[T],
        *,
        connector: str | None = None,
    ) -> None:
        _check_bookmark(state, helpdesk, connector, self.stream)
        self._helpdesk = helpdesk
        self._connector = connector if connector is not None else state.connector
        self._fetch: PageFetcher[T] = fetch
        self._position: dict[str, Any] = dict(state.position)
        self._done: set[str] = set(state.done_ids)
        self._end_of_stream = False
        self._iter: Iterator[T] = self._run()
        self.pages = 0

    @property
    def state(self) -> SyncState:
        """A bookmark to resume from: persist it after processing the records yielded so far."""
        return SyncState(
            helpdesk=self._helpdesk,
            connector=self._connector,
            stream=self.stream,
            position=dict(self._position),
            done_ids=tuple(sorted(self._done)),
            end_of_stream=self._end_of_stream,
        )

    def __next__(self) -> T:
        return next(self._iter)

    def _run(self) -> Iterator[T]:
        while True:
            page = self._fetch(self._position)
            self.pages += 1
            for record in page.items:
                if record.id in self._done:
                    continue
                self._done.add(record.id)
                yield record
            if page.next_position == self._position:
                self._done |= page.carry_ids
            else:
                self._position = dict(page.next_position)
                self._done = set(page.carry_ids)
            if page.end_of_stream:
                self._end_of_stream = True
                return


class TicketExport(RecordExport[Ticket]):
    """Changed tickets, resumable (``export_tickets``)."""

    stream: Stream = "tickets"


class CommentExport(RecordExport[Comment]):
    """Comments in bulk from a helpdesk's event stream, resumable (``export_comment_events``)."""

    stream: Stream = "comment_events"


def _check_bookmark(state: SyncState, helpdesk: str, connector: str | None, stream: str) -> None:
    if state.helpdesk != helpdesk:
        raise ConfigError(
            f"this bookmark belongs to a {state.helpdesk} connector, not {helpdesk}; "
            "start a new export instead of resuming it"
        )
    if connector is not None and state.connector is not None and state.connector != connector:
        raise ConfigError(
            f"this bookmark belongs to connector {state.connector!r}, not {connector!r}; "
            "resume it with that connector, or start a new export for this one"
        )
    if state.stream != stream:
        raise ConfigError(
            f"this bookmark is a position in the {state.stream} stream, not {stream}; "
            "start a new export instead of resuming it"
        )
