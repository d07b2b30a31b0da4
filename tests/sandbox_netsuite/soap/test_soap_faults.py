"""SOAP faults (netsuite-oauth2-soap.md §5.6) and the Login Audit Trail Detail behind each one.

Every failed token login is the same ``Invalid login attempt.`` fault; only the trail says why
(netsuite-tba.md §3.4).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from requests_oauthlib import OAuth1

from etail.httpserver import BackgroundServer
from etail.sandbox.netsuite.adminclient import AdminClient
from etail.sandbox.netsuite.app import create_app
from etail.sandbox.netsuite.options import SandboxOptions
from etail.sandbox.netsuite.store import read_admin_key

from ..conftest import Sandbox, Setup, steps_a_to_d
from . import raw

MSG = raw.ns("messages")
TIME = f'<getServerTime xmlns="{MSG}"/>'
INVALID_LOGIN = ("Invalid login attempt.", "invalidCredentialsFault", "USER_ERROR")


def last_row(sandbox: Sandbox, realm: str | None) -> dict[str, str]:
    rows = sandbox.admin.audit(realm, limit=1)
    assert rows, "no Login Audit Trail row"
    return rows[0]  # type: ignore[no-any-return]


def test_a_good_passport_logs_success_on_the_soap_channel(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    resp = raw.post(sandbox.url, "getServerTime", TIME, raw.passport(s, algorithm="HMAC_SHA256"))
    assert resp.status_code == 200, resp.text
    row = last_row(sandbox, s.realm)
    assert (row["status"], row["channel"], row["user"]) == ("Success", "soap", s.user)
    assert row["token_name"] == s.token["name"]


def _token_unknown(s: Setup) -> str:
    return raw.passport(Setup(**{**s.__dict__, "token_id": secrets.token_hex(32)}))


def _key_unknown(s: Setup) -> str:
    return raw.passport(Setup(**{**s.__dict__, "consumer_key": secrets.token_hex(32)}))


CASES: dict[str, tuple[Callable[[Setup], str], str]] = {
    "bad signature": (
        lambda s: raw.passport(s, token_secret=secrets.token_hex(32)),
        "InvalidSignature",
    ),
    "stale timestamp": (
        lambda s: raw.passport(s, timestamp=int(time.time()) - 400),
        "InvalidTimestamp",
    ),
    "sha1": (lambda s: raw.passport(s, algorithm="HMAC-SHA1"), "UnknownAlgorithm"),
    "unknown consumer key": (_key_unknown, "consumer_key_unknown"),
    "unknown token": (_token_unknown, "token_rejected"),
    "host spelling of the account": (
        lambda s: raw.passport(s, account=s.realm.lower().replace("_", "-")),
        "InvalidAccount",
    ),
    "no passport": (lambda s: "", "MissingTokenPassportRequiredFields"),
    "two passports": (lambda s: raw.passport(s) + raw.passport(s), "parameter_rejected"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_bad_passport_is_invalid_login_with_its_detail(sandbox: Sandbox, case: str) -> None:
    s = steps_a_to_d(sandbox.admin)
    make, detail = CASES[case]
    resp = raw.post(sandbox.url, "getServerTime", TIME, make(s))
    assert raw.fault(resp) == INVALID_LOGIN
    # An attempt naming no account is only in the all-accounts trail (docs/netsuite-sandbox.md).
    nameless = detail in ("MissingTokenPassportRequiredFields", "InvalidAccount")
    realm = None if nameless else s.realm
    row = last_row(sandbox, realm)
    assert (row["status"], row["detail"], row["channel"]) == ("Failure", detail, "soap")


def test_nonce_used_twice(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    fixed = raw.passport(s, nonce=secrets.token_hex(10))
    assert raw.post(sandbox.url, "getServerTime", TIME, fixed).status_code == 200
    assert raw.fault(raw.post(sandbox.url, "getServerTime", TIME, fixed)) == INVALID_LOGIN
    assert last_row(sandbox, s.realm)["detail"] == "NonceUsed"


def test_features_and_the_soap_permission(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    sandbox.admin.set_feature(s.realm, "soap", False)
    assert raw.fault(raw.post(sandbox.url, "getServerTime", TIME, raw.passport(s))) == INVALID_LOGIN
    assert last_row(sandbox, s.realm)["detail"] == "FeatureDisabled"
    sandbox.admin.set_feature(s.realm, "soap", True)
    sandbox.admin.set_feature(s.realm, "rest", False)  # REST off does not matter to SOAP
    assert raw.post(sandbox.url, "getServerTime", TIME, raw.passport(s)).status_code == 200
    sandbox.admin.set_permissions(s.realm, s.role_id, {"soapWebServices": "edit"})
    assert raw.fault(raw.post(sandbox.url, "getServerTime", TIME, raw.passport(s))) == INVALID_LOGIN
    assert last_row(sandbox, s.realm)["detail"] == "permission_denied"  # Full is needed


AMBIGUOUS = ("Ambiguous authentication", "invalidCredentialsFault", "USER_ERROR")


def test_ambiguous_authentication(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    app_info = (
        f'<applicationInfo xmlns="{MSG}"><applicationId>ABC-123</applicationId></applicationInfo>'
    )
    passport = (
        f'<passport xmlns="{MSG}"><email>jane@example.com</email><password>x</password>'
        f"<account>{s.realm}</account></passport>"
    )
    before = len(sandbox.admin.audit(s.realm))
    for header in (raw.passport(s) + app_info, passport + raw.passport(s)):
        assert raw.fault(raw.post(sandbox.url, "getServerTime", TIME, header)) == AMBIGUOUS
    resp = raw.post(
        sandbox.url, "getServerTime", TIME, raw.passport(s), cookies={"JSESSIONID": "abc"}
    )
    assert raw.fault(resp) == AMBIGUOUS
    assert len(sandbox.admin.audit(s.realm)) == before  # refused before any token login


@pytest.fixture
def slow_sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """A sandbox whose requests hold their concurrency slot 1 s."""
    app = create_app(tmp_path / "ns", SandboxOptions(latency_ms=1000))
    with BackgroundServer(app) as srv:
        admin = AdminClient(srv.url, read_admin_key(tmp_path / "ns"))
        yield Sandbox(srv.url, tmp_path / "ns", admin, app)
        admin.close()


def test_soap_shares_the_account_pool_with_rest_ws_request_blocked(slow_sandbox: Sandbox) -> None:
    sb = slow_sandbox
    s = steps_a_to_d(sb.admin)  # standard tier: 5 requests in flight
    auth = OAuth1(
        s.consumer_key,
        s.consumer_secret,
        s.token_id,
        s.token_secret,
        realm=s.realm,
        signature_method="HMAC-SHA256",
    )
    rest_codes: list[int] = []

    def rest() -> None:
        url = f"{sb.url}/services/rest/record/v1/customer"
        rest_codes.append(requests.get(url, auth=auth, timeout=10).status_code)

    threads = [threading.Thread(target=rest) for _ in range(5)]
    for t in threads:
        t.start()
    time.sleep(0.4)  # the five REST calls now hold every slot (for 1 s)
    blocked = raw.post(sb.url, "getServerTime", TIME, raw.passport(s))
    for t in threads:
        t.join()
    assert raw.fault(blocked) == (
        "SuiteTalk concurrent request limit exceeded. Request blocked.",
        "exceededConcurrentRequestLimitFault",
        "WS_REQUEST_BLOCKED",
    )
    assert rest_codes == [200] * 5
    assert raw.post(sb.url, "getServerTime", TIME, raw.passport(s)).status_code == 200


def test_oversized_request_is_refused_before_parsing(sandbox: Sandbox) -> None:
    from etail.sandbox.netsuite.soap.envelope import MAX_ENVELOPE

    data = b"<x>" + b"a" * (MAX_ENVELOPE + 10) + b"</x>"
    resp = requests.post(f"{sandbox.url}/services/NetSuitePort_2025_2", data=data, timeout=20)
    assert raw.fault(resp)[1:] == ("exceededRequestSizeFault", "EXCEEDED_MAX_REQUEST_SIZE")
