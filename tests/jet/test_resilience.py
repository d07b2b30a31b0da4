"""Rate limit, fault injection, retries and Jet's error shapes."""

from __future__ import annotations

import asyncio
import time

import httpx2
import pytest

from etail.errors import RateLimitedError, TransientError
from etail.jet import JetClient


class Sleeps:
    """Records the delays the client asks for, and really waits them (bounded by the test)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(seconds)


async def test_429_is_retried_after_retry_after(sandbox_factory):
    with sandbox_factory(rate_limit_per_s=3) as sb:
        sleeps = Sleeps()
        async with sb.client(sleep=sleeps) as jet:
            results = [await jet.authcheck() for _ in range(6)]
        assert all(results)
        assert sleeps.delays and all(d == 1.0 for d in sleeps.delays)  # Retry-After: 1


async def test_429_without_retries_left_carries_retry_after(sandbox_factory):
    with sandbox_factory(rate_limit_per_s=1) as sb:
        async with sb.client(max_retries=0) as jet:
            await jet.token()
            with pytest.raises(RateLimitedError) as info:
                await jet.authcheck()
        assert info.value.retry_after == 1.0 and info.value.status == 429


def test_429_body_is_jet_shaped(sandbox_factory):
    with sandbox_factory(rate_limit_per_s=1) as sb:
        codes = [httpx2.get(f"{sb.url}/api/authcheck") for _ in range(3)]
        limited = [r for r in codes if r.status_code == 429]
        assert limited and limited[0].headers["Retry-After"] == "1"
        assert limited[0].json()["errors"][0].startswith("Too many requests")


async def test_injected_5xx_are_retried_until_success(sandbox_factory):
    with sandbox_factory(fault_rate=0.5, fault_kinds=("5xx",), seed=11) as sb:
        async with sb.client(max_retries=8) as jet:
            assert len(await jet.order_ids("ready")) == 0
            for _ in range(10):
                assert await jet.authcheck()


async def test_always_failing_server_gives_transient_error_after_max_retries(sandbox_factory):
    with sandbox_factory(fault_rate=1.0, fault_kinds=("5xx",)) as sb:
        sleeps = Sleeps()
        async with sb.client(max_retries=3, sleep=sleeps) as jet:
            with pytest.raises(TransientError) as info:
                await jet.authcheck()
        assert info.value.status == 503 and len(sleeps.delays) == 3
        assert sleeps.delays == sorted(sleeps.delays)  # backoff grows (jitter stays within 2x)


async def test_timeout_fault_is_a_transient_error(sandbox_factory):
    with sandbox_factory(fault_rate=1.0, fault_kinds=("timeout",), fault_delay_s=1.0) as sb:
        async with sb.client(max_retries=1, timeout=0.2) as jet:
            started = time.monotonic()
            with pytest.raises(TransientError, match="no answer"):
                await jet.authcheck()
            assert time.monotonic() - started < 3


def test_timeout_fault_answers_504_in_jet_shape(sandbox_factory):
    with sandbox_factory(fault_rate=1.0, fault_kinds=("timeout",), fault_delay_s=0.05) as sb:
        resp = httpx2.get(f"{sb.url}/api/authcheck")
        assert resp.status_code == 504 and resp.json()["errors"]


async def test_connection_refused_is_transient():
    from etail.httpserver import free_port

    async with JetClient(f"http://127.0.0.1:{free_port()}", "u", "s", max_retries=1,
                         backoff_s=0.01) as jet:  # fmt: skip
        with pytest.raises(TransientError):
            await jet.authcheck()


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/api/token", 405),
        ("GET", "/api/no/such/path/here", 404),
        ("POST", "/api/token", 400),
    ],
)
def test_error_shapes(jet_sandbox, method, path, status):
    resp = httpx2.request(method, f"{jet_sandbox.url}{path}", content=b"{not json")
    assert resp.status_code == status
    body = resp.json()
    assert list(body) == ["errors"] and all(isinstance(e, str) for e in body["errors"])


def test_bad_json_names_the_body(jet_sandbox):
    token = httpx2.post(
        f"{jet_sandbox.url}/api/token",
        json={"user": jet_sandbox.api_user, "pass": jet_sandbox.secret},
    ).json()["id_token"]
    resp = httpx2.put(
        f"{jet_sandbox.url}/api/orders/any/shipped",
        content=b'{"shipments": [',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert resp.status_code == 400
    assert resp.json() == {"errors": ["body: is not valid JSON; send a JSON object"]}


def test_openapi_lists_every_jet_path(jet_sandbox):
    paths = set(httpx2.get(f"{jet_sandbox.url}/openapi.json").json()["paths"])
    expected = {
        "/api/token", "/api/authcheck", "/api/orders/{status}",
        "/api/orders/withoutShipmentDetail/{merchant_order_id}",
        "/api/orders/{merchant_order_id}/acknowledge", "/api/orders/{merchant_order_id}/shipped",
        "/api/orders/{merchant_order_id}/tag", "/api/orders/{status}/{tag}/{include}",
        "/api/merchant-skus", "/api/merchant-skus/{sku}", "/api/merchant-skus/{sku}/price",
        "/api/merchant-skus/{sku}/inventory", "/api/merchant-skus/{sku}/status/archive",
        "/api/returns/{status}", "/api/returns/state/{return_id}",
        "/api/returns/{return_id}/complete", "/api/refunds/{merchant_order_id}/{alt_refund_id}",
        "/api/refunds/{status}", "/api/refunds/state/{refund_id}", "/api/setup/fulfillmentNodes",
        "/api/fulfillment-nodes",
    }  # fmt: skip
    assert expected <= paths
