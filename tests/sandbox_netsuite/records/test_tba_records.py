"""The records, SuiteQL, RESTlets and governance through the real sandbox app and real TBA.

After the guide's steps A-D, a client from outside the project (requests-oauthlib's OAuth1 with
HMAC-SHA256 and the realm, netsuite-tba.md §6) works against NetSuite's own paths.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
import requests
from requests_oauthlib import OAuth1

from etail.httpserver import BackgroundServer
from etail.netsuite.auth import TBA
from etail.netsuite.credentials import TBACredentials
from etail.sandbox.netsuite.adminclient import AdminClient
from etail.sandbox.netsuite.app import create_app
from etail.sandbox.netsuite.options import SandboxOptions
from etail.sandbox.netsuite.store import read_admin_key

from ..conftest import Sandbox, Setup, steps_a_to_d

R = "/services/rest/record/v1"


def oauth(s: Setup) -> OAuth1:
    return OAuth1(
        s.consumer_key,
        s.consumer_secret,
        s.token_id,
        s.token_secret,
        realm=s.realm,
        signature_method="HMAC-SHA256",
    )


@pytest.fixture(scope="module")
def ready(sandbox: Sandbox) -> Setup:
    """Steps A-D, plus item rights for the role (the bundle role only views items)."""
    setup = steps_a_to_d(sandbox.admin)
    sandbox.admin.set_permissions(setup.realm, setup.role_id, {"inventoryItem": "full"})
    return setup


def test_outside_client_creates_reads_and_lists_records(sandbox: Sandbox, ready: Setup) -> None:
    auth = oauth(ready)
    r = requests.get(f"{sandbox.url}{R}/customer", auth=auth, timeout=10)
    assert r.status_code == 200 and "totalResults" in r.json()
    r = requests.post(
        f"{sandbox.url}{R}/customer",
        json={"companyName": "Outside Co", "email": "o@out.test"},
        auth=auth,
        timeout=10,
    )
    assert r.status_code == 204, r.text
    cid = r.headers["Location"].rsplit("/", 1)[1]
    assert requests.get(r.headers["Location"], auth=auth, timeout=10).json()["id"] == cid
    q = {"q": "email START_WITH o@", "limit": "2"}
    listed = requests.get(f"{sandbox.url}{R}/customer", params=q, auth=auth, timeout=10)
    assert listed.status_code == 200 and [x["id"] for x in listed.json()["items"]] == [cid]


def test_eid_upsert_and_transform_paths_are_signed_as_sent(sandbox: Sandbox, ready: Setup) -> None:
    auth = oauth(ready)
    put = requests.put(
        f"{sandbox.url}{R}/customer/eid:CID-002",
        json={"companyName": "Eid Co"},
        auth=auth,
        timeout=10,
    )
    assert put.status_code == 204, put.text
    item = requests.post(
        f"{sandbox.url}{R}/inventoryItem", json={"itemId": "TBA-SKU"}, auth=auth, timeout=10
    )
    assert item.status_code == 204, item.text
    item_id = item.headers["Location"].rsplit("/", 1)[1]
    so = requests.put(
        f"{sandbox.url}{R}/salesOrder/eid:JET-77",
        json={"entity": {"externalId": "CID-002"}, "item": {"items": [{"item": {"id": item_id}}]}},
        auth=auth,
        timeout=10,
    )
    assert so.status_code == 204, so.text
    so_id = so.headers["Location"].rsplit("/", 1)[1]
    ful = requests.post(
        f"{sandbox.url}{R}/salesOrder/{so_id}/!transform/itemFulfillment", auth=auth, timeout=10
    )
    assert ful.status_code == 204, ful.text


def test_suiteql_with_limit_and_offset(sandbox: Sandbox, ready: Setup) -> None:
    auth = oauth(ready)
    for n in range(3):
        requests.post(
            f"{sandbox.url}{R}/customer", json={"companyName": f"Q{n}"}, auth=auth, timeout=10
        )
    r = requests.post(
        f"{sandbox.url}/services/rest/query/v1/suiteql",
        params={"limit": "2", "offset": "2"},
        headers={"Prefer": "transient"},
        json={
            "q": "SELECT companyname FROM customer WHERE companyname LIKE ? ORDER BY companyname",
            "params": ["Q%"],
        },
        auth=auth,
        timeout=10,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["totalResults"] == 3 and body["offset"] == 2
    assert [x["companyname"] for x in body["items"]] == ["Q2"]


def test_restlets_with_their_own_error_shapes(sandbox: Sandbox, ready: Setup) -> None:
    auth = oauth(ready)
    url = f"{sandbox.url}/app/site/hosting/restlet.nl"
    echo = requests.post(
        url, params={"script": "1", "deploy": "1", "x": "y"}, json={"a": 1}, auth=auth, timeout=10
    )
    assert echo.status_code == 200, echo.text
    assert echo.json() == {"method": "POST", "params": {"x": "y"}, "body": {"a": 1}}
    cid = (
        requests.post(
            f"{sandbox.url}{R}/customer", json={"companyName": "Restlet Co"}, auth=auth, timeout=10
        )
        .headers["Location"]
        .rsplit("/", 1)[1]
    )
    found = requests.get(
        url,
        params={
            "script": "customscript_etail_record_lookup",
            "deploy": "customdeploy_etail_record_lookup",
            "recordtype": "customer",
            "id": cid,
        },
        auth=auth,
        timeout=10,
    )
    assert found.status_code == 200 and found.json()["companyName"] == "Restlet Co"
    missing = requests.get(
        url,
        params={"script": "2", "deploy": "1", "recordtype": "customer", "id": "999999"},
        auth=auth,
        timeout=10,
    )
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "RCRD_DSNT_EXIST"
    bad_args = requests.get(url, params={"script": "2", "deploy": "1"}, auth=auth, timeout=10)
    assert bad_args.json()["error"]["code"] == "SSS_MISSING_REQD_ARGUMENT"
    unknown = requests.get(url, params={"script": "99", "deploy": "1"}, auth=auth, timeout=10)
    assert unknown.status_code == 400
    assert unknown.json() == {
        "error": {
            "code": "SSS_INVALID_SCRIPTLET_ID",
            "message": "That Suitelet is invalid, disabled, or no longer exists.",
        }
    }
    get_with_body = requests.get(
        url, params={"script": "1", "deploy": "1"}, json={"a": 1}, auth=auth, timeout=10
    )
    assert get_with_body.status_code == 400


def test_role_without_the_record_permission_gets_403(sandbox: Sandbox) -> None:
    setup = steps_a_to_d(sandbox.admin)
    sandbox.admin.set_permissions(setup.realm, setup.role_id, {"customer": "none"})
    r = requests.get(f"{sandbox.url}{R}/customer", auth=oauth(setup), timeout=10)
    assert r.status_code == 403
    assert r.json()["o:errorDetails"][0]["o:errorCode"] == "INSUFFICIENT_PERMISSION"
    assert (
        requests.get(f"{sandbox.url}{R}/salesOrder", auth=oauth(setup), timeout=10).status_code
        == 200
    )


def test_unsigned_record_requests_are_invalid_login(sandbox: Sandbox) -> None:
    r = requests.get(f"{sandbox.url}{R}/customer", timeout=10)
    assert r.status_code == 401
    assert r.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"


# ---- governance through the whole app --------------------------------------------------------


@pytest.fixture(scope="module")
def slow_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, AdminClient]]:
    data = tmp_path_factory.mktemp("slow-netsuite")
    app = create_app(data, SandboxOptions(latency_ms=200))
    with BackgroundServer(app) as srv:
        admin = AdminClient(srv.url, read_admin_key(data))
        yield srv.url, admin
        admin.close()


async def test_standard_tier_limit_5_with_200ms_latency_20_signed_requests_15_are_429(
    slow_sandbox: tuple[str, AdminClient],
) -> None:
    url, admin = slow_sandbox
    setup = steps_a_to_d(admin)
    assert admin.account(setup.realm)["concurrency_limit"] == 5
    creds = TBACredentials(
        setup.consumer_key, setup.consumer_secret, setup.token_id, setup.token_secret
    )
    limits = httpx2.Limits(max_connections=50)
    async with httpx2.AsyncClient(
        base_url=url, auth=TBA(setup.realm, creds), timeout=30, limits=limits
    ) as client:

        async def one(n: int) -> httpx2.Response:
            if n % 4 == 3:  # SuiteQL shares the account's pool with the record service
                return await client.post(
                    "/services/rest/query/v1/suiteql",
                    headers={"Prefer": "transient"},
                    json={"q": "SELECT id FROM customer"},
                )
            return await client.get(f"{R}/customer")

        # Open the 20 connections first on an unsigned, ungoverned path, so the burst arrives at
        # once even on a busy machine (a late request could find a slot already freed).
        warm = [
            client.get("/rest/datacenterurls", params={"account": setup.realm}, auth=None)
            for _ in range(20)
        ]
        assert {r.status_code for r in await asyncio.gather(*warm)} == {200}
        answers: list[Any] = await asyncio.gather(*(one(n) for n in range(20)))
    counts = Counter(r.status_code for r in answers)
    assert counts == Counter({200: 5, 429: 15}), counts
    blocked = next(r for r in answers if r.status_code == 429)
    assert blocked.json()["o:errorDetails"][0]["o:errorCode"] == "CONCURRENCY_LIMIT_EXCEEDED"
