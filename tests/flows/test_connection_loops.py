"""The runtime loops between the integrator and the flows, over both sandboxes on real HTTP:
an Offline connection pauses its flows and back Online resumes them (celigo-jet.md §1.4), saved
credentials are used at once, and an OAuth 2.0 connection runs flows."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from etail.bootstrap import Services, build_services
from etail.cli import demo
from etail.connectors import flowspecs as F
from etail.engine.jobs import JobStatus
from etail.integrator import flow_pages, monitor
from etail.integrator.app import create_app
from etail.integrator.connections import ConnectionService, NetSuiteForm
from etail.integrator.install import BUNDLE_APPLICATION
from etail.queue.inline import InlineQueue
from etail.storage.audit import Actor
from etail.storage.connections import ConnectionRepository
from etail.storage.db import session_scope

from .helpers import Env

FLOW = F.INVENTORY  # reads NetSuite first: a refused login stops it at once


@pytest.fixture
def app(env: Env) -> Iterator[FastAPI]:
    """The integrator app (not served: its re-check and listeners are called directly), with
    the test's services attached as a real app would attach its own."""
    application = create_app(env.world.settings)
    yield application
    flow_pages.shutdown(application)
    application.state.engine.dispose()


@pytest.fixture
def runner(env: Env, app: FastAPI) -> Iterator[tuple[Services, InlineQueue]]:
    """Fresh services with a foreground in-process queue, listening to the app."""
    queue = InlineQueue()
    services = build_services(env.world.settings, queue=queue)
    queue.bind(services.engine.execute, services.engine.tick)
    flow_pages.attach(app, services, None)
    yield services, queue
    services.close()


def ns_repo_call(env: Env, fn: Any) -> Any:
    with session_scope(env.world.db.sessions) as session:
        return fn(ConnectionRepository(session, env.world.db.box))


def ns_id(env: Env) -> str:
    return env.world.installed.netsuite_connection_id


def set_tokens(env: Env, action: str) -> None:
    """Inactivate or activate every access token of the account (NetSuite: Access Tokens)."""
    acct = env.world.account_id
    for token in env.world.ns_admin.tokens(acct):
        if token["status"] != "Revoked":
            env.world.ns_admin.token_action(acct, token["id"], action)


def make_due(services: Services, flow_id: str) -> None:
    """Turn the flow On with a schedule whose next run time has already passed."""
    engine = services.engine
    engine.set_schedule(flow_id, "every_15_minutes")
    cfg = engine.set_enabled(flow_id, True)
    past = engine.clock.now() - timedelta(minutes=1)
    assert engine.stores.configs.advance(flow_id, cfg.next_run_at, past)


def test_offline_connection_pauses_its_flows_and_back_online_resumes_them(
    env: Env, app: FastAPI, runner: tuple[Services, InlineQueue]
) -> None:
    services, queue = runner
    engine = services.engine
    set_tokens(env, "inactivate")
    try:
        failed = engine.request_run(FLOW)
        queue.run_pending()
        failed = engine.stores.jobs.get(failed.id)
        assert failed.status is JobStatus.FAILED and "CredentialsError" in (failed.message or "")
        assert not ns_repo_call(env, lambda r: r.is_online(ns_id(env)))  # taken Offline

        make_due(services, FLOW)
        assert [j.flow_id for j in engine.tick()] == []  # the scheduled run is skipped
        assert engine.stores.jobs.next_queued(FLOW) is None
        held = engine.request_run(FLOW)  # a person's run waits, saying why
        queue.run_pending()
        held = engine.stores.jobs.get(held.id)
        assert held.status is JobStatus.QUEUED
        assert (held.message or "").startswith("paused: NetSuite connection Offline \u2014 ")
        assert "NetSuite" in (held.message or "")[40:]  # the reason follows
        [row] = [r for r in engine.overview() if r.flow.id == FLOW]
        assert row.paused is not None and row.paused.startswith("NetSuite connection Offline")

        outcomes = asyncio.run(monitor.recheck_offline(app))  # still refused: stays Offline
        assert (ns_id(env), False) in outcomes and queue.pending() == []
    finally:
        set_tokens(env, "activate")

    outcomes = asyncio.run(monitor.recheck_offline(app))  # the background re-check
    assert (ns_id(env), True) in outcomes
    assert queue.pending() == [held.id]  # the listener resumed the held run
    queue.run_pending()
    done = engine.stores.jobs.get(held.id)
    assert done.status is JobStatus.COMPLETED, done.message
    assert done.message is None or not done.message.startswith("paused")

    make_due(services, FLOW)
    [scheduled] = engine.tick()  # schedules fire again
    queue.run_pending()
    assert engine.stores.jobs.get(scheduled.id).status is JobStatus.COMPLETED
    engine.set_enabled(FLOW, False)


