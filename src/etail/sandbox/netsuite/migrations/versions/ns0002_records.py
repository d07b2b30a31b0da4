"""Records: one table of records (body as JSON), their sublist lines, document-number counters.

Revision ID: ns0002
Revises: ns0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ns0002"
down_revision = "ns0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rec_record",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account", sa.String(40), nullable=False),
        sa.Column("rtype", sa.String(40), nullable=False),
        sa.Column("external_id", sa.String(255)),
        sa.Column("tran_id", sa.String(45)),
        sa.Column("created_from", sa.Integer),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("date_created", sa.DateTime, nullable=False),
        sa.Column("last_modified", sa.DateTime, nullable=False),
        sa.UniqueConstraint("account", "rtype", "external_id", name="uq_rec_record_external_id"),
    )
    op.create_index("ix_rec_record_type", "rec_record", ["account", "rtype", "id"])
    op.create_index("ix_rec_record_modified", "rec_record", ["account", "rtype", "last_modified"])
    op.create_index("ix_rec_record_created_from", "rec_record", ["created_from"])
    op.create_table(
        "rec_line",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "record_id",
            sa.Integer,
            sa.ForeignKey("rec_record.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("sublist", sa.String(40), nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.UniqueConstraint("record_id", "sublist", "line", name="uq_rec_line"),
    )
    op.create_index("ix_rec_line_record_id", "rec_line", ["record_id"])
    op.create_table(
        "rec_sequence",
        sa.Column("account", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rec_sequence")
    op.drop_index("ix_rec_line_record_id", table_name="rec_line")
    op.drop_table("rec_line")
    op.drop_index("ix_rec_record_created_from", table_name="rec_record")
    op.drop_index("ix_rec_record_modified", table_name="rec_record")
    op.drop_index("ix_rec_record_type", table_name="rec_record")
    op.drop_table("rec_record")
