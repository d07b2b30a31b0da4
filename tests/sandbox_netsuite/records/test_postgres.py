"""The record store on PostgreSQL: the same routes, sequences, JSON queries and upserts."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx2
import pytest
from sqlalchemy import create_engine, text

from etail.httpserver import BackgroundServer

from .conftest import build_app, caller

R = "/services/rest/record/v1"


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    name = f"etail_ns_{secrets.token_hex(4)}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_records_on_postgres(pg_url: str) -> None:
    app = build_app(pg_url, [caller()])
    with BackgroundServer(app) as srv, httpx2.Client(base_url=srv.url) as http:

        def made(r: httpx2.Response) -> str:
            assert r.status_code == 204, r.text
            return r.headers["location"].rsplit("/", 1)[1]

        cust = made(http.put(f"{R}/customer/eid:C-1", json={"companyName": "Acme"}))
        assert made(http.put(f"{R}/customer/eid:C-1", json={"email": "a@x.test"})) == cust
        item = made(http.post(f"{R}/inventoryItem", json={"itemId": "SKU", "basePrice": 3}))
        dup = http.post(f"{R}/inventoryItem", json={"itemId": "SKU"})
        assert dup.json()["o:errorDetails"][0]["o:errorPath"] == "itemId"
        body = {
            "entity": {"externalId": "C-1"},
            "item": {"items": [{"item": {"id": item}, "quantity": 2}]},
        }
        first, second = (
            made(http.post(f"{R}/salesOrder", json=body)),
            made(http.post(f"{R}/salesOrder", json=body)),
        )
        tran_ids = [http.get(f"{R}/salesOrder/{x}").json()["tranId"] for x in (first, second)]
        assert tran_ids == ["SO1001", "SO1002"]
        made(http.post(f"{R}/salesOrder/{first}/!transform/itemFulfillment"))
        assert http.get(f"{R}/salesOrder/{first}").json()["status"]["refName"] == "Pending Billing"
        assert http.delete(f"{R}/customer/{cust}").status_code == 400  # it has orders
        listed = http.get(
            f"{R}/salesOrder",
            params={"q": "lastModifiedDate ON_OR_AFTER 2000-01-01 AND total EQUAL 6"},
        )
        assert listed.json()["totalResults"] == 2
        suiteql = http.post(
            "/services/rest/query/v1/suiteql",
            headers={"Prefer": "transient"},
            json={"q": "SELECT id FROM customer"},
        )
        assert suiteql.status_code == 400  # SuiteQL runs on the SQLite store only (documented)
