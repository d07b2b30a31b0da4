"""OAuth 2.0 client credentials (M2M), the NetSuite side: token endpoint, bearer check, admin.

What a real account does (netsuite-oauth2-soap.md §1, §3, §6.1):

* ``POST /services/rest/auth/oauth2/v1/token`` takes ``grant_type=client_credentials`` and a JWT
  ``client_assertion`` signed with the private key of a certificate uploaded at *Setup >
  Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup*, mapped to one
  (integration record, entity, role). It answers ``{"access_token", "expires_in": 3600,
  "token_type": "Bearer"}`` or ``{"error": …}``; the precise reason goes only to the Login Audit
  Trail's Detail column (§1.7).
* REST web services and RESTlets accept ``Authorization: Bearer <access token>``; any failure is
  ``401`` with ``WWW-Authenticate: Bearer realm=…, error="invalid_token"`` (§3).

This module verifies the assertion with ``cryptography`` alone, in the order of §6.1, issues
access tokens shaped like NetSuite's (§1.8, signed PS256 with a per-account key), and resolves a
bearer token to a ``Caller``. It shares no code with the client (``etail.netsuite.oauth2``): it
stands in for NetSuite and must not share our assumptions.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, TypeGuard
from urllib.parse import parse_qsl

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from etail.crypto import SecretBox
from etail.sandbox.netsuite.admin import accounts, employees, integrations, roles
from etail.sandbox.netsuite.admin.api import require_admin_key
from etail.sandbox.netsuite.admin.credentials import digest
from etail.sandbox.netsuite.admin.errors import AdminError, ConflictError, NotFoundError
from etail.sandbox.netsuite.context import Caller, Channel, Level
from etail.sandbox.netsuite.deps import SessionDep, addressed_url, get_store
from etail.sandbox.netsuite.models import Account, Integration, LoginAudit
from etail.sandbox.netsuite.oauth2_models import (
    M2MCertificate,
    OAuth2AccessToken,
    OAuth2Client,
    OAuth2Feature,
    OAuth2SigningKey,
)
from etail.sandbox.netsuite.problems import RFC2616_401, rest_invalid_login, restlet_invalid_login
from etail.sandbox.netsuite.store import Store

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"  # noqa: S105 (a path)
KEYS_PATH = "/services/rest/auth/oauth2/v1/keys"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCOPES = ("restlets", "rest_webservices", "suite_analytics")  # record scope boxes (§2.4)
OAUTH2_LOGIN = "loginUsingOAuth2AccessTokens"  # "Log in using OAuth 2.0 Access Tokens" (§3)
OAUTH2_LOGIN_LABEL = "Log in using OAuth 2.0 Access Tokens"
MAX_ACTIVE_CERTIFICATES = 5  # per integration record since 2026.1 (NS:section_162686838198)
MAX_CERTIFICATE_VALIDITY = timedelta(days=730)  # longer ones are cut to 2 years (§1.4)
RSA_SIZES = (3072, 4096)
EC_CURVES = ("secp256r1", "secp384r1", "secp521r1")
ISSUER = "https://system.netsuite.com"  # NetSuite's own tokens (§1.8)
_HASH: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
_CURVE_OF = {"ES256": ("secp256r1", 32), "ES384": ("secp384r1", 48), "ES512": ("secp521r1", 66)}
_SCOPE_SPLIT = re.compile(r"[,\s]+")
_CHANNEL_SCOPE = {"rest": "rest_webservices", "restlet": "restlets"}
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
MAX_JWS_LENGTH = 16384  # far above any real assertion or access token


# -- options and errors ---------------------------------------------------------------------------


@dataclass
class OAuth2Options:
    """Knobs of the sandbox's OAuth 2.0 (kept on ``app.state.oauth2`` by :func:`install`).

    ``max_assertion_seconds``: NetSuite's rule is "exp less than 60 minutes greater than iat"
    and its samples use exactly 3600; the audit doc says two hours, so up to 7200 is allowed.
    """

    access_token_seconds: int = 3600  # expires_in is "always 3600" (§1.5)
    max_assertion_seconds: int = 3600
    clock_skew: int = 300  # an iat this far in the future is still accepted
    clock: Callable[[], float] = time.time
    _private_keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.max_assertion_seconds <= 7200:
            raise ValueError("max_assertion_seconds must be 1-7200")


class TokenRefused(Exception):
    """A refused token request; ``detail`` is the Login Audit Trail value (§1.7)."""

    def __init__(self, detail: str, error: str = "invalid_grant", status: int = 400) -> None:
        super().__init__(detail)
        self.detail, self.error, self.status = detail, error, status


class BearerRejected(Exception):
    """A refused bearer token; the app answers NetSuite's 401 (or 400 for a garbled header)."""

    def __init__(self, detail: str, *, status: int = 401) -> None:
        super().__init__(detail)
        self.detail, self.status = detail, status
        self.channel: Channel = "rest"
        self.realm = ""


