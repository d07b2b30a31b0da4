"""Token-Based Authentication, verified the way NetSuite does it, with the real Login Audit Detail.

NetSuite answers every TBA failure with one generic 401; only the Login Audit Trail says why
(netsuite-tba.md §3.4). oauthlib's ``ResourceEndpoint`` returns a bare ``False`` and swallows
the reason, so each rule is checked here first, in NetSuite's order (§1.8), and oauthlib is
left with the one thing it does best: recomputing the HMAC-SHA256 signature (RFC 5849 §3.4)
and comparing it in constant time.

SOAP sends the same credentials as a ``tokenPassport`` header instead (netsuite-tba.md §2);
``verify_passport`` runs the same checks on it, in the same order, and checks its simpler
signature (``account&consumerKey&token&nonce&timestamp``) itself.

A user whose token logins failed ``LOCKOUT_FAILURES`` times within ``LOCKOUT_WINDOW`` is refused
for ``LOCKOUT_SECONDS`` with Detail ``temporary_locked`` (netsuite-tba.md §3.4: "5 failed logins,
30 min"), on every channel; the failures are read back from the Login Audit Trail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, unquote
from urllib.request import parse_http_list

from oauthlib.oauth1 import RequestValidator, ResourceEndpoint
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from etail.crypto import SecretBox
from etail.sandbox.netsuite.admin import integrations, tokens
from etail.sandbox.netsuite.context import Caller, Channel, Level
from etail.sandbox.netsuite.models import AccessToken, Account, Integration, LoginAudit, UsedNonce

TIMESTAMP_WINDOW = 300  # ±5 minutes (NS:subsect_156935170194)
NONCE_MIN, NONCE_MAX = 6, 64  # NS:subsect_156935170194; SOAP's 6-64 (NS:section_4395630653)
# "User locked (5 failed logins, 30 min)" (NS:subsect_156935170194). NetSuite does not say over
# what span the five failures count; we count them within 30 minutes, and a success resets them.
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = 30 * 60
LOCKOUT_SECONDS = 30 * 60
LOCKED = "temporary_locked"
LOCKOUT_SCAN = 200  # failures read back at most; a lock cycle leaves about five
# Decrypted secrets are kept in memory this long, keyed by their ciphertext: a rotated secret
# has a new ciphertext, so the cache never answers with an old one. Every request is still
# verified in full; the cache only saves the Fernet decrypts (HMAC + AES) of each request.
SECRET_TTL = 60.0
SECRET_CACHE_SIZE = 1_000
# Used nonces older than two timestamp windows can never match again (the timestamp check
# refuses them first), so purging them once a minute instead of per request changes nothing.
NONCE_PURGE_EVERY = 60.0
# SOAP accepts both spellings (coreTypes.xsd enum, NS:section_4395625838).
PASSPORT_ALGORITHMS = frozenset({"HMAC-SHA256", "HMAC_SHA256"})
REALM = re.compile(r'(?:^|[\s,])realm\s*=\s*"([^"]*)"', re.IGNORECASE)
REQUIRED = (
    "realm",
    "oauth_consumer_key",
    "oauth_token",
    "oauth_nonce",
    "oauth_timestamp",
    "oauth_signature_method",
    "oauth_signature",
)


@dataclass
class LoginAttempt:
    """What the Login Audit Trail row of one attempt shows; filled in as verification learns."""

    realm: str = ""
    channel: Channel = "rest"
    account_pk: int | None = None  # a plain id: the verify session may be rolled back
    user: str = ""
    role: str = ""
    token_name: str = ""
    application: str = ""
    detail: str = ""


class LoginRejected(Exception):
    """A failed token-based login; ``detail`` is the Login Audit Trail's Detail value."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Passport:
    """The six values of a SOAP ``tokenPassport`` header (NS:section_4395630653), as sent."""

    account: str
    consumer_key: str
    token: str
    nonce: str
    timestamp: str
    signature: str
    algorithm: str

    def __repr__(self) -> str:  # the signature is a credential: never shown
        return f"Passport(account={self.account!r}, signature=******)"


