"""create_app wires OAuth 2.0 beside TBA: Bearer requests go to OAuth 2.0, tokeninfo stays TBA."""

from __future__ import annotations

import datetime as dt

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from etail.sandbox.netsuite.store import read_admin_key

from .conftest import APP, Sandbox, steps_a_to_d


def test_a_bearer_request_is_judged_by_oauth2_not_tba(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    resp = requests.get(
        f"{sandbox.url}/services/rest/probe/x",
        headers={"Authorization": "Bearer not-a-jwt"},
        timeout=10,
    )
    assert resp.status_code == 400  # OAuth 2.0's invalid_request, not TBA's 401
    assert resp.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_REQUEST"
    trail = sandbox.admin.audit(s.realm)
    assert all(r["detail"] != "MissingTokenPassportRequiredFields" for r in trail)


def test_tokeninfo_answers_tba_only(sandbox: Sandbox) -> None:
    resp = requests.get(
        f"{sandbox.url}/rest/tokeninfo", headers={"Authorization": "Bearer a.b.c"}, timeout=10
    )
    assert resp.status_code == 401
    assert resp.json() == {
        "error": {"code": "INVALID_LOGIN_ATTEMPT", "message": "Invalid login attempt."}
    }


def test_oauth2_admin_routes_and_token_endpoint_are_served(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    key = read_admin_key(sandbox.data_dir)
    on = requests.put(
        f"{sandbox.url}/admin/api/accounts/{s.realm}/oauth2/feature",
        json={"enabled": True},
        headers={"X-Sandbox-Admin-Key": key},
        timeout=10,
    )
    assert on.status_code == 200 and on.json() == {"enabled": True}
    assert sandbox.admin.set_oauth2_feature(s.realm, False) == {"enabled": False}
    token = requests.post(
        f"{sandbox.url}/services/rest/auth/oauth2/v1/token",
        data={"grant_type": "client_credentials"},
        timeout=10,
    )
    assert 400 <= token.status_code < 500  # no assertion: refused, never a 5xx or a 404
    assert token.status_code != 404


def test_admin_client_manages_m2m_certificates(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    admin = sandbox.admin
    admin.set_oauth2_feature(s.realm, True)
    client = admin.configure_oauth2_client(s.realm, APP, scopes=["rest_webservices"])
    assert client["client_credentials"] is True
    cert = admin.register_m2m_certificate(s.realm, APP, s.user, s.role_id, self_signed_pem())
    listed = admin.m2m_certificates(s.realm)
    assert [c["certificate_id"] for c in listed] == [cert["certificate_id"]]
    assert admin.revoke_m2m_certificate(s.realm, cert["certificate_id"]) == "Successfully revoked"
    assert admin.m2m_certificates(s.realm)[0]["revoked"] is True


def self_signed_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wiring test")])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()
