"""Jet Order to NetSuite Order Add: customer, sales order and the Jet acknowledgement.

Rules followed (celigo-jet.md §2.2-2.4, §3.2; DESIGN.md "Data integrity rules"):

* the sales order's ``externalId`` is Jet's ``merchant_order_id`` verbatim, so an upsert
  (``PUT salesOrder/eid:<id>``) can never create a second order for the same Jet order;
* lines are matched by ``merchant_sku`` to a NetSuite item (the item lookup yields
  ``sku -> internal id``); a SKU with no item makes the order unfulfillable and, by setting, the
  order is rejected in Jet with ``nonfulfillable - invalid merchant SKU`` lines;
* Jet's ``item_price.base_price`` is the unit price; ``item_tax``, ``item_shipping_cost`` and
  ``item_shipping_tax`` are totals of the line (AERO ``ItemPriceRec``);
* the acknowledgement carries the NetSuite order number (``tranId``) as ``alt_order_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from etail.connectors.mappings.common import (
    FieldMapping,
    Json,
    as_float,
    drop_none,
    external_id,
    money,
    quantity,
    ref,
    safe_id,
    text,
)
from etail.connectors.settings import IntegrationSettings
from etail.errors import MappingError

ACCEPTED = "accepted"
REJECTED_ITEM_ERROR = "rejected - item level error"
FULFILLABLE = "fulfillable"
INVALID_SKU = "nonfulfillable - invalid merchant SKU"
CUSTOMER_PREFIX = "jet-"

FIELDS: tuple[FieldMapping, ...] = (
    FieldMapping("merchant_order_id", "salesOrder.externalId", "verbatim; upsert key"),
    FieldMapping("reference_order_id", "salesOrder.otherRefNum"),
    FieldMapping("order_placed_date", "salesOrder.tranDate", "date part"),
    FieldMapping("buyer.name", "customer.firstName / lastName", "split at the last space"),
    FieldMapping("hash_email", "customer.externalId", "jet-<hash_email>; per_order mode"),
    FieldMapping(
        "(setting) order.default_customer_id", "salesOrder.entity", "customer_mode default"
    ),
    FieldMapping("shipping_to.*", "salesOrder.shippingAddress"),
    FieldMapping(
        "order_detail.request_shipping_method",
        "salesOrder.shipMethod",
        "order.ship_method_map, else order.default_ship_method",
    ),
    FieldMapping("order_items[].merchant_sku", "item[].item", "item lookup by SKU (itemId)"),
    FieldMapping(
        "order_items[].request_order_quantity",
        "item[].quantity",
        "Jet's cancel requests close lines later (cancellation flow)",
    ),
    FieldMapping("order_items[].item_price.base_price", "item[].rate", "unit price"),
    FieldMapping("order_items[].order_item_id", "item[].custcol_jet_order_item_id"),
    FieldMapping(
        "sum(item_shipping_cost)",
        "salesOrder.shippingCost or shipping item line",
        "header, or a line when order.shipping_item_id is set",
    ),
    FieldMapping(
        "sum(item_tax + item_shipping_tax)", "tax item line", "when order.tax_item_id is set"
    ),
    FieldMapping("salesOrder.tranId", "acknowledge.alt_order_id", "after the order exists"),
)


def order_id(order: Json) -> str:
    """The Jet ``merchant_order_id``, checked to be usable as a NetSuite external id."""
    return external_id(order.get("merchant_order_id"), "merchant_order_id")


def order_lines(order: Json) -> list[Json]:
    lines = order.get("order_items")
    if not isinstance(lines, list) or not lines:
        raise MappingError("order_items is missing or empty", field="order_items")
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            raise MappingError(f"order_items[{i}] must be an object", field=f"order_items[{i}]")
    return lines


def order_skus(order: Json) -> list[str]:
    """The distinct merchant SKUs of an order, in line order."""
    skus: dict[str, None] = {}
    for i, line in enumerate(order_lines(order)):
        skus[text(line, "merchant_sku", required=True) or f"[{i}]"] = None
    return list(skus)


def unknown_skus(order: Json, item_ids: Mapping[str, str]) -> list[str]:
    """SKUs of the order that the item lookup did not find, in line order."""
    return [sku for sku in order_skus(order) if sku not in item_ids]


def customer_external_id(order: Json) -> str:
    """One customer per buyer: Jet's hashed e-mail, or the order id when Jet sent none."""
    key = text(order, "hash_email") or order_id(order)
    return safe_id(CUSTOMER_PREFIX, key)


def customer_record(order: Json, settings: IntegrationSettings) -> Json:
    """The NetSuite customer (individual) for the buyer of ``order`` (per_order mode)."""
    name = text(order, "buyer.name") or text(order, "shipping_to.recipient.name") or "Jet Customer"
    first, _, last = name.strip().rpartition(" ")
    first, last = (first, last) if first else (last, "(Jet)")
    return drop_none(
        {
            "externalId": customer_external_id(order),
            "isPerson": True,
            "firstName": first[:32],
            "lastName": last[:32],
            "phone": text(order, "buyer.phone_number") or None,
            "comments": f"{settings.general.etail_channel} buyer",
            "subsidiary": ref(settings.general.subsidiary_id),
        }
    )


def ship_method_id(order: Json, settings: IntegrationSettings) -> str | None:
    """Jet's requested method (or service level) through the map, else the default."""
    o = settings.order
    for key in ("order_detail.request_shipping_method", "order_detail.request_service_level"):
        wanted = text(order, key)
        if wanted and wanted in o.ship_method_map:
            return o.ship_method_map[wanted]
    return o.default_ship_method


