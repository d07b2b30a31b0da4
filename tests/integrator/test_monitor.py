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
    heard: list[tuple[str, bool, str]] = []

    def listener(cid: str, online: bool) -> None:  # reads what was saved, as a flow would
        with session_scope(integrator.app.state.sessions) as s:
            conn = ConnectionRepository(s, integrator.box).get(cid)
            heard.append((cid, online, str(conn.config.get("auth_type"))))

    integrator.app.state.connection_listeners.append(listener)
    cid = integrator.netsuite_id
    with integrator.client(
        headers=api_token(integrator, "owner@example.com", "Owner-Pass-123")
    ) as api:
        body = netsuite_body(netsuite_sandbox.url, tokens, integrator.iclient_id)
        api.put(f"/api/v1/connections/{cid}", json=body)
        # a save is heard after its commit: the listener already reads the new credentials
        assert heard == [(cid, True, "token")]
        api.post(f"/api/v1/connections/{cid}/ping")
        assert len(heard) == 1  # still Online: no change to tell
        netsuite_sandbox.admin.token_action(tokens.realm, tokens.internal_id, "revoke")
        ping = api.post(f"/api/v1/connections/{cid}/ping").json()
        assert ping["ok"] is False and ping["detail"] == "token_rejected"
        assert heard[1:] == [(cid, False, "token")]
        shown = api.get(f"/api/v1/connections/{cid}").json()
        assert shown["status"] == "Offline" and "401" in shown["offline_reason"]


def test_fresh_install_shows_what_cannot_work_and_rechecks_without_network(integrator):
    """Installed on Basic and without Jet keys: both Offline with the fix; a re-check of them
    makes no call (Basic is refused up front, Jet has no keys to send) and keeps the reasons."""
    import asyncio

    from etail.integrator.monitor import recheck_offline

    outcomes = asyncio.run(recheck_offline(integrator.app))
    assert sorted(outcomes) == sorted([(integrator.netsuite_id, False), (integrator.jet_id, False)])
    with session_scope(integrator.app.state.sessions) as s:
        repo = ConnectionRepository(s, integrator.box)
        assert "Token" in (repo.get(integrator.netsuite_id).offline_reason or "")
        assert "not set" in (repo.get(integrator.jet_id).offline_reason or "")