# Which OAuth error each Detail becomes at the token endpoint. Oracle documents the error table
# only for the code grant (NS:subsect_158521832417); the mapping follows §1.6's inference.
_UNAUTHORIZED = ("unauthorized_client", 400)
_ERROR_OF: dict[str, tuple[str, int]] = {
    "InvalidRequest": ("invalid_request", 400),
    "InvalidGrantType": ("unsupported_grant_type", 400),
    "FeatureDisabled": _UNAUTHORIZED,
    "AuthorizationCodeGrantRequired": _UNAUTHORIZED,
    "IntegrationBlocked": ("invalid_client", 401),
    "InvalidScope": ("invalid_scope", 400),
    "ScopeMismatched": ("invalid_scope", 400),
}


def refused(detail: str) -> TokenRefused:
    error, status = _ERROR_OF.get(detail, ("invalid_grant", 400))
    return TokenRefused(detail, error, status)


@dataclass
class Attempt:
    """The Login Audit Trail row of one attempt, filled in as verification learns more."""

    channel: str
    account_pk: int | None = None
    realm: str = ""
    user: str = ""
    role: str = ""
    token_name: str = ""
    application: str = ""
    detail: str = ""

    def learn(self, cert: M2MCertificate, realm: str) -> None:
        self.account_pk, self.realm = cert.account_pk, realm
        self.user, self.role = cert.employee.email, cert.role.name
        self.application = cert.integration.name
        self.token_name = f"M2M certificate {cert.certificate_id[:12]}"

    def row(self, ok: bool, ip: str) -> LoginAudit:
        return LoginAudit(
            account_pk=self.account_pk,
            realm=self.realm[:100],
            user=self.user,
            role=self.role,
            token_name=self.token_name,
            application=self.application,
            status="Success" if ok else "Failure",
            detail=self.detail,
            channel=self.channel,
            ip_address=ip,
        )


# -- JOSE, the server's own reading of RFC 7515/7518 ---------------------------------------------


