"""Offline connections come back Online through the background re-check, and listeners hear it."""

from __future__ import annotations

import time

from etail.httpserver import BackgroundServer
from etail.integrator.app import create_app
from etail.storage.connections import ConnectionRepository
from etail.storage.db import session_scope

from .conftest import api_token, browser_owner, netsuite_body, steps_a_to_d


def test_background_recheck_brings_a_connection_back(integrator, netsuite_sandbox):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    browser_owner(integrator).close()
    with integrator.client(
        headers=api_token(integrator, "owner@example.com", "Owner-Pass-123")
    ) as api:
        r = api.put(
            f"/api/v1/connections/{integrator.netsuite_id}",
            json=netsuite_body(netsuite_sandbox.url, tokens, integrator.iclient_id),
        )
        assert r.json()["connection"]["status"] == "Online"
    # a second app on the same database re-checks every 50 ms
    app = create_app(integrator.settings, recheck_interval_s=0.05)
    heard: list[tuple[str, bool]] = []
    app.state.connection_listeners.append(lambda cid, online: heard.append((cid, online)))
    with session_scope(app.state.sessions) as s:  # what the flow runner does on a 401
        ConnectionRepository(s, app.state.box).set_offline(
            integrator.netsuite_id, "401 INVALID_LOGIN"
        )
    with BackgroundServer(app):
        deadline = time.monotonic() + 10
        while not heard and time.monotonic() < deadline:
            time.sleep(0.05)
    assert heard == [(integrator.netsuite_id, True)]
    with session_scope(app.state.sessions) as s:
        conn = ConnectionRepository(s, app.state.box).get(integrator.netsuite_id)
        assert conn.offline is False and conn.offline_reason is None


def test_recheck_keeps_a_broken_connection_offline_with_its_reason(integrator, netsuite_sandbox):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    browser_owner(integrator).close()
    with integrator.client(
        headers=api_token(integrator, "owner@example.com", "Owner-Pass-123")
    ) as api:
        body = netsuite_body(netsuite_sandbox.url, tokens, integrator.iclient_id)
        api.put(f"/api/v1/connections/{integrator.netsuite_id}", json=body)
        netsuite_sandbox.admin.token_action(tokens.realm, tokens.internal_id, "revoke")
        ping = api.post(f"/api/v1/connections/{integrator.netsuite_id}/ping").json()
        assert ping["ok"] is False and ping["detail"] == "token_rejected"
        shown = api.get(f"/api/v1/connections/{integrator.netsuite_id}").json()
        assert shown["status"] == "Offline" and "401" in shown["offline_reason"]
