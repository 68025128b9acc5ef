"""The database schema, as SQLAlchemy Core tables (Alembic migrations create and evolve it).

Nothing here holds personal data in clear: subjects appear only as keyed hashes
(``subject_ref``), records by their caller-chosen opaque ids, and contents only as ciphertext.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

__all__ = [
    "audit_log",
    "bookmarks",
    "console_login_attempts",
    "console_sessions",
    "console_users",
    "data_keys",
    "dsar_events",
    "dsar_identifiers",
    "dsar_requests",
    "journal",
    "locks",
    "master_keys",
    "metadata",
    "plan_items",
    "plans",
    "sealed_records",
    "subject_index",
    "vault_state",
    "webhook_events",
    "webhook_signatures",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Master keys (KEKs) this database has used; the key material itself never lives here.
master_keys = Table(
    "master_keys",
    metadata,
    Column("kek_id", String(200), primary_key=True),
    Column("provider", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True), nullable=True),
    Column("destroyed_at", DateTime(timezone=True), nullable=True),
)

#: Small named facts about the vault, e.g. ``primary_kek_id``: the master key new data keys must
#: be wrapped under (set at initialisation and by rotation; checked before every new data key).
vault_state = Table(
    "vault_state",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

#: Data keys (DEKs), wrapped by a master key. ``scope`` is ``subject:<ref>``, ``shared`` or
#: ``system:<name>``. A shredded key keeps its row as a tombstone with ``wrapped`` set to NULL.
data_keys = Table(
    "data_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("scope", String(80), nullable=False),
    Column("kek_id", String(200), ForeignKey("master_keys.kek_id"), nullable=True),
    Column("wrapped", LargeBinary, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("rewrapped_at", DateTime(timezone=True), nullable=True),
    Column("shredded_at", DateTime(timezone=True), nullable=True),
    CheckConstraint(
        "(shredded_at IS NULL AND wrapped IS NOT NULL AND kek_id IS NOT NULL)"
        " OR (shredded_at IS NOT NULL AND wrapped IS NULL AND kek_id IS NULL)",
        name="live_or_tombstone",
    ),
    Index("ix_data_keys_kek_id", "kek_id"),
    Index("ix_data_keys_scope", "scope"),
    Index(
        "uq_data_keys_live_scope",
        "scope",
        unique=True,
        sqlite_where=text("shredded_at IS NULL"),
        postgresql_where=text("shredded_at IS NULL"),
    ),
)

#: Sealed (encrypted) records. ``record_id`` and ``kind`` are opaque, caller-chosen ids.
sealed_records = Table(
    "sealed_records",
    metadata,
    Column("record_id", String(255), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("subject_ref", String(64), nullable=True, index=True),
    Column("key_id", String(32), ForeignKey("data_keys.key_id"), nullable=False, index=True),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True, index=True),
)

#: The append-only, hash-chained, HMAC-keyed audit log (JSON columns hold canonical JSON text).
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("ts", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("target_ids", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("details", Text, nullable=False),
    Column("prev_mac", String(64), nullable=False),
    Column("mac", String(64), nullable=False),
)


#: Where each connector's change stream was last read, per connector **name** and stream.
bookmarks = Table(
    "bookmarks",
    metadata,
    Column("connector", String(64), primary_key=True),
    Column("stream", String(64), primary_key=True),
    Column("state", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

#: Advisory locks (one sweep per connector at a time); stale ones are taken over.
locks = Table(
    "locks",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("heartbeat_at", DateTime(timezone=True), nullable=False),
)

#: The write-ahead journal: every change to a helpdesk is recorded as intended before the call
#: and as done (with its audit entry, same transaction) after it. Ids, actions and parameters
#: only, never personal data.
journal = Table(
    "journal",
    metadata,
    Column("unit", String(200), primary_key=True),
    Column("connector", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(255), nullable=False),
    Column("params", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("intended_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("outcome", Text, nullable=True),
    CheckConstraint("state IN ('intended', 'done', 'failed', 'skipped')", name="state"),
    Index("ix_journal_connector_state", "connector", "state"),
)

#: Saved sweep plans (reviewed, then applied by id).
plans = Table(
    "plans",
    metadata,
    Column("plan_id", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("policy_name", String(200), nullable=False),
    Column("policy_sha256", String(64), nullable=False),
    Column("policy_text", Text, nullable=False),
    Column("connectors", Text, nullable=False),
    Column("status", String(32), nullable=False),
    Column("summary", Text, nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=True),
    Column("kind", String(16), nullable=False, server_default="sweep"),
    Column("request_id", String(64), nullable=True),
)

#: One planned action of a plan: which record, which rule, and the content hash it was planned on.
plan_items = Table(
    "plan_items",
    metadata,
    Column("plan_id", String(64), ForeignKey("plans.plan_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("connector", String(64), nullable=False),
    Column("ticket_id", String(64), nullable=False),
    Column("target", String(255), nullable=False),
    Column("action", String(40), nullable=False),
    Column("rule", String(200), nullable=False),
    Column("params", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("note", Text, nullable=True),
)


#: Keyed hashes of every identifier seen on a ticket (no clear text): which ticket and comment
#: holds which identifier, and in what role. Maintained by sweeps, data-subject searches and the
#: webhook receiver; read to locate a data subject without walking the helpdesk.
subject_index = Table(
    "subject_index",
    metadata,
    Column("connector", String(64), primary_key=True),
    Column("ticket_id", String(64), primary_key=True),
    Column("comment_id", String(64), primary_key=True),
    Column("role", String(16), primary_key=True),
    Column("digest", String(64), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_subject_index_digest", "digest"),
)

#: The register of data-subject requests. Identifiers, the identity-verification note and any
#: free text are sealed in the vault under the register's key (``details_record``); the row holds
#: ids, dates, statuses and counts.
dsar_requests = Table(
    "dsar_requests",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("status", String(24), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("extended_months", Integer, nullable=False, server_default="0"),
    Column("verification_recorded", Integer, nullable=False, server_default="0"),
    Column("details_record", String(255), nullable=True),
    Column("last_run_at", DateTime(timezone=True), nullable=True),
    Column("last_run_status", String(24), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("plan_id", String(64), nullable=True),
    Column("outcome", Text, nullable=False, server_default="{}"),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("kind IN ('access', 'erasure', 'rectification')", name="kind"),
    Index("ix_dsar_requests_status", "status"),
)

#: Keyed hashes of each request's identifiers: they outlive the sealed identifiers, so a retry or
#: a re-search after an erasure still finds what is left.
dsar_identifiers = Table(
    "dsar_identifiers",
    metadata,
    Column("request_id", String(64), ForeignKey("dsar_requests.request_id"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("digest", String(64), primary_key=True),
)

#: Each request's history: status changes and runs, with counts and error codes only.
dsar_events = Table(
    "dsar_events",
    metadata,
    Column("request_id", String(64), ForeignKey("dsar_requests.request_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("event", String(40), nullable=False),
    Column("status", String(24), nullable=False),
    Column("detail", Text, nullable=False),
)


#: The webhook receiver's durable queue: an event is committed here before the helpdesk gets its
#: 2xx. Ids only (connector, ticket, comment); never the payload's text.
webhook_events = Table(
    "webhook_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("connector", String(64), nullable=False),
    Column("ticket_id", String(64), nullable=False),
    Column("comment_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("outcome", Text, nullable=True),
    CheckConstraint("status IN ('queued', 'processing', 'done', 'failed', 'dead')", name="status"),
    Index("ix_webhook_events_status_next", "status", "next_attempt_at"),
    Index("ix_webhook_events_ticket", "connector", "ticket_id", "status"),
)

#: Keyed hashes of webhook signatures (or event ids) already accepted, to refuse replays.
webhook_signatures = Table(
    "webhook_signatures",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
)


#: Accounts of the web console. A password is kept only as an argon2 hash; a user who signs in
#: through the company's identity provider has the provider's subject id instead (or as well).
console_users = Table(
    "console_users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=True),
    Column("oidc_subject", String(255), nullable=True, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("role IN ('officer', 'admin')", name="role"),
)

#: Console sessions, by a hash of the cookie's token (the token itself is never stored).
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("user_name", String(64), ForeignKey("console_users.name"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("method", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

#: Failed sign-ins, by a keyed hash of the account name or of the client address, for throttling.
console_login_attempts = Table(
    "console_login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key_digest", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_console_login_attempts_key_at", "key_digest", "at"),
)
