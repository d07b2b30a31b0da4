"""Jet Order to NetSuite Order Add: the export and the four import steps.

Exactly once, whatever repeats (DESIGN.md "Data integrity rules", celigo-jet.md §2.4):

1. only ``ready`` orders are exported (Jet holds ``created`` ones for fraud checks); an order
   leaves ``ready`` when it is acknowledged, so a later run does not see it again;
2. the sales order is written by upsert on ``externalId`` = ``merchant_order_id`` with numbered
   lines, so a retry, a re-run or a run killed midway and started again finds and rewrites the
   same order instead of adding one;
3. the acknowledgement is sent only after the sales order exists and carries its ``tranId``;
   when the ack fails the order stays ``ready`` and the next run repeats 2 (no-op) and 3;
4. an ack that Jet refuses because the order is already acknowledged with our number counts as
   done (the earlier answer was lost).

Each record's data is ``{"order": <Jet order>}``; the steps add ``item_ids``, ``customer_id``
and ``sales_order`` ``{"id", "tranId"}``, so a retry resumes with what earlier steps learned.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any

from etail.connectors.batching import Coalescer
from etail.connectors.clients import Clients
from etail.connectors.items import ItemLookup
from etail.connectors.jet_api import JetApi, Json
from etail.connectors.mappings import orders
from etail.connectors.settings import IntegrationSettings
from etail.engine.ports import ExportRequest, Import
from etail.engine.records import Outcome, Page, Record
from etail.errors import MappingError, RecordNotFoundError, RecordRejectedError

Settings = Callable[[], IntegrationSettings]

TRAN_ID_WAIT = 1.0  # seconds a tranId read waits for others to share its SuiteQL query
JET_LIST_CAP = 1000  # Jet lists at most the first 1000 orders of a status (celigo-jet.md §3.1)


MISSING = "_missing"  # marks an order id Jet does not know (asked for on demand)


async def fetch_orders(jet: JetApi, ids: Sequence[str], concurrency: int = 8) -> list[Json]:
    """Order details for ``ids``, several at a time, in the order asked; an id Jet does not
    know comes back as ``{"merchant_order_id": id, "_missing": True}`` (the first step fails
    it as a record error instead of failing the whole export)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(merchant_order_id: str) -> Json:
        async with gate:
            try:
                return await jet.order(merchant_order_id)
            except RecordNotFoundError:
                return {"merchant_order_id": merchant_order_id, MISSING: True}

    return list(await asyncio.gather(*(one(i) for i in ids)))


def order_record(order: Json) -> Record:
    return Record(key=str(order.get("merchant_order_id")), data={"order": order}, source="jet")


class ReadyOrdersExport:
    """Pages of Jet orders in ``ready`` status, or of the order ids asked for on demand.

    Jet lists at most 1000 orders per status, and an order leaves ``ready`` only once it is
    acknowledged, so the export lists again after each batch and skips ids this run has already
    handed over. When the list is full of such ids (records still in flight) it waits for them;
    it ends when a list brings nothing new and is not full, or after ``idle_limit`` seconds
    without anything new (orders left in error stay ``ready`` for the next run).
    """

    def __init__(
        self,
        clients: Clients,
        *,
        page_size: int = 50,
        poll: float = 0.2,
        idle_limit: float = 30.0,
        max_rounds: int = 10_000,
    ) -> None:
        self.clients = clients
        self.page_size = page_size
        self.poll = poll
        self.idle_limit = idle_limit
        self.max_rounds = max_rounds

    async def pages(self, request: ExportRequest) -> AsyncIterator[Page]:
        if request.keys:
            async for page in self._pages_of(list(request.keys), 0):
                yield page
            return
        # "Order ids for on-demand sync" saved in the Settings (celigo-jet.md §2.3) come first.
        wanted = on_demand_ids(request.settings)
        seen: set[str] = set(wanted)
        index = 0
        async for page in self._pages_of(wanted, index):
            index += 1
            yield page
        idle_since: float | None = None
        for _ in range(self.max_rounds):
            listed = await self.clients.jet().order_ids("ready")
            fresh = [i for i in listed if i not in seen]
            # Remember only what Jet still lists: an id no longer listed has left ``ready``, so
            # memory stays bounded by Jet's list cap however many orders a run sees. (Should an
            # id come back, handing it over again is safe: every step is idempotent.)
            seen = set(listed)
            if fresh:
                idle_since = None
                async for page in self._pages_of(fresh, index):
                    index += 1
                    yield page
                continue
            if len(listed) < JET_LIST_CAP:
                return
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > self.idle_limit:
                return
            await asyncio.sleep(self.poll)

    async def _pages_of(self, ids: list[str], index: int) -> AsyncIterator[Page]:
        for start in range(0, len(ids), self.page_size):
            chunk = ids[start : start + self.page_size]
            details = await fetch_orders(self.clients.jet(), chunk)
            yield Page.of((order_record(o) for o in details), index=index)
            index += 1


def on_demand_ids(settings: Mapping[str, Any]) -> list[str]:
    raw = settings.get("on_demand_order_ids") or []
    items = raw.split(",") if isinstance(raw, str) else raw
    return [str(i).strip() for i in items if str(i).strip()]


