"""The composition root: settings seen by the flows, and the services of a fresh install."""

from __future__ import annotations

import asyncio
from pathlib import Path

from etail.bootstrap import Services, SettingsSource, build_services
from etail.connectors import flowspecs as F
from etail.engine.jobs import JobStatus
from etail.integrator.database import open_db
from etail.settings import Settings
from etail.storage.connections import ConnectionRepository
from etail.storage.db import session_scope


def test_settings_source_overlays_the_flow_s_saved_values_and_sees_changes() -> None:
    integration = {"order": {"customer_mode": "per_order", "tax_item_id": "9"}}
    saved: dict[str, dict[str, object]] = {F.ORDERS: {"tax_item_id": "11"}}
    source = SettingsSource(lambda: integration, lambda fid: saved.get(fid, {}), ttl=0)
    orders = source.for_flow(F.ORDERS)
    assert orders().order.tax_item_id == "11"  # the flow's own value wins
    assert source.get(F.RETURNS).order.tax_item_id == "9"  # other flows see the integration's
    integration["order"] = {"customer_mode": "default", "default_customer_id": "42"}
    assert orders().order.customer_mode == "default"  # a change is seen without a restart


def test_settings_are_reread_only_after_the_ttl() -> None:
    reads = []

    def read() -> dict[str, object]:
        reads.append(1)
        return {}

    source = SettingsSource(read, lambda fid: {}, ttl=60)
    source.get(F.ORDERS)
    source.get(F.ORDERS)
    assert len(reads) == 1


def test_without_the_app_installed_there_are_no_flows(tmp_path: Path) -> None:
    services = build_services(Settings(home=tmp_path))
    try:
        assert len(services.flows) == 0 and services.io is None
    finally:
        services.close()


def test_a_basic_auth_connection_pauses_then_stops_the_job_with_the_fix(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    db = open_db(settings)  # installs the app as an old install left it: Basic auth, Offline
    services = build_services(settings)
    try:
        assert [f.id for f in services.flows] == list(F.FLOW_IDS)
        job = services.engine.request_run(F.INVENTORY)
        held = asyncio.run(services.engine.execute(job.id))
        assert held.status is JobStatus.QUEUED  # a fresh install's connections start Offline
        message = services.engine.stores.jobs.get(job.id).message or ""
        assert message.startswith("paused: NetSuite connection Offline")
        assert "Token" in message  # the Offline reason carries the fix
        with session_scope(db.sessions) as session:  # Online, yet still on Basic
            ConnectionRepository(session, db.box).set_online(_ns_connection(services))
            ConnectionRepository(session, db.box).set_online(_jet_connection(services))
        services.watch.invalidate()  # type: ignore[union-attr]
        done = asyncio.run(services.engine.execute(job.id))
        assert done.status is JobStatus.FAILED
        assert "Basic" in (done.message or "") and "Token" in (done.message or "")
    finally:
        services.close()
        db.dispose()


def _ns_connection(services: Services) -> str:
    assert services.watch is not None
    return services.watch.wiring.netsuite_connection_id


def _jet_connection(services: Services) -> str:
    assert services.watch is not None
    return services.watch.wiring.jet_connection_id