def test_a_held_run_resumes_at_the_next_tick_without_a_listener(env: Env) -> None:
    """A worker process nobody tells: its scheduler tick submits the held run once Online."""
    queue = InlineQueue()
    services = build_services(env.world.settings, queue=queue)
    queue.bind(services.engine.execute, services.engine.tick)
    try:
        ns_repo_call(env, lambda r: r.set_offline(ns_id(env), "401 INVALID_LOGIN (test)"))
        job = services.engine.request_run(FLOW)
        queue.run_pending()
        assert services.engine.stores.jobs.get(job.id).status is JobStatus.QUEUED
        ns_repo_call(env, lambda r: r.set_online(ns_id(env)))
        time.sleep(1.05)  # the status read is reused for a second
        services.engine.tick()
        queue.run_pending()
        assert services.engine.stores.jobs.get(job.id).status is JobStatus.COMPLETED
    finally:
        ns_repo_call(env, lambda r: r.set_online(ns_id(env)))
        services.close()


def new_token(env: Env) -> tuple[demo.NewToken, int]:
    """Step D again: a new token (shown once) and its record id."""
    acct = env.world.account_id
    role = next(r for r in env.world.ns_admin.roles(acct) if r["name"] == demo.ROLE_NAME)
    made = env.world.ns_admin.create_token(acct, BUNDLE_APPLICATION, demo.USER_EMAIL, role["id"])
    return demo.NewToken(made["token_id"], made["token_secret"]), int(made["token"]["id"])


def save_netsuite(env: Env, app: FastAPI | None, **fields: Any) -> None:
    """The connection page's Save (Test passes, then the listeners are told)."""
    w = env.world
    with session_scope(w.db.sessions) as session:
        service = ConnectionService(session, w.db.box)
        conn = service.repo.get(ns_id(env))
        form = NetSuiteForm(
            environment="local",
            base_url=w.netsuite.url,
            account_id=w.account_id,
            iclient_id=w.installed.iclient_id,
            concurrency=5,
            **fields,
        )
        outcome = asyncio.run(service.save(conn, form, Actor.system()))
        assert outcome.saved, outcome.test.message
        if app is not None:
            monitor.committed_change(app, session, conn.id, outcome.test.ok)


def revoke_all_but(env: Env, keep: int) -> None:
    acct = env.world.account_id
    for token in env.world.ns_admin.tokens(acct):
        if token["id"] != keep and token["status"] != "Revoked":
            env.world.ns_admin.token_action(acct, token["id"], "revoke")


def test_saved_credentials_are_used_at_once(
    env: Env, app: FastAPI, runner: tuple[Services, InlineQueue]
) -> None:
    services, queue = runner
    worker = build_services(env.world.settings)  # another process: nobody tells it
    try:
        for svc in (services, worker):
            assert demo.run_flow(svc, FLOW).status is JobStatus.COMPLETED  # clients built
        token, token_ref = new_token(env)
        save_netsuite(
            env, app, auth_type="token", token_id=token.token_id, token_secret=token.token_secret
        )
        revoke_all_but(env, token_ref)  # the token the clients were built with stops working
        job = services.engine.request_run(FLOW)
        queue.run_pending()  # the listener rebuilt the client with the new token
        done = services.engine.stores.jobs.get(job.id)
        assert done.status is JobStatus.COMPLETED, done.message
        time.sleep(1.05)  # the worker compares the saved connection at its next status read
        assert demo.run_flow(worker, FLOW).status is JobStatus.COMPLETED
    finally:
        worker.close()


