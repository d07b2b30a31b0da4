"""Admin objects: accounts, roles, employees, integration records, access tokens, audit, nonces.

Revision ID: ns0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ns0001"
down_revision = None
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ns_account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.String(40), nullable=False, unique=True),
        sa.Column("company_name", sa.String(200), nullable=False),
        sa.Column("service_tier", sa.String(20), nullable=False),
        sa.Column("suitecloud_plus", sa.Integer, nullable=False),
        sa.Column("feature_tba", sa.Boolean, nullable=False),
        sa.Column("feature_rest", sa.Boolean, nullable=False),
        sa.Column("feature_soap", sa.Boolean, nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
    )
    op.create_table(
        "ns_role",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_pk",
            sa.Integer,
            sa.ForeignKey("ns_account.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("locked", sa.Boolean, nullable=False),
        sa.Column("bundle_id", sa.String(20)),
        sa.Column("is_administrator", sa.Boolean, nullable=False),
        sa.Column("permissions", sa.JSON, nullable=False),
        sa.UniqueConstraint("account_pk", "name"),
    )
    op.create_table(
        "ns_employee",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_pk",
            sa.Integer,
            sa.ForeignKey("ns_account.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("inactive", sa.Boolean, nullable=False),
        sa.Column("password_hash", sa.String(200)),
        sa.UniqueConstraint("account_pk", "email"),
    )
    op.create_table(
        "ns_employee_role",
        sa.Column(
            "employee_id",
            sa.Integer,
            sa.ForeignKey("ns_employee.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "role_id", sa.Integer, sa.ForeignKey("ns_role.id", ondelete="CASCADE"), primary_key=True
        ),
    )
    op.create_table(
        "ns_integration",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_pk",
            sa.Integer,
            sa.ForeignKey("ns_account.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.String(1000), nullable=False),
        sa.Column("application_id", sa.String(40), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("tba", sa.Boolean, nullable=False),
        sa.Column("bundle_id", sa.String(20)),
        sa.Column("consumer_key_sha256", sa.String(64), nullable=False),
        sa.Column("consumer_secret_enc", sa.String(400), nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.UniqueConstraint("account_pk", "name"),
        sa.UniqueConstraint("account_pk", "consumer_key_sha256"),
    )
    op.create_table(
        "ns_access_token",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_pk",
            sa.Integer,
            sa.ForeignKey("ns_account.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "integration_id",
            sa.Integer,
            sa.ForeignKey("ns_integration.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "employee_id",
            sa.Integer,
            sa.ForeignKey("ns_employee.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "role_id", sa.Integer, sa.ForeignKey("ns_role.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("token_secret_enc", sa.String(400), nullable=False),
        sa.Column("inactive", sa.Boolean, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
    )
    op.create_table(
        "ns_login_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_pk", sa.Integer, sa.ForeignKey("ns_account.id", ondelete="CASCADE")),
        sa.Column("realm", sa.String(100), nullable=False),
        sa.Column("at", _tz(), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("role", sa.String(200), nullable=False),
        sa.Column("token_name", sa.String(300), nullable=False),
        sa.Column("application", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("detail", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("ip_address", sa.String(64), nullable=False),
    )
    op.create_index("ix_ns_login_audit_account_pk", "ns_login_audit", ["account_pk"])
    op.create_table(
        "ns_used_nonce",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_pk",
            sa.Integer,
            sa.ForeignKey("ns_account.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("employee_id", sa.Integer, nullable=False),
        sa.Column("nonce", sa.String(100), nullable=False),
        sa.Column("timestamp", sa.Integer, nullable=False),
        sa.UniqueConstraint("account_pk", "employee_id", "nonce", "timestamp"),
    )
    op.create_index("ix_ns_used_nonce_timestamp", "ns_used_nonce", ["timestamp"])


def downgrade() -> None:
    for table in (
        "ns_used_nonce",
        "ns_login_audit",
        "ns_access_token",
        "ns_integration",
        "ns_employee_role",
        "ns_employee",
        "ns_role",
        "ns_account",
    ):
        op.drop_table(table)
