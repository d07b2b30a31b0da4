"""Bearer access tokens on REST web services and RESTlets (§3): verify, audit, answer."""

from __future__ import annotations

import binascii
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from etail.crypto import SecretBox
from etail.sandbox.netsuite.admin.credentials import digest
from etail.sandbox.netsuite.context import Caller, Channel, Level
from etail.sandbox.netsuite.deps import get_store
from etail.sandbox.netsuite.models import Account
from etail.sandbox.netsuite.oauth2.common import (
    _CHANNEL_SCOPE,
    Attempt,
    BearerRejected,
    OAuth2Options,
)
from etail.sandbox.netsuite.oauth2.issuer import (
    TokenIssuer,
    may_log_in,
    public_key,
)
from etail.sandbox.netsuite.oauth2.jose import (
    parse_jws,
    signature_valid,
)
from etail.sandbox.netsuite.oauth2.setup import (
    feature_enabled,
)
from etail.sandbox.netsuite.oauth2_models import (
    OAuth2AccessToken,
    OAuth2Client,
)
from etail.sandbox.netsuite.problems import RFC2616_401, rest_invalid_login, restlet_invalid_login
from etail.sandbox.netsuite.store import Store

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
