"""The NetSuite sandbox's database: one declarative Base for every sandbox table."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Base of the admin tables and the record tables."""