@dataclass(frozen=True)
class SignedRequest:
    """The request as the client addressed it: method, URL from Host + raw path, headers, body."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: str = ""  # only an application/x-www-form-urlencoded body is signed (§1.4)


class _KnownSecrets(RequestValidator):
    """Validator for oauthlib's signature check once every other rule has passed.

    Keys, token, realm, nonce and timestamp were already checked against the store, so those
    hooks say yes; the secrets come decrypted from the records found.
    """

    def __init__(self, consumer_secret: str, token_secret: str) -> None:
        super().__init__()
        self._consumer_secret = consumer_secret
        self._token_secret = token_secret

    def __repr__(self) -> str:
        return "_KnownSecrets(******)"

    @property
    def enforce_ssl(self) -> bool:  # the sandbox serves plain http on loopback
        return False

    @property
    def allowed_signature_methods(self) -> tuple[str, ...]:  # HMAC-SHA256 only since 2023.1
        return ("HMAC-SHA256",)

    @property
    def timestamp_lifetime(self) -> int:
        # Our own ±300 s check already ran, on the verifier's clock; oauthlib reads time.time()
        # itself, so it must not judge the timestamp a second time.
        return 2**31

    def check_client_key(self, client_key: str) -> bool:
        return True

    def check_access_token(self, request_token: str) -> bool:
        return True

    def check_nonce(self, nonce: str) -> bool:
        return True

    def validate_client_key(self, client_key: str, request: object) -> bool:
        return True

    def validate_access_token(self, client_key: str, token: str, request: object) -> bool:
        return True

    def validate_realms(self, *args: object, **kwargs: object) -> bool:
        return True

    def validate_timestamp_and_nonce(self, *args: object, **kwargs: object) -> bool:
        return True

    def get_client_secret(self, client_key: str, request: object) -> str:
        return self._consumer_secret

    def get_access_token_secret(self, client_key: str, token: str, request: object) -> str:
        return self._token_secret


def parse_authorization(value: str | None) -> dict[str, str]:
    """The OAuth header's parameters, percent-decoded; malformed input is ``parameter_rejected``."""
    if not value or not value[:6].lower() == "oauth ":
        raise LoginRejected("MissingTokenPassportRequiredFields")
    params: dict[str, str] = {}
    for item in parse_http_list(value[6:]):
        name, sep, raw = item.strip().partition("=")
        raw = raw.strip()
        if not sep or not name or name in params:  # malformed or duplicated
            raise LoginRejected("parameter_rejected")
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = raw[1:-1]
        if not raw:  # empty value
            raise LoginRejected("parameter_rejected")
        if name != "realm" and not name.startswith("oauth_"):
            # query parameters belong in the URL only (timbal-ai/timbal#80)
            raise LoginRejected("parameter_rejected")
        params[name] = unquote(raw)
    return params


