"""gdprguard's own database: engine, sessions, schema and Alembic migrations."""

from __future__ import annotations

from ._errors import StoreConflictError, StoreError, translate_errors
from ._schema import (
    audit_log,
    bookmarks,
    console_login_attempts,
    console_sessions,
    console_users,
    data_keys,
    dsar_events,
    dsar_identifiers,
    dsar_requests,
    journal,
    locks,
    master_keys,
    metadata,
    plan_items,
    plans,
    sealed_records,
    subject_index,
    vault_state,
    webhook_events,
    webhook_signatures,
)
from ._store import MIGRATIONS_DIR, Store, insert_ignore

__all__ = [
    "MIGRATIONS_DIR",
    "Store",
    "StoreConflictError",
    "StoreError",
    "audit_log",
    "bookmarks",
    "console_login_attempts",
    "console_sessions",
    "console_users",
    "data_keys",
    "dsar_events",
    "dsar_identifiers",
    "dsar_requests",
    "insert_ignore",
    "journal",
    "locks",
    "master_keys",
    "metadata",
    "plan_items",
    "plans",
    "sealed_records",
    "subject_index",
    "translate_errors",
    "vault_state",
    "webhook_events",
    "webhook_signatures",
]
