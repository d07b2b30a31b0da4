"""NetSuite Fulfillment to Jet Shipment Add: one item fulfillment -> one Jet shipment.

Rules followed (celigo-jet.md §2.2 Amazon fulfillment analog, §3.2 shipped message):

* one tracking number per fulfillment; a fulfillment without tracking is not exported;
* partial fulfilment is a shipment of the shipped quantities only; several shipped messages
  accumulate on the Jet order;
* ``alt_shipment_id`` is ``ns-if-<fulfillment internal id>``, so the flow can tell from the Jet
  order's ``shipments`` that a fulfillment was already sent and never sends it twice;
* the carrier must be one of Jet's carriers: the NetSuite carrier text goes through the carrier
  map, else the default (``Other``).

The exporter hands the mapping a *fulfillment document*, the NetSuite item fulfillment reduced
to what the shipment needs::

    {"id", "tranDate", "shipMethod", "carrier", "trackingNumber", "merchant_order_id",
     "alt_order_id", "lines": [{"merchant_sku", "quantity"}]}
"""

from __future__ import annotations

from collections import Counter

from etail.connectors.mappings.common import FieldMapping, Json, quantity, text
from etail.connectors.settings import IntegrationSettings
from etail.errors import MappingError

SHIPMENT_PREFIX = "ns-if-"

FIELDS: tuple[FieldMapping, ...] = (
    FieldMapping("itemFulfillment.id", "shipments[].alt_shipment_id", "ns-if-<id>"),
    FieldMapping("salesOrder.tranId", "alt_order_id"),
    FieldMapping(
        "itemFulfillment.package[].packageTrackingNumber",
        "shipments[].shipment_tracking_number",
        "first tracking number",
    ),
    FieldMapping("itemFulfillment.tranDate", "shipments[].response_shipment_date"),
    FieldMapping(
        "itemFulfillment.shipMethod / carrier",
        "shipments[].carrier",
        "fulfillment.carrier_map, else fulfillment.default_carrier",
    ),
    FieldMapping(
        "itemFulfillment.shipMethod",
        "shipments[].response_shipment_method",
        "fulfillment.method_map, else fulfillment.default_method",
    ),
    FieldMapping("item[].item -> itemId", "shipment_items[].merchant_sku"),
    FieldMapping("item[].quantity", "shipment_items[].response_shipment_sku_quantity"),
    FieldMapping("(setting) fulfillment.ship_from_zip", "shipments[].ship_from_zip_code"),
)


def shipment_id(fulfillment: Json) -> str:
    return f"{SHIPMENT_PREFIX}{text(fulfillment, 'id', required=True)}"


def already_sent(fulfillment: Json, jet_order: Json) -> bool:
    """True when the Jet order already carries this fulfillment's shipment."""
    wanted = shipment_id(fulfillment)
    shipments = jet_order.get("shipments") or []
    return any(isinstance(s, dict) and s.get("alt_shipment_id") == wanted for s in shipments)


def jet_carrier(fulfillment: Json, settings: IntegrationSettings) -> str:
    f = settings.fulfillment
    for key in ("carrier", "shipMethod"):
        value = text(fulfillment, key)
        if value in f.carrier_map:
            return f.carrier_map[value]
    return f.default_carrier


def jet_method(fulfillment: Json, settings: IntegrationSettings) -> str:
    f = settings.fulfillment
    return f.method_map.get(text(fulfillment, "shipMethod"), f.default_method)


def shipped_message(fulfillment: Json, settings: IntegrationSettings) -> Json:
    """``PUT /orders/{merchant_order_id}/shipped`` body for one item fulfillment."""
    tracking = text(fulfillment, "trackingNumber")
    if not tracking:
        raise MappingError(
            "item fulfillment has no tracking number",
            field="trackingNumber",
            hint="add the package tracking number in NetSuite; Jet needs one per shipment",
        )
    date = _jet_date(text(fulfillment, "tranDate", required=True))
    return {
        "alt_order_id": text(fulfillment, "alt_order_id") or None,
        "shipments": [
            {
                "alt_shipment_id": shipment_id(fulfillment),
                "shipment_tracking_number": tracking,
                "response_shipment_date": date,
                "carrier_pick_up_date": date,
                "response_shipment_method": jet_method(fulfillment, settings),
                "carrier": jet_carrier(fulfillment, settings),
                "ship_from_zip_code": settings.fulfillment.ship_from_zip,
                "shipment_items": _items(fulfillment),
            }
        ],
    }


def _items(fulfillment: Json) -> list[Json]:
    lines = fulfillment.get("lines")
    if not isinstance(lines, list) or not lines:
        raise MappingError("item fulfillment has no lines", field="item")
    shipped: Counter[str] = Counter()
    for i, line in enumerate(lines):
        sku = text(line, "merchant_sku", required=True)
        shipped[sku] += quantity(line.get("quantity"), f"lines[{i}].quantity")
    return [
        {
            "merchant_sku": sku,
            "response_shipment_sku_quantity": qty,
            "response_shipment_cancel_qty": 0,
        }
        for sku, qty in shipped.items()
        if qty > 0
    ]


def _jet_date(day: str) -> str:
    """Jet dates: ISO-8601 with an explicit offset (celigo-jet.md §3.1)."""
    if "T" in day:
        return day
    return f"{day[:10]}T12:00:00+00:00"
