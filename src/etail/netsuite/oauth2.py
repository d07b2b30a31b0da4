"""OAuth 2.0 client credentials (machine to machine): NetSuite's successor to TBA.

NetSuite lets no new TBA integration be created from 2027.1 and ends TBA around 2028.1
(NS:section_0525020842); the server-to-server replacement is the client-credentials grant with a
JWT assertion signed by a certificate's private key (netsuite-oauth2-soap.md §1):

1. ``POST <token URL>`` (``/services/rest/auth/oauth2/v1/token``) with ``grant_type=
   client_credentials``, ``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:
   jwt-bearer`` and ``client_assertion=<JWS>`` (§1.2) -- no client secret, no scope field;
2. the answer is ``{"access_token", "expires_in": 3600, "token_type": "Bearer"}`` and no refresh
   token: to "refresh", sign a new assertion (§1.5);
3. every REST or RESTlet call carries ``Authorization: Bearer <access_token>`` (§3).

The JWS is built here with ``cryptography`` alone (RFC 7515 compact form, RFC 7518 §3.4/§3.5):

    >>> creds = M2MCredentials(client_id, certificate_id, private_key_pem)  # doctest: +SKIP
    >>> auth = OAuth2ClientCredentials.for_account(AccountId.parse("1234567_SB1"), creds)
    >>> httpx2.get(url, auth=auth)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx2
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from etail.errors import (
    CredentialsError,
    ExternalServiceError,
    RateLimitedError,
    SettingsError,
    TransientError,
    UnexpectedResponseError,
)
from etail.netsuite.accounts import AccountId

Algorithm = Literal["PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
Scope = Literal["rest_webservices", "restlets", "suite_analytics"]
ScopeStyle = Literal["comma", "array"]
Clock = Callable[[], float]

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"  # noqa: S105 (a path, not a secret)
"""The token endpoint's path on the account's suitetalk host (NS:section_162755359851)."""
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS: tuple[Algorithm, ...] = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
SCOPES: tuple[Scope, ...] = ("rest_webservices", "restlets", "suite_analytics")
DEFAULT_SCOPES: tuple[Scope, ...] = ("rest_webservices", "restlets")
MAX_ASSERTION_SECONDS = 3600  # "exp must be less than 60 minutes greater than iat" (§1.3)
ASSERTION_SECONDS = 300  # what the peers send (§6.2): short, well inside NetSuite's limit
REFRESH_MARGIN = 300.0  # re-mint this long before expires_in runs out (§6.2)
MAX_TOKEN_SECONDS = 3600  # expires_in is "always 3600"; a bigger value is clamped (§3)
MAX_CERTIFICATE_DAYS = 730  # NetSuite shortens longer certificates to two years (§1.4)
RSA_SIZES = (3072, 4096)  # not 2048 (NS:subsect_162755332391)

_MASK = "******"
_HASHES: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
# EC curve ↔ algorithm is fixed (NS:section_0312092212): P-256→ES256, P-384→ES384, P-521→ES512.
_CURVES: dict[str, tuple[type[ec.EllipticCurve], int]] = {
    "ES256": (ec.SECP256R1, 32),
    "ES384": (ec.SECP384R1, 48),
    "ES512": (ec.SECP521R1, 66),
}
_SCOPE_SPLIT = re.compile(r"[,\s]+")
_KEY_FIELD_ORIGIN = (
    "paste the private key (PEM) whose certificate was uploaded at Setup > Integration > "
    "Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup"
)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# -- credentials ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class M2MCredentials:
    """What an OAuth 2.0 client-credentials connection needs; the private key never shows.

    Args:
        client_id: the integration record's Client ID (64 hex characters; for a record that had
            TBA it is the Consumer Key, NS:section_157771863841), not the Application ID.
        certificate_id: the Certificate ID shown on the M2M setup page (the JWT's ``kid``).
        private_key_pem: the unencrypted PKCS#8 or traditional PEM of the certificate's key.
        algorithm: ``PS256``… or ``ES256``…; ``None`` picks PS256 for RSA and ES256/384/512 by
            the EC curve.
        scopes: any of ``rest_webservices``, ``restlets``, ``suite_analytics``.
        scope_style: ``"comma"`` sends ``"rest_webservices,restlets"`` as Oracle's claim table
            says; ``"array"`` sends ``["rest_webservices", "restlets"]`` as Oracle's samples do
            (netsuite-oauth2-soap.md §1.3, pitfall 4). NetSuite is not known to refuse either.

    Raises:
        SettingsError: naming the field, for an empty value, an unreadable or encrypted key, a
            2048-bit RSA key, a key that cannot sign with ``algorithm``, or an unknown scope.
    """

    client_id: str
    certificate_id: str
    private_key_pem: str
    algorithm: Algorithm | None = None
    scopes: tuple[Scope, ...] = DEFAULT_SCOPES
    scope_style: ScopeStyle = "comma"
    _key: Any = field(default=None, init=False, compare=False)
    _alg: str = field(default="", init=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("client_id", "certificate_id", "private_key_pem"):
            if not getattr(self, name).strip():
                raise SettingsError(f"{name} is empty", field=name, hint=_ORIGIN[name])
        object.__setattr__(self, "scopes", _checked_scopes(self.scopes))
        if self.scope_style not in ("comma", "array"):
            raise SettingsError(
                f"scope_style {self.scope_style!r} is neither 'comma' nor 'array'",
                field="scope_style",
            )
        key = _load_private_key(self.private_key_pem)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_alg", _algorithm_for(key, self.algorithm))

    @property
    def alg(self) -> str:
        """The JWS ``alg`` this key signs with."""
        return self._alg

    def __repr__(self) -> str:
        return (
            f"M2MCredentials(client_id={_hint(self.client_id)}, "
            f"certificate_id={self.certificate_id!r}, private_key={_MASK}, "
            f"algorithm={self._alg!r}, scopes={self.scopes!r})"
        )

    __str__ = __repr__

    def sign(self, data: bytes) -> bytes:
        """The raw JWS signature of ``data`` (RFC 7518: PSS salt = hash size; ECDSA as R‖S)."""
        hash_cls = _HASHES[self._alg[2:]]
        if isinstance(self._key, rsa.RSAPrivateKey):
            pss = padding.PSS(mgf=padding.MGF1(hash_cls()), salt_length=padding.PSS.DIGEST_LENGTH)
            return self._key.sign(data, pss, hash_cls())
        der = self._key.sign(data, ec.ECDSA(hash_cls()))
        r, s = decode_dss_signature(der)
        size = _CURVES[self._alg][1]
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")


_ORIGIN = {
    "client_id": "paste the Client ID shown once when the integration record was saved "
    "(for a TBA record, the Consumer Key); not the Application ID",
    "certificate_id": "paste the Certificate ID shown at Setup > Integration > Manage "
    "Authentication > OAuth 2.0 Client Credentials (M2M) Setup",
    "private_key_pem": _KEY_FIELD_ORIGIN,
}


def _hint(value: str) -> str:
    return f"{value[:4]}…" if len(value) > 8 else _MASK


def _checked_scopes(scopes: Sequence[str] | str) -> tuple[Scope, ...]:
    items = _SCOPE_SPLIT.split(scopes.strip()) if isinstance(scopes, str) else list(scopes)
    found: list[Scope] = []
    for item in items:
        if item not in SCOPES:
            raise SettingsError(
                f"scope {item!r} is not a NetSuite OAuth 2.0 scope",
                field="scopes",
                hint="use rest_webservices, restlets and/or suite_analytics, as ticked on the "
                "integration record",
            )
        if item not in found:
            found.append(item)
    if not found:
        raise SettingsError(
            "scopes is empty", field="scopes", hint="NetSuite refuses a token without a scope"
        )
    return tuple(found)


def _load_private_key(pem: str) -> PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem.strip().encode(), password=None)
    except TypeError:
        raise SettingsError(
            "private_key_pem is encrypted with a passphrase",
            field="private_key_pem",
            hint="export it without one (openssl pkey -in key.pem -out plain.pem) and keep it "
            "only in the connection, where it is stored encrypted",
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        # The library's message is not repeated: it could quote part of the key.
        raise SettingsError(
            "private_key_pem is not a readable PEM private key",
            field="private_key_pem",
            hint=_KEY_FIELD_ORIGIN,
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SettingsError(
            f"private_key_pem holds a {type(key).__name__}; NetSuite takes RSA or EC keys",
            field="private_key_pem",
        )
    return key


def _algorithm_for(key: PrivateKey, wanted: str | None) -> str:
    if wanted is not None and wanted not in ALGORITHMS:
        hint = "RS256 was retired; use PS256 with the same RSA key" if wanted == "RS256" else None
        raise SettingsError(
            f"algorithm {wanted!r} is not one NetSuite accepts ({', '.join(ALGORITHMS)})",
            field="algorithm",
            hint=hint,
        )
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size not in RSA_SIZES:
            raise SettingsError(
                f"the RSA key has {key.key_size} bits; NetSuite accepts 3072 or 4096",
                field="private_key_pem",
                hint="create a new key and certificate (`generate_key_pair`) and upload it",
            )
        if wanted is not None and not wanted.startswith("PS"):
            raise SettingsError(
                f"algorithm {wanted} needs an EC key but the key is RSA", field="algorithm"
            )
        return wanted or "PS256"
    for alg, (curve, _size) in _CURVES.items():
        if isinstance(key.curve, curve):
            if wanted is not None and wanted != alg:
                raise SettingsError(
                    f"algorithm {wanted} does not fit the key's curve {key.curve.name}; "
                    f"this key signs {alg}",
                    field="algorithm",
                )
            return alg
    raise SettingsError(
        f"the EC key's curve {key.curve.name} is not P-256, P-384 or P-521", field="private_key_pem"
    )


# -- the assertion --------------------------------------------------------------------------------


def build_assertion(
    credentials: M2MCredentials,
    token_url: str,
    *,
    now: float | None = None,
    lifetime: int = ASSERTION_SECONDS,
    jti: str | None = None,
) -> str:
    """The compact JWS NetSuite wants as ``client_assertion`` (NS:section_162790605110).

    Header ``{"typ": "JWT", "alg", "kid": certificate ID}``; claims ``iss`` (client ID),
    ``scope`` (comma-separated as Oracle's claim table says, or an array), ``aud`` (the exact
    token URL the assertion is posted to), ``iat``, ``exp`` (``iat + lifetime``, at most 3600 s)
    and a random ``jti`` (present in Oracle's current sample).
    """
    if not 1 <= lifetime <= MAX_ASSERTION_SECONDS:
        raise SettingsError(
            f"assertion lifetime must be 1-{MAX_ASSERTION_SECONDS} seconds, got {lifetime}",
            field="lifetime",
            hint="NetSuite refuses exp more than 60 minutes after iat (TokenValidityTooBroad)",
        )
    iat = int(time.time() if now is None else now)
    header = {"typ": "JWT", "alg": credentials.alg, "kid": credentials.certificate_id}
    claims = {
        "iss": credentials.client_id,
        "scope": (
            list(credentials.scopes)
            if credentials.scope_style == "array"
            else ",".join(credentials.scopes)
        ),
        "aud": token_url,
        "iat": iat,
        "exp": iat + lifetime,
        "jti": jti or secrets.token_urlsafe(18),
    }
    signing_input = f"{_b64url(_compact(header))}.{_b64url(_compact(claims))}"
    return f"{signing_input}.{_b64url(credentials.sign(signing_input.encode('ascii')))}"


def _compact(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def token_url(account: AccountId, base_url: str | None = None) -> str:
    """The token endpoint URL: the account's suitetalk host, or a local sandbox's base URL.

    The host comes only from a validated ``AccountId`` (never from free text), so a signed
    assertion cannot be steered to another host (activepieces/activepieces#14806, §1.1).
    """
    if base_url is None:
        return account.rest_base_url + TOKEN_PATH
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"base_url {base_url!r} is not an absolute http(s) URL",
            field="base_url",
            hint="e.g. http://127.0.0.1:8101 for the local NetSuite sandbox",
        )
    return base_url.rstrip("/") + TOKEN_PATH


def token_request(
    credentials: M2MCredentials, url: str, *, now: float | None = None
) -> httpx2.Request:
    """The form POST that trades a fresh assertion for an access token (§1.2)."""
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": build_assertion(credentials, url, now=now),
    }
    return httpx2.Request("POST", url, data=form, headers={"Accept": "application/json"})


# -- the answer -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class AccessToken:
    """A bearer token and when it stops being worth sending; ``repr`` hides the token."""

    value: str
    expires_in: int
    obtained_at: float

    @property
    def expires_at(self) -> float:
        return self.obtained_at + self.expires_in

    def fresh(self, now: float, margin: float = REFRESH_MARGIN) -> bool:
        """Still usable ``margin`` seconds from now (at most half its life is spent waiting)."""
        return now < self.expires_at - min(margin, self.expires_in / 2)

    def __repr__(self) -> str:
        return f"AccessToken(value={_MASK}, expires_in={self.expires_in})"

    __str__ = __repr__


# What each token-endpoint error means for the person who configured the connection
# (NS:subsect_158521832417; client-credentials specifics are netsuite-oauth2-soap.md §1.6).
_ERROR_HINTS = {
    "invalid_grant": "NetSuite refused the signed assertion: check the Certificate ID (kid), the "
    "Client ID (iss), that the certificate is not revoked or expired, and this machine's clock",
    "invalid_client": "NetSuite did not accept the client: check that the integration record "
    "is Enabled and the Client ID belongs to this account",
    "unauthorized_client": "tick 'Client Credentials (Machine to Machine) Grant' on the "
    "integration record and enable Setup > Company > Enable Features > SuiteCloud > OAuth 2.0",
    "invalid_scope": "tick the same scopes (REST Web Services, RESTlets) on the integration "
    "record as on the connection",
    "invalid_request": "the token request was malformed; this is a bug in the client, report it",
    "unsupported_grant_type": "the account does not offer the client-credentials grant",
}
_AUDIT = (
    "the exact reason is in the Login Audit Trail (Setup > Users/Roles > User Management > "
    "View Login Audit Trail, add the Detail column)"
)


def parse_token_response(response: httpx2.Response, *, now: float | None = None) -> AccessToken:
    """The access token from a token-endpoint answer, or the ``etail.errors`` class to raise.

    Any 4xx but 429 is a configuration problem (``CredentialsError``, never retried); 429 is
    ``RateLimitedError``, 5xx ``TransientError``; a success without the documented shape is
    ``UnexpectedResponseError`` (§1.5, §1.6).
    """
    body = _json_or_none(response)
    if not response.is_success:
        raise _token_error(response, body)
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise UnexpectedResponseError(
            f"the token endpoint answered {response.status_code} without an access_token",
            status=response.status_code,
        )
    # The table says "bearer", the M2M example "Bearer": compare case-insensitively (§1.5).
    token_type = body.get("token_type", "bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise UnexpectedResponseError(
            f"the token endpoint issued a {token_type!r} token; only bearer tokens are known",
            status=response.status_code,
        )
    return AccessToken(
        value=body["access_token"],
        expires_in=_expires_in(body.get("expires_in")),
        obtained_at=time.time() if now is None else now,
    )


def _expires_in(raw: object) -> int:
    # "always 3600" (NS:section_162755359851); clamp like the peers do, refuse nonsense.
    if raw is None:
        return MAX_TOKEN_SECONDS
    if isinstance(raw, str) and raw.isdigit():
        raw = int(raw)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if not isinstance(raw, int) or isinstance(raw, bool) or raw <= 0:
        raise UnexpectedResponseError(f"the token endpoint answered expires_in={raw!r}")
    return min(raw, MAX_TOKEN_SECONDS)


def _json_or_none(response: httpx2.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def _token_error(response: httpx2.Response, body: object) -> ExternalServiceError:
    status = response.status_code
    code = body.get("error") if isinstance(body, dict) else None
    code = code if isinstance(code, str) else None
    said = f"{status} {code or response.reason_phrase}"
    # error_description is NetSuite's own text; echo it only if it is short plain text.
    described = body.get("error_description") if isinstance(body, dict) else None
    if isinstance(described, str) and 0 < len(described) <= 200:
        said += f": {described}"
    where = f"the NetSuite token endpoint {response.request.url.path}"
    if status == 429:
        return RateLimitedError(f"{where} asked to slow down ({said})", status=status, code=code)
    if status >= 500:
        return TransientError(f"{where} failed ({said}); try again later", status=status, code=code)
    if 400 <= status < 500:
        hint = _ERROR_HINTS.get(code or "", "check the connection's OAuth 2.0 settings")
        return CredentialsError(
            f"{where} refused the client credentials ({said})",
            hint=f"{hint}; {_AUDIT}",
            status=status,
            code=code,
            body=body if isinstance(body, dict) else None,
        )
    return UnexpectedResponseError(f"{where} answered {said}", status=status, code=code)


# -- the httpx2.Auth ------------------------------------------------------------------------------


class OAuth2ClientCredentials(httpx2.Auth):
    """Bearer authentication that mints, caches and renews NetSuite M2M access tokens.

    The token request is yielded from ``auth_flow`` itself, so the same object works with
    ``httpx2.Client`` and ``AsyncClient`` and goes through the caller's transport (and, inside
    ``NetSuiteClient``, through the account's in-flight slot). A token is reused until
    ``refresh_margin`` seconds before it expires. A 401 on a *cached* token (revoked, or the
    server restarted) drops it and mints one new token for one retry; a 401 on a token minted for
    this very request is returned as is -- another token would fail the same way (§3).

    Concurrent first requests may each mint a token; NetSuite's tokens are independent, so that
    costs a request, not correctness.
    """

    requires_request_body = True  # the request may be sent twice
    requires_response_body = True  # the token answer is parsed inside the flow

    def __init__(
        self,
        credentials: M2MCredentials,
        token_url: str,
        *,
        refresh_margin: float = REFRESH_MARGIN,
        clock: Clock = time.time,
    ) -> None:
        self.credentials = credentials
        self.token_url = token_url
        self.refresh_margin = refresh_margin
        self.minted = 0  # tokens obtained so far (tests, benches, the doctor)
        self._clock = clock
        self._token: AccessToken | None = None
        self._lock = threading.Lock()  # guards the cache only; never held across a yield

    @classmethod
    def for_account(
        cls, account: AccountId, credentials: M2MCredentials, *, base_url: str | None = None
    ) -> OAuth2ClientCredentials:
        """Auth for ``account``'s token endpoint, or a local sandbox's at ``base_url``."""
        return cls(credentials, token_url(account, base_url))

    def __repr__(self) -> str:
        return (
            f"OAuth2ClientCredentials(token_url={self.token_url!r}, "
            f"credentials={self.credentials!r})"
        )

    def invalidate(self) -> None:
        """Forget the cached token (the next request mints a new one)."""
        with self._lock:
            self._token = None

    def auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        token = self._cached()
        minted_here = token is None
        if token is None:
            token = yield from self._mint()
        request.headers["Authorization"] = f"Bearer {token.value}"
        response = yield request
        if response.status_code != 401 or minted_here:
            return
        self._drop(token)
        renewed = self._cached()  # a concurrent request may have minted one meanwhile
        if renewed is None:
            renewed = yield from self._mint()
        request.headers["Authorization"] = f"Bearer {renewed.value}"
        yield request

    def _cached(self) -> AccessToken | None:
        with self._lock:
            token = self._token
        if token is not None and token.fresh(self._clock(), self.refresh_margin):
            return token
        return None

    def _drop(self, token: AccessToken) -> None:
        with self._lock:
            if self._token is token:  # another request may have renewed it already
                self._token = None

    def _mint(self) -> Generator[httpx2.Request, httpx2.Response, AccessToken]:
        now = self._clock()
        response = yield token_request(self.credentials, self.token_url, now=now)
        token = parse_token_response(response, now=now)
        with self._lock:
            self._token = token
            self.minted += 1
        return token


async def fetch_access_token(
    credentials: M2MCredentials,
    url: str,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    timeout: float = 30.0,
) -> AccessToken:
    """One token request on its own: what a connection's *Test* button needs."""
    async with httpx2.AsyncClient(transport=transport, timeout=timeout) as http:
        try:
            response = await http.send(token_request(credentials, url))
        except httpx2.TransportError as exc:
            raise TransientError(
                f"the NetSuite token endpoint {urlsplit(url).netloc} could not be reached "
                f"({type(exc).__name__})",
                hint="check the network, a proxy, or the base URL",
            ) from exc
    return parse_token_response(response)


# -- setup helpers --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class KeyPair:
    """A private key and its self-signed certificate, ready for the M2M setup page."""

    private_key_pem: str
    certificate_pem: str
    certificate_id: str
    algorithm: Algorithm

    def __repr__(self) -> str:
        return (
            f"KeyPair(algorithm={self.algorithm!r}, certificate_id={self.certificate_id!r}, "
            f"private_key={_MASK})"
        )


def certificate_id(certificate_pem: str | bytes) -> str:
    """NetSuite's Certificate ID: base64url(SHA-256(certificate DER)), unpadded (§1.4)."""
    raw = certificate_pem.encode() if isinstance(certificate_pem, str) else certificate_pem
    try:
        cert = x509.load_pem_x509_certificate(raw.strip())
    except ValueError:
        raise SettingsError(
            "certificate is not a PEM X.509 certificate", field="certificate_pem"
        ) from None
    digest = hashes.Hash(hashes.SHA256())
    digest.update(cert.public_bytes(serialization.Encoding.DER))
    return _b64url(digest.finalize())


def generate_key_pair(
    algorithm: Algorithm = "PS256",
    *,
    common_name: str = "etail NetSuite M2M",
    days: int = 365,
    rsa_bits: int = 3072,
    now: dt.datetime | None = None,
) -> KeyPair:
    """A new key and self-signed certificate, like Oracle's OpenSSL recipes (§1.4).

    RSA certificates are self-signed with RSA-PSS for the PS algorithms, as Oracle's
    ``-sigopt rsa_padding_mode:pss`` line does; EC keys use the curve the algorithm names.
    """
    if algorithm not in ALGORITHMS:
        raise SettingsError(
            f"algorithm {algorithm!r} is not one of {', '.join(ALGORITHMS)}", field="algorithm"
        )
    if not 1 <= days <= MAX_CERTIFICATE_DAYS:
        raise SettingsError(
            f"days must be 1-{MAX_CERTIFICATE_DAYS}, got {days}",
            field="days",
            hint="NetSuite cuts longer certificates to two years",
        )
    if rsa_bits not in RSA_SIZES:
        raise SettingsError(f"rsa_bits must be 3072 or 4096, got {rsa_bits}", field="rsa_bits")
    key: PrivateKey
    hash_cls = _HASHES[algorithm[2:]]
    if algorithm.startswith("PS"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
        pad: padding.PSS | None = padding.PSS(
            mgf=padding.MGF1(hash_cls()), salt_length=padding.PSS.DIGEST_LENGTH
        )
    else:
        key = ec.generate_private_key(_CURVES[algorithm][0]())
        pad = None
    start = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=5)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
    )
    cert = builder.sign(key, hash_cls(), rsa_padding=pad)
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return KeyPair(key_pem, cert_pem, certificate_id(cert_pem), algorithm)


__all__ = [
    "ALGORITHMS",
    "ASSERTION_TYPE",
    "DEFAULT_SCOPES",
    "SCOPES",
    "TOKEN_PATH",
    "AccessToken",
    "Algorithm",
    "KeyPair",
    "M2MCredentials",
    "OAuth2ClientCredentials",
    "Scope",
    "ScopeStyle",
    "build_assertion",
    "certificate_id",
    "fetch_access_token",
    "generate_key_pair",
    "parse_token_response",
    "token_request",
    "token_url",
]
