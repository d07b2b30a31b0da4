"""``temporary_locked``: 5 failed token logins of one user lock that user's token logins for
30 minutes, on REST, RESTlets and SOAP alike (netsuite-tba.md §3.4)."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta

import requests
from requests_oauthlib import OAuth1
from sqlalchemy import select, update

from etail.sandbox.netsuite.models import Account, LoginAudit
from etail.sandbox.netsuite.tba import (
    LOCKOUT_FAILURES,
    LOCKOUT_SECONDS,
    LOCKOUT_WINDOW,
    TbaVerifier,
)

from ..conftest import APP, Sandbox, Setup, steps_a_to_d
from . import raw

TIME = f'<getServerTime xmlns="{raw.ns("messages")}"/>'


def oauth(s: Setup, token_secret: str | None = None) -> OAuth1:
    return OAuth1(
        s.consumer_key,
        s.consumer_secret,
        s.token_id,
        token_secret or s.token_secret,
        realm=s.realm,
        signature_method="HMAC-SHA256",
    )


def rest(sb: Sandbox, s: Setup, token_secret: str | None = None) -> int:
    url = f"{sb.url}/services/rest/record/v1/customer"
    return requests.get(url, auth=oauth(s, token_secret), timeout=10).status_code


def details(sb: Sandbox, realm: str, n: int) -> list[str]:
    return [row["detail"] for row in sb.admin.audit(realm, limit=n)][::-1]


def fail(sb: Sandbox, s: Setup, times: int) -> None:
    for _ in range(times):
        assert rest(sb, s, token_secret=secrets.token_hex(32)) == 401


def test_five_failures_lock_the_user_on_every_channel(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    fail(sandbox, s, LOCKOUT_FAILURES)
    assert details(sandbox, s.realm, 5) == ["InvalidSignature"] * 5
    assert rest(sandbox, s) == 401  # right credentials, locked user
    info = requests.get(f"{sandbox.url}/rest/tokeninfo", auth=oauth(s), timeout=10)
    assert info.status_code == 401
    soap = raw.post(sandbox.url, "getServerTime", TIME, raw.passport(s))
    assert raw.fault(soap)[0] == "Invalid login attempt."
    assert details(sandbox, s.realm, 3) == ["temporary_locked"] * 3
    rows = sandbox.admin.audit(s.realm, limit=3)
    assert [r["channel"] for r in rows][::-1] == ["rest", "restlet", "soap"]
    # Another user of the same account is not locked.
    sandbox.admin.create_employee(s.realm, "Sam Roe", "sam@example.com")
    sandbox.admin.add_role(s.realm, "sam@example.com", s.role_id)
    new = sandbox.admin.create_token(s.realm, APP, "sam@example.com", s.role_id)
    sam = Setup(**{**s.__dict__, "token_id": new["token_id"], "token_secret": new["token_secret"]})
    assert rest(sandbox, sam) == 200


def test_the_lock_ends_after_thirty_minutes(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    fail(sandbox, s, LOCKOUT_FAILURES)
    assert rest(sandbox, s) == 401
    store = sandbox.app.state.store
    with store.session() as db:  # let 31 minutes pass for this account's trail
        pk = db.scalar(select(Account.id).where(Account.account_id == s.realm))
        db.execute(
            update(LoginAudit)
            .where(LoginAudit.account_pk == pk)
            .values(at=datetime.now(UTC) - timedelta(seconds=LOCKOUT_SECONDS + 60))
        )
    assert rest(sandbox, s) == 200
    assert details(sandbox, s.realm, 1) == [""]


def test_a_success_clears_the_count(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    fail(sandbox, s, LOCKOUT_FAILURES - 1)
    assert rest(sandbox, s) == 200
    fail(sandbox, s, LOCKOUT_FAILURES - 1)
    assert rest(sandbox, s) == 200
    # Failures on SOAP count as well: four more there, one on REST, and the user is locked.
    for _ in range(LOCKOUT_FAILURES - 1):
        bad = raw.passport(s, token_secret=secrets.token_hex(32))
        raw.fault(raw.post(sandbox.url, "getServerTime", TIME, bad))
    fail(sandbox, s, 1)
    assert rest(sandbox, s) == 401
    assert details(sandbox, s.realm, 1) == ["temporary_locked"]


def test_failures_spread_wider_than_the_window_do_not_lock(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    store = sandbox.app.state.store
    now = time.time()
    verifier = TbaVerifier(store.box, clock=lambda: now)
    step = LOCKOUT_WINDOW / (LOCKOUT_FAILURES - 1) + 1  # five failures span just over the window
    with store.session() as db:
        pk = db.scalar(select(Account.id).where(Account.account_id == s.realm))
        assert pk is not None
        for i in range(LOCKOUT_FAILURES):
            at = datetime.fromtimestamp(now - (LOCKOUT_FAILURES - 1 - i) * step, UTC)
            db.add(LoginAudit(account_pk=pk, user=s.user, status="Failure", at=at, detail="x"))
        db.flush()
        assert verifier.locked_until(db, pk, s.user) is None
        db.add(LoginAudit(account_pk=pk, user=s.user, status="Failure", at=datetime.now(UTC)))
        db.flush()
        until = verifier.locked_until(db, pk, s.user)
        assert until is not None and abs(until - (now + LOCKOUT_SECONDS)) < 5
        db.rollback()
