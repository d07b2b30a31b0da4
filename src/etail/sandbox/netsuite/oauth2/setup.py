"""OAuth 2.0 Client Credentials (M2M) Setup: feature, record boxes, certificates (§1.4, §2.4)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from etail.sandbox.netsuite.admin import employees, roles
from etail.sandbox.netsuite.admin.errors import AdminError, ConflictError, NotFoundError
from etail.sandbox.netsuite.models import Account, Integration
from etail.sandbox.netsuite.oauth2.common import (
    EC_CURVES,
    MAX_ACTIVE_CERTIFICATES,
    MAX_CERTIFICATE_VALIDITY,
    RSA_SIZES,
    SCOPES,
)
from etail.sandbox.netsuite.oauth2.jose import (
    _b64encode,
)
from etail.sandbox.netsuite.oauth2_models import (
    M2MCertificate,
    OAuth2Client,
    OAuth2Feature,
)

# -- certificates (M2M setup) ---------------------------------------------------------------------


def load_certificate(raw: str | bytes) -> x509.Certificate:
    """A PEM or DER X.509 certificate (.cer/.pem/.crt), or ``AdminError`` naming the field."""
    data = raw.encode() if isinstance(raw, str) else raw
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data.strip())
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise AdminError(
            "certificate is not an X.509 certificate in PEM or DER form",
            field="certificate",
            hint="upload the public certificate (public.pem), never the private key",
        ) from None


def certificate_id_of(cert: x509.Certificate) -> str:
    """base64url(SHA-256(DER)) without padding: NetSuite's Certificate ID (§1.4, verified)."""
    return _b64encode(hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest())


def _key_type(cert: x509.Certificate) -> str:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey) and key.key_size in RSA_SIZES:
        return "RSA"
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in EC_CURVES:
        return "EC"
    raise AdminError(
        "the certificate's key must be RSA 3072/4096 bits or EC P-256/P-384/P-521",
        field="certificate",
        hint="create it with Oracle's recipe: openssl req -new -x509 -newkey rsa:4096 ...",
    )


def _client_of(s: Session, integ: Integration) -> OAuth2Client:
    client = s.get(OAuth2Client, integ.id)
    if client is None:
        client = OAuth2Client(integration_id=integ.id, client_credentials=False, scopes=[])
        s.add(client)
        s.flush()
    return client


def configure_client(
    s: Session, integ: Integration, *, client_credentials: bool, scopes: Sequence[str]
) -> OAuth2Client:
    """Tick the M2M grant and the scope boxes on an integration record (§2.4)."""
    unknown = [x for x in scopes if x not in SCOPES]
    if unknown:
        raise AdminError(
            f"scope {unknown[0]!r} is unknown", field="scopes", hint=f"use {', '.join(SCOPES)}"
        )
    if client_credentials and not scopes:
        raise AdminError("tick at least one scope", field="scopes")
    client = _client_of(s, integ)
    client.client_credentials = client_credentials
    client.scopes = sorted(set(scopes))
    s.flush()
    return client


def set_feature(s: Session, account: Account, enabled: bool) -> OAuth2Feature:
    """Setup > Company > Enable Features > SuiteCloud > Manage Authentication > OAuth 2.0."""
    feature = s.get(OAuth2Feature, account.id)
    if feature is None:
        feature = OAuth2Feature(account_pk=account.id, enabled=enabled)
        s.add(feature)
    feature.enabled = enabled
    s.flush()
    return feature


def feature_enabled(s: Session, account_pk: int) -> bool:
    feature = s.get(OAuth2Feature, account_pk)
    return bool(feature and feature.enabled)


def register_certificate(
    s: Session,
    account: Account,
    integ: Integration,
    employee_ref: str | int,
    role_ref: str | int,
    certificate: str | bytes,
    *,
    now: datetime | None = None,
) -> M2MCertificate:
    """Create New on the M2M setup page: map one certificate to (record, entity, role) (§1.4)."""
    now = now or datetime.now(UTC)
    emp = employees.get_employee(s, account, employee_ref)
    role = roles.get_role(s, account, role_ref)
    client = s.get(OAuth2Client, integ.id)
    if client is None or not client.client_credentials:
        raise AdminError(
            f"integration record {integ.name!r} does not use the client credentials grant",
            field="integration",
            hint="tick 'Client Credentials (Machine to Machine) Grant' on the record first",
        )
    if role not in emp.roles:
        raise AdminError(f"{emp.email} does not have the role {role.name!r}", field="role")
    cert = load_certificate(certificate)
    key_type = _key_type(cert)
    cert_id = certificate_id_of(cert)
    if s.scalar(select(M2MCertificate.id).where(M2MCertificate.certificate_id == cert_id)):
        raise ConflictError(
            "this certificate is already mapped; one certificate serves one (application, "
            "entity, role) and a revoked one cannot be reused",
            field="certificate",
            hint="create a new key pair and certificate",
        )
    if len(active_certificates(s, integ, now)) >= MAX_ACTIVE_CERTIFICATES:
        raise ConflictError(
            f"integration record {integ.name!r} already has {MAX_ACTIVE_CERTIFICATES} active "
            "certificates",
            field="certificate",
            hint="revoke one first",
        )
    start = cert.not_valid_before_utc
    end = min(cert.not_valid_after_utc, start + MAX_CERTIFICATE_VALIDITY)
    if end <= now:
        raise AdminError("the certificate has already expired", field="certificate")
    row = M2MCertificate(
        account_pk=account.id,
        integration_id=integ.id,
        employee_id=emp.id,
        role_id=role.id,
        certificate_id=cert_id,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        key_type=key_type,
        valid_from=start,
        valid_until=end,
    )
    s.add(row)
    s.flush()
    return row


def active_certificates(s: Session, integ: Integration, now: datetime) -> list[M2MCertificate]:
    rows = s.scalars(
        select(M2MCertificate).where(
            M2MCertificate.integration_id == integ.id, M2MCertificate.revoked.is_(False)
        )
    )
    return [r for r in rows if _aware(r.valid_until) > now]


def list_certificates(s: Session, account: Account) -> list[M2MCertificate]:
    q = select(M2MCertificate).where(M2MCertificate.account_pk == account.id)
    return list(s.scalars(q.order_by(M2MCertificate.id)))


def revoke_certificate(s: Session, account: Account, cert_id: str) -> M2MCertificate:
    """Revoke: the mapping stops working; the certificate can never be used again (§1.4)."""
    row = s.scalar(
        select(M2MCertificate).where(
            M2MCertificate.account_pk == account.id, M2MCertificate.certificate_id == cert_id
        )
    )
    if row is None:
        raise NotFoundError(
            f"no certificate {cert_id!r} in account {account.account_id}", field="certificate_id"
        )
    row.revoked = True
    s.flush()
    return row


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored moment is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
