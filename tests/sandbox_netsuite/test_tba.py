"""TBA verification over real HTTP: a client from outside the project, and every failure class.

Each failure must answer NetSuite's generic 401 and leave its real Detail in the Login Audit
Trail (netsuite-tba.md §1.8, §3.1, §3.2, §3.4).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import requests
from oauthlib.oauth1 import Client
from requests_oauthlib import OAuth1

from . import signing
from .conftest import APP, Sandbox, Setup, steps_a_to_d

INVALID_LOGIN = {
    "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2",
    "title": "Unauthorized",
    "status": 401,
    "o:errorDetails": [
        {
            "detail": "Invalid login attempt. For more details, see the Login Audit Trail in the "
            "NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.",
            "o:errorCode": "INVALID_LOGIN",
        }
    ],
}
INVALID_LOGIN_ATTEMPT = {
    "error": {"code": "INVALID_LOGIN_ATTEMPT", "message": "Invalid login attempt."}
}


def oauth(s: Setup, **kw: Any) -> OAuth1:
    kw.setdefault("signature_method", "HMAC-SHA256")
    return OAuth1(
        s.consumer_key, s.consumer_secret, s.token_id, s.token_secret, realm=s.realm, **kw
    )


def last_detail(sb: Sandbox, realm: str | None) -> dict[str, Any]:
    rows = sb.admin.audit(realm, limit=1)
    assert rows, "no Login Audit Trail row"
    return rows[0]


def assert_rejected(sb: Sandbox, resp: requests.Response, realm: str | None, detail: str) -> None:
    assert resp.status_code == 401, resp.text
    assert resp.json() == INVALID_LOGIN
    row = last_detail(sb, realm)
    assert (row["status"], row["detail"]) == ("Failure", detail)


def probe(sb: Sandbox, path: str = "x") -> str:
    return f"{sb.url}/services/rest/probe/{path}"


def test_steps_a_to_d_then_an_outside_client_gets_200(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    info = requests.get(f"{sandbox.url}/rest/tokeninfo", auth=oauth(s), timeout=10)
    assert info.status_code == 200, info.text
    body = info.json()
    assert body["companyId"] == s.realm
    assert body["roleName"] == "eTail Integration Role"
    assert body["applicationName"] == APP
    assert body["tokenName"] == f"{APP} - Jane Doe - eTail Integration Role"
    rest = requests.get(probe(sandbox, "record"), auth=oauth(s), timeout=10)
    assert rest.status_code == 200 and rest.json()["account"] == s.realm
    row = last_detail(sandbox, s.realm)
    assert row["status"] == "Success" and row["user"] == "jane@example.com"
    assert row["token_name"] == s.token["name"] and row["application"] == APP
    customers = requests.get(
        f"{sandbox.url}/services/rest/record/v1/customer", auth=oauth(s), timeout=10
    )
    assert customers.status_code == 200, customers.text
    assert customers.json()["items"] == []
    suiteql = requests.post(
        f"{sandbox.url}/services/rest/query/v1/suiteql",
        params={"limit": "10", "offset": "0"},
        headers={"Prefer": "transient"},
        json={"q": "SELECT id FROM customer"},
        auth=oauth(s),
        timeout=10,
    )
    assert suiteql.status_code == 200, suiteql.text


def test_signature_covers_raw_path_query_and_port(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    url = probe(sandbox, "customer/eid:CID-002/!transform/itemFulfillment")
    resp = requests.get(url, params={"q": "email START_WITH barbara", "limit": "2"}, auth=oauth(s))
    assert resp.status_code == 200, resp.text
    # Signed for another port of the same host: the Host header's port must make it fail.
    client = Client(
        s.consumer_key,
        s.consumer_secret,
        s.token_id,
        s.token_secret,
        signature_method="HMAC-SHA256",
        realm=s.realm,
    )
    other = probe(sandbox).replace(sandbox.url, "http://127.0.0.1:9")
    _, headers, _ = client.sign(other)
    assert_rejected(
        sandbox, requests.get(probe(sandbox), headers=headers), s.realm, "InvalidSignature"
    )


def test_extra_oauth_parameters_are_signed_and_accepted(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    url = probe(sandbox, "suiteql") + "?limit=10&offset=0"
    auth = signing.header(
        "POST",
        url,
        realm=s.realm,
        ck=s.consumer_key,
        cs=s.consumer_secret,
        token=s.token_id,
        ts_secret=s.token_secret,
        extra={"oauth_body_hash": "2jmj7l5rSw0yVb/vlWAYkK/YBwk="},
    )
    resp = requests.post(url, headers={"Authorization": auth}, json={"q": "SELECT 1"})
    assert resp.status_code == 200, resp.text


def test_feature_disabled(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    sandbox.admin.set_feature(s.realm, "tba", False)
    assert_rejected(
        sandbox, requests.get(probe(sandbox), auth=oauth(s)), s.realm, "FeatureDisabled"
    )


def test_feature_disabled_when_rest_web_services_is_off_for_rest_only(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    sandbox.admin.set_feature(s.realm, "rest", False)
    assert_rejected(
        sandbox, requests.get(probe(sandbox), auth=oauth(s)), s.realm, "FeatureDisabled"
    )
    # RESTlets do not need the REST Web Services feature (netsuite-tba.md §4).
    info = requests.get(f"{sandbox.url}/rest/tokeninfo", auth=oauth(s), timeout=10)
    assert info.status_code == 200, info.text


def test_unknown_algorithm(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    resp = requests.get(probe(sandbox), auth=oauth(s, signature_method="HMAC-SHA1"))
    assert_rejected(sandbox, resp, s.realm, "UnknownAlgorithm")


def test_version_rejected(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    auth = signing.header(
        "GET",
        probe(sandbox),
        realm=s.realm,
        ck=s.consumer_key,
        cs=s.consumer_secret,
        token=s.token_id,
        ts_secret=s.token_secret,
        extra={"oauth_version": "2.0"},
    )
    resp = requests.get(probe(sandbox), headers={"Authorization": auth})
    assert_rejected(sandbox, resp, s.realm, "VersionRejected")


def test_consumer_key_unknown(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    s.consumer_key = secrets.token_hex(32)
    assert_rejected(
        sandbox, requests.get(probe(sandbox), auth=oauth(s)), s.realm, "consumer_key_unknown"
    )


def test_consumer_key_refused_when_integration_blocked(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    sandbox.admin.update_integration(s.realm, APP, state="blocked")
    resp = requests.get(probe(sandbox), auth=oauth(s))
    assert_rejected(sandbox, resp, s.realm, "consumer_key_refused")
    assert last_detail(sandbox, s.realm)["application"] == APP


def test_consumer_key_refused_without_the_token_based_authentication_box(
    sandbox: Sandbox,
) -> None:
    s = steps_a_to_d(sandbox.admin)
    sandbox.admin.update_integration(s.realm, APP, tba=False)
    assert_rejected(
        sandbox, requests.get(probe(sandbox), auth=oauth(s)), s.realm, "consumer_key_refused"
    )
    sandbox.admin.update_integration(s.realm, APP, tba=True)
    assert requests.get(probe(sandbox), auth=oauth(s)).status_code == 200


def test_invalid_timestamp_ahead_and_restlets_answer_their_own_body(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    ahead = str(int(time.time()) + 301 + 5)  # the window is ±300 s, the future side too
    info = f"{sandbox.url}/rest/tokeninfo"
    resp = requests.get(info, auth=oauth(s, timestamp=ahead), timeout=10)
    assert resp.status_code == 401 and resp.json() == INVALID_LOGIN_ATTEMPT
    assert last_detail(sandbox, s.realm)["detail"] == "InvalidTimestamp"


def test_token_rejected_unknown_inactive_revoked_or_other_application(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    realm, admin = s.realm, sandbox.admin
    unknown = Setup(**{**s.__dict__, "token_id": secrets.token_hex(32)})
    assert_rejected(
        sandbox, requests.get(probe(sandbox), auth=oauth(unknown)), realm, "token_rejected"
    )
    admin.token_action(realm, s.token["id"], "inactivate")
    assert_rejected(sandbox, requests.get(probe(sandbox), auth=oauth(s)), realm, "token_rejected")
    admin.token_action(realm, s.token["id"], "activate")
    assert requests.get(probe(sandbox), auth=oauth(s)).status_code == 200
    other = admin.create_integration(realm, "Other App")
    wrong_app = Setup(
        **{
            **s.__dict__,
            "consumer_key": other["consumer_key"],
            "consumer_secret": other["consumer_secret"],
        }
    )
    assert_rejected(
        sandbox, requests.get(probe(sandbox), auth=oauth(wrong_app)), realm, "token_rejected"
    )
    admin.token_action(realm, s.token["id"], "revoke")
    assert_rejected(sandbox, requests.get(probe(sandbox), auth=oauth(s)), realm, "token_rejected")


def test_invalid_timestamp_beyond_five_minutes(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    stale = str(int(time.time()) - 301 - 5)
    resp = requests.get(probe(sandbox), auth=oauth(s, timestamp=stale))
    assert_rejected(sandbox, resp, s.realm, "InvalidTimestamp")
    near = str(int(time.time()) - 200)  # inside the window: fine
    assert requests.get(probe(sandbox), auth=oauth(s, timestamp=near)).status_code == 200


def test_nonce_rejected_under_six_characters(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    resp = requests.get(probe(sandbox), auth=oauth(s, nonce="a1b2c"))
    assert_rejected(sandbox, resp, s.realm, "nonce_rejected")


def test_nonce_used_twice_with_the_same_timestamp(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    fixed = {"nonce": secrets.token_hex(10), "timestamp": str(int(time.time()))}
    assert requests.get(probe(sandbox), auth=oauth(s, **fixed)).status_code == 200
    assert_rejected(
        sandbox, requests.get(probe(sandbox), auth=oauth(s, **fixed)), s.realm, "NonceUsed"
    )
    # RESTlets log the lower-case spelling and answer their own body (§3.2, §3.4).
    fixed = {"nonce": secrets.token_hex(10), "timestamp": str(int(time.time()))}
    info = f"{sandbox.url}/rest/tokeninfo"
    assert requests.get(info, auth=oauth(s, **fixed)).status_code == 200
    again = requests.get(info, auth=oauth(s, **fixed))
    assert again.status_code == 401 and again.json() == INVALID_LOGIN_ATTEMPT
    assert last_detail(sandbox, s.realm)["detail"] == "nonce_used"


def test_invalid_signature(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    s.token_secret = secrets.token_hex(32)
    assert_rejected(
        sandbox, requests.get(probe(sandbox), auth=oauth(s)), s.realm, "InvalidSignature"
    )


def test_permission_denied_inactive_user_removed_role_or_missing_permission(
    sandbox: Sandbox,
) -> None:
    s = steps_a_to_d(sandbox.admin)
    realm, admin = s.realm, sandbox.admin
    admin.set_employee_inactive(realm, s.user, True)
    assert_rejected(
        sandbox, requests.get(probe(sandbox), auth=oauth(s)), realm, "permission_denied"
    )
    admin.set_employee_inactive(realm, s.user, False)
    admin.remove_role(realm, s.user, s.role_id)
    assert_rejected(
        sandbox, requests.get(probe(sandbox), auth=oauth(s)), realm, "permission_denied"
    )
    admin.add_role(realm, s.user, s.role_id)
    assert requests.get(probe(sandbox), auth=oauth(s)).status_code == 200
    admin.set_permissions(realm, s.role_id, {"restWebServices": "none"})
    assert_rejected(
        sandbox, requests.get(probe(sandbox), auth=oauth(s)), realm, "permission_denied"
    )
    admin.set_permissions(
        realm, s.role_id, {"restWebServices": "full", "loginUsingAccessTokens": "none"}
    )
    assert_rejected(
        sandbox, requests.get(probe(sandbox), auth=oauth(s)), realm, "permission_denied"
    )


def test_parameter_rejected_duplicate_empty_or_foreign_header_parameter(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    kw = dict(
        realm=s.realm,
        ck=s.consumer_key,
        cs=s.consumer_secret,
        token=s.token_id,
        ts_secret=s.token_secret,
    )
    for bad in (
        signing.header("GET", probe(sandbox), **kw, raw_suffix=', oauth_nonce="abcdefgh"'),
        signing.header("GET", probe(sandbox), **kw, raw_suffix=', limit="10"'),
        signing.header("GET", probe(sandbox), **kw, overrides={"oauth_version": ""}),
    ):
        resp = requests.get(probe(sandbox), headers={"Authorization": bad})
        assert_rejected(sandbox, resp, s.realm, "parameter_rejected")


def test_missing_token_passport_required_fields(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    assert_rejected(
        sandbox, requests.get(probe(sandbox)), None, "MissingTokenPassportRequiredFields"
    )
    no_token = signing.header(
        "GET",
        probe(sandbox),
        realm=s.realm,
        ck=s.consumer_key,
        cs=s.consumer_secret,
        token=s.token_id,
        ts_secret=s.token_secret,
        drop=("oauth_token",),
    )
    resp = requests.get(probe(sandbox), headers={"Authorization": no_token})
    assert_rejected(sandbox, resp, s.realm, "MissingTokenPassportRequiredFields")


def test_unknown_realm_fails_like_any_bad_login(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    s.realm = s.realm.lower().replace("_", "-")  # the host spelling, not the realm's
    resp = requests.get(probe(sandbox), auth=oauth(s))
    assert_rejected(sandbox, resp, None, "InvalidAccount")
    assert last_detail(sandbox, None)["realm"] == s.realm


def test_secrets_never_in_admin_answers_or_audit(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    requests.get(probe(sandbox), auth=oauth(s))
    dumped = repr(
        [
            sandbox.admin.tokens(s.realm),
            sandbox.admin.integrations(s.realm),
            sandbox.admin.audit(s.realm),
        ]
    )
    for secret in (s.token_id, s.token_secret, s.consumer_key, s.consumer_secret):
        assert secret not in dumped
    raw = b"".join(p.read_bytes() for p in sandbox.data_dir.glob("netsuite.db*"))
    for secret in (s.token_id, s.token_secret, s.consumer_key, s.consumer_secret):
        assert secret.encode() not in raw


def test_datacenterurls_needs_no_auth_and_names_this_server(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    found = requests.get(f"{sandbox.url}/rest/datacenterurls", params={"account": s.realm})
    assert found.status_code == 200
    assert found.json() == {
        "webservicesDomain": sandbox.url,
        "restDomain": sandbox.url,
        "systemDomain": sandbox.url,
    }
    missing = requests.get(f"{sandbox.url}/rest/datacenterurls", params={"account": "999_SB9"})
    assert missing.status_code == 400
