"""Test orders on demand: the role Jet's Runway played for new partners (celigo-jet.md §3.5).

A line for a SKU in the merchant's catalog takes its title and price from there; a line for an
unknown SKU needs both, the way a real marketplace can send an order the merchant cannot fill.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from sqlalchemy import insert, select

from etail.sandbox.jet import db
from etail.sandbox.jet.merchants import node_ids
from etail.sandbox.jet.problems import bad_field, not_found
from etail.sandbox.jet.seed import order_doc, order_line, order_row
from etail.sandbox.jet.store import JetStore


@dataclass(frozen=True)
class RunwayLine:
    merchant_sku: str
    quantity: int = 1
    price: float | None = None
    title: str | None = None


@dataclass(frozen=True)
class RunwayOrder:
    lines: list[RunwayLine]
    buyer_name: str = "Riley Tester"
    fulfillment_node: str | None = None
    merchant_order_id: str | None = None
    directed_cancel: bool = False
    tax_rate: float = 0.08
    shipping: float = 4.99
    address1: str = "1 Test Street"
    city: str = "Hoboken"
    state: str = "NJ"
    zip_code: str = "07030"


def _catalog(store: JetStore, merchant_id: str, skus: list[str]) -> dict[str, tuple[str, float]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(db.skus.c.merchant_sku, db.skus.c.doc, db.skus.c.price).where(
                db.skus.c.merchant_id == merchant_id, db.skus.c.merchant_sku.in_(skus)
            )
        ).all()
    return {
        r.merchant_sku: (json.loads(r.doc).get("product_title", r.merchant_sku), r.price)
        for r in rows
    }


def create_order(store: JetStore, merchant_id: str, spec: RunwayOrder, ready_delay_s: float) -> str:
    """Place one order for ``merchant_id``; it becomes ready ``ready_delay_s`` from now."""
    nodes = node_ids(store, merchant_id)
    if not nodes:
        raise not_found("merchant", merchant_id)
    node = spec.fulfillment_node or nodes[0]
    if node not in nodes:
        raise bad_field("fulfillment_node", f"'{node}' is not a node of merchant '{merchant_id}'")
    if not spec.lines:
        raise bad_field("lines", "give at least one line")
    known = _catalog(store, merchant_id, [line.merchant_sku for line in spec.lines])
    items = []
    for i, line in enumerate(spec.lines):
        title, price = known.get(line.merchant_sku, (line.title, line.price))
        title, price = line.title or title, line.price if line.price is not None else price
        if title is None or price is None:
            raise bad_field(
                f"lines[{i}].price", "the SKU is not in the catalog: give its price and title"
            )
        items.append(
            order_line(secrets.token_hex(16), line.merchant_sku, title, line.quantity, price,
                       spec.tax_rate, spec.shipping)
        )  # fmt: skip
    order_id = spec.merchant_order_id or secrets.token_hex(16)
    now = store.now()
    address = {"address1": spec.address1, "address2": None, "city": spec.city,
               "state": spec.state, "zip_code": spec.zip_code}  # fmt: skip
    doc = order_doc(
        order_id, str(secrets.randbelow(9 * 10**11) + 10**11), node, now,
        (spec.buyer_name, "201-555-0100"), address, items, ("UPS", "UPS Ground", "Standard"),
    )  # fmt: skip
    if spec.directed_cancel:
        for item in items:
            item["request_order_cancel_qty"] = item["request_order_quantity"]
    row = order_row(merchant_id, doc, now + ready_delay_s, directed_cancel=spec.directed_cancel)
    row["placed_at"] = now
    with store.write_lock, store.engine.begin() as conn:
        if conn.scalar(
            select(db.orders.c.merchant_order_id).where(db.orders.c.merchant_order_id == order_id)
        ):
            raise bad_field("merchant_order_id", f"order '{order_id}' exists; choose another id")
        conn.execute(insert(db.orders), [row])
    return order_id
