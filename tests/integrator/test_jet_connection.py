"""The Jet connection's Test and Save against the Jet sandbox over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from etail.httpserver import BackgroundServer
from etail.sandbox.jet.adminclient import JetAdminClient
from etail.sandbox.jet.app import admin_key, create_app

SECRET = "jet-secret-0123456789abcdef"


@pytest.fixture
def jet(tmp_path: Path) -> Iterator[tuple[str, dict]]:
    data = tmp_path / "jet"
    data.mkdir()
    with BackgroundServer(create_app(data)) as srv:
        with JetAdminClient(srv.url, admin_key(data)) as admin:
            merchant = admin.create_merchant(
                "Acme",
                merchant_id="acme",
                api_user="acme-user",
                secret=SECRET,
                fulfillment_nodes=[{"fulfillment_node_id": "node-1", "name": "Main"}],
            )
        yield srv.url, merchant


def _body(url: str, secret: str) -> dict:
    return {
        "type": "jet",
        "base_url": url,
        "api_user": "acme-user",
        "secret": secret,
        "merchant_id": "acme",
        "fulfillment_node": "node-1",
    }


def test_jet_test_and_save(integrator, jet, api):
    url, _ = jet
    r = api.post(f"/api/v1/connections/{integrator.jet_id}/test", json=_body(url, SECRET))
    assert r.status_code == 200 and r.json()["ok"] is True, r.text
    assert "created" in r.json()["answer"]
    bad = api.post(
        f"/api/v1/connections/{integrator.jet_id}/test", json=_body(url, "wrong-secret-xyz")
    )
    assert bad.json()["ok"] is False and "secret is not valid" in bad.json()["answer"]
    assert "wrong-secret-xyz" not in bad.text
    saved = api.put(f"/api/v1/connections/{integrator.jet_id}", json=_body(url, SECRET))
    assert saved.status_code == 200 and saved.json()["connection"]["config"]["secret"] == "******"
    untyped = {k: v for k, v in _body(url, SECRET).items() if k != "type"}  # api_user: Jet
    assert api.post(f"/api/v1/connections/{integrator.jet_id}/test", json=untyped).json()["ok"]
    assert api.post(f"/api/v1/connections/{integrator.jet_id}/ping").json()["ok"] is True
    # a NetSuite body for a Jet connection is refused, naming the field
    r = api.put(
        f"/api/v1/connections/{integrator.jet_id}",
        json={
            "type": "netsuite",
            "auth_type": "basic",
            "environment": "production",
            "account_id": "1234567",
            "email": "a@example.com",
            "password": "p",
        },
    )
    assert r.status_code == 422 and r.json()["field"] == "type"


def test_jet_form_page_tests_and_saves(integrator, jet):
    from .conftest import browser_owner, csrf_of

    url, _ = jet
    owner = browser_owner(integrator)
    base = f"/integrations/{integrator.integration_id}/connections/{integrator.jet_id}"
    page = owner.get(f"{base}/edit")
    assert page.status_code == 200 and 'name="api_user"' in page.text
    form = {"csrf_token": csrf_of(page.text), "name": "Jet Connection", **_body(url, SECRET)}
    form.pop("type")
    tested = owner.post(f"{base}/test", data=form, headers={"accept": "application/json"})
    assert tested.json()["ok"] is True
    heard: list[tuple[str, bool]] = []
    integrator.app.state.connection_listeners.append(lambda cid, on: heard.append((cid, on)))
    saved = owner.post(f"{base}/edit", data=form)
    assert "Connection saved." in saved.text and SECRET not in saved.text
    assert heard == [(integrator.jet_id, True)]  # flows can rebuild their Jet client
    edit_again = owner.get(f"{base}/edit").text
    assert SECRET not in edit_again and "A value is stored (******)" in edit_again
    owner.close()
