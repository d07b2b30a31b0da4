"""Cancellations both ways.

Jet to NetSuite (celigo-jet.md §2.2, Amazon MFN canceled-order analog): when Jet asks for a
cancel (``jet_requested_directed_cancel`` or ``request_order_cancel_qty`` on an acknowledged
order), the matching NetSuite sales-order lines are closed (``isClosed: true``) and Jet is told
with a shipped message whose items ship 0 and cancel the open quantity.

NetSuite to Jet (§3.2 "Cancellation is done with this same call"): sales-order lines closed in
NetSuite are sent to Jet as ``response_shipment_cancel_qty`` with an ``alt_shipment_id``.

The ``alt_shipment_id`` of a cancel is ``ns-cancel-<merchant_order_id>-<line ids>``: the flow
compares it with the Jet order's accumulated ``shipments`` so a cancel is never sent twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from etail.connectors.mappings.common import FieldMapping, Json, quantity, text

CANCEL_PREFIX = "ns-cancel-"

FIELDS_JET_TO_NS: tuple[FieldMapping, ...] = (
    FieldMapping(
        "jet_requested_directed_cancel / order_items[].request_order_cancel_qty",
        "salesOrder.item[].isClosed",
        "true on the lines of the cancelled SKUs",
    ),
    FieldMapping("order_items[].merchant_sku", "item[].custcol_jet_merchant_sku", "line match"),
    FieldMapping(
        "open quantity",
        "shipment_items[].response_shipment_cancel_qty",
        "Jet is told the cancel is done",
    ),
)
FIELDS_NS_TO_JET: tuple[FieldMapping, ...] = (
    FieldMapping(
        "salesOrder.item[].isClosed",
        "shipment_items[].response_shipment_cancel_qty",
        "quantity - quantityFulfilled of each closed line",
    ),
    FieldMapping("salesOrder.item[].custcol_jet_merchant_sku", "shipment_items[].merchant_sku"),
    FieldMapping("salesOrder.externalId", "merchant_order_id"),
    FieldMapping("salesOrder.tranId", "alt_order_id"),
)


def cancel_requested(order: Json) -> bool:
    """Jet asked to cancel some or all of this order."""
    if order.get("jet_requested_directed_cancel") is True:
        return True
    return any(
        quantity(line.get("request_order_cancel_qty") or 0, "request_order_cancel_qty") > 0
        for line in order.get("order_items") or []
        if isinstance(line, dict)
    )


def cancel_quantities(order: Json) -> dict[str, int]:
    """SKU -> units Jet wants cancelled (the whole line on a directed cancel)."""
    whole = order.get("jet_requested_directed_cancel") is True
    out: dict[str, int] = {}
    for i, line in enumerate(order.get("order_items") or []):
        sku = text(line, "merchant_sku", required=True)
        ordered = quantity(line.get("request_order_quantity"), f"order_items[{i}].quantity")
        asked = quantity(line.get("request_order_cancel_qty") or 0, "request_order_cancel_qty")
        units = ordered if whole else min(asked, ordered)
        if units:
            out[sku] = out.get(sku, 0) + units
    return out


def so_lines(sales_order: Json) -> list[Json]:
    item = sales_order.get("item")
    items = item.get("items") if isinstance(item, dict) else None
    return [x for x in items or [] if isinstance(x, dict)]


def line_sku(line: Json) -> str:
    return text(line, "custcol_jet_merchant_sku") or text(line, "item.refName")


def close_lines_patch(sales_order: Json, units: Mapping[str, int]) -> Json | None:
    """PATCH body that cancels ``units`` (SKU -> Jet's cancel quantity) on the order's lines.

    Idempotent: each line's new quantity is computed from the quantity Jet ordered
    (``custcol_jet_ordered_qty``, written with the order) less the units Jet cancelled, never
    from the current quantity, so applying the patch twice changes nothing. A line left with no
    unshipped unit is closed (``isClosed``). ``None`` when the lines already say so.
    """
    left = {sku: n for sku, n in units.items() if n > 0}
    changes: list[Json] = []
    for line in so_lines(sales_order):
        sku = line_sku(line)
        if sku not in left or line.get("isClosed") or "line" not in line:
            continue
        ordered = quantity(line.get("custcol_jet_ordered_qty") or line.get("quantity") or 0,
                           "item.custcol_jet_ordered_qty")  # fmt: skip
        shipped = quantity(line.get("quantityFulfilled") or 0, "item.quantityFulfilled")
        take = min(left[sku], ordered)
        left[sku] -= take
        target = ordered - take
        if target <= shipped:
            changes.append({"line": line["line"], "isClosed": True})
        elif target != quantity(line.get("quantity") or 0, "item.quantity"):
            changes.append({"line": line["line"], "quantity": target})
    return {"item": {"items": changes}} if changes else None


def open_quantity(line: Json) -> int:
    ordered = quantity(line.get("quantity") or 0, "item.quantity")
    shipped = quantity(line.get("quantityFulfilled") or 0, "item.quantityFulfilled")
    return max(ordered - shipped, 0)


def closed_quantities(sales_order: Json) -> dict[str, int]:
    """SKU -> units on closed lines that were never shipped (what Jet must cancel)."""
    out: dict[str, int] = {}
    for line in so_lines(sales_order):
        sku = line_sku(line)
        if line.get("isClosed") and sku:
            units = open_quantity(line)
            if units:
                out[sku] = out.get(sku, 0) + units
    return out


def cancel_shipment_id(merchant_order_id: str, skus: Iterable[str]) -> str:
    return f"{CANCEL_PREFIX}{merchant_order_id}-{'-'.join(sorted(skus))}"[:200]


def already_cancelled(jet_order: Json, shipment_id: str) -> bool:
    return any(
        isinstance(s, dict) and s.get("alt_shipment_id") == shipment_id
        for s in jet_order.get("shipments") or []
    )


def cancelled_in_jet(jet_order: Json) -> dict[str, int]:
    """SKU -> units already cancelled through earlier shipped messages."""
    out: dict[str, int] = {}
    for shipment in jet_order.get("shipments") or []:
        for item in shipment.get("shipment_items") or []:
            units = quantity(item.get("response_shipment_cancel_qty") or 0, "cancel_qty")
            if units:
                sku = text(item, "merchant_sku")
                out[sku] = out.get(sku, 0) + units
    return out


def cancel_message(
    merchant_order_id: str, alt_order_id: str | None, units: dict[str, int]
) -> Json | None:
    """Shipped message cancelling ``units`` (SKU -> qty); ``None`` when there is nothing to do."""
    units = {sku: qty for sku, qty in units.items() if qty > 0}
    if not units:
        return None
    return {
        "alt_order_id": alt_order_id or None,
        "shipments": [
            {
                "alt_shipment_id": cancel_shipment_id(merchant_order_id, units),
                "shipment_items": [
                    {
                        "merchant_sku": sku,
                        "response_shipment_sku_quantity": 0,
                        "response_shipment_cancel_qty": qty,
                    }
                    for sku, qty in sorted(units.items())
                ],
            }
        ],
    }
