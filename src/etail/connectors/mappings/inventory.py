"""NetSuite Inventory to Jet Inventory, and NetSuite Price to Jet Price.

Inventory (celigo-jet.md §2.2 Amazon inventory analog, §3.4): each NetSuite location mapped to a
Jet fulfillment node sends its *quantity available* less the buffer stock, never below 0;
locations with no node are left out. The exporter passes only items changed since the last
run, and the flow's *last sent* table lets it skip an item whose node quantities did not move.

The exporter hands the mapping an *inventory document*::

    {"sku", "locations": [{"location": "<internal id>", "quantityAvailable": n}], "price"}
"""

from __future__ import annotations

from collections.abc import Mapping

from etail.connectors.mappings.common import FieldMapping, Json, as_float, money, quantity, text
from etail.connectors.settings import IntegrationSettings
from etail.errors import MappingError

INVENTORY_FIELDS: tuple[FieldMapping, ...] = (
    FieldMapping("inventoryItem.itemId", "merchant_sku", "URL /merchant-skus/{sku}/inventory"),
    FieldMapping(
        "locations[].location",
        "fulfillment_nodes[].fulfillment_node_id",
        "inventory.location_node_map, else the one fulfillment node",
    ),
    FieldMapping(
        "locations[].quantityAvailable",
        "fulfillment_nodes[].quantity",
        "minus inventory.buffer_quantity, at least 0",
    ),
)
PRICE_FIELDS: tuple[FieldMapping, ...] = (
    FieldMapping("inventoryItem.itemId", "merchant_sku", "URL /merchant-skus/{sku}/price"),
    FieldMapping("inventoryItem <inventory.price_level>", "price", "rounded to cents"),
)


def node_quantities(
    doc: Json, settings: IntegrationSettings, connection_node: str | None = None
) -> dict[str, int]:
    """Jet fulfillment node -> quantity to publish (summed when two locations share a node).

    Without a location map every location feeds the one node of the settings or the Jet
    connection (a merchant with a single warehouse).
    """
    s = settings.inventory
    out: dict[str, int] = {}
    for i, loc in enumerate(doc.get("locations") or []):
        node = s.node_for(text(loc, "location"), connection_node)
        if node is None:
            continue
        available = _whole(loc.get("quantityAvailable"), f"locations[{i}].quantityAvailable")
        out[node] = out.get(node, 0) + max(available, 0)
    return {node: max(units - s.buffer_quantity, 0) for node, units in out.items()}


def _whole(value: object, field: str) -> int:
    """A stock figure; NetSuite may report negative availability, which Jet gets as 0."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return 0
    return quantity(value if value is not None else 0, field)


def inventory_message(
    doc: Json, settings: IntegrationSettings, connection_node: str | None = None
) -> Json:
    """``PATCH /merchant-skus/{sku}/inventory`` body."""
    text(doc, "sku", required=True)
    nodes = node_quantities(doc, settings, connection_node)
    if not nodes:
        raise MappingError(
            "no NetSuite location of this item is mapped to a Jet fulfillment node",
            field="inventory.location_node_map",
            hint="map each NetSuite location to its Jet fulfillment node in Settings > Inventory",
        )
    return {
        "fulfillment_nodes": [
            {"fulfillment_node_id": node, "quantity": units}
            for node, units in sorted(nodes.items())
        ]
    }


def changed(message: Json, last_sent: Mapping[str, int] | None) -> bool:
    """True when the node quantities differ from what was last sent for the SKU."""
    now = {n["fulfillment_node_id"]: n["quantity"] for n in message["fulfillment_nodes"]}
    return last_sent is None or dict(last_sent) != now


def price_message(doc: Json, settings: IntegrationSettings) -> Json:
    """``PUT /merchant-skus/{sku}/price`` body."""
    text(doc, "sku", required=True)
    field = settings.inventory.price_level
    if doc.get("price") is None:
        raise MappingError(
            f"item has no {field}",
            field=field,
            hint="set the item's price in NetSuite or choose another inventory.price_level",
        )
    amount = money(doc.get("price"), field)
    if amount <= 0:
        raise MappingError(f"item {field} must be more than 0 for Jet", field=field)
    return {"price": as_float(amount)}
