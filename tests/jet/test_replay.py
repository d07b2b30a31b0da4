"""Unit tests (mock transport): a shipped message is not sent twice after a lost answer, and
the token's lifetime is read on Jet's clock.

Shipped messages accumulate (celigo-jet.md §3.2), so replaying one whose answer was lost could
double the units shipped and put the order in "exception - too many units shipped". Calls that
can be applied twice safely (reads, acknowledge, tag, price) keep their retries.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import pytest

from etail.errors import TransientError
from etail.jet import JetClient, Shipment, ShipmentItem, ShipmentMessage

TOKEN = {"id_token": "t0k", "token_type": "Bearer", "expires_on": "2099-01-01T00:00:00Z"}
MESSAGE = ShipmentMessage(
    shipments=[
        Shipment(
            shipment_tracking_number="1Z1",
            carrier="UPS",
            shipment_items=[ShipmentItem(merchant_sku="A", response_shipment_sku_quantity=1)],
        )
    ]
)


class Server:
    """Answers /token, then plays ``failures`` for the shipped call, then 204."""

    def __init__(self, failures: list[int | type[Exception]]) -> None:
        self.failures = list(failures)
        self.shipped = 0

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/token"):
            return httpx2.Response(200, json=TOKEN)
        self.shipped += 1
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, int):
                return httpx2.Response(failure, json={"errors": ["busy"]})
            raise failure("lost", request=request)
        return httpx2.Response(204)


def client(server: Server) -> JetClient:
    async def no_wait(_: float) -> None:
        return None

    return JetClient(
        "http://jet.test", "user", "secret", transport=httpx2.MockTransport(server), sleep=no_wait
    )


@pytest.mark.parametrize("lost", [httpx2.ReadTimeout, httpx2.RemoteProtocolError, 500, 502, 504])
async def test_shipped_is_not_replayed_after_a_lost_answer(lost):
    server = Server([lost])
    async with client(server) as jet:
        with pytest.raises(TransientError) as info:
            await jet.ship("o1", MESSAGE)
    assert server.shipped == 1
    assert "read the order" in (info.value.hint or "")


@pytest.mark.parametrize("refused", [httpx2.ConnectError, httpx2.ConnectTimeout, 429, 503])
async def test_shipped_is_retried_when_jet_surely_did_not_act(refused):
    server = Server([refused])
    async with client(server) as jet:
        await jet.ship("o1", MESSAGE)
    assert server.shipped == 2


async def test_reads_are_still_retried_after_a_lost_answer():
    def answer(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/token"):
            return httpx2.Response(200, json=TOKEN)
        answer.calls += 1  # type: ignore[attr-defined]
        if answer.calls == 1:  # type: ignore[attr-defined]
            raise httpx2.ReadTimeout("lost", request=request)
        return httpx2.Response(200, content=json.dumps({"order_urls": []}))

    answer.calls = 0  # type: ignore[attr-defined]
    async with JetClient("http://jet.test", "u", "s", transport=httpx2.MockTransport(answer),
                         backoff_s=0.0) as jet:  # fmt: skip
        assert await jet.order_ids("ready") == []
    assert answer.calls == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("skew_h", [-2, 0, 2])
async def test_token_lifetime_is_read_on_jets_clock(skew_h):
    """A client whose clock is hours off Jet's still keeps one token for its lifetime: the
    ``expires_on`` of an hour is measured against the token answer's Date header."""
    server_now = datetime.now(UTC) + timedelta(hours=skew_h)
    fetches = 0

    def answer(request: httpx2.Request) -> httpx2.Response:
        nonlocal fetches
        if request.url.path.endswith("/token"):
            fetches += 1
            expires = (server_now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            body = {"id_token": f"t{fetches}", "token_type": "Bearer", "expires_on": expires}
            return httpx2.Response(
                200, json=body, headers={"Date": format_datetime(server_now, usegmt=True)}
            )
        return httpx2.Response(200, json="This message is authorized.")

    async with JetClient(
        "http://jet.test", "u", "s", transport=httpx2.MockTransport(answer)
    ) as jet:
        for _ in range(3):
            assert await jet.authcheck() is True
        # Jet 2 h behind us: without the Date header the token would look expired at once
        # (a token request before every call). Jet 2 h ahead: it would look good for 3 h.
        assert fetches == 1
        assert jet._token_fresh()
        # 30 s left on Jet's clock, inside the 60 s renewal margin: renewed
        soon = server_now + timedelta(seconds=30)
        jet._token = jet._token.model_copy(update={"expires_on": soon})
        jet._token_fetched = datetime.now(UTC) - timedelta(minutes=59, seconds=30)
        assert not jet._token_fresh()
        assert await jet.authcheck() is True and fetches == 2
