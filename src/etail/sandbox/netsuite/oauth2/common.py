"""Constants, options, errors and the audit row of the sandbox's OAuth 2.0 (M2M)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from etail.sandbox.netsuite.context import Channel
from etail.sandbox.netsuite.models import LoginAudit
from etail.sandbox.netsuite.oauth2_models import (
    M2MCertificate,
)

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
