"""Flow pages and JSON API over real HTTP: flows table, dashboard, errors, retry, resolve, roles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from .web import (
    OWNER,
    Site,
    api_headers,
    invite,
    post_form,
    running_site,
    signed_in_owner,
)

ORDERS = "jet-order-to-netsuite-order"
PRICES = "netsuite-price-to-jet-price"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with running_site(tmp_path / "home") as s:
        yield s


@pytest.fixture
def owner(site: Site) -> Iterator[httpx2.Client]:
    c = signed_in_owner(site)
    yield c
    c.close()


@pytest.fixture
def owner_api(site: Site, owner: httpx2.Client) -> Iterator[httpx2.Client]:
    with site.client(headers=api_headers(site, *OWNER)) as c:
        yield c


def test_flows_table_has_the_guide_columns_and_runs_a_flow(
    site: Site, owner: httpx2.Client
) -> None:
    page = owner.get(site.path("flows"))
    assert page.status_code == 200
    for column in (
        "Name",
        "Errors",
        "Last run",
        "Mapping",
        "Schedule",
        "Settings",
        "Run",
        "On/Off",
    ):
        assert f"<th>{column}</th>" in page.text
    assert "Jet Order to NetSuite Order Add" in page.text and "Never" in page.text
    assert owner.get("/flows-assets/flows.css").headers["content-type"].startswith("text/css")

    r = post_form(owner, site.path("flows"), site.path(f"flows/{ORDERS}/run"))
    assert r.status_code == 200 and r.url.path == site.path("dashboard")
    assert "run requested" in r.text
    site.wait_idle()

    dash = owner.get(site.path("dashboard")).text
    assert 'id="completed"' in dash and "Completed" in dash
    assert "<svg" in dash and 'class="success"' in dash and 'class="errors"' in dash
    assert "2 record error(s)" in dash
    table = owner.get(site.path("flows")).text
    assert 'aria-label="2 open errors"' in table
    runs = owner.get(site.path(f"flows/{ORDERS}/runs")).text
    assert "owner@example.com" in runs and "Completed" in runs


def test_errors_retry_and_resolve_from_the_pages(site: Site, owner: httpx2.Client) -> None:
    site.engine.request_run(ORDERS)
    site.wait_idle()
    errors_path = site.path(f"flows/{ORDERS}/errors")
    page = owner.get(errors_path).text
    assert "SKU-2 is not a NetSuite item" in page and "Open errors (2)" in page
    assert "items[0].sku" in page and "Value" in page
    ids = [e.id for e in site.engine.stores.errors.find()]
    by_key = {e.key: e.id for e in site.engine.stores.errors.find()}

    detail = owner.get(site.path(f"errors/{by_key['2']}")).text
    assert "Retry data" in detail and "&#34;sku&#34;: &#34;A&#34;" in detail

    site.broken["on"] = False
    r = post_form(owner, errors_path, errors_path + "/retry", error_id=by_key["2"])
    assert "Retry of 1 error(s) queued" in r.text
    site.wait_idle()
    assert site.target.rows["2"]["sku"] == "A"

    r = post_form(owner, errors_path, errors_path + "/resolve", all="1")
    assert "Resolved 1 error(s)" in r.text
    resolved = owner.get(errors_path + "?state=resolved").text
    assert resolved.count("owner@example.com") == 2 and set(ids) <= {
        e.id for e in site.engine.stores.errors.find()
    }
    r = post_form(owner, errors_path, errors_path + "/retry")
    assert "Select errors first" in r.text


def test_edit_retry_data_then_retry(site: Site, owner: httpx2.Client) -> None:
    site.engine.request_run(ORDERS)
    site.wait_idle()
    entry = next(e for e in site.engine.stores.errors.find() if e.key == "4")
    page = site.path(f"errors/{entry.id}")
    bad = post_form(owner, page, page + "/data", data="{not json")
    assert "not valid JSON" in bad.text
    ok = post_form(owner, page, page + "/data", data='{"n": 4, "sku": "B"}')
    assert "Retry data saved" in ok.text
    site.broken["on"] = False
    post_form(owner, page, site.path(f"flows/{ORDERS}/errors/retry"), error_id=entry.id)
    site.wait_idle()
    assert site.target.rows["4"]["sku"] == "B"


def test_on_off_schedule_settings_and_mapping(site: Site, owner: httpx2.Client) -> None:
    flows = site.path("flows")
    r = post_form(owner, flows, site.path(f"flows/{ORDERS}/onoff"), enabled="1")
    assert "Jet Order to NetSuite Order Add is On" in r.text
    assert site.engine.config(ORDERS).enabled

    sched = site.path(f"flows/{ORDERS}/schedule")
    r = post_form(owner, sched, sched, preset="cron", cron="*/7 * * *", timezone="UTC")
    assert r.url.path == sched and "neither a preset nor a valid cron" in r.text
    r = post_form(owner, sched, sched, preset="every_15_minutes", timezone="UTC")
    assert "Every 15 minutes" in r.text and site.engine.config(ORDERS).next_run_at is not None

    settings = site.path(f"flows/{ORDERS}/settings")
    r = post_form(owner, settings, settings, default_customer="C-42", ship_map="{bad")
    assert "ship_map is not valid JSON" in r.text
    r = post_form(owner, settings, settings, default_customer="C-42", ship_map='{"FedEx": "9"}')
    assert "Settings saved" in r.text
    assert site.engine.settings(ORDERS) == {
        "default_customer": "C-42",
        "create_customer": False,  # an unticked checkbox
        "ship_map": {"FedEx": "9"},
    }
    mapping = owner.get(site.path(f"flows/{ORDERS}/mapping")).text
    assert "merchant_order_id" in mapping and "externalId" in mapping


def test_forms_need_csrf_and_unknown_things_are_404(site: Site, owner: httpx2.Client) -> None:
    owner.get(site.path("flows"))
    r = owner.post(site.path(f"flows/{ORDERS}/run"), data={})
    assert r.status_code == 403
    assert site.engine.stores.jobs.find() == []
    assert owner.get(site.path("flows/nope/errors")).status_code == 404
    assert owner.get(site.path("errors/nope")).status_code == 404
    assert owner.get("/integrations/unknown/flows").status_code in (403, 404)


def test_a_monitor_sees_but_cannot_act(site: Site, owner_api: httpx2.Client) -> None:
    headers = invite(site, owner_api, "mo@example.com", "monitor")
    with site.client(headers=headers) as mo:
        assert mo.get(site.api("flows")).status_code == 200
        assert mo.post(site.api(f"flows/{ORDERS}/run")).status_code == 403
        assert mo.patch(site.api(f"flows/{ORDERS}"), json={"enabled": True}).status_code == 403
        assert mo.post(site.api("errors/resolve"), json={"flow_id": ORDERS}).status_code == 403
    with site.client() as anon:
        assert anon.get(site.api("flows")).status_code == 401


def test_json_api_round_trip(site: Site, owner_api: httpx2.Client) -> None:
    flows = owner_api.get(site.api("flows")).json()
    assert [f["id"] for f in flows] == [ORDERS, PRICES]
    assert flows[0]["mapping"][0] == {
        "source": "merchant_order_id",
        "target": "externalId",
        "note": "eid",
    }

    r = owner_api.post(site.api(f"flows/{ORDERS}/run"), json={"keys": ["2", "3"]})
    assert r.status_code == 202 and r.json()["status"] == "queued"
    job_id = r.json()["id"]
    site.wait_idle()
    job = owner_api.get(site.api(f"jobs/{job_id}")).json()
    assert job["status"] == "completed" and job["counters"]["exported"] == 2
    assert [
        j["id"] for j in owner_api.get(site.api("jobs"), params={"flow_id": ORDERS}).json()
    ] == [job_id]

    [err] = owner_api.get(site.api("errors"), params={"flow_id": ORDERS}).json()
    assert err["key"] == "2" and err["data"] is None
    detail = owner_api.get(site.api(f"errors/{err['id']}")).json()
    assert detail["data"] == {"n": 2, "sku": "A"}
    r = owner_api.put(site.api(f"errors/{err['id']}/data"), json={"data": {"n": 2, "sku": "Z"}})
    assert r.status_code == 200 and r.json()["data"]["sku"] == "Z"

    site.broken["on"] = False
    r = owner_api.post(site.api("errors/retry"), json={"error_ids": [err["id"]]})
    assert r.status_code == 202 and r.json()[0]["kind"] == "retry"
    site.wait_idle()
    assert owner_api.get(site.api("errors")).json() == []
    assert site.target.rows["2"]["sku"] == "Z"
    r = owner_api.post(site.api("errors/retry"), json={"error_ids": [err["id"]]})
    assert r.status_code == 409  # a resolved error cannot be retried
    assert owner_api.post(site.api("errors/resolve"), json={"flow_id": ORDERS}).json() == {
        "resolved": 0
    }

    r = owner_api.patch(site.api(f"flows/{ORDERS}"), json={"enabled": True, "schedule": "hourly"})
    assert (
        r.status_code == 200 and r.json()["schedule_label"] == "Every hour" and r.json()["enabled"]
    )
    r = owner_api.patch(site.api(f"flows/{ORDERS}"), json={"schedule": "sometimes"})
    assert r.status_code == 422 and r.json()["field"] == "schedule"
    r = owner_api.patch(site.api(f"flows/{ORDERS}"), json={"settings": {"colour": "red"}})
    assert r.status_code == 422
    r = owner_api.patch(site.api(f"flows/{ORDERS}"), json={"enabled": "yes"})
    assert r.status_code == 422  # strict: no coercion
    assert owner_api.get(site.api("flows/nope")).status_code == 404
    assert owner_api.get(site.api("jobs/nope")).status_code == 404
    assert owner_api.post(site.api(f"jobs/{job_id}/cancel")).status_code == 409


def test_openapi_documents_the_flow_api(site: Site, owner_api: httpx2.Client) -> None:
    doc = owner_api.get("/api/openapi.json").json()
    paths = doc["paths"]
    for path in (
        "flows",
        "flows/{flow_id}",
        "flows/{flow_id}/run",
        "jobs",
        "jobs/{job_id}",
        "jobs/{job_id}/cancel",
        "errors",
        "errors/{error_id}",
        "errors/retry",
        "errors/resolve",
        "errors/{error_id}/data",
    ):
        assert f"/api/v1/integrations/{{integration_id}}/{path}" in paths
    assert not any(p.startswith("/integrations/") for p in paths)  # pages stay out of the API doc
    assert "FlowOut" in doc["components"]["schemas"]


def test_startup_builds_the_real_flows_and_shutdown_stops_the_runner(tmp_path: Path) -> None:
    from etail.integrator import flow_pages
    from etail.integrator.app import create_app
    from etail.settings import Settings

    app = create_app(Settings(home=tmp_path / "real"))
    engine = flow_pages.startup(app)
    runner = app.state.flow_runner
    try:
        assert "jet-order-to-netsuite-order" in engine.flows  # from etail.bootstrap
        assert runner.running
        assert flow_pages.startup(app) is engine  # built once
    finally:
        flow_pages.shutdown(app)
    assert not runner.running
    flow_pages.shutdown(app)  # twice is harmless
    app.state.engine.dispose()


def test_the_app_lifespan_starts_and_stops_the_runner(tmp_path: Path) -> None:
    from etail.httpserver import BackgroundServer
    from etail.integrator.app import create_app
    from etail.settings import Settings

    app = create_app(Settings(home=tmp_path / "life"))
    with BackgroundServer(app):
        runner = app.state.flow_runner
        assert runner is not None and runner.running
        assert "jet-order-to-netsuite-order" in app.state.flow_services.engine.flows
    assert not runner.running and app.state.flow_services is None
