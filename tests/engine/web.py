"""A real integrator over loopback HTTP with in-memory flows attached to its flow pages."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from etail.engine import FlowRegistry, FlowService, FlowSpec, Record
from etail.engine.memory import FunctionImport, ListExport, MemoryTarget, records
from etail.errors import RecordRejectedError
from etail.httpserver import BackgroundServer
from etail.integrator import flow_pages
from etail.integrator.app import create_app
from etail.integrator.install import find_installed
from etail.queue.inline import InlineQueue
from etail.settings import Settings
from etail.storage.db import session_scope
from etail.storage.flow_store import sql_stores

OWNER = ("owner@example.com", "Owner-Pass-123")


@dataclass
class Services:
    flows: FlowRegistry
    engine: FlowService

    def close(self) -> None:
        """Nothing to release: the app owns the database engine."""


@dataclass
class Site:
    url: str
    integration_id: str
    engine: FlowService
    target: MemoryTarget
    broken: dict[str, bool] = field(default_factory=lambda: {"on": True})

    def client(self, **kw: Any) -> httpx2.Client:
        return httpx2.Client(base_url=self.url, timeout=30.0, **kw)

    def path(self, rest: str) -> str:
        return f"/integrations/{self.integration_id}/{rest}"

    def api(self, rest: str) -> str:
        return f"/api/v1/integrations/{self.integration_id}/{rest}"

    def wait_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.engine.stores.jobs.find(limit=100)
            if all(j.is_final for j in jobs):
                return
            time.sleep(0.02)
        raise AssertionError("jobs still running")


def flows_for(integration_id: str, target: MemoryTarget, broken: dict[str, bool]) -> list[FlowSpec]:
    async def check(rec: Record) -> None:
        if broken["on"] and rec.key in {"2", "4"}:
            raise RecordRejectedError(
                f"SKU-{rec.key} is not a NetSuite item", error_path="items[0].sku", code="INVALID"
            )

    from etail.engine import FieldMap

    return [
        FlowSpec(
            id="jet-order-to-netsuite-order",
            name="Jet Order to NetSuite Order Add",
            group="Order",
            export=ListExport(records(5, sku="A")),
            imports=(FunctionImport("check", check), target),
            mapping=(FieldMap("merchant_order_id", "externalId", "eid"),),
            settings={"default_customer": "", "create_customer": True, "ship_map": {"UPS": "1"}},
            integration=integration_id,
        ),
        FlowSpec(
            id="netsuite-price-to-jet-price",
            name="NetSuite Price to Jet Price",
            group="Inventory",
            export=ListExport(records(2)),
            imports=(MemoryTarget(),),
            integration=integration_id,
        ),
    ]


@contextmanager
def running_site(home: Path) -> Iterator[Site]:
    settings = Settings(home=home)
    app = create_app(settings)
    with session_scope(app.state.sessions) as s:
        inst = find_installed(s)
    assert inst is not None
    target, broken = MemoryTarget(), {"on": True}
    registry = FlowRegistry(flows_for(inst.integration_id, target, broken))
    queue = InlineQueue(tick_every=3600)
    engine = FlowService(registry, sql_stores(app.state.engine), queue=queue)
    queue.bind(engine.execute, engine.tick).start()
    flow_pages.attach(app, Services(registry, engine), queue)
    try:
        with BackgroundServer(app) as srv:
            yield Site(srv.url, inst.integration_id, engine, target, broken)
    finally:
        flow_pages.shutdown(app)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def signed_in_owner(site: Site) -> httpx2.Client:
    c = site.client(follow_redirects=True)
    page = c.get("/setup")
    r = c.post(
        "/setup",
        data={
            "csrf_token": csrf_of(page.text),
            "email": OWNER[0],
            "name": "Olivia Owner",
            "password": OWNER[1],
        },
    )
    assert r.status_code == 200, r.text
    return c


def api_headers(site: Site, email: str, password: str) -> dict[str, str]:
    with site.client() as c:
        r = c.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def invite(site: Site, owner_api: httpx2.Client, email: str, role: str) -> dict[str, str]:
    """A new user with ``role``; returns their API headers."""
    r = owner_api.post("/api/v1/invitations", json={"email": email, "role": role, "grants": {}})
    assert r.status_code == 201, r.text
    accept = r.json()["accept_path"].replace("/invitations", "/api/v1/invitations") + "/accept"
    password = "User-Pass-1234"
    with site.client() as c:
        r2 = c.post(accept, json={"name": email.split("@")[0], "password": password})
    assert r2.status_code == 201, r2.text
    return api_headers(site, email, password)


def post_form(c: httpx2.Client, page_path: str, action: str, **data: Any) -> httpx2.Response:
    """Post a form the way a browser does: the CSRF token from the page the form is on."""
    token = csrf_of(c.get(page_path).text)
    return c.post(action, data={"csrf_token": token, **data})


Poll = Callable[[], bool]
