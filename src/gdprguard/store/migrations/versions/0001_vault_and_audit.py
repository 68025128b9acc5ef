"""Vault and audit log: master_keys, data_keys, sealed_records, audit_log.

Revision ID: 0001
Revises:
Create Date: 2024-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)

# The audit log is append-only at the database level too: UPDATE and DELETE abort. Someone with
# DDL rights can drop these triggers; the hash chain (``gdprguard audit verify``) still notices.
_PG_FUNCTION = """
CREATE FUNCTION gdprguard_audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql
"""
_PG_TRIGGER = """
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION gdprguard_audit_log_append_only()
"""
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)


def upgrade() -> None:
    op.create_table(
        "master_keys",
        sa.Column("kek_id", sa.String(200), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("retired_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("kek_id", name="pk_master_keys"),
    )
    op.create_table(
        "data_keys",
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(80), nullable=False),
        sa.Column("kek_id", sa.String(200), nullable=True),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("rewrapped_at", _TZ, nullable=True),
        sa.Column("shredded_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("key_id", name="pk_data_keys"),
        sa.ForeignKeyConstraint(
            ["kek_id"], ["master_keys.kek_id"], name="fk_data_keys_kek_id_master_keys"
        ),
        sa.CheckConstraint(
            "(shredded_at IS NULL AND wrapped IS NOT NULL AND kek_id IS NOT NULL)"
            " OR (shredded_at IS NOT NULL AND wrapped IS NULL AND kek_id IS NULL)",
            name="ck_data_keys_live_or_tombstone",
        ),
    )
    op.create_index("ix_data_keys_kek_id", "data_keys", ["kek_id"])
    op.create_index("ix_data_keys_scope", "data_keys", ["scope"])
    op.create_index(
        "uq_data_keys_live_scope",
        "data_keys",
        ["scope"],
        unique=True,
        sqlite_where=sa.text("shredded_at IS NULL"),
        postgresql_where=sa.text("shredded_at IS NULL"),
    )
    op.create_table(
        "sealed_records",
        sa.Column("record_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("subject_ref", sa.String(64), nullable=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("record_id", name="pk_sealed_records"),
        sa.ForeignKeyConstraint(
            ["key_id"], ["data_keys.key_id"], name="fk_sealed_records_key_id_data_keys"
        ),
    )
    op.create_index("ix_sealed_records_subject_ref", "sealed_records", ["subject_ref"])
    op.create_index("ix_sealed_records_key_id", "sealed_records", ["key_id"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("ts", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target_ids", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_mac", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)
    elif op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS gdprguard_audit_log_append_only()")
    op.drop_table("audit_log")
    op.drop_index("ix_sealed_records_key_id", table_name="sealed_records")
    op.drop_index("ix_sealed_records_subject_ref", table_name="sealed_records")
    op.drop_table("sealed_records")
    op.drop_index("uq_data_keys_live_scope", table_name="data_keys")
    op.drop_index("ix_data_keys_scope", table_name="data_keys")
    op.drop_index("ix_data_keys_kek_id", table_name="data_keys")
    op.drop_table("data_keys")
    op.drop_table("master_keys")
