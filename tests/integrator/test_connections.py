"""Connections over real HTTP against a real NetSuite sandbox: Test, Save, status, audit."""

from __future__ import annotations

import sqlite3

from .conftest import (
    netsuite_body,
    steps_a_to_d,
)


def test_token_test_succeeds_and_stores_nothing(integrator, netsuite_sandbox, api):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    before = api.get(f"/api/v1/connections/{integrator.netsuite_id}").json()
    r = api.post(
        f"/api/v1/connections/{integrator.netsuite_id}/test",
        json=netsuite_body(netsuite_sandbox.url, tokens, integrator.iclient_id),
    )
    assert r.status_code == 200, r.text
    assert r.json()["ok"] is True
    assert r.json()["message"] == "Your connection is working great! Nice Job!"
    after = api.get(f"/api/v1/connections/{integrator.netsuite_id}").json()
    assert after["config"] == before["config"] and after["config"]["auth_type"] == "basic"


def test_wrong_token_secret_shows_audit_detail_and_fix(integrator, netsuite_sandbox, api):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    body = netsuite_body(netsuite_sandbox.url, tokens, integrator.iclient_id, token_secret="0" * 64)
    result = api.post(f"/api/v1/connections/{integrator.netsuite_id}/test", json=body).json()
    assert result["ok"] is False
    assert "401" in result["answer"]
    assert result["detail"] == "InvalidSignature"
    assert "Token Secret" in result["fix"]


def test_unknown_token_says_token_rejected(integrator, netsuite_sandbox, api):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    body = netsuite_body(netsuite_sandbox.url, tokens, integrator.iclient_id, token_id="a" * 64)
    result = api.post(f"/api/v1/connections/{integrator.netsuite_id}/test", json=body).json()
    assert result["detail"] == "token_rejected"
    assert "Access Tokens > New" in result["fix"]


def test_tba_disabled_says_feature_disabled(integrator, netsuite_sandbox, api):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    netsuite_sandbox.admin.set_feature(tokens.realm, "tba", False)
    result = api.post(
        f"/api/v1/connections/{integrator.netsuite_id}/test",
        json=netsuite_body(netsuite_sandbox.url, tokens, integrator.iclient_id),
    ).json()
    assert result["detail"] == "FeatureDisabled"
    assert "Enable Features" in result["fix"]


def test_save_switches_basic_to_token_keeping_the_id(integrator, netsuite_sandbox, api):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    r = api.put(
        f"/api/v1/connections/{integrator.netsuite_id}",
        json=netsuite_body(netsuite_sandbox.url, tokens, integrator.iclient_id),
    )
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["saved"] and saved["connection"]["id"] == integrator.netsuite_id
    assert saved["connection"]["status"] == "Online"
    cfg = saved["connection"]["config"]
    assert cfg["auth_type"] == "token" and cfg["token_secret"] == "******"
    assert cfg["email"] == "" and "password" not in cfg
    # the saved connection works with its stored secrets
    ping = api.post(f"/api/v1/connections/{integrator.netsuite_id}/ping").json()
    assert ping["ok"] is True
    audit = api.get("/api/v1/audit", params={"resource_id": integrator.netsuite_id}).json()
    changes = {e["field"]: e for e in audit if e["action"] == "update"}
    assert (
        changes["auth_type"]["old_value"] == "basic"
        and changes["auth_type"]["new_value"] == "token"
    )
    assert changes["token_secret"]["new_value"] == "changed"
    assert changes["token_secret"]["old_value"] is None
    assert all(e["source"] == "API" for e in changes.values())


def test_save_after_failed_test_asks_then_goes_offline(integrator, netsuite_sandbox, api):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    body = netsuite_body(netsuite_sandbox.url, tokens, integrator.iclient_id, token_secret="1" * 64)
    r = api.put(f"/api/v1/connections/{integrator.netsuite_id}", json=body)
    assert r.status_code == 409
    assert r.json()["saved"] is False and r.json()["test"]["detail"] == "InvalidSignature"
    assert (
        api.get(f"/api/v1/connections/{integrator.netsuite_id}").json()["config"]["auth_type"]
        == "basic"
    )
    r = api.put(
        f"/api/v1/connections/{integrator.netsuite_id}", params={"force": "true"}, json=body
    )
    assert r.status_code == 200 and r.json()["saved"] is True
    assert r.json()["connection"]["status"] == "Offline"


def test_account_id_is_normalised_and_checked(integrator, netsuite_sandbox, api):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    host_form = tokens.realm.lower().replace("_", "-")
    r = api.put(
        f"/api/v1/connections/{integrator.netsuite_id}",
        json=netsuite_body(
            netsuite_sandbox.url, tokens, integrator.iclient_id, account_id=host_form
        ),
    )
    assert r.status_code == 200, r.text
    assert r.json()["connection"]["config"]["account_id"] == tokens.realm
    # a sandbox account ID under Environment = Production is refused, naming the field
    r = api.post(
        f"/api/v1/connections/{integrator.netsuite_id}/test",
        json=netsuite_body(
            netsuite_sandbox.url, tokens, integrator.iclient_id, environment="production"
        ),
    )
    assert r.status_code == 422 and r.json()["field"] == "account_id"


