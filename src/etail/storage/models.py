"""Integrator tables: users, sessions, invitations, integrations, iClients, connections, audit.

Secrets are stored only as Fernet tokens (``*_enc`` columns and the ``secrets`` JSON of a
connection, whose values are Fernet tokens); the plain values live nowhere on disk.
"""

from __future__ import annotations

import secrets as _secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Dialect, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from etail.storage.db import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A 24-hex id, the shape of integrator.io's resource ids."""
    return _secrets.token_hex(12)


class TZDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores naive values; we re-tag them on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo:
            return value
        return value.replace(tzinfo=UTC)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    # owner | administrator | manage | monitor | tile (per-integration grants only): celigo-jet §1.2
    role: Mapped[str] = mapped_column(String(20))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(TZDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(TZDateTime(), default=None)

    grants: Mapped[list[IntegrationGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r}, role={self.role!r})"


class IntegrationGrant(Base):
    """Manage or monitor access to one integration (the ``integrationAccessLevel`` of Celigo)."""

    __tablename__ = "integration_grants"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), primary_key=True
    )
    access_level: Mapped[str] = mapped_column(String(10))  # manage | monitor
    user: Mapped[User] = relationship(back_populates="grants")


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    grants: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(TZDateTime(), default=None)


class WebSession(Base):
    """A signed-in session (browser cookie or API bearer token); only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10), default="browser")  # browser | api
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime())


class Integration(Base):
    __tablename__ = "integrations"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    connector: Mapped[str | None] = mapped_column(String(50), default=None)  # integration app id
    version: Mapped[str] = mapped_column(String(20), default="1.0.0")
    mode: Mapped[str] = mapped_column(String(20), default="settings")  # install|settings|uninstall
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class IClient(Base):
    """An app registration: for NetSuite, the integration record's consumer key and secret."""

    __tablename__ = "iclients"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    provider: Mapped[str] = mapped_column(String(20), default="netsuite")
    # "tba" today; "oauth2-client-credentials" slots in with a certificate instead of a secret.
    auth_kind: Mapped[str] = mapped_column(String(40), default="tba")
    is_global: Mapped[bool] = mapped_column(Boolean, default=False)
    consumer_key_enc: Mapped[str] = mapped_column(Text)
    consumer_secret_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"IClient(id={self.id!r}, name={self.name!r}, consumer_key=******)"


class Connection(Base):
    """Credentials and settings to reach one system. ``config`` is plain; ``secrets`` encrypted."""

    __tablename__ = "connections"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_id)
    integration_id: Mapped[str | None] = mapped_column(
        ForeignKey("integrations.id", ondelete="SET NULL"), default=None
    )
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20))  # netsuite | jet
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secrets: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # field -> Fernet token
    iclient_id: Mapped[str | None] = mapped_column(
        ForeignKey("iclients.id", ondelete="RESTRICT"), default=None
    )
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    offline_reason: Mapped[str | None] = mapped_column(Text, default=None)
    offline_since: Mapped[datetime | None] = mapped_column(TZDateTime(), default=None)
    last_checked_at: Mapped[datetime | None] = mapped_column(TZDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"Connection(id={self.id!r}, name={self.name!r}, type={self.type!r})"


class AuditEntry(Base):
    """One changed field (or one event such as a sign-in): celigo-jet §1.9."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(String(24), default=None)
    user_email: Mapped[str] = mapped_column(String(254), default="system")
    source: Mapped[str] = mapped_column(String(20))  # UI | API | CLI | System | Integration app
    action: Mapped[str] = mapped_column(String(20))  # create | update | delete | sign in | ...
    resource_type: Mapped[str] = mapped_column(String(30))
    resource_id: Mapped[str] = mapped_column(String(40), default="")
    resource_name: Mapped[str] = mapped_column(String(200), default="")
    field: Mapped[str] = mapped_column(String(100), default="")
    old_value: Mapped[str | None] = mapped_column(Text, default=None)
    new_value: Mapped[str | None] = mapped_column(Text, default=None)
