"""Record tables of the sandbox (migration ``ns0002``).

Records of every type live in one table with their body fields as JSON; sublist lines live in a
second table so SuiteQL's ``transactionline`` and ``inventoryitemlocations`` are plain joins.
Every row belongs to one account (its realm spelling, e.g. ``1234567_SB1``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from etail.sandbox.netsuite.db import Base


class RecordRow(Base):
    __tablename__ = "rec_record"
    __table_args__ = (
        # externalId is unique per record type and account (NS:section_156334828635).
        UniqueConstraint("account", "rtype", "external_id", name="uq_rec_record_external_id"),
        Index("ix_rec_record_type", "account", "rtype", "id"),
        Index("ix_rec_record_modified", "account", "rtype", "last_modified"),
        Index("ix_rec_record_created_from", "created_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(40))
    rtype: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    tran_id: Mapped[str | None] = mapped_column(String(45), nullable=True)
    created_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    date_created: Mapped[datetime] = mapped_column(DateTime)
    last_modified: Mapped[datetime] = mapped_column(DateTime)


class LineRow(Base):
    __tablename__ = "rec_line"
    __table_args__ = (UniqueConstraint("record_id", "sublist", "line", name="uq_rec_line"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("rec_record.id", ondelete="CASCADE"), index=True
    )
    sublist: Mapped[str] = mapped_column(String(40))
    line: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class SequenceRow(Base):
    """Per-account counters for document numbers (tranId)."""

    __tablename__ = "rec_sequence"

    account: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