def test_an_oauth2_connection_runs_flows(env: Env, app: FastAPI) -> None:
    from etail.netsuite.oauth2 import generate_key_pair

    w, acct = env.world, env.world.account_id
    role = next(r for r in w.ns_admin.roles(acct) if r["name"] == demo.ROLE_NAME)
    w.ns_admin.set_oauth2_feature(acct, True)
    w.ns_admin.set_permissions(acct, role["id"], {"loginUsingOAuth2AccessTokens": "full"})
    w.ns_admin.configure_oauth2_client(
        acct, BUNDLE_APPLICATION, client_credentials=True, scopes=["rest_webservices", "restlets"]
    )
    pair = generate_key_pair("ES256")
    cert = w.ns_admin.register_m2m_certificate(
        acct, BUNDLE_APPLICATION, demo.USER_EMAIL, role["id"], pair.certificate_pem
    )
    token, _ = new_token(env)  # to switch back afterwards
    save_netsuite(
        env,
        app,
        auth_type="oauth2",
        certificate_id=cert["certificate_id"],
        private_key=pair.private_key_pem,
    )
    set_tokens(env, "inactivate")  # no TBA token works now: only OAuth 2.0 can pass
    services = build_services(w.settings)
    try:
        job = demo.run_flow(services, FLOW)
        assert job.status is JobStatus.COMPLETED, job.message
        assert job.counters.errors == 0
        assert services.clients is not None
        assert type(services.clients.netsuite()._http.auth).__name__ == "OAuth2ClientCredentials"
    finally:
        services.close()
        set_tokens(env, "activate")
        save_netsuite(
            env, app, auth_type="token", token_id=token.token_id, token_secret=token.token_secret
        )


def test_etail_flows_run_says_the_flow_is_paused(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from etail.cli import app as cli
    from etail.settings import get_settings

    monkeypatch.setenv("ETAIL_HOME", str(env.world.settings.home))
    get_settings.cache_clear()
    ns_repo_call(env, lambda r: r.set_offline(ns_id(env), "401 INVALID_LOGIN (test)"))
    try:
        ran = CliRunner().invoke(cli, ["flows", "run", FLOW, "--no-progress", "--json"])
        assert ran.exit_code == 1, ran.output
        [job] = json.loads(ran.stdout)  # the remark goes to stderr: --json stays parseable
        assert "paused: NetSuite connection Offline" in ran.stderr
        assert job["status"] == "queued"
        assert (
            job["message"] == "paused: NetSuite connection Offline \u2014 401 INVALID_LOGIN (test)"
        )
        listed = CliRunner().invoke(cli, ["flows", "list"], terminal_width=200)
        assert "(paused)" in listed.output and "Flows paused: NetSuite connection" in listed.output
    finally:
        ns_repo_call(env, lambda r: r.set_online(ns_id(env)))
        for held in env.services.engine.stores.jobs.find(statuses=[JobStatus.QUEUED]):
            env.services.engine.cancel(held.id)
        get_settings.cache_clear()


def test_the_flows_page_and_api_say_why_flows_are_paused(env: Env, app: FastAPI) -> None:
    from engine.web import Site, api_headers, signed_in_owner  # tests/engine/web.py
    from etail.httpserver import BackgroundServer

    services = build_services(env.world.settings)
    flow_pages.attach(app, services, None)
    integ = env.world.installed.integration_id
    ns_repo_call(env, lambda r: r.set_offline(ns_id(env), "401 INVALID_LOGIN (test)"))
    try:
        with BackgroundServer(app) as srv:
            site = Site(srv.url, integ, services.engine, None)  # type: ignore[arg-type]
            browser = signed_in_owner(site)
            try:
                page = browser.get(site.path("flows"))
            finally:
                browser.close()
            assert page.status_code == 200
            assert "Flows paused: NetSuite connection Offline \u2014 401 INVALID_LOGIN" in page.text
            headers = api_headers(site, "owner@example.com", "Owner-Pass-123")
            with site.client(headers=headers) as api:
                flows = api.get(site.api("flows")).json()
            assert {f["paused"] for f in flows} == {
                "NetSuite connection Offline \u2014 401 INVALID_LOGIN (test)"
            }
    finally:
        ns_repo_call(env, lambda r: r.set_online(ns_id(env)))
        services.close()
