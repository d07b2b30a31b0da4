"""What NetSuite computes when a record is saved: defaults, totals, statuses, fulfilment.

* Sales lines: ``amount = quantity × rate`` unless only ``amount`` was sent (then the rate follows);
  ``rate`` defaults to the item's ``basePrice``; ``total = Σ amount + shippingCost``.
* Sales orders: each line tracks ``quantityFulfilled`` (item fulfillments created from it) and
  ``quantityBilled`` (cash sales created from it); ``status`` follows (Pending Fulfillment,
  Partially Fulfilled, Pending Billing, Billed, Closed when every line ``isClosed``).
* Item fulfillments: every line names an ``orderLine`` of ``createdFrom``; a line cannot ship
  more than remains open on the order, nor a closed line (NS:section_161425629582).
* Inventory items: ``quantityAvailable`` per location and ``totalQuantityOnHand``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from etail.sandbox.netsuite.records.problems import Problem, invalid_content
from etail.sandbox.netsuite.records.schema import RecordType

if TYPE_CHECKING:
    from etail.sandbox.netsuite.records.models import RecordRow
    from etail.sandbox.netsuite.records.store import RecordStore

Lines = dict[str, list[dict[str, Any]]]
SALES_LINES = ("salesOrder", "cashSale", "returnAuthorization")


def number_lines(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lines numbered 1..n; a null field on a new line is simply not set."""
    return [
        {**{k: v for k, v in item.items() if k != "line" and v is not None}, "line": i}
        for i, item in enumerate(items, 1)
    ]


