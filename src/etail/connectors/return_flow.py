"""Jet Return to NetSuite return authorization and refund, then the return completed in Jet.

Export: Jet returns in ``created`` status (celigo-jet.md §3.3). Steps: ``sales_order`` finds the
sales order of the returned Jet order (by external id); ``return_authorization`` upserts the
RMA (``jet-return-<id>``, created from the sales order); ``refund`` upserts the customer refund
(``jet-refund-<id>``, when ``returns.create_refund``); ``complete`` completes the return in Jet
with the refunded amounts, only after NetSuite holds both, and only once (a return no longer in
``created`` is left alone).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from etail.connectors.clients import Clients
from etail.connectors.items import ItemLookup
from etail.connectors.mappings import returns
from etail.connectors.netsuite_reads import sales_order_by_jet_id
from etail.connectors.order_flow import Settings
from etail.engine.ports import ExportRequest, Import
from etail.engine.records import Outcome, Page, Record
from etail.errors import RecordNotFoundError

OPEN_RETURN = "created"


class JetReturnsExport:
    def __init__(self, clients: Clients, page_size: int = 50) -> None:
        self.clients = clients
        self.page_size = page_size

    async def pages(self, request: ExportRequest) -> AsyncIterator[Page]:
        jet = self.clients.jet()
        ids = list(request.keys) or await jet.return_ids(OPEN_RETURN)
        for index, start in enumerate(range(0, len(ids), self.page_size)):
            chunk = ids[start : start + self.page_size]
            details = [await jet.return_detail(i) for i in chunk]
            yield Page.of(
                (
                    Record(key=returns.return_id(d), data={"return": d}, source="jet")
                    for d in details
                ),
                index,
            )


class FindSalesOrder:
    """Step ``sales_order``: the NetSuite order the Jet return belongs to."""

    name = "sales_order"

    def __init__(self, clients: Clients, items: ItemLookup) -> None:
        self.clients = clients
        self.items = items

    async def process(self, record: Record) -> Outcome:
        ret = record.data["return"]
        order_id = str(ret.get("merchant_order_id") or "")
        sales_order = await sales_order_by_jet_id(self.clients, order_id)
        if sales_order is None and ret.get("alt_order_id"):
            # Jet shows the order acknowledged under another merchant number: it was handled
            # before this integration went live, and so is its return (Celigo's go-live rule).
            return Outcome.ignored(
                record.key,
                f"order {order_id} was acknowledged outside this integration "
                f"(alt_order_id {ret['alt_order_id']}); its return is handled there",
            )
        if sales_order is None:
            raise RecordNotFoundError(
                f"Jet return {record.key}: no NetSuite sales order with external id {order_id!r}",
                hint="import the Jet order first (Jet Order to NetSuite Order Add), then retry",
            )
        skus = [str(line.get("merchant_sku")) for line in returns.return_lines(ret)]
        item_ids = await self.items.ids_for(skus)
        so = {
            "id": str(sales_order["id"]),
            "entity": sales_order.get("entity"),
            "tranId": sales_order.get("tranId"),
        }
        return Outcome.success(record.key, {**record.data, "sales_order": so, "item_ids": item_ids})


class UpsertReturnAuthorization:
    name = "return_authorization"

    def __init__(self, clients: Clients, settings: Settings) -> None:
        self.clients = clients
        self.settings = settings

    async def process(self, record: Record) -> Outcome:
        data = record.data
        body = returns.return_authorization_record(
            data["return"],
            sales_order=data["sales_order"],
            item_ids=data["item_ids"],
            settings=self.settings(),
        )
        rma_id = await self.clients.netsuite().upsert(
            "returnAuthorization", body.pop("externalId"), body
        )
        return Outcome.success(record.key, {**data, "return_authorization_id": rma_id})


class UpsertRefund:
    name = "refund"

    def __init__(self, clients: Clients, settings: Settings) -> None:
        self.clients = clients
        self.settings = settings

    async def process(self, record: Record) -> Outcome:
        s = self.settings()
        data = record.data
        if not s.returns.create_refund:
            return Outcome.success(record.key, data)
        body = returns.refund_record(
            data["return"],
            sales_order=data["sales_order"],
            return_authorization_id=str(data["return_authorization_id"]),
            settings=s,
        )
        refund_id = await self.clients.netsuite().upsert(
            "customerRefund", body.pop("externalId"), body
        )
        return Outcome.success(record.key, {**data, "refund_id": refund_id})


class CompleteReturn:
    name = "complete"

    def __init__(self, clients: Clients, settings: Settings) -> None:
        self.clients = clients
        self.settings = settings

    async def process(self, record: Record) -> Outcome:
        jet = self.clients.jet()
        current = await jet.return_detail(record.key)
        if current.get("return_status") not in (None, OPEN_RETURN, "inprogress"):
            return Outcome.ignored(record.key, f"return is {current.get('return_status')!r} in Jet")
        body = returns.complete_message(record.data["return"], self.settings())
        body["alt_order_id"] = record.data["sales_order"].get("tranId")
        await jet.complete_return(record.key, body)
        return Outcome.success(record.key, {**record.data, "completed": True})


def return_steps(clients: Clients, items: ItemLookup, settings: Settings) -> tuple[Import, ...]:
    return (
        FindSalesOrder(clients, items),
        UpsertReturnAuthorization(clients, settings),
        UpsertRefund(clients, settings),
        CompleteReturn(clients, settings),
    )