def _b64decode(part: str) -> bytes:
    if not _B64URL.match(part):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class Jws:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def parse_jws(token: str) -> Jws:
    """Split and decode a compact JWS; ``ValueError`` when it is not one."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise ValueError("a compact JWS has three parts")
    if len(token) > MAX_JWS_LENGTH:
        raise ValueError("the JWS is too long")
    try:
        header, claims = (json.loads(_b64decode(p), parse_constant=_no_constant) for p in parts[:2])
    except RecursionError:  # absurdly nested JSON must not become a 500
        raise ValueError("the JWS nests too deeply") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("JWS header and claims must be JSON objects")
    return Jws(header, claims, f"{parts[0]}.{parts[1]}".encode(), _b64decode(parts[2]))


def _no_constant(name: str) -> None:
    # NaN and Infinity are not JSON (RFC 8259 §6); an iat of NaN would slip past every bound.
    raise ValueError(f"{name} is not a JSON number")


def _alg_fits(alg: object, key: object) -> bool:
    """PS* needs an RSA key, ES* the curve its name fixes (NS:section_0312092212)."""
    if not isinstance(alg, str):
        return False
    if alg in ("PS256", "PS384", "PS512"):
        return isinstance(key, rsa.RSAPublicKey)
    if alg in _CURVE_OF:
        return isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == _CURVE_OF[alg][0]
    return False  # RS256 and every other algorithm are refused (UnsupportedAlgo)


def signature_valid(jws: Jws, key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey) -> bool:
    """RFC 7518 §3.5 (PSS, MGF1, salt = hash length) and §3.4 (ECDSA as raw R‖S)."""
    alg: str = jws.header["alg"]
    hash_alg = _HASH[alg[2:]]()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            pss = padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=hash_alg.digest_size)
            key.verify(jws.signature, jws.signing_input, pss, hash_alg)
            return True
        size = _CURVE_OF[alg][1]
        if len(jws.signature) != 2 * size:
            return False
        r = int.from_bytes(jws.signature[:size], "big")
        s = int.from_bytes(jws.signature[size:], "big")
        key.verify(encode_dss_signature(r, s), jws.signing_input, ec.ECDSA(hash_alg))
        return True
    except InvalidSignature:
        return False


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


# -- the token endpoint ---------------------------------------------------------------------------


def read_form(body: bytes, content_type: str) -> dict[str, str]:
    """WHATWG urlencoded fields; missing, repeated or non-form input is ``InvalidRequest``."""
    if not content_type.lower().startswith("application/x-www-form-urlencoded"):
        raise refused("InvalidRequest")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        raise refused("InvalidRequest") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:  # a repeated parameter is invalid_request (RFC 6749 §5.2)
            raise refused("InvalidRequest")
        form[name] = value
    return form


class TokenIssuer:
    """Checks a client-credentials request in NetSuite's order (§6.1) and issues a token."""

    def __init__(self, box: SecretBox, options: OAuth2Options) -> None:
        self._box = box
        self._options = options

    def __repr__(self) -> str:
        return "TokenIssuer()"

    def issue(self, s: Session, form: Mapping[str, str], url: str, at: Attempt) -> dict[str, Any]:
        """The success body, or ``TokenRefused`` with the Detail for the audit row."""
        self._attribute(s, form.get("client_assertion", ""), at)
        grant = form.get("grant_type")
        if not grant:
            raise refused("InvalidRequest")
        if grant != "client_credentials":  # the code and refresh grants are not served here
            raise refused("InvalidGrantType")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise refused("InvalidRequest")
        try:
            jws = parse_jws(form.get("client_assertion", ""))
        except ValueError:
            raise refused("InvalidRequest") from None
        cert = self._certificate(s, jws)
        at.learn(cert, self._realm(s, cert.account_pk))
        self._check_signature(jws, cert)
        self._check_client(s, jws, cert)
        self._check_times(jws.claims, url, at.realm)
        scopes = self._check_scopes(s, jws.claims, cert)
        self._check_entity(cert)
        return self._token(s, cert, jws.claims["iss"], scopes, at.realm)

    # Each check below raises the first Detail that applies, like NetSuite's audit trail.

    def _certificate(self, s: Session, jws: Jws) -> M2MCertificate:
        kid = jws.header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise refused("MissingKeyId")
        cert = s.scalar(select(M2MCertificate).where(M2MCertificate.certificate_id == kid))
        now = datetime.fromtimestamp(self._options.clock(), UTC)
        if (
            cert is None
            or cert.revoked
            or not _aware(cert.valid_from) <= now < _aware(cert.valid_until)
        ):
            raise refused("MissingKey")  # unknown, revoked or expired certificate
        return cert

    @staticmethod
    def _check_signature(jws: Jws, cert: M2MCertificate) -> None:
        key = x509.load_pem_x509_certificate(cert.certificate_pem.encode()).public_key()
        assert isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey)  # checked on upload
        if not _alg_fits(jws.header.get("alg"), key):
            raise refused("UnsupportedAlgo")
        if not signature_valid(jws, key):
            raise refused("SignatureValidation")

    @staticmethod
    def _check_client(s: Session, jws: Jws, cert: M2MCertificate) -> None:
        integ = cert.integration
        iss = jws.claims.get("iss")
        # The client ID is the record's consumer key, stored as a digest (§2.4).
        if not isinstance(iss, str) or not hmac.compare_digest(
            digest(iss), integ.consumer_key_sha256
        ):
            raise refused("InvalidIssuer")
        if not feature_enabled(s, cert.account_pk):
            raise refused("FeatureDisabled")
        if integ.state != "enabled":
            raise refused("IntegrationBlocked")
        client = s.get(OAuth2Client, integ.id)
        if client is None or not client.client_credentials:
            raise refused("AuthorizationCodeGrantRequired")

    def _check_times(self, claims: Mapping[str, Any], url: str, realm: str) -> None:
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]  # RFC 7519 §4.1.3: string or array
        allowed = token_urls(url, realm)
        if not any(isinstance(a, str) and a in allowed for a in audiences):
            # No Oracle Detail names the audience; NetSuite's generic "not acceptable" is used.
            raise refused("TokenNotAcceptable")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not _number(iat) or not _number(exp):
            raise refused("TokenNotAcceptable")
        now = self._options.clock()
        if iat > now + self._options.clock_skew:
            raise refused("TokenNotAcceptable")  # issued in the future
        if exp <= now:
            raise refused("TokenExpired")
        if exp - iat > self._options.max_assertion_seconds:
            raise refused("TokenValidityTooBroad")

    @staticmethod
    def _check_scopes(s: Session, claims: Mapping[str, Any], cert: M2MCertificate) -> list[str]:
        scopes = parse_scope(claims.get("scope"))
        if not scopes:
            raise refused("InvalidScope")
        client = s.get(OAuth2Client, cert.integration_id)
        allowed = set(client.scopes if client else [])
        if not allowed or not set(scopes) <= allowed:
            raise refused("ScopeMismatched")
        return scopes

    @staticmethod
    def _check_entity(cert: M2MCertificate) -> None:
        if not may_log_in(cert):
            raise refused("EntityOrRoleDisabled")

    def _token(
        self, s: Session, cert: M2MCertificate, client_id: str, scopes: list[str], realm: str
    ) -> dict[str, Any]:
        now = int(self._options.clock())
        lifetime = self._options.access_token_seconds
        kid, key = signing_key(s, self._box, cert.account_pk, realm, self._options)
        stamp = f"{uuid.uuid4()}_{now * 1000}.{now * 1000}"
        claims = {
            "sub": f"{cert.role_id};{cert.employee_id}",
            "aud": [f"{cert.integration.application_id};{realm}", client_id],
            "scope": scopes,
            "iss": ISSUER,
            "oit": now,
            "exp": now + lifetime,
            "iat": now,
            "jti": f"{realm}.a-a.{stamp}",
        }
        token = sign_token({"kid": kid, "typ": "JWT", "alg": "PS256"}, claims, key)
        s.execute(delete(OAuth2AccessToken).where(OAuth2AccessToken.expires_at < now - 86400))
        s.add(
            OAuth2AccessToken(
                account_pk=cert.account_pk,
                certificate_pk=cert.id,
                jti=claims["jti"],
                token_sha256=digest(token),
                scopes=scopes,
                issued_at=now,
                expires_at=now + lifetime,
            )
        )
        return {"access_token": token, "expires_in": lifetime, "token_type": "Bearer"}

    # Audit attribution before the certificate is known: the client ID names the record.

    def _attribute(self, s: Session, assertion: str, at: Attempt) -> None:
        try:
            self._attribute_claims(s, parse_jws(assertion).claims, at)
        except ValueError:
            return

    def _attribute_claims(self, s: Session, claims: Mapping[str, Any], at: Attempt) -> None:
        iss = claims.get("iss")
        if not isinstance(iss, str) or not iss:
            return
        integ = s.scalar(select(Integration).where(Integration.consumer_key_sha256 == digest(iss)))
        if integ is not None:
            at.account_pk, at.application = integ.account_pk, integ.name
            at.realm = self._realm(s, integ.account_pk)

    @staticmethod
    def _realm(s: Session, account_pk: int) -> str:
        return s.scalar(select(Account.account_id).where(Account.id == account_pk)) or ""


