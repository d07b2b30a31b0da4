"""OAuth 2.0 client credentials (M2M): feature, record settings, certificates, signing keys, tokens.

Revision ID: ns0003
Revises: ns0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ns0003"
down_revision = "ns0002"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _account() -> sa.ForeignKey:
    return sa.ForeignKey("ns_account.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "ns_oauth2_feature",
        sa.Column("account_pk", sa.Integer, _account(), primary_key=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
    )
    op.create_table(
        "ns_oauth2_client",
        sa.Column(
            "integration_id",
            sa.Integer,
            sa.ForeignKey("ns_integration.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("client_credentials", sa.Boolean, nullable=False),
        sa.Column("scopes", sa.JSON, nullable=False),
    )
    op.create_table(
        "ns_m2m_certificate",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_pk", sa.Integer, _account(), nullable=False, index=True),
        sa.Column(
            "integration_id",
            sa.Integer,
            sa.ForeignKey("ns_integration.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
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
        sa.Column("certificate_id", sa.String(64), nullable=False, unique=True),
        sa.Column("certificate_pem", sa.Text, nullable=False),
        sa.Column("key_type", sa.String(8), nullable=False),
        sa.Column("valid_from", _tz(), nullable=False),
        sa.Column("valid_until", _tz(), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
    )
    op.create_table(
        "ns_oauth2_signing_key",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_pk", sa.Integer, _account(), nullable=False, index=True),
        sa.Column("kid", sa.String(100), nullable=False, unique=True),
        sa.Column("private_key_enc", sa.Text, nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
    )
    op.create_table(
        "ns_oauth2_access_token",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_pk", sa.Integer, _account(), nullable=False, index=True),
        sa.Column(
            "certificate_pk",
            sa.Integer,
            sa.ForeignKey("ns_m2m_certificate.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("jti", sa.String(200), nullable=False, unique=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("scopes", sa.JSON, nullable=False),
        sa.Column("issued_at", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.Integer, nullable=False, index=True),
    )


def downgrade() -> None:
    for table in (
        "ns_oauth2_access_token",
        "ns_oauth2_signing_key",
        "ns_m2m_certificate",
        "ns_oauth2_client",
        "ns_oauth2_feature",
    ):
        op.drop_table(table)
