"""Coalesced reads (tranId batches) and the cached SKU lookup, with in-memory fakes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from etail.connectors.batching import Coalescer
from etail.connectors.items import ItemLookup
from etail.errors import TransientError


async def test_keys_asked_together_share_one_fetch() -> None:
    calls: list[list[str]] = []

    async def fetch(keys: Sequence[str]) -> dict[str, str]:
        calls.append(list(keys))
        return {k: f"SO{k}" for k in keys if k != "9"}

    c = Coalescer(fetch, max_wait=0.05)
    got = await asyncio.gather(*(c.get(k) for k in ["1", "2", "3", "9", "2"]))
    assert got == ["SO1", "SO2", "SO3", None, "SO2"]
    assert calls == [["1", "2", "3", "9"]]


async def test_a_full_batch_goes_at_once_and_an_idle_budget_does_not_wait() -> None:
    calls: list[int] = []

    async def fetch(keys: Sequence[str]) -> dict[str, str]:
        calls.append(len(keys))
        return {k: k for k in keys}

    c = Coalescer(fetch, max_batch=2, max_wait=30)
    assert await asyncio.wait_for(asyncio.gather(c.get("a"), c.get("b")), 1) == ["a", "b"]
    eager = Coalescer(fetch, max_wait=30, eager=lambda: True)
    assert await asyncio.wait_for(eager.get("c"), 1) == "c"
    assert calls == [2, 1]


async def test_a_failed_fetch_fails_every_waiter() -> None:
    async def fetch(keys: Sequence[str]) -> dict[str, str]:
        raise TransientError("503 from NetSuite")

    c = Coalescer(fetch, max_wait=0.01)
    results = await asyncio.gather(c.get("1"), c.get("2"), return_exceptions=True)
    assert all(isinstance(r, TransientError) for r in results)


class FakeNetSuite:
    def __init__(self, items: dict[str, str]) -> None:
        self.items = items
        self.queries: list[list[str]] = []

    async def suiteql(self, query: str, params: list[str]) -> Any:
        assert "FROM item WHERE itemid IN" in query and query.count("?") == len(params)
        self.queries.append(list(params))
        await asyncio.sleep(0.01)
        for sku in params:
            if sku in self.items:
                yield {"id": self.items[sku], "itemid": sku}


class FakeClients:
    def __init__(self, ns: FakeNetSuite) -> None:
        self.ns = ns

    def netsuite(self) -> FakeNetSuite:
        return self.ns


async def test_sku_lookup_is_cached_shared_and_asks_again_after_a_miss_expires() -> None:
    ns = FakeNetSuite({"A": "11", "B": "12"})
    now = [0.0]
    lookup = ItemLookup(FakeClients(ns), miss_ttl=30, clock=lambda: now[0])  # type: ignore[arg-type]
    first, second = await asyncio.gather(
        lookup.ids_for(["A", "B", "X"]), lookup.ids_for(["A", "X"])
    )
    assert first == {"A": "11", "B": "12"} and second == {"A": "11"}
    assert ns.queries == [["A", "B", "X"]]  # the second record waited for the first's query
    assert await lookup.ids_for(["A", "X"]) == {"A": "11"}
    assert len(ns.queries) == 1  # cached, and the miss too
    ns.items["X"] = "13"  # the item is created in NetSuite
    now[0] = 31
    assert await lookup.ids_for(["X"]) == {"X": "13"}


@pytest.mark.parametrize("count", [1, 50, 51, 120])
async def test_many_skus_are_asked_in_batches_of_fifty(count: int) -> None:
    ns = FakeNetSuite({})
    lookup = ItemLookup(FakeClients(ns))  # type: ignore[arg-type]
    assert await lookup.ids_for([f"S{i}" for i in range(count)]) == {}
    assert [len(q) for q in ns.queries] == [min(50, count - i) for i in range(0, count, 50)]