def merge_lines(
    name: str, key: str, old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Keyed lines merge into the line with the same key; unkeyed lines are appended."""
    merged = [dict(line) for line in old]
    for index, line in enumerate(new):
        wanted = line.get(key)
        target = next((m for m in merged if wanted is not None and m.get(key) == wanted), None)
        if target is not None:
            if "amount" in line and "rate" not in line:
                target.pop("rate", None)  # the amount was set: the rate follows it
            for field, value in line.items():
                if value is None:
                    target.pop(field, None)
                else:
                    target[field] = value
        elif key == "line" and wanted is not None:
            raise invalid_content(
                f"Line {wanted} does not exist on sublist {name!r}; omit 'line' to add a line.",
                f"{name}.items[{index}].line",
            )
        else:
            next_line = max((m["line"] for m in merged), default=0) + 1
            fresh = {k: v for k, v in line.items() if k != "line" and v is not None}
            merged.append({**fresh, "line": next_line})
    return merged


def finalize(
    store: RecordStore,
    rtype: RecordType,
    row: RecordRow | None,
    body: dict[str, Any],
    lines: Lines,
) -> tuple[dict[str, Any], Lines]:
    """Apply defaults and computed fields; raise INVALID_CONTENT for what is still missing."""
    if rtype.is_transaction:
        body.setdefault("tranDate", date.today().isoformat())
    if rtype.name == "customer":
        _customer(body)
    elif rtype.name == "inventoryItem":
        _inventory_item(store, row, body, lines)
    elif rtype.name in SALES_LINES:
        _sales(store, rtype, body, lines)
    elif rtype.name == "itemFulfillment":
        _fulfillment(store, row, body, lines)
    elif rtype.name == "customerRefund" and body.get("total", 0) <= 0:
        raise invalid_content("A customer refund needs a positive 'total'.", "total")
    _required(rtype, body, lines)
    return body, lines


def _required(rtype: RecordType, body: dict[str, Any], lines: Lines) -> None:
    for spec in rtype.fields:
        if spec.required and body.get(spec.name) is None:
            raise invalid_content(
                f"Please enter value(s) for: {spec.name} (required on {rtype.name}).", spec.name
            )
    for sub in rtype.sublists:
        for index, line in enumerate(lines.get(sub.name, [])):
            for spec in sub.fields:
                if spec.required and line.get(spec.name) is None:
                    raise invalid_content(
                        f"Please enter value(s) for: {spec.name} (required on each "
                        f"{sub.name} line).",
                        f"{sub.name}.items[{index}].{spec.name}",
                    )


def _customer(body: dict[str, Any]) -> None:
    if body.get("isPerson"):
        for name in ("firstName", "lastName"):
            if not body.get(name):
                raise invalid_content(
                    f"Please enter value(s) for: {name} (required when isPerson is true).", name
                )
        default = f"{body['firstName']} {body['lastName']}"
    else:
        if not body.get("companyName"):
            raise invalid_content(
                "Please enter value(s) for: companyName (or send isPerson: true with firstName "
                "and lastName).",
                "companyName",
            )
        default = str(body["companyName"])
    body.setdefault("entityId", default)
    body.setdefault("isPerson", False)
    body.setdefault("isInactive", False)


def _inventory_item(
    store: RecordStore, row: RecordRow | None, body: dict[str, Any], lines: Lines
) -> None:
    item_id = body.get("itemId")
    if item_id is not None:
        for other in store.with_body_value("inventoryItem", "itemId", item_id):
            if row is None or other != row.id:
                raise invalid_content(
                    f"The item name {item_id!r} is already used by item {other}; item names "
                    "(itemId) must be unique.",
                    "itemId",
                )
    seen: set[int] = set()
    total = 0.0
    for index, line in enumerate(lines.get("locations", [])):
        if line.get("location") in seen:
            raise invalid_content(
                "Each location may appear once in 'locations'.",
                f"locations.items[{index}].location",
            )
        seen.add(line.get("location", 0))
        on_hand = float(line.get("quantityOnHand") or 0.0)
        line["quantityOnHand"] = on_hand
        line["quantityAvailable"] = on_hand
        total += on_hand
    body["totalQuantityOnHand"] = total
    body.setdefault("isInactive", False)


def _sales(
    store: RecordStore,
    rtype: RecordType,
    body: dict[str, Any],
    lines: Lines,
) -> None:
    subtotal = 0.0
    for line in lines.get("item", []):
        line.setdefault("quantity", 1.0)
        quantity = float(line["quantity"])
        if "rate" not in line and "amount" in line:
            line["rate"] = round(line["amount"] / quantity, 6) if quantity else 0.0
        else:
            line.setdefault("rate", _base_price(store, line.get("item")))
            line["amount"] = round(quantity * float(line["rate"]), 2)
        if rtype.name == "salesOrder":
            line.setdefault("isClosed", False)
            line.setdefault("quantityFulfilled", 0.0)
            line.setdefault("quantityBilled", 0.0)
        subtotal += line["amount"]
    body["subtotal"] = round(subtotal, 2)
    body["total"] = round(subtotal + float(body.get("shippingCost") or 0.0), 2)
    if rtype.name == "salesOrder":
        body["status"] = order_status(lines.get("item", []))
    if rtype.name == "returnAuthorization":
        body.setdefault("orderStatus", "B")


def _base_price(store: RecordStore, item_id: int | None) -> float:
    if item_id is None:
        return 0.0
    row = store.lookup("inventoryItem", str(item_id))
    return float(row.body.get("basePrice") or 0.0) if row else 0.0


def order_status(lines: list[dict[str, Any]]) -> str:
    open_lines = [line for line in lines if not line.get("isClosed")]
    if lines and not open_lines:
        return "H"
    ordered = sum(float(line.get("quantity", 0)) for line in open_lines)
    shipped = sum(float(line.get("quantityFulfilled", 0)) for line in open_lines)
    billed = sum(float(line.get("quantityBilled", 0)) for line in open_lines)
    if ordered and billed >= ordered:
        return "G"
    if shipped <= 0:
        return "B"
    if shipped < ordered:
        return "E" if billed > 0 else "D"
    return "F"


def _fulfillment(
    store: RecordStore, row: RecordRow | None, body: dict[str, Any], lines: Lines
) -> None:
    order = store.lookup("salesOrder", str(body.get("createdFrom", "")))
    if order is None:
        raise invalid_content(
            "Please enter value(s) for: createdFrom (the sales order this fulfils).",
            "createdFrom",
        )
    body["entity"] = order.body.get("entity")
    body.setdefault("shipStatus", "C")
    order_lines = {line["line"]: line for line in store.lines(order).get("item", [])}
    shipped = shipped_elsewhere(store, order.id, "itemFulfillment", row.id if row else None)
    seen: set[int] = set()
    for index, line in enumerate(lines.get("item", [])):
        _fulfillment_line(index, line, order.body, order_lines, shipped, seen)
    if not any(line.get("itemReceive") for line in lines.get("item", [])):
        raise Problem(
            400,
            "USER_ERROR",
            "You must enter at least one line item for this transaction (every line of the "
            "sales order is closed or already fulfilled, or itemReceive is false everywhere).",
            error_path="item",
        )
    numbers = [p.get("packageTrackingNumber") for p in lines.get("package", [])]
    body["linkedTrackingNumbers"] = " ".join(n for n in numbers if n)


def _fulfillment_line(
    index: int,
    line: dict[str, Any],
    order_body: dict[str, Any],
    order_lines: dict[int, dict[str, Any]],
    shipped: dict[int, float],
    seen: set[int],
) -> None:
    path = f"item.items[{index}]"
    order_line = order_lines.get(line.get("orderLine", -1))
    if order_line is None or line["orderLine"] in seen:
        raise invalid_content(
            f"orderLine {line.get('orderLine')} is not an open line of the sales order "
            "(or appears twice).",
            f"{path}.orderLine",
        )
    seen.add(line["orderLine"])
    remaining = float(order_line.get("quantity", 0)) - shipped.get(line["orderLine"], 0.0)
    line["item"] = order_line.get("item")
    line.setdefault("itemReceive", True)
    line.setdefault("quantity", max(remaining, 0.0))
    location = order_line.get("location") or order_body.get("location")
    if location is not None:
        line.setdefault("location", location)
    if not line["itemReceive"]:
        return
    if order_line.get("isClosed"):
        raise invalid_content(f"Order line {line['orderLine']} is closed.", f"{path}.orderLine")
    if line["quantity"] <= 0 or line["quantity"] > remaining + 1e-9:
        raise invalid_content(
            f"You can fulfill between 0 and {remaining:g} of order line {line['orderLine']} "
            f"(asked {line['quantity']:g}).",
            f"{path}.quantity",
        )


def shipped_elsewhere(
    store: RecordStore, order_id: int, child_type: str, exclude: int | None
) -> dict[int, float]:
    """Quantity per order line already taken by other fulfillments (or cash sales)."""
    taken: dict[int, float] = {}
    for child in store.children(child_type, order_id):
        if child.id == exclude:
            continue
        for line in store.lines(child).get("item", []):
            if child_type == "itemFulfillment" and not line.get("itemReceive", True):
                continue
            key = int(line.get("orderLine") or line["line"])
            taken[key] = taken.get(key, 0.0) + float(line.get("quantity", 0))
    return taken


def refresh_order(store: RecordStore, order_id: int | None) -> None:
    """Recompute quantityFulfilled, quantityBilled and status of a sales order."""
    if order_id is None:
        return
    order = store.lookup("salesOrder", str(order_id))
    if order is None:
        return
    fulfilled = shipped_elsewhere(store, order.id, "itemFulfillment", None)
    billed = shipped_elsewhere(store, order.id, "cashSale", None)
    lines = store.lines(order)
    for line in lines.get("item", []):
        line["quantityFulfilled"] = fulfilled.get(line["line"], 0.0)
        line["quantityBilled"] = billed.get(line["line"], 0.0)
    body = {**order.body, "status": order_status(lines.get("item", []))}
    store.touch(order, body, lines)


def after_write(store: RecordStore, rtype: RecordType, row: RecordRow) -> None:
    if rtype.name in ("itemFulfillment", "cashSale"):
        refresh_order(store, row.created_from)


def before_delete(store: RecordStore, rtype: RecordType, row: RecordRow) -> None:
    """NetSuite refuses to delete a record other records depend on."""
    if rtype.name == "salesOrder":
        used = len(store.children("itemFulfillment", row.id) + store.children("cashSale", row.id))
        what = "item fulfillments or cash sales created from it"
    elif rtype.name == "customer":
        used = store.referencing("entity", row.id) + store.referencing("customer", row.id)
        what = "transactions of this customer"
    elif rtype.name == "inventoryItem":
        used = store.referencing("item", row.id, lines=True)
        what = "transaction lines with this item"
    else:
        used = 0
    if used:
        raise Problem(
            400,
            "USER_ERROR",
            f"This record cannot be deleted because it has dependent records ({what}). "
            "Delete those first.",
        )


def after_delete(store: RecordStore, rtype: RecordType, row: RecordRow) -> None:
    after_write(store, rtype, row)
