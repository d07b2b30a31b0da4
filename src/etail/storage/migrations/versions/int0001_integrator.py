"""Integrator: users, sessions, invitations, integrations, iClients, connections, audit log.

Revision ID: int0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "int0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "integrations",
        sa.Column("id", sa.String(24)),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("connector", sa.String(50)),
        sa.Column("version", sa.String(20), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_integrations"),
    )
    op.create_table(
        "integration_grants",
        sa.Column("user_id", sa.String(24)),
        sa.Column("integration_id", sa.String(24)),
        sa.Column("access_level", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "integration_id", name="pk_integration_grants"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            ondelete="CASCADE",
            name="fk_integration_grants_user_id_users",
        ),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            ondelete="CASCADE",
            name="fk_integration_grants_integration_id_integrations",
        ),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.String(24)),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("grants", sa.JSON, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("invited_by", sa.String(24)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("accepted_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_invitations"),
        sa.UniqueConstraint("token_hash", name="uq_invitations_token_hash"),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["users.id"],
            ondelete="SET NULL",
            name="fk_invitations_invited_by_users",
        ),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64)),
        sa.Column("user_id", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_web_sessions"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], ondelete="CASCADE", name="fk_web_sessions_user_id_users"
        ),
    )
    op.create_table(
        "iclients",
        sa.Column("id", sa.String(24)),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("auth_kind", sa.String(40), nullable=False),
        sa.Column("is_global", sa.Boolean, nullable=False),
        sa.Column("consumer_key_enc", sa.Text, nullable=False),
        sa.Column("consumer_secret_enc", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_iclients"),
        sa.UniqueConstraint("name", name="uq_iclients_name"),
    )
    op.create_table(
        "connections",
        sa.Column("id", sa.String(24)),
        sa.Column("integration_id", sa.String(24)),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("secrets", sa.JSON, nullable=False),
        sa.Column("iclient_id", sa.String(24)),
        sa.Column("offline", sa.Boolean, nullable=False),
        sa.Column("offline_reason", sa.Text),
        sa.Column("offline_since", TS),
        sa.Column("last_checked_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_connections"),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            ondelete="SET NULL",
            name="fk_connections_integration_id_integrations",
        ),
        sa.ForeignKeyConstraint(
            ["iclient_id"],
            ["iclients.id"],
            ondelete="RESTRICT",
            name="fk_connections_iclient_id_iclients",
        ),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("user_id", sa.String(24)),
        sa.Column("user_email", sa.String(254), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("resource_type", sa.String(30), nullable=False),
        sa.Column("resource_id", sa.String(40), nullable=False),
        sa.Column("resource_name", sa.String(200), nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_at", "audit_log")
    for table in (
        "audit_log",
        "connections",
        "iclients",
        "web_sessions",
        "invitations",
        "integration_grants",
        "integrations",
        "users",
    ):
        op.drop_table(table)
