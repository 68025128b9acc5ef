"""Bookmarks into each connector's change stream, kept in the store per connector **name**."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from .._exceptions import StoreError
from ..connectors import SyncState
from ..store import Store, bookmarks, insert_ignore

__all__ = ["BookmarkStore"]


class BookmarkStore:
    """Read and write ``SyncState`` bookmarks for ``(connector name, stream)``.

    A stream is what the bookmark is for (``sweep``, ``webhook-catch-up``, ``locate-index``), so
    two features reading the same helpdesk never move each other's position.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, connector: str, stream: str) -> SyncState | None:
        """The saved bookmark, or None if this connector's stream was never read."""
        with self.store.session(write=False) as session:
            text = session.execute(
                select(bookmarks.c.state).where(
                    bookmarks.c.connector == connector, bookmarks.c.stream == stream
                )
            ).scalar_one_or_none()
        if text is None:
            return None
        try:
            return SyncState.model_validate_json(text)
        except ValueError:
            raise StoreError(
                f"the saved bookmark of connector {connector} ({stream}) is damaged; reset it "
                f"with `gdprguard sweep --full` to read everything again"
            ) from None

    def save(self, connector: str, stream: str, state: SyncState) -> None:
        """Store *state* as the bookmark of ``(connector, stream)``."""
        text = state.model_dump_json()
        now = datetime.now(UTC)
        with self.store.session() as session:
            session.execute(
                insert_ignore(session, bookmarks).values(
                    connector=connector, stream=stream, state=text, updated_at=now
                )
            )
            session.execute(
                update(bookmarks)
                .where(bookmarks.c.connector == connector, bookmarks.c.stream == stream)
                .values(state=text, updated_at=now)
            )

    def reset(self, connector: str, stream: str) -> None:
        """Forget the bookmark: the next read starts from the beginning."""
        with self.store.session() as session:
            session.execute(
                delete(bookmarks).where(
                    bookmarks.c.connector == connector, bookmarks.c.stream == stream
                )
            )
