"""NetSuite Fulfillment to Jet Shipment Add.

Export: item fulfillments changed since the last run. Steps: ``read`` builds the fulfillment
document (tracking, carrier, ship method, SKUs through the sales order's lines) and ignores
fulfillments of orders that did not come from Jet or that have no tracking number yet; ``ship``
sends the shipped message unless the Jet order already carries this fulfillment's
``alt_shipment_id`` (never the same fulfillment twice, even when a run repeats).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from etail.connectors.clients import Clients
from etail.connectors.mappings import fulfillments
from etail.connectors.mappings.common import Json
from etail.connectors.netsuite_reads import changed_ids, id_pages, is_jet_order, lines, ref_id
from etail.connectors.order_flow import Settings
from etail.engine.ports import ExportRequest, Import
from etail.engine.records import Outcome, Page, Record
from etail.errors import MappingError


class FulfillmentsExport:
    def __init__(self, clients: Clients) -> None:
        self.clients = clients

    async def pages(self, request: ExportRequest) -> AsyncIterator[Page]:
        if request.keys:
            ids = _iter(request.keys)
        else:
            ids = changed_ids(self.clients, "itemFulfillment", request.since)
        async for page in id_pages(ids, "netsuite"):
            yield page


async def _iter(keys: tuple[str, ...]) -> AsyncIterator[str]:
    for key in keys:
        yield key


def fulfillment_doc(fulfillment: Json, sales_order: Json) -> Json:
    """The NetSuite item fulfillment reduced to what the Jet shipment needs."""
    so_lines = {line.get("line"): line for line in lines(sales_order)}
    doc_lines = []
    for i, line in enumerate(lines(fulfillment)):
        order_line = so_lines.get(line.get("orderLine"))
        sku = (order_line or {}).get("custcol_jet_merchant_sku")
        if not sku:
            raise MappingError(
                f"fulfillment line {i + 1} matches no Jet line of the sales order",
                field=f"item.items[{i}].orderLine",
            )
        doc_lines.append({"merchant_sku": sku, "quantity": line.get("quantity") or 0})
    tracking = [
        p.get("packageTrackingNumber")
        for p in lines(fulfillment, "package")
        if p.get("packageTrackingNumber")
    ]
    method = fulfillment.get("shipMethod")
    carrier = fulfillment.get("shipCarrier")
    return {
        "id": str(fulfillment["id"]),
        "tranDate": fulfillment.get("tranDate") or "",
        "shipMethod": method.get("refName") if isinstance(method, dict) else method,
        "carrier": carrier.get("refName") if isinstance(carrier, dict) else carrier,
        "trackingNumber": tracking[0] if tracking else "",
        "merchant_order_id": sales_order.get("externalId"),
        "alt_order_id": sales_order.get("tranId"),
        "lines": doc_lines,
    }


class ReadFulfillment:
    """Step ``read``: the item fulfillment and its sales order, as a fulfillment document."""

    name = "read"

    def __init__(self, clients: Clients, settings: Settings) -> None:
        self.clients = clients
        self.settings = settings

    async def process(self, record: Record) -> Outcome:
        ns = self.clients.netsuite()
        fulfillment = await ns.get("itemFulfillment", record.key, expand=True)
        so_id = ref_id(fulfillment.get("createdFrom"))
        if so_id is None:
            return Outcome.ignored(record.key, "not created from a sales order")
        sales_order = await ns.get("salesOrder", so_id, expand=True)
        if not is_jet_order(sales_order, self.settings().general.etail_channel):
            return Outcome.ignored(record.key, "the sales order did not come from Jet")
        doc = fulfillment_doc(fulfillment, sales_order)
        if not doc["trackingNumber"]:
            return Outcome.ignored(record.key, "no tracking number yet; sent once it has one")
        return Outcome.success(record.key, {"fulfillment": doc})


class SendShipment:
    """Step ``ship``: ``PUT /orders/{id}/shipped`` once per fulfillment."""

    name = "ship"

    def __init__(self, clients: Clients, settings: Settings) -> None:
        self.clients = clients
        self.settings = settings

    async def process(self, record: Record) -> Outcome:
        doc = record.data["fulfillment"]
        body = fulfillments.shipped_message(doc, self.settings())
        jet = self.clients.jet()
        order_id = str(doc["merchant_order_id"])
        if fulfillments.already_sent(doc, await jet.order(order_id)):
            return Outcome.ignored(record.key, "already sent to Jet")
        await jet.ship(order_id, body)
        return Outcome.success(record.key, {**record.data, "shipped": body})


def fulfillment_steps(clients: Clients, settings: Settings) -> tuple[Import, ...]:
    return (ReadFulfillment(clients, settings), SendShipment(clients, settings))