class LookupItems:
    """Step ``items``: every SKU must be a NetSuite item; otherwise reject (by setting) and fail.

    With ``order.unknown_sku = reject`` the order is acknowledged to Jet as rejected with
    ``nonfulfillable - invalid merchant SKU`` lines; either way the record becomes an open error
    whose message names the SKU (celigo-jet.md §2.3).
    """

    name = "items"

    def __init__(self, clients: Clients, items: ItemLookup, settings: Settings) -> None:
        self.clients = clients
        self.items = items
        self.settings = settings

    async def process(self, record: Record) -> Outcome:
        order = record.data["order"]
        if order.get(MISSING):
            raise RecordNotFoundError(
                f"Jet has no order {record.key}",
                hint="check the id in order.on_demand_order_ids (Jet's merchant_order_id)",
            )
        skus = orders.order_skus(order)
        item_ids = await self.items.ids_for(skus)
        unknown = [s for s in skus if s not in item_ids]
        if not unknown:
            return Outcome.success(record.key, {**record.data, "item_ids": item_ids})
        s = self.settings()
        reject = s.order.unknown_sku == "reject" and s.order.auto_acknowledge
        if reject:
            await self._reject(order, unknown)
        raise MappingError(
            orders.unknown_sku_reason(order, unknown, rejected=reject),
            field="merchant_sku",
            hint="create the item in NetSuite with this SKU as its Name/Number",
        )

    async def _reject(self, order: Json, unknown: list[str]) -> None:
        merchant_order_id = orders.order_id(order)
        jet = self.clients.jet()
        try:
            await jet.acknowledge(merchant_order_id, orders.rejection(order, unknown))
        except RecordRejectedError:
            current = await jet.order(merchant_order_id)
            if current.get("status") == "ready":
                raise  # Jet refused the rejection itself: keep the real reason


class UpsertCustomer:
    """Step ``customer``: the default customer, or one customer per buyer by upsert."""

    name = "customer"

    def __init__(self, clients: Clients, settings: Settings) -> None:
        self.clients = clients
        self.settings = settings

    async def process(self, record: Record) -> Outcome:
        s = self.settings()
        if s.order.customer_mode == "default":
            customer_id = s.order.default_customer_id
        else:
            body = orders.customer_record(record.data["order"], s)
            eid = body.pop("externalId")
            customer_id = await self.clients.netsuite().upsert("customer", eid, body)
        return Outcome.success(record.key, {**record.data, "customer_id": customer_id})


class UpsertSalesOrder:
    """Step ``sales_order``: ``PUT salesOrder/eid:<merchant_order_id>``, then its ``tranId``."""

    name = "sales_order"

    def __init__(self, clients: Clients, settings: Settings) -> None:
        self.clients = clients
        self.settings = settings
        self.tran_ids = tran_id_reader(clients)

    async def process(self, record: Record) -> Outcome:
        data = record.data
        body = orders.sales_order_record(
            data["order"],
            customer_id=str(data["customer_id"]),
            item_ids=data["item_ids"],
            settings=self.settings(),
        )
        ns = self.clients.netsuite()
        so_id = await ns.upsert("salesOrder", body.pop("externalId"), body)
        tran_id = await self.tran_ids.get(so_id)
        if not tran_id:  # SuiteQL did not see it (yet): read the record itself
            found = await ns.get("salesOrder", so_id, fields=["tranId"])
            tran_id = str(found.get("tranId") or so_id)
        return Outcome.success(
            record.key, {**data, "sales_order": {"id": so_id, "tranId": tran_id}}
        )


class AcknowledgeOrder:
    """Step ``acknowledge``: tell Jet the order is accepted, with our order number."""

    name = "acknowledge"

    def __init__(self, clients: Clients, settings: Settings) -> None:
        self.clients = clients
        self.settings = settings

    async def process(self, record: Record) -> Outcome:
        if not self.settings().order.auto_acknowledge:
            return Outcome.success(record.key, record.data)
        order = record.data["order"]
        merchant_order_id = orders.order_id(order)
        tran_id = str(record.data["sales_order"]["tranId"])
        jet = self.clients.jet()
        try:
            await jet.acknowledge(merchant_order_id, orders.acceptance(order, tran_id))
        except RecordRejectedError:
            current = await jet.order(merchant_order_id)
            if current.get("alt_order_id") != tran_id or current.get("status") == "ready":
                raise
        return Outcome.success(record.key, {**record.data, "acknowledged": tran_id})


def tran_id_reader(clients: Clients) -> Coalescer:
    """Reads ``tranId`` of many sales orders with one SuiteQL query per batch."""

    async def fetch(ids: Sequence[str]) -> dict[str, str]:
        wanted = [i for i in ids if i.isdigit()]
        if not wanted:
            return {}
        marks = ", ".join("?" for _ in wanted)
        query = f"SELECT id, tranid FROM transaction WHERE id IN ({marks})"  # noqa: S608 - binds
        out: dict[str, str] = {}
        try:
            async for row in clients.netsuite().suiteql(query, wanted):
                out[str(row["id"])] = str(row["tranid"])
        except RecordNotFoundError:
            return {}
        return out

    # A second gathers a few dozen orders per query at NetSuite's usual pace; the
    # records waiting meanwhile hold no NetSuite slot (the flow runs many records at once).
    def idle() -> bool:  # nothing else is talking to NetSuite: do not wait for company
        return clients.netsuite().limiter.in_flight == 0

    return Coalescer(fetch, max_batch=100, max_wait=TRAN_ID_WAIT, eager=idle)


def order_steps(clients: Clients, items: ItemLookup, settings: Settings) -> tuple[Import, ...]:
    """The four import steps, in order."""
    return (
        LookupItems(clients, items, settings),
        UpsertCustomer(clients, settings),
        UpsertSalesOrder(clients, settings),
        AcknowledgeOrder(clients, settings),
    )
