"""Cancellations both ways (celigo-jet.md §2.2 cancellation row, §3.2 shipped message).

Jet to NetSuite: acknowledged (or partly shipped) Jet orders with a cancel request. Step
``close`` closes the sales order's lines of the cancelled SKUs (PATCH ``isClosed``); step
``confirm`` tells Jet with a shipped message cancelling the units not yet cancelled there.

NetSuite to Jet: sales orders changed since the last run whose lines were closed in NetSuite.
Step ``cancel`` sends Jet the closed, unshipped units that Jet has not seen cancelled yet.

Both compare with what the Jet order already carries (its accumulated ``shipments``), so a
repeat sends nothing twice and the two flows never cancel the same units twice between them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from etail.connectors.clients import Clients
from etail.connectors.mappings import cancellations
from etail.connectors.mappings.common import Json
from etail.connectors.netsuite_reads import (
    changed_ids,
    id_pages,
    is_jet_order,
    sales_order_by_jet_id,
)
from etail.connectors.order_flow import Settings, fetch_orders, order_record
from etail.engine.ports import ExportRequest, Import
from etail.engine.records import Outcome, Page, Record

CANCELLABLE = ("acknowledged", "inprogress")


def _shipped_in_jet(jet_order: Json) -> dict[str, int]:
    out: dict[str, int] = {}
    for shipment in jet_order.get("shipments") or []:
        for item in shipment.get("shipment_items") or []:
            sku = str(item.get("merchant_sku"))
            out[sku] = out.get(sku, 0) + int(item.get("response_shipment_sku_quantity") or 0)
    return out


def _ordered(jet_order: Json) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in jet_order.get("order_items") or []:
        sku = str(line.get("merchant_sku"))
        out[sku] = out.get(sku, 0) + int(line.get("request_order_quantity") or 0)
    return out


def remaining_to_cancel(jet_order: Json, wanted: dict[str, int]) -> dict[str, int]:
    """Units of ``wanted`` Jet can still cancel: not shipped and not cancelled already."""
    ordered, shipped = _ordered(jet_order), _shipped_in_jet(jet_order)
    cancelled = cancellations.cancelled_in_jet(jet_order)
    out = {}
    for sku, units in wanted.items():
        room = ordered.get(sku, 0) - shipped.get(sku, 0) - cancelled.get(sku, 0)
        if min(units, room) > 0:
            out[sku] = min(units, room)
    return out


class JetCancelRequestsExport:
    """Jet orders awaiting shipment that Jet asked to cancel (``isCancelled=true``)."""

    def __init__(self, clients: Clients, page_size: int = 50) -> None:
        self.clients = clients
        self.page_size = page_size

    async def pages(self, request: ExportRequest) -> AsyncIterator[Page]:
        jet = self.clients.jet()
        ids = list(request.keys)
        if not ids:
            for status in CANCELLABLE:
                ids.extend(await jet.order_ids(status, is_cancelled=True))
        for index, start in enumerate(range(0, len(ids), self.page_size)):
            details = await fetch_orders(jet, ids[start : start + self.page_size])
            wanted = [o for o in details if cancellations.cancel_requested(o)]
            yield Page.of((order_record(o) for o in wanted), index)


class CloseSalesOrderLines:
    """Step ``close``: close the NetSuite lines of the SKUs Jet cancelled."""

    name = "close"

    def __init__(self, clients: Clients) -> None:
        self.clients = clients

    async def process(self, record: Record) -> Outcome:
        order = record.data["order"]
        sales_order = await sales_order_by_jet_id(self.clients, record.key)
        if sales_order is None:
            return Outcome.ignored(record.key, "no NetSuite sales order for this Jet order")
        units = cancellations.cancel_quantities(order)
        patch = cancellations.close_lines_patch(sales_order, units)
        if patch is not None:
            await self.clients.netsuite().update("salesOrder", str(sales_order["id"]), patch)
        return Outcome.success(
            record.key, {**record.data, "tranId": sales_order.get("tranId"), "closed": units}
        )


class ConfirmCancelInJet:
    """Step ``confirm``: a shipped message cancelling the units Jet asked for."""

    name = "confirm"

    def __init__(self, clients: Clients) -> None:
        self.clients = clients

    async def process(self, record: Record) -> Outcome:
        jet = self.clients.jet()
        current = await jet.order(record.key)
        units = remaining_to_cancel(current, dict(record.data.get("closed") or {}))
        body = cancellations.cancel_message(record.key, record.data.get("tranId"), units)
        if body is None:
            return Outcome.ignored(record.key, "already cancelled in Jet")
        await jet.ship(record.key, body)
        return Outcome.success(record.key, {**record.data, "cancelled": units})


class ClosedLinesExport:
    """Sales orders changed since the last run (the step keeps those with closed lines)."""

    def __init__(self, clients: Clients) -> None:
        self.clients = clients

    async def pages(self, request: ExportRequest) -> AsyncIterator[Page]:
        async for page in id_pages(
            changed_ids(self.clients, "salesOrder", request.since), "netsuite"
        ):
            yield page


class SendClosedLinesToJet:
    """Step ``cancel``: closed, unshipped NetSuite units -> Jet cancel quantities."""

    name = "cancel"

    def __init__(self, clients: Clients, settings: Settings) -> None:
        self.clients = clients
        self.settings = settings

    async def process(self, record: Record) -> Outcome:
        sales_order = await self.clients.netsuite().get("salesOrder", record.key, expand=True)
        if not is_jet_order(sales_order, self.settings().general.etail_channel):
            return Outcome.ignored(record.key, "the sales order did not come from Jet")
        closed = cancellations.closed_quantities(sales_order)
        if not closed:
            return Outcome.ignored(record.key, "no closed lines")
        merchant_order_id = str(sales_order["externalId"])
        jet = self.clients.jet()
        units = remaining_to_cancel(await jet.order(merchant_order_id), closed)
        body = cancellations.cancel_message(merchant_order_id, sales_order.get("tranId"), units)
        if body is None:
            return Outcome.ignored(record.key, "already cancelled in Jet")
        await jet.ship(merchant_order_id, body)
        return Outcome.success(
            record.key, {"merchant_order_id": merchant_order_id, "cancelled": units}
        )


def jet_cancel_steps(clients: Clients) -> tuple[Import, ...]:
    return (CloseSalesOrderLines(clients), ConfirmCancelInJet(clients))
