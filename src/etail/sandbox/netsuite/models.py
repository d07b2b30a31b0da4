"""Admin tables of the NetSuite sandbox: accounts, roles, employees, integrations, tokens, audit.

Credentials are never stored in the clear: consumer keys and token IDs are kept as SHA-256
digests (enough to find the record), consumer and token secrets Fernet-encrypted (verification
needs them) -- NetSuite shows both only once (netsuite-tba.md §1.7, §4).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from etail.sandbox.netsuite.context import Level
from etail.sandbox.netsuite.db import Base

# NetSuite service tiers since June 2020 and their base concurrency (netsuite-tba.md §3.5).
TIER_LIMITS: dict[str, int] = {"standard": 5, "premium": 15, "enterprise": 20}
PLUS_LICENCE_SLOTS = 10  # each SuiteCloud Plus licence adds 10 (NS:bridgehead_1500275603)


def utcnow() -> datetime:
    return datetime.now(UTC)


employee_roles = Table(
    "ns_employee_role",
    Base.metadata,
    Column("employee_id", ForeignKey("ns_employee.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("ns_role.id", ondelete="CASCADE"), primary_key=True),
)


class Account(Base):
    __tablename__ = "ns_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(40), unique=True)  # realm spelling
    company_name: Mapped[str] = mapped_column(String(200))
    service_tier: Mapped[str] = mapped_column(String(20), default="standard")
    suitecloud_plus: Mapped[int] = mapped_column(Integer, default=0)
    feature_tba: Mapped[bool] = mapped_column(Boolean, default=False)
    feature_rest: Mapped[bool] = mapped_column(Boolean, default=True)
    feature_soap: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def concurrency_limit(self) -> int:
        return TIER_LIMITS[self.service_tier] + PLUS_LICENCE_SLOTS * self.suitecloud_plus


class Role(Base):
    __tablename__ = "ns_role"
    __table_args__ = (UniqueConstraint("account_pk", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_pk: Mapped[int] = mapped_column(ForeignKey("ns_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    bundle_id: Mapped[str | None] = mapped_column(String(20), default=None)
    is_administrator: Mapped[bool] = mapped_column(Boolean, default=False)
    permissions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def levels(self) -> dict[str, Level]:
        return {k: Level(int(v)) for k, v in self.permissions.items()}


class Employee(Base):
    __tablename__ = "ns_employee"
    __table_args__ = (UniqueConstraint("account_pk", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_pk: Mapped[int] = mapped_column(ForeignKey("ns_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200))
    inactive: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    roles: Mapped[list[Role]] = relationship(secondary=employee_roles, lazy="selectin")


class Integration(Base):
    __tablename__ = "ns_integration"
    __table_args__ = (
        UniqueConstraint("account_pk", "name"),
        UniqueConstraint("account_pk", "consumer_key_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_pk: Mapped[int] = mapped_column(ForeignKey("ns_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000), default="")
    application_id: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20), default="enabled")  # enabled | blocked
    tba: Mapped[bool] = mapped_column(Boolean, default=True)
    bundle_id: Mapped[str | None] = mapped_column(String(20), default=None)
    consumer_key_sha256: Mapped[str] = mapped_column(String(64))
    consumer_secret_enc: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AccessToken(Base):
    __tablename__ = "ns_access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_pk: Mapped[int] = mapped_column(ForeignKey("ns_account.id", ondelete="CASCADE"))
    integration_id: Mapped[int] = mapped_column(ForeignKey("ns_integration.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("ns_employee.id", ondelete="CASCADE"))
    role_id: Mapped[int] = mapped_column(ForeignKey("ns_role.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    token_secret_enc: Mapped[str] = mapped_column(String(400))
    inactive: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    integration: Mapped[Integration] = relationship(lazy="joined")
    employee: Mapped[Employee] = relationship(lazy="joined")
    role: Mapped[Role] = relationship(lazy="joined")


class LoginAudit(Base):
    """One token-based login attempt (Setup > Users/Roles > User Management > Login Audit Trail)."""

    __tablename__ = "ns_login_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_pk: Mapped[int | None] = mapped_column(
        ForeignKey("ns_account.id", ondelete="CASCADE"), default=None, index=True
    )
    realm: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(200), default="")
    token_name: Mapped[str] = mapped_column(String(300), default="")
    application: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20))  # Success | Failure
    detail: Mapped[str] = mapped_column(String(80), default="")
    channel: Mapped[str] = mapped_column(String(20), default="rest")
    ip_address: Mapped[str] = mapped_column(String(64), default="")


class UsedNonce(Base):
    """Nonce + timestamp pairs already used by an entity (NonceUsed, netsuite-tba.md §1.6)."""

    __tablename__ = "ns_used_nonce"
    __table_args__ = (UniqueConstraint("account_pk", "employee_id", "nonce", "timestamp"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_pk: Mapped[int] = mapped_column(ForeignKey("ns_account.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(Integer)
    nonce: Mapped[str] = mapped_column(String(100))
    timestamp: Mapped[int] = mapped_column(Integer, index=True)
