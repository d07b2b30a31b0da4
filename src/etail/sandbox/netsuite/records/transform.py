"""``!transform``: a sales order becomes an item fulfillment or a cash sale.

NS:section_157901123882.

The new record starts from the order: every open line with quantity left (not closed, not yet
fulfilled, resp. billed) with its item, location and rate; the body sent with the request is
applied on top (``item.items`` sent by the client replace the default lines, so a partial
fulfilment names its ``orderLine`` and ``quantity``). The result is checked like any create.
"""

from __future__ import annotations

from typing import Any

from etail.sandbox.netsuite.records import rules
from etail.sandbox.netsuite.records.models import RecordRow
from etail.sandbox.netsuite.records.problems import Problem, invalid_content
from etail.sandbox.netsuite.records.schema import RecordType
from etail.sandbox.netsuite.records.store import RecordStore
from etail.sandbox.netsuite.records.validation import BodyChecker

TRANSFORMS = {("salesOrder", "itemFulfillment"), ("salesOrder", "cashSale")}


def _open_lines(store: RecordStore, order: RecordRow, child: str) -> list[dict[str, Any]]:
    taken = rules.shipped_elsewhere(store, order.id, child, None)
    lines = []
    for line in store.lines(order).get("item", []):
        left = float(line.get("quantity", 0)) - taken.get(line["line"], 0.0)
        if line.get("isClosed") or left <= 0:
            continue
        lines.append({**line, "left": left})
    return lines


def _fulfillment_defaults(store: RecordStore, order: RecordRow) -> dict[str, Any]:
    lines = [
        {"orderLine": line["line"], "quantity": line["left"]}
        for line in _open_lines(store, order, "itemFulfillment")
    ]
    defaults: dict[str, Any] = {"item": {"items": lines}}
    if "shipMethod" in order.body:
        defaults["shipMethod"] = order.body["shipMethod"]
    if "shippingAddress" in order.body:
        defaults["shippingAddress"] = order.body["shippingAddress"]
    return defaults


def _cash_sale_defaults(store: RecordStore, order: RecordRow) -> dict[str, Any]:
    lines = []
    for line in _open_lines(store, order, "cashSale"):
        copied: dict[str, Any] = {
            "item": {"id": str(line["item"])},
            "quantity": line["left"],
            "rate": line.get("rate", 0.0),
            "orderLine": line["line"],
        }
        if line.get("location") is not None:
            copied["location"] = {"id": str(line["location"])}
        if line.get("description") is not None:
            copied["description"] = line["description"]
        lines.append(copied)
    if not lines:
        raise Problem(
            400,
            "USER_ERROR",
            "You must enter at least one line item for this transaction (every line of the sales "
            "order is closed or already billed).",
            error_path="item",
        )
    defaults: dict[str, Any] = {
        "entity": {"id": str(order.body["entity"])},
        "item": {"items": lines},
    }
    for name in ("otherRefNum", "shippingCost", "shipMethod"):
        if name in order.body:
            defaults[name] = order.body[name]
    if "location" in order.body:
        defaults["location"] = {"id": str(order.body["location"])}
    return defaults


def transform(
    store: RecordStore,
    checker: BodyChecker,
    source: RecordType,
    order: RecordRow,
    target: RecordType,
    body: Any,
) -> RecordRow:
    if (source.name, target.name) not in TRANSFORMS:
        raise Problem(
            400,
            "INVALID_REQUEST",
            f"The sandbox transforms salesOrder into itemFulfillment or cashSale, not "
            f"{source.name} into {target.name}.",
        )
    if body is not None and not isinstance(body, dict):
        raise invalid_content("The transform body must be a JSON object (or empty).", "")
    if order.body.get("status") == "H":
        raise Problem(400, "USER_ERROR", f"Sales order {order.tran_id} is closed.")
    if target.name == "itemFulfillment":
        defaults = _fulfillment_defaults(store, order)
    else:
        defaults = _cash_sale_defaults(store, order)
    merged = {**defaults, **(body or {}), "createdFrom": {"id": str(order.id)}}
    changes = checker.check(merged)
    return store.create(target, changes)
