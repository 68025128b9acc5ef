"""The web console: its accounts, sessions and failed sign-ins.

Revision ID: 0006
Revises: 0005b
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005b"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("oidc_subject", sa.String(255), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("disabled_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_console_users"),
        sa.UniqueConstraint("oidc_subject", name="uq_console_users_oidc_subject"),
        sa.CheckConstraint("role IN ('officer', 'admin')", name="ck_console_users_role"),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_digest", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("last_seen_at", _TZ, nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.Column("revoked_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("token_digest", name="pk_console_sessions"),
        sa.ForeignKeyConstraint(
            ["user_name"],
            ["console_users.name"],
            name="fk_console_sessions_user_name_console_users",
        ),
    )
    op.create_index("ix_console_sessions_user_name", "console_sessions", ["user_name"])
    op.create_table(
        "console_login_attempts",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("key_digest", sa.String(64), nullable=False),
        sa.Column("at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_console_login_attempts"),
    )
    op.create_index(
        "ix_console_login_attempts_key_at", "console_login_attempts", ["key_digest", "at"]
    )


def downgrade() -> None:
    op.drop_index("ix_console_login_attempts_key_at", table_name="console_login_attempts")
    op.drop_table("console_login_attempts")
    op.drop_index("ix_console_sessions_user_name", table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("console_users")
