"""The ready-orders export against a fake Jet with its 1000-order list cap (unit test)."""

from __future__ import annotations

import asyncio
from typing import Any

from etail.connectors.order_flow import JET_LIST_CAP, ReadyOrdersExport
from etail.engine.ports import ExportRequest
from etail.errors import RecordNotFoundError


class FakeJet:
    """Ready orders listed oldest first, at most 1000; an order leaves when acknowledged."""

    fulfillment_node = None

    def __init__(self, count: int) -> None:
        self.ready = [f"o{i:06d}" for i in range(count)]
        self.details = 0

    async def order_ids(self, status: str, *, is_cancelled: bool | None = None) -> list[str]:
        return self.ready[:JET_LIST_CAP]

    async def order(self, merchant_order_id: str) -> dict[str, Any]:
        if merchant_order_id.startswith("nope"):
            raise RecordNotFoundError(f"no order {merchant_order_id}")
        self.details += 1
        return {"merchant_order_id": merchant_order_id, "status": "ready"}

    def acknowledge(self, merchant_order_id: str) -> None:
        self.ready.remove(merchant_order_id)


class FakeClients:
    def __init__(self, jet: FakeJet) -> None:
        self._jet = jet

    def jet(self) -> FakeJet:
        return self._jet


def export(jet: FakeJet) -> ReadyOrdersExport:
    return ReadyOrdersExport(FakeClients(jet), page_size=100, poll=0.01, idle_limit=0.2)  # type: ignore[arg-type]


async def test_past_the_list_cap_every_order_is_exported_once_as_they_get_acknowledged() -> None:
    jet = FakeJet(2500)
    keys: list[str] = []
    async for page in export(jet).pages(ExportRequest("f", "j")):
        for record in page.records:
            keys.append(record.key)
            jet.acknowledge(record.key)  # the import steps ran
    assert len(keys) == 2500 and len(set(keys)) == 2500


async def test_orders_left_in_error_stay_ready_and_end_the_run() -> None:
    jet = FakeJet(30)
    first = [r.key async for p in export(jet).pages(ExportRequest("f", "j")) for r in p.records]
    assert len(first) == 30  # none acknowledged: all still ready, each exported once
    again = [r.key async for p in export(jet).pages(ExportRequest("f", "j")) for r in p.records]
    assert again == first  # the next run tries them again


async def test_a_full_list_of_orders_in_flight_waits_then_gives_up() -> None:
    jet = FakeJet(1500)
    pages = export(jet).pages(ExportRequest("f", "j"))
    seen = [r.key async for p in pages for r in p.records]
    assert len(seen) == 1000  # the other 500 wait behind 1000 orders nobody acknowledged


async def test_on_demand_ids_first_and_an_unknown_id_becomes_a_record() -> None:
    jet = FakeJet(3)
    request = ExportRequest("f", "j", settings={"on_demand_order_ids": "o000002, nope1"})
    records = [r async for p in export(jet).pages(request) for r in p.records]
    assert [r.key for r in records] == ["o000002", "nope1", "o000000", "o000001"]
    assert records[1].data["order"]["_missing"] is True
    keyed = [
        r.key
        async for p in export(jet).pages(ExportRequest("f", "j", keys=("o000001",)))
        for r in p.records
    ]
    assert keyed == ["o000001"]


def test_the_fake_lists_at_most_the_cap() -> None:
    assert len(asyncio.run(FakeJet(1200).order_ids("ready"))) == JET_LIST_CAP
