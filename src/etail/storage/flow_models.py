"""Engine tables of the integrator database: flow configs, jobs, per-record errors, flow state.

Created by migration ``int0002``. Jobs and errors have an integer ``seq`` primary key for a stable
first-in first-out order (timestamps can tie) and a string ``id`` that the pages, API and queue use.
A partial unique index allows one ``running`` job per flow, on SQLite and PostgreSQL alike: the
database itself refuses a second concurrent run (celigo-jet.md §1.1, "one instance at a time").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from etail.storage.db import Base
from etail.storage.models import TZDateTime


class FlowConfigRow(Base):
    __tablename__ = "flow_configs"

    flow_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    schedule: Mapped[str | None] = mapped_column(String(100), default=None)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    next_run_at: Mapped[datetime | None] = mapped_column(TZDateTime(), default=None)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FlowJobRow(Base):
    __tablename__ = "flow_jobs"
    __table_args__ = (
        Index("ix_flow_jobs_flow_status", "flow_id", "status"),
        Index(
            "uq_flow_jobs_one_running",
            "flow_id",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    flow_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    triggered_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime | None] = mapped_column(TZDateTime(), default=None)
    started_at: Mapped[datetime | None] = mapped_column(TZDateTime(), default=None)
    ended_at: Mapped[datetime | None] = mapped_column(TZDateTime(), default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(TZDateTime(), default=None)
    exported: Mapped[int] = mapped_column(Integer, default=0)
    success: Mapped[int] = mapped_column(Integer, default=0)
    ignored: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FlowErrorRow(Base):
    __tablename__ = "flow_errors"
    __table_args__ = (
        Index("ix_flow_errors_flow_key_state", "flow_id", "key", "state"),
        Index("ix_flow_errors_state_retry_at", "state", "retry_at"),
        Index("ix_flow_errors_job", "job_id"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    flow_id: Mapped[str] = mapped_column(String(80))
    job_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(255))
    step: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(80), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error_type: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(20))
    retryable: Mapped[bool] = mapped_column(Boolean, default=False)
    classification: Mapped[str] = mapped_column(String(20))
    field: Mapped[str | None] = mapped_column(String(255), default=None)
    code: Mapped[str | None] = mapped_column(String(100), default=None)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    state: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(TZDateTime(), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(TZDateTime(), default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(254), default=None)
    retry_count: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(TZDateTime(), default=None)


class FlowStateRow(Base):
    __tablename__ = "flow_state"

    flow_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)


__all__ = ["FlowConfigRow", "FlowErrorRow", "FlowJobRow", "FlowStateRow"]
