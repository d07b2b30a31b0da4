"""The token endpoint's checks in NetSuite's order (§6.1), and NetSuite's own signing key."""

from __future__ import annotations

import hmac
import math
import secrets
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeGuard
from urllib.parse import parse_qsl

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from etail.crypto import SecretBox
from etail.sandbox.netsuite.admin.credentials import digest
from etail.sandbox.netsuite.context import Level
from etail.sandbox.netsuite.models import Account, Integration
from etail.sandbox.netsuite.oauth2.common import (
    _SCOPE_SPLIT,
    ASSERTION_TYPE,
    ISSUER,
    OAUTH2_LOGIN,
    TOKEN_PATH,
    Attempt,
    OAuth2Options,
    refused,
)
from etail.sandbox.netsuite.oauth2.jose import (
    Jws,
    _alg_fits,
    parse_jws,
    sign_token,
    signature_valid,
)
from etail.sandbox.netsuite.oauth2.setup import (
    _aware,
    feature_enabled,
)
from etail.sandbox.netsuite.oauth2_models import (
    M2MCertificate,
    OAuth2AccessToken,
    OAuth2Client,
    OAuth2SigningKey,
)

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
