"""Jet sandbox: merchants, credentials, tokens, orders, merchant SKUs, returns, refunds.

Revision ID: jet0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "jet0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merchants",
        sa.Column("merchant_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "fulfillment_nodes",
        sa.Column("node_id", sa.String(64), primary_key=True),
        sa.Column(
            "merchant_id", sa.String(64), sa.ForeignKey("merchants.merchant_id"), nullable=False
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("zip_code", sa.String(16), nullable=False),
    )
    op.create_index("ix_fulfillment_nodes_merchant_id", "fulfillment_nodes", ["merchant_id"])
    op.create_table(
        "credentials",
        sa.Column("api_user", sa.String(128), primary_key=True),
        sa.Column(
            "merchant_id", sa.String(64), sa.ForeignKey("merchants.merchant_id"), nullable=False
        ),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_credentials_merchant_id", "credentials", ["merchant_id"])
    op.create_table(
        "tokens",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column(
            "api_user", sa.String(128), sa.ForeignKey("credentials.api_user"), nullable=False
        ),
        sa.Column("merchant_id", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_table(
        "orders",
        sa.Column("merchant_order_id", sa.String(64), primary_key=True),
        sa.Column(
            "merchant_id", sa.String(64), sa.ForeignKey("merchants.merchant_id"), nullable=False
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("exception_state", sa.String(64)),
        sa.Column("fulfillment_node", sa.String(64), nullable=False),
        sa.Column("placed_at", sa.Float, nullable=False),
        sa.Column("ready_at", sa.Float, nullable=False),
        sa.Column("acknowledged_at", sa.Float),
        sa.Column("acknowledgement_status", sa.String(64)),
        sa.Column("alt_order_id", sa.String(128)),
        sa.Column("directed_cancel", sa.Boolean, nullable=False),
        sa.Column("has_shipments", sa.Boolean, nullable=False),
        sa.Column("tag", sa.String(128)),
        sa.Column("doc", sa.Text, nullable=False),
        sa.Column("shipments", sa.Text, nullable=False),
    )
    op.create_index("ix_orders_merchant_status", "orders", ["merchant_id", "status", "placed_at"])
    op.create_table(
        "skus",
        sa.Column(
            "merchant_id", sa.String(64), sa.ForeignKey("merchants.merchant_id"), primary_key=True
        ),
        sa.Column("merchant_sku", sa.String(128), primary_key=True),
        sa.Column("merchant_sku_id", sa.String(64), nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
        sa.Column("price", sa.Float),
        sa.Column("node_prices", sa.Text, nullable=False),
        sa.Column("inventory", sa.Text, nullable=False),
        sa.Column("archived", sa.Boolean, nullable=False),
        sa.Column("sku_last_update", sa.Float, nullable=False),
        sa.Column("price_last_update", sa.Float),
        sa.Column("inventory_last_update", sa.Float),
    )
    op.create_table(
        "returns",
        sa.Column("return_id", sa.String(64), primary_key=True),
        sa.Column(
            "merchant_id", sa.String(64), sa.ForeignKey("merchants.merchant_id"), nullable=False
        ),
        sa.Column(
            "merchant_order_id",
            sa.String(64),
            sa.ForeignKey("orders.merchant_order_id"),
            nullable=False,
        ),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_returns_merchant_status", "returns", ["merchant_id", "status", "created_at"]
    )
    op.create_table(
        "refunds",
        sa.Column("refund_authorization_id", sa.String(64), primary_key=True),
        sa.Column(
            "merchant_id", sa.String(64), sa.ForeignKey("merchants.merchant_id"), nullable=False
        ),
        sa.Column(
            "merchant_order_id",
            sa.String(64),
            sa.ForeignKey("orders.merchant_order_id"),
            nullable=False,
        ),
        sa.Column("alt_refund_id", sa.String(128), nullable=False),
        sa.Column("status", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
        sa.UniqueConstraint("merchant_order_id", "alt_refund_id", name="uq_refunds_order_alt"),
    )


def downgrade() -> None:
    for name in (
        "refunds",
        "returns",
        "skus",
        "orders",
        "tokens",
        "credentials",
        "fulfillment_nodes",
        "merchants",
    ):
        op.drop_table(name)