class TbaVerifier:
    """Checks one request against the store in NetSuite's order; ``verify`` yields a Caller."""

    def __init__(self, box: SecretBox, clock: Callable[[], float] = time.time) -> None:
        self._box = box
        self._clock = clock
        self._secrets: dict[str, tuple[str, float]] = {}  # ciphertext -> (plaintext, expiry)
        self._next_purge = 0.0

    def __repr__(self) -> str:  # the secret cache is never shown
        return "TbaVerifier()"

    def _secret(self, encrypted: str) -> str:
        """The decrypted secret, from memory for ``SECRET_TTL`` seconds after first use."""
        now = time.monotonic()
        cached = self._secrets.get(encrypted)
        if cached is not None and cached[1] > now:
            return cached[0]
        plain = self._box.decrypt(encrypted)
        if len(self._secrets) >= SECRET_CACHE_SIZE:
            self._secrets.clear()  # bounded: tokens are few, so a full cache is stale anyway
        self._secrets[encrypted] = (plain, now + SECRET_TTL)
        return plain

    def verify(self, s: Session, req: SignedRequest, attempt: LoginAttempt) -> Caller:
        """Return the Caller or raise ``LoginRejected``; ``attempt`` collects the audit fields."""
        header = req.headers.get("authorization") or ""
        found = REALM.search(header)
        attempt.realm = unquote(found.group(1)) if found else ""
        try:
            return self._verify(s, req, header, attempt)
        except LoginRejected:
            self._note_account(s, attempt)
            raise

    def verify_passport(self, s: Session, passport: Passport, attempt: LoginAttempt) -> Caller:
        """Check a SOAP ``tokenPassport`` in NetSuite's order; the Caller or ``LoginRejected``."""
        attempt.realm = passport.account
        try:
            return self._verify_passport(s, passport, attempt)
        except LoginRejected:
            self._note_account(s, attempt)
            raise

    def locked_until(self, s: Session, account_pk: int, user: str) -> float | None:
        """When the user's lockout ends (Unix time), or None when the user may log in.

        The failures since the user's last success are replayed in order from the Login Audit
        Trail: the fifth within ``LOCKOUT_WINDOW`` starts a lock of ``LOCKOUT_SECONDS``;
        attempts refused while locked are not failures of their own.
        """
        now = self._clock()
        since = datetime.fromtimestamp(now - LOCKOUT_WINDOW - LOCKOUT_SECONDS, UTC)
        # Newest first, through the account_pk index, stopping at the user's last success: only
        # failures after it can lock, so the usual check reads one row, however busy the user.
        # Iterated, not fetched whole: SQLite steps lazily, so a busy user's check stops at the
        # first row instead of reading (and parsing the dates of) LOCKOUT_SCAN successes.
        newest = s.execute(
            select(LoginAudit.at, LoginAudit.status)
            .where(
                LoginAudit.account_pk == account_pk,
                LoginAudit.user == user,
                LoginAudit.at >= since,
                LoginAudit.detail != LOCKED,
            )
            .order_by(LoginAudit.id.desc())
            .limit(LOCKOUT_SCAN)
        )
        rows = []
        for at, status in newest:
            if status == "Success":
                break
            rows.append(at)
        newest.close()
        rows.reverse()
        recent: deque[float] = deque()
        lock_end: float | None = None
        for at in rows:
            moment = _epoch(at)
            if lock_end is not None and moment < lock_end:
                continue
            recent.append(moment)
            while recent[0] < moment - LOCKOUT_WINDOW:
                recent.popleft()
            if len(recent) >= LOCKOUT_FAILURES:
                lock_end = moment + LOCKOUT_SECONDS
                recent.clear()
        return lock_end if lock_end is not None and lock_end > now else None

    @staticmethod
    def _note_account(s: Session, attempt: LoginAttempt) -> None:
        if attempt.account_pk is None and attempt.realm:
            # Even a malformed attempt is logged in the trail of the account it names.
            attempt.account_pk = s.scalar(
                select(Account.id).where(Account.account_id == attempt.realm)
            )

    def _verify_passport(self, s: Session, passport: Passport, attempt: LoginAttempt) -> Caller:
        values = (passport.account, passport.consumer_key, passport.token, passport.nonce)
        if not all(values) or not passport.timestamp or not passport.signature:
            raise LoginRejected("MissingTokenPassportRequiredFields")
        account = s.scalar(select(Account).where(Account.account_id == passport.account))
        if account is None:
            raise LoginRejected("InvalidAccount")
        attempt.account_pk = account.id
        self._check_features(account, "soap")
        if passport.algorithm not in PASSPORT_ALGORITHMS:
            raise LoginRejected("UnknownAlgorithm")
        integ = self._integration(s, account, passport.consumer_key, attempt)
        tok = self._token(s, account, integ, passport.token, attempt)
        self._check_lockout(s, tok)
        timestamp = self._check_timestamp(passport.timestamp)
        self._check_nonce(s, tok, passport.nonce, timestamp, "soap")
        self._check_passport_signature(passport, integ, tok)
        self._record_nonce(s, tok, passport.nonce, timestamp, "soap")
        return self._caller(account, tok, "soap")

    def _verify(self, s: Session, req: SignedRequest, header: str, attempt: LoginAttempt) -> Caller:
        oauth = parse_authorization(header)
        query = req.url.partition("?")[2]
        if any(k.startswith("oauth_") for k, _ in parse_qsl(query, keep_blank_values=True)):
            raise LoginRejected("parameter_rejected")  # oauth_* from two places
        if any(k not in oauth for k in REQUIRED):
            raise LoginRejected("MissingTokenPassportRequiredFields")
        account = s.scalar(select(Account).where(Account.account_id == oauth["realm"]))
        if account is None:
            # A realm naming no account (wrong case, "-" for "_") fails like any bad login.
            raise LoginRejected("InvalidAccount")
        attempt.account_pk = account.id
        self._check_features(account, attempt.channel)
        self._check_protocol(oauth)
        integ = self._integration(s, account, oauth["oauth_consumer_key"], attempt)
        tok = self._token(s, account, integ, oauth["oauth_token"], attempt)
        self._check_lockout(s, tok)
        timestamp = self._check_timestamp(oauth["oauth_timestamp"])
        self._check_nonce(s, tok, oauth["oauth_nonce"], timestamp, attempt.channel)
        self._check_signature(req, integ, tok)
        self._record_nonce(s, tok, oauth["oauth_nonce"], timestamp, attempt.channel)
        return self._caller(account, tok, attempt.channel)

    @staticmethod
    def _check_features(account: Account, channel: Channel) -> None:
        if not account.feature_tba:
            raise LoginRejected("FeatureDisabled")
        if (channel == "rest" and not account.feature_rest) or (
            channel == "soap" and not account.feature_soap
        ):
            raise LoginRejected("FeatureDisabled")

    @staticmethod
    def _check_protocol(oauth: Mapping[str, str]) -> None:
        if oauth.get("oauth_version", "1.0") != "1.0":
            raise LoginRejected("VersionRejected")
        if oauth["oauth_signature_method"] != "HMAC-SHA256":
            raise LoginRejected("UnknownAlgorithm")

    @staticmethod
    def _integration(s: Session, account: Account, key: str, at: LoginAttempt) -> Integration:
        integ = integrations.find_by_consumer_key(s, account, key)
        if integ is None:
            raise LoginRejected("consumer_key_unknown")
        at.application = integ.name
        # A Blocked record, or one without the Token-Based Authentication box, refuses tokens.
        if integ.state != "enabled" or not integ.tba:
            raise LoginRejected("consumer_key_refused")
        return integ

    @staticmethod
    def _token(
        s: Session, account: Account, integ: Integration, token_id: str, at: LoginAttempt
    ) -> AccessToken:
        tok = tokens.find_by_token_id(s, account, token_id)
        if tok is None:
            raise LoginRejected("token_rejected")
        at.user, at.role, at.token_name = tok.employee.email, tok.role.name, tok.name
        if tok.inactive or tok.revoked or tok.integration_id != integ.id:
            raise LoginRejected("token_rejected")
        return tok

    def _check_lockout(self, s: Session, tok: AccessToken) -> None:
        # Checked as soon as the user is known, before timestamp, nonce and signature: a locked
        # user learns nothing from further guesses (the sandbox's choice; NetSuite's order of
        # this check is not documented, netsuite-tba.md §1.8).
        if self.locked_until(s, tok.account_pk, tok.employee.email) is not None:
            raise LoginRejected(LOCKED)

    def _check_passport_signature(
        self, passport: Passport, integ: Integration, tok: AccessToken
    ) -> None:
        """base64(HMAC-SHA256(cs&ts, account&consumerKey&token&nonce&timestamp)) (§2)."""
        secrets = (integ.consumer_secret_enc, tok.token_secret_enc)
        key = "&".join(self._secret(enc) for enc in secrets)
        p = passport
        base = "&".join((p.account, p.consumer_key, p.token, p.nonce, p.timestamp))
        expected = base64.b64encode(
            hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()
        ).decode()
        if not hmac.compare_digest(expected.encode(), passport.signature.strip().encode()):
            raise LoginRejected("InvalidSignature")

    def _check_timestamp(self, raw: str) -> int:
        if not raw.isdigit() or len(raw) > 12:
            raise LoginRejected("parameter_rejected")
        ts = int(raw)
        if abs(self._clock() - ts) > TIMESTAMP_WINDOW:
            raise LoginRejected("InvalidTimestamp")
        return ts

    @staticmethod
    def _check_nonce(s: Session, tok: AccessToken, nonce: str, ts: int, ch: Channel) -> None:
        if not NONCE_MIN <= len(nonce) <= NONCE_MAX:
            raise LoginRejected("nonce_rejected")
        used = s.scalar(
            select(UsedNonce.id).where(
                UsedNonce.account_pk == tok.account_pk,
                UsedNonce.employee_id == tok.employee_id,
                UsedNonce.nonce == nonce,
                UsedNonce.timestamp == ts,
            )
        )
        if used is not None:
            raise LoginRejected(_nonce_used(ch))

    def _check_signature(self, req: SignedRequest, integ: Integration, tok: AccessToken) -> None:
        validator = _KnownSecrets(
            self._secret(integ.consumer_secret_enc), self._secret(tok.token_secret_enc)
        )
        try:
            valid, request = ResourceEndpoint(validator).validate_protected_resource_request(
                req.url, http_method=req.method, body=req.body, headers=dict(req.headers)
            )
        except ValueError:  # oauthlib refuses a query string that is not form-encoded
            raise LoginRejected("parameter_rejected") from None
        if valid:
            return
        if request is None or "signature" not in request.validator_log:
            raise LoginRejected("parameter_rejected")  # oauthlib refused before signing
        raise LoginRejected("InvalidSignature")

    def _record_nonce(
        self, s: Session, tok: AccessToken, nonce: str, ts: int, channel: Channel
    ) -> None:
        """Remember the pair; the unique index makes a concurrent replay ``NonceUsed`` too."""
        now = self._clock()
        if now >= self._next_purge or now < self._next_purge - NONCE_PURGE_EVERY:
            self._next_purge = now + NONCE_PURGE_EVERY  # a clock moved back purges at once
            horizon = int(now) - 2 * TIMESTAMP_WINDOW
            s.execute(delete(UsedNonce).where(UsedNonce.timestamp < horizon))
        try:
            with s.begin_nested():
                s.add(
                    UsedNonce(
                        account_pk=tok.account_pk,
                        employee_id=tok.employee_id,
                        nonce=nonce,
                        timestamp=ts,
                    )
                )
        except IntegrityError:
            raise LoginRejected(_nonce_used(channel)) from None

    @staticmethod
    def _caller(account: Account, tok: AccessToken, channel: Channel) -> Caller:
        """Entity and role must be usable and allowed to log in this way (permission_denied)."""
        emp, role = tok.employee, tok.role
        levels = role.levels()
        can_login = (
            max(
                levels.get("loginUsingAccessTokens", Level.NONE),
                levels.get("userAccessTokens", Level.NONE),
            )
            > Level.NONE
        )
        needs = {"rest": "restWebServices", "soap": "soapWebServices"}.get(channel)
        # REST and SOAP web services need their permission at Full (NS:article_5085602973).
        service_ok = needs is None or levels.get(needs, Level.NONE) >= Level.FULL
        if emp.inactive or role not in emp.roles or not can_login or not service_ok:
            raise LoginRejected("permission_denied")
        return Caller(
            account_id=account.account_id,
            entity_id=emp.id,
            role_id=role.id,
            token_id=tok.id,
            channel=channel,
            permissions=levels,
        )


def _nonce_used(channel: Channel) -> str:
    # RESTlets log nonce_used, SOAP and REST web services NonceUsed (netsuite-tba.md §3.4).
    return "nonce_used" if channel == "restlet" else "NonceUsed"


def _epoch(moment: datetime) -> float:
    # SQLite hands back naive datetimes; the trail writes UTC.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