def _number(value: object) -> TypeGuard[float]:
    # iat/exp may be floats: Oracle's own Python sample sends datetime.timestamp() (§6.1).
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def parse_scope(raw: object) -> list[str]:
    """A JSON array, or one string split on commas and/or spaces (§1.3, pitfall 4)."""
    if isinstance(raw, str):
        items: list[object] = [x for x in _SCOPE_SPLIT.split(raw.strip()) if x]
    elif isinstance(raw, list):
        items = raw
    else:
        return []
    if not all(isinstance(x, str) and x for x in items):
        return []
    return sorted({str(x) for x in items})


def token_urls(addressed: str, realm: str) -> set[str]:
    """Where an assertion may say it is going: this URL, or the account's two token hosts."""
    host = realm.lower().replace("_", "-")
    return {
        addressed,
        f"https://{host}.suitetalk.api.netsuite.com{TOKEN_PATH}",
        f"https://{host}.restlets.api.netsuite.com{TOKEN_PATH}",
    }


def may_log_in(cert: M2MCertificate) -> bool:
    """Entity active, role still the entity's, and the role may log in with OAuth 2.0 tokens."""
    emp, role = cert.employee, cert.role
    if emp.inactive or role not in emp.roles:
        return False
    return role.is_administrator or role.levels().get(OAUTH2_LOGIN, Level.NONE) > Level.NONE


