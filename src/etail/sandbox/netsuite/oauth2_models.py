"""Tables of the sandbox's OAuth 2.0 client credentials (M2M); see docs/oauth2.md for the migration.

They sit beside the admin tables without changing them (netsuite-oauth2-soap.md §1, §2.4):

* ``ns_oauth2_feature``      -- Enable Features > SuiteCloud > Manage Authentication > OAuth 2.0;
* ``ns_oauth2_client``       -- the integration record's OAuth 2.0 section: the "Client
  Credentials (Machine to Machine) Grant" box and the scope boxes. The client ID is the record's
  consumer key, as NetSuite reuses it for a record that had TBA (NS:section_157771863841);
* ``ns_m2m_certificate``     -- OAuth 2.0 Client Credentials (M2M) Setup: one uploaded certificate
  mapped to exactly one (integration record, entity, role) (NS:subsect_162755332391);
* ``ns_oauth2_signing_key``  -- the account's own token-signing key (per company, §1.8), Fernet-
  encrypted like every other sandbox secret;
* ``ns_oauth2_access_token`` -- issued access tokens, kept by SHA-256 digest only, so a revoked
  certificate can block its tokens.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from etail.sandbox.netsuite.db import Base
from etail.sandbox.netsuite.models import Employee, Integration, Role, utcnow


class OAuth2Feature(Base):
    """The account's OAuth 2.0 feature (off until enabled, like Token-Based Authentication)."""

    __tablename__ = "ns_oauth2_feature"

    account_pk: Mapped[int] = mapped_column(
        ForeignKey("ns_account.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)


class OAuth2Client(Base):
    """The OAuth 2.0 part of an integration record's Authentication subtab."""

    __tablename__ = "ns_oauth2_client"

    integration_id: Mapped[int] = mapped_column(
        ForeignKey("ns_integration.id", ondelete="CASCADE"), primary_key=True
    )
    client_credentials: Mapped[bool] = mapped_column(Boolean, default=False)
    scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    integration: Mapped[Integration] = relationship(lazy="joined")


class M2MCertificate(Base):
    """One certificate of the M2M setup page and the (record, entity, role) it logs in as."""

    __tablename__ = "ns_m2m_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_pk: Mapped[int] = mapped_column(
        ForeignKey("ns_account.id", ondelete="CASCADE"), index=True
    )
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("ns_integration.id", ondelete="CASCADE"), index=True
    )
    employee_id: Mapped[int] = mapped_column(ForeignKey("ns_employee.id", ondelete="CASCADE"))
    role_id: Mapped[int] = mapped_column(ForeignKey("ns_role.id", ondelete="CASCADE"))
    certificate_id: Mapped[str] = mapped_column(String(64), unique=True)  # base64url(sha256(DER))
    certificate_pem: Mapped[str] = mapped_column(Text)
    key_type: Mapped[str] = mapped_column(String(8))  # RSA | EC (the rotation API's "algorithm")
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    integration: Mapped[Integration] = relationship(lazy="joined")
    employee: Mapped[Employee] = relationship(lazy="joined")
    role: Mapped[Role] = relationship(lazy="joined")


class OAuth2SigningKey(Base):
    """The private key the account signs its access tokens with (NetSuite's "kid" c.<acct>.…)."""

    __tablename__ = "ns_oauth2_signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_pk: Mapped[int] = mapped_column(
        ForeignKey("ns_account.id", ondelete="CASCADE"), index=True
    )
    kid: Mapped[str] = mapped_column(String(100), unique=True)
    private_key_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OAuth2AccessToken(Base):
    """An access token issued by the token endpoint (digest only; 3600 s by default)."""

    __tablename__ = "ns_oauth2_access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_pk: Mapped[int] = mapped_column(
        ForeignKey("ns_account.id", ondelete="CASCADE"), index=True
    )
    certificate_pk: Mapped[int] = mapped_column(
        ForeignKey("ns_m2m_certificate.id", ondelete="CASCADE"), index=True
    )
    jti: Mapped[str] = mapped_column(String(200), unique=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    issued_at: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int] = mapped_column(Integer, index=True)
    certificate: Mapped[M2MCertificate] = relationship(lazy="joined")


__all__ = [
    "M2MCertificate",
    "OAuth2AccessToken",
    "OAuth2Client",
    "OAuth2Feature",
    "OAuth2SigningKey",
]