def sales_order_record(
    order: Json, *, customer_id: str, item_ids: Mapping[str, str], settings: IntegrationSettings
) -> Json:
    """The NetSuite sales order for ``order``; every SKU must be in ``item_ids``."""
    missing = unknown_skus(order, item_ids)
    if missing:
        raise MappingError(f"unknown merchant SKU {missing[0]!r}", field="merchant_sku")
    lines, shipping, tax = _item_lines(order, item_ids)
    if not lines:
        raise MappingError("every line has quantity 0: nothing to order", field="order_items")
    o, g = settings.order, settings.general
    if o.shipping_item_id and shipping:
        lines.append(
            {
                "item": ref(o.shipping_item_id),
                "quantity": 1,
                "rate": as_float(shipping),
                "amount": as_float(shipping),
            }
        )
    if o.tax_item_id and tax:
        lines.append(
            {
                "item": ref(o.tax_item_id),
                "quantity": 1,
                "rate": as_float(tax),
                "amount": as_float(tax),
            }
        )
    # Lines are numbered 1..n: the item sublist is keyed by ``line`` (NS:section_1545142420), so a
    # repeated upsert of the same order merges into the same lines instead of appending copies.
    lines = [{**line, "line": n} for n, line in enumerate(lines, 1)]
    placed = text(order, "order_placed_date")
    return drop_none(
        {
            "externalId": order_id(order),
            "entity": ref(customer_id),
            "tranDate": placed[:10] or None,
            "otherRefNum": text(order, "reference_order_id") or None,
            "memo": f"{g.etail_channel} order {text(order, 'reference_order_id')}".strip(),
            "custbody_etail_channel": g.etail_channel,
            "custbody_etail_order_id": order_id(order),
            "subsidiary": ref(g.subsidiary_id),
            "location": ref(g.location_id),
            "shipMethod": ref(ship_method_id(order, settings)),
            "shippingCost": None if o.shipping_item_id else as_float(shipping),
            "shippingAddress": _address(order),
            "item": {"items": lines},
        }
    )


def _item_lines(order: Json, item_ids: Mapping[str, str]) -> tuple[list[Json], Decimal, Decimal]:
    lines: list[Json] = []
    shipping = tax = Decimal(0)
    for i, line in enumerate(order_lines(order)):
        at = f"order_items[{i}]"
        ordered = quantity(line.get("request_order_quantity"), f"{at}.request_order_quantity")
        price = line.get("item_price") or {}
        unit = money(price.get("base_price"), f"{at}.item_price.base_price")
        shipping += money(price.get("item_shipping_cost"), f"{at}.item_price.item_shipping_cost")
        tax += money(price.get("item_tax"), f"{at}.item_price.item_tax")
        tax += money(price.get("item_shipping_tax"), f"{at}.item_price.item_shipping_tax")
        # The full quantity is ordered: a unit Jet asks to cancel is closed on the sales order by
        # the Jet cancellation flow, so NetSuite keeps the history (Amazon MFN analog, §2.2).
        qty = ordered
        if qty <= 0:
            continue
        lines.append(
            {
                "item": ref(item_ids[text(line, "merchant_sku", required=True)]),
                "quantity": qty,
                "rate": as_float(unit),
                "amount": as_float(unit * qty),
                "custcol_jet_order_item_id": text(line, "order_item_id") or None,
                "custcol_jet_merchant_sku": text(line, "merchant_sku"),
                "custcol_jet_ordered_qty": qty,
            }
        )
    return [drop_none(x) for x in lines], shipping, tax


def _address(order: Json) -> Json | None:
    to = order.get("shipping_to")
    if not isinstance(to, dict):
        return None
    address = drop_none(
        {
            "addressee": text(to, "recipient.name") or None,
            "addrPhone": text(to, "recipient.phone_number") or None,
            "addr1": text(to, "address.address1") or None,
            "addr2": text(to, "address.address2") or None,
            "city": text(to, "address.city") or None,
            "state": text(to, "address.state") or None,
            "zip": text(to, "address.zip_code") or None,
            "country": "US",  # Jet sold in the United States only
        }
    )
    return address if len(address) > 1 else None


def acceptance(order: Json, tran_id: str) -> Json:
    """``PUT /orders/{id}/acknowledge`` body: accepted, with our order number."""
    return {
        "acknowledgement_status": ACCEPTED,
        "alt_order_id": tran_id,
        "order_items": [
            {
                "order_item_id": text(line, "order_item_id", required=True),
                "order_item_acknowledgement_status": FULFILLABLE,
            }
            for line in order_lines(order)
        ],
    }


def rejection(order: Json, unknown: list[str]) -> Json:
    """Acknowledge body rejecting the order: unknown SKUs' lines are invalid-SKU lines."""
    missing = set(unknown)
    return {
        "acknowledgement_status": REJECTED_ITEM_ERROR,
        "order_items": [
            {
                "order_item_id": text(line, "order_item_id", required=True),
                "order_item_acknowledgement_status": (
                    INVALID_SKU if text(line, "merchant_sku") in missing else FULFILLABLE
                ),
            }
            for line in order_lines(order)
        ],
    }


def unknown_sku_reason(order: Json, unknown: list[str], *, rejected: bool) -> str:
    """The open error's message for an order with unknown SKUs."""
    skus = ", ".join(repr(s) for s in unknown)
    action = "rejected in Jet as" if rejected else "not imported; would be"
    return (
        f"Jet order {order_id(order)}: merchant SKU {skus} has no NetSuite item "
        f"(item lookup by SKU); {action} '{INVALID_SKU}'"
    )