# -- NetSuite's own signing key and tokens --------------------------------------------------------


def signing_key(
    s: Session, box: SecretBox, account_pk: int, realm: str, options: OAuth2Options
) -> tuple[str, rsa.RSAPrivateKey]:
    """The account's token-signing key, made on first use (per company, §1.8)."""
    row = s.scalar(
        select(OAuth2SigningKey)
        .where(OAuth2SigningKey.account_pk == account_pk)
        .order_by(OAuth2SigningKey.id.desc())
    )
    if row is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        stamp = datetime.now(UTC).strftime("%Y-%m-%d_%H-%M-%S")
        row = OAuth2SigningKey(
            account_pk=account_pk,
            kid=f"c.{realm}.{stamp}.{secrets.token_hex(3)}",
            private_key_enc=box.encrypt(pem),
        )
        s.add(row)
        s.flush()
    return row.kid, _private_key(row, box, options)


def _private_key(
    row: OAuth2SigningKey, box: SecretBox, options: OAuth2Options
) -> rsa.RSAPrivateKey:
    # Loading an RSA key checks it (tens of milliseconds), so each key is loaded once a process.
    with options._lock:
        cached = options._private_keys.get(row.kid)
    if cached is not None:
        return cached
    loaded = serialization.load_pem_private_key(box.decrypt(row.private_key_enc).encode(), None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    with options._lock:
        options._private_keys[row.kid] = loaded
    return loaded


def public_key(
    s: Session, box: SecretBox, kid: str, options: OAuth2Options
) -> rsa.RSAPublicKey | None:
    with options._lock:
        cached = options._private_keys.get(kid)
    if cached is not None:
        return cached.public_key()
    row = s.scalar(select(OAuth2SigningKey).where(OAuth2SigningKey.kid == kid))
    return None if row is None else _private_key(row, box, options).public_key()


def sign_token(header: dict[str, Any], claims: dict[str, Any], key: rsa.RSAPrivateKey) -> str:
    """A compact JWS signed PS256 (RFC 7518 §3.5), like NetSuite's own access tokens."""
    signing_input = f"{_b64json(header)}.{_b64json(claims)}"
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    return f"{signing_input}.{_b64encode(key.sign(signing_input.encode(), pss, hashes.SHA256()))}"


def _b64json(value: dict[str, Any]) -> str:
    return _b64encode(json.dumps(value, separators=(",", ":")).encode())


# -- bearer tokens on REST web services and RESTlets -----------------------------------------------


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header, ``None`` for another scheme.

    A Bearer header without a well-formed token is ``BearerRejected(status=400)``
    (``invalid_request``, NS:subsect_158521885412).
    """
    if not header or header[:7].lower() != "bearer ":
        return None
    token = header[7:].strip()
    if not token or " " in token or token.count(".") != 2:
        raise BearerRejected("InvalidRequest", status=400)
    return token


class BearerVerifier:
    """Resolves a NetSuite-issued access token to a ``Caller`` (§3, §1.7 Detail values)."""

    def __init__(self, box: SecretBox, options: OAuth2Options) -> None:
        self._box = box
        self._options = options

    def __repr__(self) -> str:
        return "BearerVerifier()"

    def verify(self, s: Session, token: str, channel: Channel, at: Attempt) -> Caller:
        row = self._issued(s, token)
        cert = row.certificate
        realm = TokenIssuer._realm(s, row.account_pk)
        at.learn(cert, realm)
        if row.expires_at <= self._options.clock():
            raise BearerRejected("AccessTokenExpired")
        if cert.revoked:
            raise BearerRejected("TokenBlocked")  # inference: a revoked mapping blocks its tokens
        account = s.get(Account, row.account_pk)
        assert account is not None
        if not feature_enabled(s, account.id) or (channel == "rest" and not account.feature_rest):
            raise BearerRejected("FeatureDisabled")
        if cert.integration.state != "enabled":
            raise BearerRejected("IntegrationBlocked")
        client = s.get(OAuth2Client, cert.integration_id)
        if client is None or not client.client_credentials:
            raise BearerRejected("AuthorizationCodeGrantRequired")
        needed = _CHANNEL_SCOPE.get(channel)
        if needed and needed not in row.scopes:
            raise BearerRejected("ScopeMismatched")
        levels = cert.role.levels()
        # REST web services need their permission at Full, as for TBA (NS:article_5085602973).
        rest_ok = channel != "rest" or levels.get("restWebServices", Level.NONE) >= Level.FULL
        if not may_log_in(cert) or not (rest_ok or cert.role.is_administrator):
            raise BearerRejected("EntityOrRoleDisabled")
        return Caller(
            account_id=realm,
            entity_id=cert.employee_id,
            role_id=cert.role_id,
            token_id=row.id,
            channel=channel,
            permissions=levels,
        )

    def _issued(self, s: Session, token: str) -> OAuth2AccessToken:
        try:
            jws = parse_jws(token)
        except (ValueError, binascii.Error):
            raise BearerRejected("InvalidSignature") from None
        kid = jws.header.get("kid")
        key = public_key(s, self._box, kid, self._options) if isinstance(kid, str) else None
        if key is None or jws.header.get("alg") != "PS256" or not signature_valid(jws, key):
            raise BearerRejected("InvalidSignature")
        row = s.scalar(
            select(OAuth2AccessToken).where(OAuth2AccessToken.token_sha256 == digest(token))
        )
        if row is None:  # signed by us but no longer on file: purged long after expiry
            raise BearerRejected("AccessTokenExpired")
        return row


def options_of(app: FastAPI) -> OAuth2Options:
    options = getattr(app.state, "oauth2", None)
    if not isinstance(options, OAuth2Options):
        options = OAuth2Options()
        app.state.oauth2 = options
    return options


def _audit(store: Store, at: Attempt, ok: bool, ip: str) -> None:
    with store.session() as s:  # its own transaction: a failure's row must be kept
        s.add(at.row(ok, ip))


def _verify_bearer(
    store: Store, options: OAuth2Options, token: str, channel: Channel, ip: str
) -> Caller:
    at = Attempt(channel=channel)
    try:
        with store.session() as s:
            caller = BearerVerifier(store.box, options).verify(s, token, channel, at)
    except BearerRejected as exc:
        at.detail = exc.detail
        _audit(store, at, False, ip)
        exc.channel, exc.realm = channel, at.realm
        raise
    _audit(store, at, True, ip)
    return caller


async def bearer_caller(request: Request, channel: Channel) -> Caller:
    """Verify the request's ``Authorization: Bearer`` token for ``channel``; the audit row is kept.

    Raises ``BearerRejected`` (answered by the handler :func:`install` adds). A request without a
    Bearer header is rejected too; dispatch on :func:`bearer_token` first to fall back to TBA.
    """
    try:
        token = bearer_token(request.headers.get("authorization"))
    except BearerRejected as exc:
        exc.channel = channel
        raise
    if token is None:
        raise BearerRejected("InvalidRequest", status=400)
    ip = request.client.host if request.client else ""
    caller = await run_in_threadpool(
        _verify_bearer, get_store(request), options_of(request.app), token, channel, ip
    )
    request.state.caller = caller
    return caller


async def oauth2_rest_caller(request: Request) -> Caller:
    """Bearer check for REST web services (``/services/rest/...``)."""
    return await bearer_caller(request, "rest")


async def oauth2_restlet_caller(request: Request) -> Caller:
    """Bearer check for RESTlets."""
    return await bearer_caller(request, "restlet")


def bearer_rejected_response(exc: BearerRejected) -> JSONResponse:
    """401 ``invalid_token`` (or 400 ``invalid_request``) with NetSuite's header (§3)."""
    if exc.status == 400:
        error, text = (
            "invalid_request",
            ("The request could not be understood by the server due to malformed syntax."),
        )
        body: dict[str, Any] = {
            "type": RFC2616_401.replace("sec10.4.2", "sec10.4.1"),
            "title": "Bad Request",
            "status": 400,
            "o:errorDetails": [{"detail": text, "o:errorCode": "INVALID_REQUEST"}],
        }
    else:
        error, text = "invalid_token", "Invalid login attempt."
        body = restlet_invalid_login() if exc.channel == "restlet" else rest_invalid_login()
    header = f'Bearer realm="{exc.realm}", error="{error}", error_description="{text}"'
    return JSONResponse(body, status_code=exc.status, headers={"WWW-Authenticate": header})


def realm_of_bearer(authorization: str | None) -> str | None:
    """The account a Bearer token names (``aud`` "<app>;<company>"), unverified.

    For the concurrency governor, which only counts requests per account: the token itself is
    verified later by the route's dependency.
    """
    try:
        token = bearer_token(authorization)
        claims = parse_jws(token).claims if token else {}
    except (BearerRejected, ValueError, binascii.Error):
        return None
    aud = claims.get("aud")
    first = aud[0] if isinstance(aud, list) and aud else aud
    if isinstance(first, str) and ";" in first:
        return first.rsplit(";", 1)[1] or None
    return None


# -- routes ---------------------------------------------------------------------------------------

router = APIRouter(tags=["oauth2"])


def _issue(store: Store, options: OAuth2Options, form: dict[str, str], url: str, ip: str) -> Any:
    at = Attempt(channel="oauth2")
    try:
        with store.session() as s:
            body = TokenIssuer(store.box, options).issue(s, form, url, at)
    except TokenRefused as exc:
        at.detail = exc.detail
        if at.account_pk is not None:  # an attempt that names no account has no trail to go to
            _audit(store, at, False, ip)
        return exc, at.realm
    _audit(store, at, True, ip)
    return body, at.realm


_TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": '{"error": "invalid_request" | "invalid_grant" | "invalid_scope" | …}'},
    401: {"description": '{"error": "invalid_client"}'},
}
_FORM_BODY = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                        "client_assertion_type": {"type": "string", "enum": [ASSERTION_TYPE]},
                        "client_assertion": {"type": "string"},
                    },
                    "required": ["grant_type", "client_assertion_type", "client_assertion"],
                }
            }
        },
        "required": True,
    }
}


