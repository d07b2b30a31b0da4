"""Role checks: a monitor gets 403 on every write route (API from the OpenAPI, and the pages)."""

from __future__ import annotations

import re

from .conftest import all_routes, api_token, browser_owner, csrf_of, invite_and_accept

WRITE = {"post", "put", "patch", "delete"}
# Reachable without a role on purpose: signing in, signing out, accepting an invitation.
PUBLIC = {
    ("post", "/api/v1/auth/token"),
    ("delete", "/api/v1/auth/token"),
    ("post", "/api/v1/invitations/{token}/accept"),
}


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "general"), path)


def test_monitor_gets_403_on_every_write_route_of_the_openapi(integrator):
    owner = browser_owner(integrator)
    with integrator.client(
        headers=api_token(integrator, "owner@example.com", "Owner-Pass-123")
    ) as api:
        monitor = invite_and_accept(integrator, api, "mon@example.com", "monitor")
        users = {u["email"]: u["id"] for u in api.get("/api/v1/users").json()}
    spec = owner.get("/api/openapi.json").json()
    ids = {
        "integration_id": integrator.integration_id,
        "connection_id": integrator.netsuite_id,
        "user_id": users["owner@example.com"],
        "section": "general",
        "token": "x",
    }
    checked = []
    with integrator.client(headers=monitor) as c:
        for path, ops in spec["paths"].items():
            for method in ops:
                if method not in WRITE or (method, path) in PUBLIC:
                    continue
                r = c.request(method.upper(), _fill(path, ids), json={})
                assert r.status_code == 403, (method, path, r.status_code, r.text)
                checked.append((method, path))
    assert len(checked) >= 7  # invitations, users x2, settings, connections save/test/ping
    owner.close()


def test_every_page_route_checks_a_role(integrator):
    """Every non-API route but sign-in, first run, invitations and static files needs a user."""
    app_routes = all_routes(integrator.app)
    assert len(app_routes) >= 40
    open_paths = {"/signin", "/setup", "/invitations/{token}"}
    ids = {
        "integration_id": integrator.integration_id,
        "connection_id": integrator.netsuite_id,
        "user_id": "u",
        "section": "general",
        "token": "x",
    }
    with integrator.client() as anon:
        anon.get("/signin")
        for path, methods in app_routes:
            if path.startswith(("/api/", "/docs/", "/flows-assets/")) or path in open_paths:
                continue
            for method in methods - {"HEAD"}:
                r = anon.request(method, _fill(path, ids))
                # anonymous: redirected to sign-in (GET) or refused (POST: CSRF/sign-in first)
                assert r.status_code in (303, 401, 403), (method, path, r.status_code)
                if r.status_code == 303:
                    assert r.headers["location"].startswith("/signin"), path


def test_monitor_pages_hide_connections_and_refuse_writes(integrator):
    owner = browser_owner(integrator)
    with integrator.client(
        headers=api_token(integrator, "owner@example.com", "Owner-Pass-123")
    ) as api:
        invite_and_accept(integrator, api, "mon@example.com", "monitor", password="Monitor-Pass-1")
    with integrator.client(follow_redirects=True) as mon:
        page = mon.get("/signin")
        mon.post(
            "/signin",
            data={
                "csrf_token": csrf_of(page.text),
                "email": "mon@example.com",
                "password": "Monitor-Pass-1",
            },
        )
        settings = mon.get(f"/integrations/{integrator.integration_id}/settings/order")
        assert settings.status_code == 200 and "/connections" not in settings.text
        assert "<fieldset disabled>" in settings.text
        assert mon.get(f"/integrations/{integrator.integration_id}/connections").status_code == 403
        r = mon.post(
            f"/integrations/{integrator.integration_id}/settings/order",
            data={"csrf_token": csrf_of(settings.text), "customer_mode": "default"},
        )
        assert r.status_code == 403
        assert mon.get("/users").status_code == 403
        assert mon.get("/audit").status_code == 403
    owner.close()


def test_tile_user_manages_only_the_granted_integration(integrator, netsuite_sandbox):
    browser_owner(integrator).close()
    with integrator.client(
        headers=api_token(integrator, "owner@example.com", "Owner-Pass-123")
    ) as api:
        tile = invite_and_accept(
            integrator,
            api,
            "tile@example.com",
            "tile",
            grants={integrator.integration_id: "manage"},
        )
        no_grant = invite_and_accept(integrator, api, "none@example.com", "tile")
    with integrator.client(headers=tile) as c:
        listed = c.get("/api/v1/connections").json()
        assert {x["id"] for x in listed} == {integrator.netsuite_id, integrator.jet_id}
        url = f"/api/v1/integrations/{integrator.integration_id}/settings"
        current = c.get(url).json()
        current["order"].update(customer_mode="default", default_customer_id="42")
        current["order"]["ship_method_map"] = {"Standard": "4"}
        r = c.put(url, json=current)
        assert r.status_code == 200 and r.json()["order"]["default_customer_id"] == "42"
        current["order"]["unknown_sku"] = "ignore"  # not a choice: refused, naming the field
        bad = c.put(url, json=current)
        assert bad.status_code == 422 and "unknown_sku" in bad.text
        current["order"]["unknown_sku"] = "reject"
        current["order"]["duration_days"] = "7"  # strict: a number, not a string
        assert c.put(url, json=current).status_code == 422
        assert c.get("/api/v1/users").status_code == 403
    with integrator.client(headers=no_grant) as c:
        assert c.get("/api/v1/integrations").json() == []
        assert c.get(f"/api/v1/connections/{integrator.netsuite_id}").status_code == 403


def test_every_form_post_needs_the_csrf_token(integrator):
    """Signed in as the owner, a POST to any page route without the token is refused."""
    app_routes = all_routes(integrator.app)
    ids = {
        "integration_id": integrator.integration_id,
        "connection_id": integrator.netsuite_id,
        "user_id": "u",
        "section": "general",
        "token": "x",
        "flow_id": "f",
        "job_id": "j",
        "error_id": "e",
        "action": "retry",
    }
    owner = browser_owner(integrator)
    posts = [p for p, methods in app_routes if "POST" in methods and not p.startswith("/api/")]
    assert len(posts) >= 10
    for path in posts:
        r = owner.post(_fill(path, ids), data={"x": "1"}, follow_redirects=False)
        assert r.status_code == 403, (path, r.status_code)
    owner.close()
