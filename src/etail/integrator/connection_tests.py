"""Test a connection: one signed NetSuite call, or a Jet token plus ``GET /orders/created``.

A failure says what the system answered. On a local NetSuite sandbox whose admin key we know,
it also shows the Login Audit Trail's Detail for the failed login and the fix for it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from pydantic import BaseModel

from etail.crypto import redact
from etail.errors import (
    CredentialsError,
    EtailError,
    ExternalServiceError,
    PermissionDeniedError,
    SettingsError,
    TransientError,
)
from etail.integrator import login_details
from etail.netsuite import AccountId, Environment
from etail.storage.connections import JetConfig, NetSuiteConfig

log = logging.getLogger(__name__)

SUCCESS = "Your connection is working great! Nice Job!"
FAILURE = "Your test was not successful. Check your information and try again."
TEST_TIMEOUT_S = 15.0

# (sandbox base URL, admin key, realm, since) -> the Detail of the newest failed login, or None
DetailLookup = Callable[[str, str, str, datetime], Awaitable[str | None]]


class TestResult(BaseModel):
    """Outcome of a Test. Never carries a secret."""

    __test__ = False  # not a pytest class
    ok: bool
    message: str
    answer: str | None = None  # what NetSuite or Jet answered
    detail: str | None = None  # the Login Audit Trail Detail (local sandbox)
    fix: str | None = None
    hints: list[str] = []

    def reason(self) -> str:
        """Why a connection is Offline: what the system answered, then the fix."""
        text = self.answer or self.message
        return f"{text} Fix: {self.fix}" if self.fix else text


def _clean(text: str, secrets: list[str]) -> str:
    return redact(text, secrets)


async def test_netsuite(
    cfg: NetSuiteConfig,
    admin_keys: dict[str, str],
    *,
    lookup: DetailLookup | None = None,
) -> TestResult:
    """One signed call with the given values; nothing is stored.

    Token: ``GET /rest/tokeninfo`` signed with TBA. OAuth 2.0: a client-credentials token
    request signed with the certificate's private key.
    """
    secrets = [
        cfg.token_secret,
        cfg.consumer_secret,
        cfg.token_id,
        cfg.consumer_key,
        cfg.private_key,
    ]
    if cfg.auth_type not in ("token", "oauth2"):
        return TestResult(
            ok=False,
            message=FAILURE,
            answer="Basic authentication (e-mail and password) is no longer accepted by NetSuite "
            "web services.",
            fix="Set Authentication Type to Token, enter the Token ID and Token Secret, select "
            "the eTail NetSuite iClient, then Test again.",
        )
    started = datetime.now(UTC)
    try:
        env = None if cfg.environment == "local" else Environment(cfg.environment)
        account = AccountId.parse(cfg.account_id, env)
        call = _tba_call if cfg.auth_type == "token" else _oauth2_call
        answer = await call(cfg, account)
    except ExternalServiceError as exc:
        result = _failure(exc, secrets)
        if isinstance(exc, CredentialsError) or exc.status in (400, 401):
            await _explain_login(result, cfg, admin_keys, started, lookup)
        return result
    except EtailError as exc:
        return _failure(exc, secrets)
    return TestResult(ok=True, message=SUCCESS, answer=answer)


async def _tba_call(cfg: NetSuiteConfig, account: AccountId) -> str | None:
    from etail.netsuite import NetSuiteClient, TBACredentials

    cfg.require_token()
    creds = TBACredentials(cfg.consumer_key, cfg.consumer_secret, cfg.token_id, cfg.token_secret)
    async with NetSuiteClient(
        account,
        creds,
        base_url=cfg.base_url,
        max_retries=0,
        timeout=TEST_TIMEOUT_S,
        concurrency=cfg.concurrency,
    ) as client:
        return _describe_token(await client.token_info())


async def _oauth2_call(cfg: NetSuiteConfig, account: AccountId) -> str:
    from etail.netsuite.oauth2 import M2MCredentials, fetch_access_token, token_url

    cfg.require_oauth2()
    creds = M2MCredentials(cfg.client_id, cfg.certificate_id, cfg.private_key)
    token = await fetch_access_token(
        creds, token_url(account, cfg.base_url), timeout=TEST_TIMEOUT_S
    )
    return f"NetSuite issued an access token ({creds.alg}, valid {token.expires_in} s)"


async def _explain_login(
    result: TestResult,
    cfg: NetSuiteConfig,
    admin_keys: dict[str, str],
    started: datetime,
    lookup: DetailLookup | None,
) -> None:
    if cfg.environment == "local" and cfg.base_url:
        await _add_audit_detail(result, cfg, admin_keys, started, lookup)
    else:
        result.fix = f"NetSuite shows the reason in {login_details.AUDIT_TRAIL_PATH}."
        result.hints = list(login_details.USUAL_CAUSES)


def _describe_token(info: object) -> str | None:
    if not isinstance(info, dict):
        return None
    parts = [
        f"{k}: {info[k]}"
        for k in ("tokenName", "entity", "role", "companyName", "account")
        if k in info and isinstance(info[k], (str, int))
    ]
    return "; ".join(parts) or None


def _failure(exc: EtailError, secrets: list[str]) -> TestResult:
    if isinstance(exc, SettingsError):
        field = f" ({exc.field})" if exc.field else ""
        return TestResult(
            ok=False,
            message=FAILURE,
            answer=_clean(exc.message, secrets) + field,
            fix=_clean(exc.hint or "", secrets) or None,
        )
    answer = _clean(exc.message, secrets)
    if isinstance(exc, ExternalServiceError) and exc.status:
        code = f" {exc.code}" if exc.code else ""
        answer = f"HTTP {exc.status}{code}: {answer}"
    fix = exc.hint
    if isinstance(exc, TransientError):
        fix = fix or "check the Environment and URL, and that the server is running"
    elif isinstance(exc, PermissionDeniedError):
        fix = (
            fix
            or "add the missing permission to the token's role "
            "(a clone of Celigo eTail SmartConnectors)"
        )
    return TestResult(
        ok=False, message=FAILURE, answer=answer, fix=_clean(fix, secrets) if fix else None
    )


async def _add_audit_detail(
    result: TestResult,
    cfg: NetSuiteConfig,
    admin_keys: dict[str, str],
    since: datetime,
    lookup: DetailLookup | None,
) -> None:
    base = (cfg.base_url or "").rstrip("/")
    key = admin_keys.get(base) or admin_keys.get("*")  # "*": any local sandbox (CLI)
    if not key:
        result.fix = (
            f"The sandbox shows the reason in {login_details.AUDIT_TRAIL_PATH}. "
            "(Give etail the sandbox's admin key to see it here.)"
        )
        result.hints = list(login_details.USUAL_CAUSES)
        return
    lookup = lookup or sandbox_login_detail
    try:
        detail = await lookup(base, key, cfg.account_id, since)
    except Exception as exc:  # the explanation is a bonus; never let it break the Test
        log.warning("could not read the sandbox login audit trail: %s", type(exc).__name__)
        detail = None
    if detail:
        result.detail = detail
        result.fix = login_details.fix_for(detail)
    else:
        result.fix = f"See {login_details.AUDIT_TRAIL_PATH}."
        result.hints = list(login_details.USUAL_CAUSES)


async def sandbox_login_detail(
    base_url: str, admin_key: str, realm: str, since: datetime
) -> str | None:
    """The Detail of the newest failed login of ``realm`` on a local NetSuite sandbox."""
    from etail.integrator.sandbox_audit import latest_failure_detail

    return await latest_failure_detail(base_url, admin_key, realm, since)


async def test_jet(cfg: JetConfig) -> TestResult:
    """Get a token with the API user and secret, then ``GET /orders/created`` (Celigo's ping)."""
    secrets = [cfg.secret]
    from etail.jet import JetClient

    if not (cfg.api_user and cfg.secret):  # never set up: nothing to send (no call to Jet)
        return TestResult(
            ok=False,
            message=FAILURE,
            answer="the API user or the secret key is not set",
            fix="Enter the API user and secret key from Jet: API section > Get API Keys.",
        )

    try:
        async with JetClient(cfg.base_url, cfg.api_user, cfg.secret, max_retries=0) as client:
            urls = await client.order_urls("created")
    except EtailError as exc:
        result = _failure(exc, secrets)
        if isinstance(exc, CredentialsError):
            result.fix = (
                "Re-enter the API user and secret key from Jet: API section > Get API Keys."
            )
        return result
    return TestResult(ok=True, message=SUCCESS, answer=f"{len(urls)} order(s) in status created")
