"""Engine: flow configs, jobs, per-record errors with retry data, per-flow state.

Revision ID: int0002
Revises: int0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "int0002"
down_revision = "int0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
RUNNING = sa.text("status = 'running'")


def upgrade() -> None:
    op.create_table(
        "flow_configs",
        sa.Column("flow_id", sa.String(80)),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("schedule", sa.String(100)),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("next_run_at", TS),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("flow_id", name="pk_flow_configs"),
    )
    op.create_table(
        "flow_jobs",
        sa.Column("seq", sa.Integer, autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("flow_id", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("triggered_by", sa.String(254), nullable=False),
        sa.Column("created_at", TS),
        sa.Column("started_at", TS),
        sa.Column("ended_at", TS),
        sa.Column("heartbeat_at", TS),
        *(
            sa.Column(name, sa.Integer, nullable=False)
            for name in ("exported", "success", "ignored", "errors", "pages", "retries", "resolved")
        ),
        sa.Column("message", sa.Text),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_flow_jobs"),
        sa.UniqueConstraint("id", name="uq_flow_jobs_id"),
    )
    op.create_index("ix_flow_jobs_flow_status", "flow_jobs", ["flow_id", "status"])
    op.create_index(
        "uq_flow_jobs_one_running",
        "flow_jobs",
        ["flow_id"],
        unique=True,
        sqlite_where=RUNNING,
        postgresql_where=RUNNING,
    )
    op.create_table(
        "flow_errors",
        sa.Column("seq", sa.Integer, autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("flow_id", sa.String(80), nullable=False),
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("step", sa.String(80), nullable=False),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("error_type", sa.String(100), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("retryable", sa.Boolean, nullable=False),
        sa.Column("classification", sa.String(20), nullable=False),
        sa.Column("field", sa.String(255)),
        sa.Column("code", sa.String(100)),
        sa.Column("status_code", sa.Integer),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS),
        sa.Column("resolved_at", TS),
        sa.Column("resolved_by", sa.String(254)),
        sa.Column("retry_count", sa.Integer, nullable=False),
        sa.Column("retry_at", TS),
        sa.PrimaryKeyConstraint("seq", name="pk_flow_errors"),
        sa.UniqueConstraint("id", name="uq_flow_errors_id"),
    )
    op.create_index("ix_flow_errors_flow_key_state", "flow_errors", ["flow_id", "key", "state"])
    op.create_index("ix_flow_errors_state_retry_at", "flow_errors", ["state", "retry_at"])
    op.create_index("ix_flow_errors_job", "flow_errors", ["job_id"])
    op.create_table(
        "flow_state",
        sa.Column("flow_id", sa.String(80)),
        sa.Column("key", sa.String(80)),
        sa.Column("value", sa.JSON),
        sa.PrimaryKeyConstraint("flow_id", "key", name="pk_flow_state"),
    )


def downgrade() -> None:
    op.drop_table("flow_state")
    for index in (
        "ix_flow_errors_job",
        "ix_flow_errors_state_retry_at",
        "ix_flow_errors_flow_key_state",
    ):
        op.drop_index(index, "flow_errors")
    op.drop_table("flow_errors")
    op.drop_index("uq_flow_jobs_one_running", "flow_jobs")
    op.drop_index("ix_flow_jobs_flow_status", "flow_jobs")
    op.drop_table("flow_jobs")
    op.drop_table("flow_configs")