def test_form_rules(integrator, netsuite_sandbox, api):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    url = f"/api/v1/connections/{integrator.netsuite_id}"
    no_iclient = netsuite_body(netsuite_sandbox.url, tokens, None)
    r = api.put(url, json=no_iclient)
    assert r.status_code == 422 and r.json()["field"] == "iclient_id"
    r = api.put(
        url, json=netsuite_body(netsuite_sandbox.url, tokens, integrator.iclient_id, concurrency=26)
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "concurrency"
    # "type" has a default in the OpenAPI: a body without it is a NetSuite body here
    untyped = netsuite_body(netsuite_sandbox.url, tokens, integrator.iclient_id)
    untyped.pop("type", None)
    r = api.post(f"{url}/test", json=untyped)
    assert r.status_code == 200 and r.json()["ok"] is True, r.text
    r = api.put(
        url,
        json=netsuite_body(netsuite_sandbox.url, tokens, integrator.iclient_id, token_secret=""),
    )
    assert r.status_code == 422 and r.json()["field"] == "token_secret"
    r = api.put(url, json=netsuite_body("ftp://x", tokens, integrator.iclient_id))
    assert r.status_code == 422 and r.json()["field"] == "base_url"


def test_basic_auth_test_explains_the_switch(integrator, api):
    body = {
        "type": "netsuite",
        "auth_type": "basic",
        "environment": "production",
        "account_id": "1234567",
        "email": "a@example.com",
        "password": "Secret-Basic-1",
    }
    result = api.post(f"/api/v1/connections/{integrator.netsuite_id}/test", json=body).json()
    assert result["ok"] is False and "Token" in result["fix"]


def test_secrets_are_encrypted_at_rest(integrator, netsuite_sandbox, api):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    r = api.put(
        f"/api/v1/connections/{integrator.netsuite_id}",
        json=netsuite_body(netsuite_sandbox.url, tokens, integrator.iclient_id),
    )
    assert r.status_code == 200, r.text
    raw = (integrator.settings.home / "integrator.db").read_bytes()
    for wal in integrator.settings.home.glob("integrator.db-wal"):
        raw += wal.read_bytes()
    assert tokens.token_secret.encode() not in raw
    assert tokens.token_id.encode() not in raw
    with sqlite3.connect(integrator.settings.home / "integrator.db") as db:
        stored = db.execute(
            "select secrets from connections where id = ?", (integrator.netsuite_id,)
        ).fetchone()[0]
    assert '"token_secret": "gAAAA' in stored  # a Fernet token


def _m2m(netsuite_sandbox, tokens):
    """NetSuite side of OAuth 2.0 client credentials: feature, grant, uploaded certificate."""
    from etail.netsuite.oauth2 import generate_key_pair

    from .conftest import APP

    admin = netsuite_sandbox.admin
    admin.set_oauth2_feature(tokens.realm, True)
    # the role must allow "Log in using OAuth 2.0 Access Tokens" (docs/oauth2.md)
    admin.set_permissions(tokens.realm, tokens.role_id, {"loginUsingOAuth2AccessTokens": "full"})
    admin.configure_oauth2_client(
        tokens.realm, APP, client_credentials=True, scopes=["rest_webservices", "restlets"]
    )
    pair = generate_key_pair("ES256")
    cert = admin.register_m2m_certificate(
        tokens.realm, APP, "jane@example.com", tokens.role_id, pair.certificate_pem
    )
    return pair, cert["certificate_id"]


def test_oauth2_client_credentials_test_and_save(integrator, netsuite_sandbox, api):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    pair, certificate_id = _m2m(netsuite_sandbox, tokens)
    body = {
        "type": "netsuite",
        "auth_type": "oauth2",
        "environment": "local",
        "base_url": netsuite_sandbox.url,
        "account_id": tokens.realm,
        "iclient_id": integrator.iclient_id,
        "certificate_id": certificate_id,
        "private_key": pair.private_key_pem,
    }
    url = f"/api/v1/connections/{integrator.netsuite_id}"
    r = api.post(f"{url}/test", json=body)
    assert r.json()["ok"] is True, r.text
    assert "access token" in r.json()["answer"]
    # a key that is not the certificate's: refused, with the audit trail's reason
    other = body | {"private_key": _other_key()}
    bad = api.post(f"{url}/test", json=other).json()
    assert bad["ok"] is False and bad["detail"] == "SignatureValidation"
    assert "private key" in bad["fix"]
    saved = api.put(url, json=body)
    assert (
        saved.status_code == 200 and saved.json()["connection"]["config"]["private_key"] == "******"
    )
    assert api.post(f"{url}/ping").json()["ok"] is True
    assert "BEGIN" not in api.get(url).text


def _other_key() -> str:
    from etail.netsuite.oauth2 import generate_key_pair

    return generate_key_pair("ES256").private_key_pem
