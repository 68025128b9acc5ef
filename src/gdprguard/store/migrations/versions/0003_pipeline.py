"""Ticket pipeline: bookmarks per connector name, locks, the write-ahead journal, sweep plans,
and an expiry time for sealed records (originals kept for a grace period).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bookmarks",
        sa.Column("connector", sa.String(64), nullable=False),
        sa.Column("stream", sa.String(64), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("connector", "stream", name="pk_bookmarks"),
    )
    op.create_table(
        "locks",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("acquired_at", _TZ, nullable=False),
        sa.Column("heartbeat_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_locks"),
    )
    op.create_table(
        "journal",
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("connector", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("intended_at", _TZ, nullable=False),
        sa.Column("finished_at", _TZ, nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("unit", name="pk_journal"),
        sa.CheckConstraint(
            "state IN ('intended', 'done', 'failed', 'skipped')", name="ck_journal_state"
        ),
    )
    op.create_index("ix_journal_connector_state", "journal", ["connector", "state"])
    op.create_table(
        "plans",
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("policy_name", sa.String(200), nullable=False),
        sa.Column("policy_sha256", sa.String(64), nullable=False),
        sa.Column("policy_text", sa.Text(), nullable=False),
        sa.Column("connectors", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("applied_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("plan_id", name="pk_plans"),
    )
    op.create_table(
        "plan_items",
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("connector", sa.String(64), nullable=False),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("plan_id", "seq", name="pk_plan_items"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.plan_id"], name="fk_plan_items_plan_id_plans"),
    )
    with op.batch_alter_table("sealed_records") as batch:
        batch.add_column(sa.Column("expires_at", _TZ, nullable=True))
    op.create_index("ix_sealed_records_expires_at", "sealed_records", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_sealed_records_expires_at", table_name="sealed_records")
    with op.batch_alter_table("sealed_records") as batch:
        batch.drop_column("expires_at")
    op.drop_table("plan_items")
    op.drop_table("plans")
    op.drop_index("ix_journal_connector_state", table_name="journal")
    op.drop_table("journal")
    op.drop_table("locks")
    op.drop_table("bookmarks")
