"""The composition root: settings seen by the flows, and the services of a fresh install."""

from __future__ import annotations

import asyncio
from pathlib import Path

from etail.bootstrap import SettingsSource, build_services
from etail.connectors import flowspecs as F
from etail.engine.jobs import JobStatus
from etail.integrator.database import open_db
from etail.settings import Settings


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


def test_a_basic_auth_connection_stops_the_job_with_the_fix(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    open_db(settings).dispose()  # installs the app as an old install left it: Basic auth
    services = build_services(settings)
    try:
        assert [f.id for f in services.flows] == list(F.FLOW_IDS)
        job = services.engine.request_run(F.INVENTORY)
        done = asyncio.run(services.engine.execute(job.id))
        assert done.status is JobStatus.FAILED
        assert "Basic" in (done.message or "") and "Token" in (done.message or "")
    finally:
        services.close()
