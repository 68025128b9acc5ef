"""Data-subject requests: the register, its identifier hashes and history, the subject index,
and plans of either kind (sweep or erasure).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subject_index",
        sa.Column("connector", sa.String(64), nullable=False),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("comment_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("seen_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint(
            "connector", "ticket_id", "comment_id", "role", "digest", name="pk_subject_index"
        ),
    )
    op.create_index("ix_subject_index_digest", "subject_index", ["digest"])
    op.create_table(
        "dsar_requests",
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("received_at", _TZ, nullable=False),
        sa.Column("due_at", _TZ, nullable=False),
        sa.Column("extended_months", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("verification_recorded", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("details_record", sa.String(255), nullable=True),
        sa.Column("last_run_at", _TZ, nullable=True),
        sa.Column("last_run_status", sa.String(24), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("plan_id", sa.String(64), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("closed_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("request_id", name="pk_dsar_requests"),
        sa.CheckConstraint(
            "kind IN ('access', 'erasure', 'rectification')", name="ck_dsar_requests_kind"
        ),
    )
    op.create_index("ix_dsar_requests_status", "dsar_requests", ["status"])
    op.create_table(
        "dsar_identifiers",
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("request_id", "kind", "digest", name="pk_dsar_identifiers"),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["dsar_requests.request_id"],
            name="fk_dsar_identifiers_request_id_dsar_requests",
        ),
    )
    op.create_table(
        "dsar_events",
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", _TZ, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("request_id", "seq", name="pk_dsar_events"),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["dsar_requests.request_id"],
            name="fk_dsar_events_request_id_dsar_requests",
        ),
    )
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="sweep"))
        batch.add_column(sa.Column("request_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("request_id")
        batch.drop_column("kind")
    op.drop_table("dsar_events")
    op.drop_table("dsar_identifiers")
    op.drop_index("ix_dsar_requests_status", table_name="dsar_requests")
    op.drop_table("dsar_requests")
    op.drop_index("ix_subject_index_digest", table_name="subject_index")
    op.drop_table("subject_index")
