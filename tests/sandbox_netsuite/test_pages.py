"""Admin pages: sign-in, CSRF, role checks, and the guide's steps A-D by clicking in Chromium."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from requests_oauthlib import OAuth1

from .conftest import APP, BUNDLE_ROLE, Sandbox, _numbers

PASSWORD = "correct horse battery"


def fresh_account(sb: Sandbox) -> dict[str, Any]:
    realm = f"{next(_numbers)}_SB1"
    email = f"admin{realm.lower()}@example.com"
    sb.admin.create_account(realm, admin_email=email, admin_password=PASSWORD)
    ck, cs = secrets.token_hex(32), secrets.token_hex(32)
    sb.admin.install_bundle(realm, ck, cs)
    sb.admin.create_employee(realm, "Jane Doe", "jane@example.com")
    return {"realm": realm, "email": email, "ck": ck, "cs": cs}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "form without CSRF token"
    return found.group(1)


@pytest.fixture
def signed_in(sandbox: Sandbox) -> Iterator[tuple[requests.Session, dict[str, Any]]]:
    acct = fresh_account(sandbox)
    http = requests.Session()
    page = http.get(f"{sandbox.url}/app/login")
    resp = http.post(
        f"{sandbox.url}/app/login",
        data={"csrf_token": csrf_of(page.text), "account": acct["realm"],
              "email": acct["email"], "password": PASSWORD, "next": "/app/center"},
    )  # fmt: skip
    assert resp.status_code == 200 and acct["realm"] in resp.text
    yield http, acct
    http.close()


def test_pages_need_a_signed_in_administrator(sandbox: Sandbox) -> None:
    acct = fresh_account(sandbox)
    resp = requests.get(f"{sandbox.url}/app/setup/roles", allow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/app/login")
    # Jane has no Administrator role (and no password): she cannot sign in.
    http = requests.Session()
    token = csrf_of(http.get(f"{sandbox.url}/app/login").text)
    bad = http.post(
        f"{sandbox.url}/app/login",
        data={"csrf_token": token, "account": acct["realm"], "email": acct["email"],
              "password": "wrong password"},
    )  # fmt: skip
    assert bad.status_code == 401 and "Invalid login attempt." in bad.text


def test_forms_refuse_a_missing_csrf_token(
    sandbox: Sandbox, signed_in: tuple[requests.Session, dict[str, Any]]
) -> None:
    http, acct = signed_in
    resp = http.post(f"{sandbox.url}/app/setup/company/enable-features", data={"feature_tba": "on"})
    assert resp.status_code == 403
    assert sandbox.admin.account(acct["realm"])["features"]["tba"] is False


def test_locked_role_is_not_editable_from_the_page(
    sandbox: Sandbox, signed_in: tuple[requests.Session, dict[str, Any]]
) -> None:
    http, acct = signed_in
    role = sandbox.admin.role(acct["realm"], BUNDLE_ROLE)
    page = http.get(f"{sandbox.url}/app/setup/roles/{role['id']}")
    assert "locked" in page.text and "<select" not in page.text
    resp = http.post(
        f"{sandbox.url}/app/setup/roles/{role['id']}",
        data={"csrf_token": csrf_of(page.text), "perm_customer": "full"},
    )
    assert resp.status_code == 409 and "Customize" in resp.text
    assert sandbox.admin.role(acct["realm"], BUNDLE_ROLE)["permissions"]["customer"] == "edit"


def test_token_secret_is_shown_once_and_never_listed(
    sandbox: Sandbox, signed_in: tuple[requests.Session, dict[str, Any]]
) -> None:
    http, acct = signed_in
    realm = acct["realm"]
    sandbox.admin.set_feature(realm, "tba", True)
    sandbox.admin.add_role(realm, "jane@example.com", BUNDLE_ROLE)
    form = http.get(f"{sandbox.url}/app/setup/access-tokens/new")
    integ = sandbox.admin.integrations(realm)[0]
    jane = sandbox.admin.employee(realm, "jane@example.com")
    role = sandbox.admin.role(realm, BUNDLE_ROLE)
    saved = http.post(
        f"{sandbox.url}/app/setup/access-tokens/new",
        data={"csrf_token": csrf_of(form.text), "application": str(integ["id"]),
              "user": str(jane["id"]), "role": str(role["id"]), "name": f"{APP} -"},
    )  # fmt: skip
    assert saved.status_code == 200 and saved.headers["cache-control"] == "no-store"
    token_id = re.search(r'id="token-id">([0-9a-f]{64})<', saved.text).group(1)
    assert "only displayed once" in saved.text
    listing = http.get(f"{sandbox.url}/app/setup/access-tokens").text
    assert f"{APP} - Jane Doe - {BUNDLE_ROLE}" in listing and token_id not in listing


@pytest.mark.e2e
def test_guide_steps_a_to_d_by_clicking(sandbox: Sandbox, browser: Any) -> None:
    acct = fresh_account(sandbox)
    page = browser.new_page()
    page.set_default_timeout(10_000)

    def menu(*path: str) -> None:
        """Setup > ... by hovering the top menu, as in NetSuite."""
        nav = page.get_by_role("navigation", name="Main menu")
        nav.get_by_role("button", name="Setup").hover()
        for item in path[:-1]:
            nav.locator("span", has_text=re.compile(f"^{re.escape(item)}$")).hover()
        nav.get_by_role("link", name=path[-1], exact=True).click()

    try:
        page.goto(f"{sandbox.url}/app/login")  # 1. Log in as an Administrator
        page.get_by_label("Account ID").fill(acct["realm"])
        page.get_by_label("Email").fill(acct["email"])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log In").click()

        # A. Setup > Company > Enable Features > SuiteCloud > TOKEN-BASED AUTHENTICATION > Save
        menu("Company", "Enable Features")
        page.get_by_role("button", name="SuiteCloud").click()
        page.get_by_label("TOKEN-BASED AUTHENTICATION").check()
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Your changes have been saved.").wait_for()

        # B. Setup > Users/Roles > Manage Roles > Customize beside the bundle role > name > Save
        menu("Users/Roles", "Manage Roles")
        page.get_by_role("link", name=f"Customize {BUNDLE_ROLE}").click()
        page.get_by_label("NAME").fill("eTail Jet Role")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Role eTail Jet Role has been saved.").wait_for()

        # C. Manage Users > user > Edit > Access > Roles > select role > Save > Confirmation
        menu("Users/Roles", "Manage Users")
        page.get_by_role("link", name="Jane Doe").click()
        page.get_by_role("link", name="Edit").click()
        page.get_by_role("button", name="Access").click()
        page.get_by_label("Add role").select_option(label="eTail Jet Role")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Confirmation").wait_for()
        assert "eTail Jet Role" in page.content()

        # D. Access Tokens > New: APPLICATION NAME, USER, ROLE; TOKEN NAME fills itself; Save
        menu("Users/Roles", "Access Tokens", "New")
        page.get_by_label("APPLICATION NAME").select_option(label=APP)
        page.get_by_label("USER").select_option(label="Jane Doe")
        page.get_by_label("ROLE").select_option(label="eTail Jet Role")
        expected = f"{APP} - Jane Doe - eTail Jet Role"
        assert page.get_by_label("TOKEN NAME").input_value() == expected
        page.get_by_role("button", name="Save").click()
        token_id = page.locator("#token-id").inner_text()
        token_secret = page.locator("#token-secret").inner_text()
        assert "only displayed once" in page.content()
    finally:
        page.close()

    auth = OAuth1(
        acct["ck"], acct["cs"], token_id, token_secret,
        signature_method="HMAC-SHA256", realm=acct["realm"],
    )  # fmt: skip
    info = requests.get(f"{sandbox.url}/rest/tokeninfo", auth=auth, timeout=10)
    assert info.status_code == 200, info.text
    assert info.json()["tokenName"] == expected


def test_integration_page_shows_consumer_credentials_once_and_escapes_names(
    sandbox: Sandbox, signed_in: tuple[requests.Session, dict[str, Any]]
) -> None:
    http, acct = signed_in
    form = http.get(f"{sandbox.url}/app/setup/integrations/new")
    saved = http.post(
        f"{sandbox.url}/app/setup/integrations/new",
        data={"csrf_token": csrf_of(form.text), "name": "<b>Evil</b> App", "tba": "on",
              "state": "enabled"},
    )  # fmt: skip
    assert saved.status_code == 200
    key = re.search(r'id="consumer-key">([0-9a-f]{64})<', saved.text).group(1)
    listing = http.get(f"{sandbox.url}/app/setup/integrations").text
    assert "&lt;b&gt;Evil&lt;/b&gt; App" in listing and "<b>Evil</b>" not in listing
    assert key not in listing


def test_oauth2_m2m_setup_by_pages(
    sandbox: Sandbox, signed_in: tuple[requests.Session, dict[str, Any]]
) -> None:
    from .test_oauth2_wiring import self_signed_pem

    http, acct = signed_in
    realm, url = acct["realm"], sandbox.url
    sandbox.admin.add_role(realm, "jane@example.com", BUNDLE_ROLE)
    page = http.get(f"{url}/app/setup/company/enable-features")
    assert "OAUTH 2.0" in page.text
    http.post(
        f"{url}/app/setup/company/enable-features",
        data={"csrf_token": csrf_of(page.text), "feature_tba": "on", "feature_rest": "on",
              "feature_oauth2": "on"},
    )  # fmt: skip
    integ = sandbox.admin.integrations(realm)[0]
    page = http.get(f"{url}/app/setup/integrations/{integ['id']}")
    http.post(
        f"{url}/app/setup/integrations/{integ['id']}",
        data={"csrf_token": csrf_of(page.text), "state": "enabled", "tba": "on", "m2m": "on",
              "scope_rest_webservices": "on"},
    )  # fmt: skip
    page = http.get(f"{url}/app/setup/m2m")
    jane = sandbox.admin.employee(realm, "jane@example.com")
    role = sandbox.admin.role(realm, BUNDLE_ROLE)
    saved = http.post(
        f"{url}/app/setup/m2m",
        data={"csrf_token": csrf_of(page.text), "application": str(integ["id"]),
              "entity": str(jane["id"]), "role": str(role["id"])},
        files={"certificate_file": ("cert.pem", self_signed_pem().encode())},
    )  # fmt: skip
    assert saved.status_code == 200 and "has been saved" in saved.text
    certs = sandbox.admin.m2m_certificates(realm)
    assert len(certs) == 1 and certs[0]["revoked"] is False
    revoked = http.post(
        f"{url}/app/setup/m2m/{certs[0]['certificate_id']}/revoke",
        data={"csrf_token": csrf_of(saved.text)},
    )
    assert "has been revoked" in revoked.text
    assert sandbox.admin.m2m_certificates(realm)[0]["revoked"] is True
    assert sandbox.admin.account(realm)["features"]["tba"] is True


def _page_routes() -> list[tuple[str, str]]:
    from etail.sandbox.netsuite import pages

    fill = {"{role_id}": "1", "{emp_id}": "1", "{integ_id}": "1", "{token_id}": "1",
            "{action}": "revoke", "{cert_id}": "x"}  # fmt: skip
    out = []
    for route in pages.router.routes:
        path = getattr(route, "path", "")
        if path in ("/app/login", "/app/logout"):
            continue
        for key, value in fill.items():
            path = path.replace(key, value)
        out += [(method, path) for method in sorted(getattr(route, "methods", ()))]
    assert len(out) >= 25
    return out


def test_every_page_route_checks_for_an_active_administrator(sandbox: Sandbox) -> None:
    acct = fresh_account(sandbox)
    realm = acct["realm"]
    sandbox.admin.create_employee(realm, "Second Admin", "second@example.com",
                                  ["Administrator"], PASSWORD)  # fmt: skip
    http = requests.Session()
    token = csrf_of(http.get(f"{sandbox.url}/app/login").text)
    signed = http.post(
        f"{sandbox.url}/app/login",
        data={"csrf_token": token, "account": realm, "email": "second@example.com",
              "password": PASSWORD},
    )  # fmt: skip
    assert signed.status_code == 200
    cookie = {"ns_sandbox": http.cookies["ns_sandbox"]}
    csrf = csrf_of(http.get(f"{sandbox.url}/app/setup/roles").text)
    # The session stays valid but its employee is no longer an Administrator.
    sandbox.admin.remove_role(realm, "second@example.com", "Administrator")
    before = sandbox.admin.account(realm)
    for method, path in _page_routes():
        for cookies in (None, cookie):  # no session, then a demoted administrator's session
            resp = requests.request(
                method, f"{sandbox.url}{path}", cookies=cookies, allow_redirects=False,
                data={"csrf_token": csrf, "feature_tba": "on"} if method == "POST" else None,
            )  # fmt: skip
            assert resp.status_code == 303, (method, path, resp.status_code)
            assert resp.headers["location"].startswith("/app/login"), (method, path)
    assert sandbox.admin.account(realm) == before  # nothing was changed


def test_login_audit_trail_pages_and_filters_by_status(
    sandbox: Sandbox, signed_in: tuple[requests.Session, dict[str, Any]]
) -> None:
    http, acct = signed_in
    url = f"{sandbox.url}/services/rest/record/v1/customer"
    for _ in range(55):  # TBA is off on a fresh account: each attempt is a Failure row
        auth = OAuth1(acct["ck"], acct["cs"], secrets.token_hex(32), secrets.token_hex(32),
                      signature_method="HMAC-SHA256", realm=acct["realm"])  # fmt: skip
        assert requests.get(url, auth=auth, timeout=10).status_code == 401
    trail = f"{sandbox.url}/app/setup/login-audit-trail"
    first = http.get(trail, params={"status": "Failure"}).text
    assert "55 logins · page 1 of 2" in first
    assert first.count("<code>FeatureDisabled</code>") == 50 and "Older" in first
    second = http.get(trail, params={"status": "Failure", "page": 2}).text
    assert second.count("<code>FeatureDisabled</code>") == 5 and "Newer" in second
    assert "0 logins" in http.get(trail, params={"status": "Success"}).text
