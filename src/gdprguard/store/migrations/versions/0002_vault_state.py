"""Vault state (the store's view of the primary master key) and master-key destruction time.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "vault_state",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_vault_state"),
    )
    with op.batch_alter_table("master_keys") as batch:
        batch.add_column(sa.Column("destroyed_at", _TZ, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("master_keys") as batch:
        batch.drop_column("destroyed_at")
    op.drop_table("vault_state")