@router.post(TOKEN_PATH, responses=_TOKEN_RESPONSES, openapi_extra=_FORM_BODY)
async def token(request: Request) -> JSONResponse:
    """The client-credentials token endpoint (NS:section_162755359851)."""
    body = await request.body()
    ip = request.client.host if request.client else ""
    store, options = get_store(request), options_of(request.app)
    try:
        form = read_form(body, request.headers.get("content-type", ""))
    except TokenRefused as exc:
        return _token_error(exc, "")
    url = addressed_url(request).partition("?")[0]
    result, realm = await run_in_threadpool(_issue, store, options, form, url, ip)
    if isinstance(result, TokenRefused):
        return _token_error(result, realm)
    # RFC 6749 §5.1: token responses are never cached.
    return JSONResponse(result, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _token_error(exc: TokenRefused, realm: str) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if exc.status == 401:  # invalid_client comes with a Basic challenge (NS:subsect_158521832417)
        headers["WWW-Authenticate"] = f'Basic realm="{realm}"'
    return JSONResponse({"error": exc.error}, status_code=exc.status, headers=headers)


@router.get(KEYS_PATH)
def keys(s: SessionDep, request: Request) -> dict[str, list[dict[str, str]]]:
    """NetSuite's token-signing public keys as a JWK set (§1.8)."""
    options, box = options_of(request.app), get_store(request).box
    out: list[dict[str, str]] = []
    for kid in s.scalars(select(OAuth2SigningKey.kid).order_by(OAuth2SigningKey.id)):
        key = public_key(s, box, kid, options)
        if key is None:
            continue
        numbers = key.public_numbers()
        out.append(
            {
                "kty": "RSA",
                "kid": kid,
                "use": "sig",
                "alg": "PS256",
                "n": _b64encode(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
                "e": _b64encode(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
            }
        )
    return {"keys": out}


# -- admin API (X-Sandbox-Admin-Key, like the rest of /admin/api) ----------------------------------


class _In(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


ScopeName = Literal["restlets", "rest_webservices", "suite_analytics"]
Ref = Annotated[str, Field(min_length=1, max_length=300)] | Annotated[int, Field(ge=1)]


class FeatureIn(_In):
    enabled: bool


class ClientIn(_In):
    client_credentials: bool
    scopes: list[ScopeName] = Field(default_factory=list, max_length=3)


class ClientOut(BaseModel):
    integration_id: int
    client_credentials: bool
    scopes: list[str]


class CertificateIn(_In):
    integration: Ref
    entity: Ref
    role: Ref
    certificate: Annotated[str, Field(min_length=1, max_length=20000)]


class CertificateOut(BaseModel):
    certificate_id: str
    integration_id: int
    application: str
    entity_id: int
    entity: str
    role_id: int
    role: str
    algorithm: str
    valid_from: datetime
    valid_until: datetime
    revoked: bool

    @classmethod
    def of(cls, c: M2MCertificate) -> CertificateOut:
        return cls(
            certificate_id=c.certificate_id,
            integration_id=c.integration_id,
            application=c.integration.name,
            entity_id=c.employee_id,
            entity=c.employee.email,
            role_id=c.role_id,
            role=c.role.name,
            algorithm=c.key_type,
            valid_from=_aware(c.valid_from),
            valid_until=_aware(c.valid_until),
            revoked=c.revoked,
        )


admin_router = APIRouter(
    prefix="/admin/api/accounts/{account_id}",
    dependencies=[Depends(require_admin_key)],
    tags=["oauth2 admin"],
)


@admin_router.put("/oauth2/feature")
def put_feature(account_id: str, body: FeatureIn, s: SessionDep) -> FeatureIn:
    """Enable Features > SuiteCloud > Manage Authentication > OAuth 2.0."""
    feature = set_feature(s, accounts.get_account(s, account_id), body.enabled)
    return FeatureIn(enabled=feature.enabled)


@admin_router.put("/oauth2/clients/{integration}")
def put_client(account_id: str, integration: str, body: ClientIn, s: SessionDep) -> ClientOut:
    """The integration record's OAuth 2.0 boxes: M2M grant and scopes."""
    account = accounts.get_account(s, account_id)
    integ = integrations.get_integration(s, account, integration)
    client = configure_client(
        s, integ, client_credentials=body.client_credentials, scopes=body.scopes
    )
    return ClientOut(
        integration_id=integ.id,
        client_credentials=client.client_credentials,
        scopes=list(client.scopes),
    )


@admin_router.get("/oauth2/m2m")
def get_certificates(account_id: str, s: SessionDep) -> list[CertificateOut]:
    """The OAuth 2.0 Client Credentials (M2M) Setup list."""
    return [CertificateOut.of(c) for c in list_certificates(s, accounts.get_account(s, account_id))]


@admin_router.post("/oauth2/m2m", status_code=201)
def post_certificate(account_id: str, body: CertificateIn, s: SessionDep) -> CertificateOut:
    """Create New: upload a public certificate for (integration record, entity, role)."""
    account = accounts.get_account(s, account_id)
    integ = integrations.get_integration(s, account, body.integration)
    row = register_certificate(s, account, integ, body.entity, body.role, body.certificate)
    return CertificateOut.of(row)


@admin_router.post("/oauth2/m2m/{certificate_id}/revoke")
def post_revoke(account_id: str, certificate_id: str, s: SessionDep) -> PlainTextResponse:
    """Revoke (answers like NetSuite's rotation endpoint: text ``Successfully revoked``)."""
    revoke_certificate(s, accounts.get_account(s, account_id), certificate_id)
    return PlainTextResponse("Successfully revoked")


# -- wiring ---------------------------------------------------------------------------------------


def is_bearer(authorization: str | None) -> bool:
    """Whether an ``Authorization`` header uses the Bearer scheme (OAuth 2.0, not TBA)."""
    return authorization is not None and authorization.split(" ", 1)[0].lower() == "bearer"


def install(app: FastAPI, options: OAuth2Options | None = None) -> None:
    """Add the token endpoint, the JWKS, the admin routes and the bearer error handler.

    ``app.state.bearer_caller`` becomes :func:`bearer_caller`, so ``deps.rest_caller`` can hand a
    Bearer request over without importing this module (which imports ``deps``).
    """
    app.state.oauth2 = options or OAuth2Options()
    app.state.bearer_caller = bearer_caller
    app.include_router(router)
    app.include_router(admin_router)

    async def rejected(_r: Request, exc: Exception) -> Response:
        assert isinstance(exc, BearerRejected)
        return bearer_rejected_response(exc)

    app.add_exception_handler(BearerRejected, rejected)


__all__ = [
    "KEYS_PATH",
    "OAUTH2_LOGIN",
    "OAUTH2_LOGIN_LABEL",
    "TOKEN_PATH",
    "BearerRejected",
    "BearerVerifier",
    "OAuth2Options",
    "TokenIssuer",
    "TokenRefused",
    "admin_router",
    "bearer_caller",
    "bearer_rejected_response",
    "bearer_token",
    "certificate_id_of",
    "configure_client",
    "install",
    "is_bearer",
    "list_certificates",
    "oauth2_rest_caller",
    "oauth2_restlet_caller",
    "parse_jws",
    "parse_scope",
    "realm_of_bearer",
    "register_certificate",
    "revoke_certificate",
    "router",
    "set_feature",
]
