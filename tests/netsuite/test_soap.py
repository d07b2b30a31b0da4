"""``SoapClient`` against the NetSuite sandbox over real HTTP (netsuite-oauth2-soap.md §5).

The sandbox verifies each passport the way NetSuite does (nonce never reused, ±300 s), so a call
that succeeds after retries shows that every attempt carried a fresh passport.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import pytest

from etail.errors import (
    CredentialsError,
    PermissionDeniedError,
    RateLimitedError,
    RecordNotFoundError,
    RecordRejectedError,
    SettingsError,
)
from etail.httpserver import BackgroundServer
from etail.netsuite import TBACredentials
from etail.netsuite.soap import SoapClient
from etail.sandbox.netsuite.adminclient import AdminClient, run_steps_a_to_d
from etail.sandbox.netsuite.app import create_app
from etail.sandbox.netsuite.options import SandboxOptions
from etail.sandbox.netsuite.store import read_admin_key

ROLE = "eTail Integration Role"


@dataclass
class Ns:
    url: str
    admin: AdminClient
    realm: str
    creds: TBACredentials


def _serve(data: Path, realm: str, options: SandboxOptions | None = None) -> Iterator[Ns]:
    app = create_app(data, options)
    with BackgroundServer(app) as srv:
        admin = AdminClient(srv.url, read_admin_key(data))
        ck, cs = secrets.token_hex(32), secrets.token_hex(32)
        done = run_steps_a_to_d(admin, realm, consumer_key=ck, consumer_secret=cs)
        creds = TBACredentials(ck, cs, done.token_id, done.token_secret)
        yield Ns(srv.url, admin, realm, creds)
        admin.close()


@pytest.fixture(scope="module")
def ns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ns]:
    yield from _serve(tmp_path_factory.mktemp("ns-soap"), "4455667_SB1")


async def test_records_round_trip_over_soap(ns: Ns) -> None:
    ns.admin.set_permissions(ns.realm, ROLE, {"inventoryItem": "full", "customer": "full"})
    async with SoapClient(ns.realm, ns.creds, base_url=ns.url) as soap:
        cust = await soap.add("customer", {"companyName": "Ada Ltd", "email": "ada@example.com"})
        item = await soap.upsert("inventoryItem", "SKU-9", {"itemId": "SKU-9", "displayName": "W"})
        order = {
            "entity": {"internalId": cust},
            "tranDate": datetime(2026, 11, 29).date(),
            "otherRefNum": "JET-9",
            "itemList": [{"item": {"externalId": "SKU-9"}, "quantity": 3, "rate": 2.5}],
        }
        so = await soap.upsert("salesOrder", "JET-9", order)
        assert await soap.upsert("salesOrder", "JET-9", order) == so  # same externalId: same order
        got = await soap.get("salesOrder", external_id="JET-9")
        assert got["internalId"] == so and got["externalId"] == "JET-9"
        assert got["entity"]["internalId"] == cust
        line = got["itemList"][0]
        assert line["item"]["internalId"] == item and float(line["amount"]) == 7.5
        await soap.update("customer", {"phone": "555"}, internal_id=cust)
        assert (await soap.get("customer", cust))["phone"] == "555"
        server = await soap.get_server_time()
        assert abs(server - datetime.now(UTC)) < timedelta(minutes=1)
        with pytest.raises(RecordRejectedError, match="dependent records"):
            await soap.delete("customer", cust)  # the order still points at it
        gone = await soap.add("customer", {"companyName": "Gone"}, external_id="GONE")
        await soap.delete("customer", external_id="GONE")
        with pytest.raises(RecordNotFoundError, match="RCRD_DSNT_EXIST"):
            await soap.get("customer", gone)
        with pytest.raises(RecordRejectedError, match="entity"):
            await soap.add("salesOrder", {"entity": {"internalId": "999999"}})


async def test_search_pages_with_search_more_with_id(ns: Ns) -> None:
    async with SoapClient(ns.realm, ns.creds, base_url=ns.url) as soap:
        for n in range(7):
            await soap.upsert("customer", f"P-{n}", {"companyName": f"Pager {n}"})
        found = [
            r
            async for r in soap.search(
                "customer", {"companyName": ("startsWith", "pager")}, page_size=5
            )
        ]
        assert sorted(r["externalId"] for r in found) == [f"P-{n}" for n in range(7)]
        some = [r async for r in soap.search("customer", {"externalId": ("anyOf", ["P-1", "P-2"])})]
        assert {r["companyName"] for r in some} == {"Pager 1", "Pager 2"}
        orders = [r async for r in soap.search("salesOrder", {"otherRefNum": ("equalTo", "JET-9")})]
        assert all(r["otherRefNum"] == "JET-9" for r in orders)
        before = soap.passports_sent
        with pytest.raises(SettingsError, match="page_size"):
            [r async for r in soap.search("customer", page_size=2)]
        assert soap.passports_sent == before


async def test_bad_credentials_are_a_credentials_error_naming_the_audit_trail(ns: Ns) -> None:
    wrong = TBACredentials(
        ns.creds.consumer_key, ns.creds.consumer_secret, ns.creds.token_id, "0" * 64
    )
    async with SoapClient(ns.realm, wrong, base_url=ns.url) as soap:
        with pytest.raises(CredentialsError, match="Invalid login attempt") as caught:
            await soap.get_server_time()
    assert "Login Audit Trail" in str(caught.value) and "0" * 64 not in str(caught.value)
    assert ns.admin.audit(ns.realm, limit=1)[0]["detail"] == "InvalidSignature"


async def test_missing_permission_is_permission_denied(ns: Ns) -> None:
    ns.admin.set_permissions(ns.realm, ROLE, {"inventoryItem": "view"})
    async with SoapClient(ns.realm, ns.creds, base_url=ns.url) as soap:
        with pytest.raises(PermissionDeniedError, match="INSUFFICIENT_PERMISSION"):
            await soap.add("inventoryItem", {"itemId": "NOPE"})


@pytest.fixture
def flaky(tmp_path: Path) -> Iterator[Ns]:
    """Half of the governed requests are refused with WS_REQUEST_BLOCKED (seeded)."""
    options = SandboxOptions(fault_rate=0.5, fault_kinds=("429",), seed=7)
    yield from _serve(tmp_path / "ns", "4455668_SB1", options)


async def test_every_retry_sends_a_new_passport(flaky: Ns) -> None:
    bodies: list[bytes] = []

    class Recording(httpx2.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            bodies.append(request.content)
            return await super().handle_async_request(request)

    slept: list[float] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    soap = SoapClient(
        flaky.realm,
        flaky.creds,
        base_url=flaky.url,
        transport=Recording(),
        sleep=sleep,
        max_retries=10,
    )
    async with soap:
        for _ in range(6):
            await soap.get_server_time()
    assert slept, "the seeded faults refused some attempts"
    assert soap.passports_sent == len(bodies) == 6 + len(slept)
    nonces = [b.split(b"nonce>")[1].split(b"<")[0] for b in bodies]
    assert len(set(nonces)) == len(nonces)  # never reused, not even on a retry


async def test_concurrency_refusal_is_rate_limited_when_retries_run_out(flaky: Ns) -> None:
    async def sleep(_delay: float) -> None:
        return None

    async with SoapClient(
        flaky.realm, flaky.creds, base_url=flaky.url, max_retries=0, sleep=sleep
    ) as soap:
        with pytest.raises(RateLimitedError, match="concurrent request limit"):
            for _ in range(20):
                await soap.get_server_time()


def test_settings_are_checked_with_the_field_named() -> None:
    creds = TBACredentials("1" * 64, "2" * 64, "3" * 64, "4" * 64)
    with pytest.raises(SettingsError) as bad_version:
        SoapClient("1234567_SB1", creds, version="2025.2")
    assert bad_version.value.field == "version"
    with pytest.raises(SettingsError) as bad_account:
        SoapClient("1234567-sb1", creds)
    assert bad_account.value.field == "account_id"
    soap = SoapClient("1234567_SB1", creds)
    assert soap.url == "https://1234567-sb1.suitetalk.api.netsuite.com/services/NetSuitePort_2025_2"
    assert "2" * 64 not in repr(soap)
