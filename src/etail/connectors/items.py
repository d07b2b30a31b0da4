"""Item lookup by SKU: Jet ``merchant_sku`` -> NetSuite inventory item internal id.

The SKU is the item's ``itemId`` (Name/Number) in NetSuite (celigo-jet.md §2.1: "Celigo eTail
Item Alias" records map several SKUs to one item; aliases are not supported here yet). Lookups
go through SuiteQL (``SELECT id, itemid FROM item WHERE itemid IN (...)``), several SKUs per
call, and are cached for the life of the process: a catalog of N SKUs costs about N / 50 calls
however many orders arrive. Concurrent records asking for the same SKU share one call. A SKU
found missing is asked again after ``miss_ttl`` seconds, so an item created later is found.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable

from etail.connectors.clients import Clients

BATCH = 50  # SKUs per SuiteQL call (keeps the IN list and the URL short)


class ItemLookup:
    """SKU -> internal id, cached, with shared in-flight lookups."""

    def __init__(
        self,
        clients: Clients,
        *,
        miss_ttl: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clients = clients
        self._known: dict[str, str] = {}
        self._missing: dict[str, float] = {}
        self._inflight: dict[str, asyncio.Future[str | None]] = {}
        self._miss_ttl = miss_ttl
        self._clock = clock
        self.queries = 0  # SuiteQL calls made (for benchmarks and tests)

    async def ids_for(self, skus: Iterable[str]) -> dict[str, str]:
        """The internal ids of the SKUs that exist; an unknown SKU is left out."""
        wanted = list(dict.fromkeys(skus))
        mine = [s for s in wanted if self._needs_query(s) and s not in self._inflight]
        if mine:
            await self._query(mine)
        waits = [self._inflight[s] for s in wanted if s in self._inflight]
        if waits:
            await asyncio.gather(*waits)
        return {s: self._known[s] for s in wanted if s in self._known}

    def forget(self, sku: str) -> None:
        self._known.pop(sku, None)
        self._missing.pop(sku, None)

    def _needs_query(self, sku: str) -> bool:
        if sku in self._known:
            return False
        missed = self._missing.get(sku)
        return missed is None or self._clock() - missed > self._miss_ttl

    async def _query(self, skus: list[str]) -> None:
        loop = asyncio.get_running_loop()
        futures = {s: loop.create_future() for s in skus}
        self._inflight.update(futures)
        try:
            for start in range(0, len(skus), BATCH):
                await self._query_batch(skus[start : start + BATCH])
        except BaseException as exc:
            for f in futures.values():
                if not f.done():
                    f.set_exception(exc)
                    f.exception()  # mark retrieved: the caller re-raises it below
            raise
        finally:
            for s, f in futures.items():
                if not f.done():
                    f.set_result(self._known.get(s))
                self._inflight.pop(s, None)

    async def _query_batch(self, skus: list[str]) -> None:
        marks = ", ".join("?" for _ in skus)
        query = f"SELECT id, itemid FROM item WHERE itemid IN ({marks})"  # noqa: S608 - binds only
        self.queries += 1
        found: dict[str, str] = {}
        async for row in self._clients.netsuite().suiteql(query, skus):
            found[str(row["itemid"])] = str(row["id"])
        now = self._clock()
        for sku in skus:
            if sku in found:
                self._known[sku] = found[sku]
                self._missing.pop(sku, None)
            else:
                self._missing[sku] = now
