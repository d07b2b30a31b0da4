"""NetSuite Inventory to Jet Inventory, and NetSuite Price to Jet Price.

Export: inventory items changed since the last run (``lastModifiedDate``), read with their
``locations`` sublist. Inventory goes per Jet fulfillment node (celigo-jet.md §3.4 ``PATCH
/merchant-skus/{sku}/inventory``), and only when the node quantities differ from what this flow
last sent for the SKU (kept in the flow's state), so an unchanged item costs no Jet call. Prices
go to ``PUT /merchant-skus/{sku}/price`` when ``inventory.sync_prices`` is on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from etail.connectors.clients import Clients
from etail.connectors.mappings import inventory
from etail.connectors.mappings.common import Json
from etail.connectors.netsuite_reads import changed_ids, id_pages, lines, ref_id
from etail.connectors.order_flow import Settings
from etail.engine.ports import ExportRequest, Import
from etail.engine.records import Outcome, Page, Record


class State(Protocol):
    """The engine's per-flow state store (``etail.engine.ports.StateStore``)."""

    def get(self, flow_id: str, key: str) -> Any: ...
    def put(self, flow_id: str, key: str, value: Any) -> None: ...


class ItemsExport:
    def __init__(self, clients: Clients) -> None:
        self.clients = clients

    async def pages(self, request: ExportRequest) -> AsyncIterator[Page]:
        ids = changed_ids(self.clients, "inventoryItem", request.since)
        async for page in id_pages(ids, "netsuite"):
            yield page


def stock_doc(item: Json) -> Json:
    """The inventory item reduced to SKU, quantity available per location and base price."""
    return {
        "sku": item.get("itemId"),
        "price": item.get("basePrice"),
        "locations": [
            {
                "location": ref_id(loc.get("location")),
                "quantityAvailable": loc.get("quantityAvailable"),
            }
            for loc in lines(item, "locations")
        ],
    }


class ReadItem:
    """Step ``read``: the item and its locations."""

    name = "read"

    def __init__(self, clients: Clients) -> None:
        self.clients = clients

    async def process(self, record: Record) -> Outcome:
        item = await self.clients.netsuite().get("inventoryItem", record.key, expand=True)
        if item.get("isInactive"):
            return Outcome.ignored(record.key, "inactive item")
        return Outcome.success(record.key, {"item": stock_doc(item)})


class SendInventory:
    """Step ``inventory``: node quantities to Jet when they changed since last sent."""

    name = "inventory"

    def __init__(self, clients: Clients, settings: Settings, state: State, flow_id: str) -> None:
        self.clients = clients
        self.settings = settings
        self.state = state
        self.flow_id = flow_id

    async def process(self, record: Record) -> Outcome:
        doc = record.data["item"]
        body = inventory.inventory_message(doc, self.settings(), self.clients.fulfillment_node)
        key = f"sent:{doc['sku']}"
        if not inventory.changed(body, self.state.get(self.flow_id, key)):
            return Outcome.ignored(record.key, "quantities unchanged since last sent")
        await self.clients.jet().patch_inventory(str(doc["sku"]), body)
        sent = {n["fulfillment_node_id"]: n["quantity"] for n in body["fulfillment_nodes"]}
        self.state.put(self.flow_id, key, sent)
        return Outcome.success(record.key, {**record.data, "sent": sent})


class SendPrice:
    """Step ``price``: the item's price to Jet."""

    name = "price"

    def __init__(self, clients: Clients, settings: Settings) -> None:
        self.clients = clients
        self.settings = settings

    async def process(self, record: Record) -> Outcome:
        s = self.settings()
        if not s.inventory.sync_prices:
            return Outcome.ignored(record.key, "price sync is off (inventory.sync_prices)")
        doc = record.data["item"]
        body = inventory.price_message(doc, s)
        await self.clients.jet().put_price(str(doc["sku"]), body)
        return Outcome.success(record.key, {**record.data, "price": body["price"]})


def inventory_steps(
    clients: Clients, settings: Settings, state: State, flow_id: str
) -> tuple[Import, ...]:
    return (ReadItem(clients), SendInventory(clients, settings, state, flow_id))


def price_steps(clients: Clients, settings: Settings) -> tuple[Import, ...]:
    return (ReadItem(clients), SendPrice(clients, settings))
