"""Returns (celigo-jet.md §3.3): Jet opens a return on a shipped order; the merchant completes it
with the quantities returned and the amounts to refund."""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import Row, insert, select, update

from etail.sandbox.jet import db
from etail.sandbox.jet.dates import jet_date
from etail.sandbox.jet.problems import bad_field, conflict_state, not_found
from etail.sandbox.jet.schemas import ReturnCompletion
from etail.sandbox.jet.store import JetStore

Json = dict[str, Any]
RETURN_STATUSES = ("created", "inprogress", "completed by merchant")
RETURN_REASONS = (
    "No longer want this item",
    "Received the wrong item",
    "Website description is inaccurate",
    "Product is defective / does not work",
    "Item arrived damaged - box intact",
    "Package arrived late",
    "Wrong quantity received",
    "Better price found elsewhere",
    "Unwanted gift",
)


def return_url(return_id: str) -> str:
    return f"/returns/state/{return_id}"


def return_doc(
    return_id: str, order: Json, lines: list[tuple[Json, int, str]], when: float
) -> Json:
    """A return document for ``order`` with (order item, quantity, reason) lines."""
    return {
        "merchant_return_authorization_id": return_id,
        "alt_return_authorization_id": None,
        "reference_return_authorization_id": str(int(return_id[:10], 16)),
        "merchant_order_id": order["merchant_order_id"],
        "reference_order_id": order["reference_order_id"],
        "alt_order_id": order.get("alt_order_id"),
        "return_date": jet_date(when),
        "shipping_carrier": "UPS",
        "tracking_number": f"1Z{return_id[:16].upper()}",
        "refund_without_return": False,
        "return_location": {"address1": "1 Returns Way", "address2": None, "city": "Hoboken",
                            "state": "NJ", "zip_code": "07030"},
        "completed_date": None,
        "merchant_return_charge": 0.0,
        "agree_to_return_charge": None,
        "return_charge_feedback": None,
        "return_merchant_SKUs": [
            {"order_item_id": item["order_item_id"],
             "alt_order_item_id": item.get("alt_order_item_id"),
             "merchant_sku": item["merchant_sku"],
             "merchant_sku_title": item["product_title"],
             "reason": reason,
             "return_quantity": qty,
             "requested_refund_amount": {
                 "principal": round(item["item_price"]["base_price"] * qty, 2),
                 "tax": round(
                     item["item_price"]["item_tax"] * qty / item["request_order_quantity"], 2),
                 "shipping_cost": 0.0, "shipping_tax": 0.0}}
            for item, qty, reason in lines
        ],
    }  # fmt: skip


def open_return(
    store: JetStore, order_id: str, lines: list[tuple[str, int, str]] | None = None
) -> str:
    """Jet opens a return on a shipped order (admin side); ``lines`` are (item id, qty, reason)."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(db.orders).where(db.orders.c.merchant_order_id == order_id)
        ).first()
    if row is None:
        raise not_found("order", order_id)
    if not row.has_shipments:
        raise conflict_state("merchant_order_id", f"order '{order_id}' has no shipments to return")
    order: Json = json.loads(row.doc) | {"alt_order_id": row.alt_order_id}
    items = {i["order_item_id"]: i for i in order["order_items"]}
    wanted = lines or [(i, 1, RETURN_REASONS[0]) for i in items]
    picked: list[tuple[Json, int, str]] = []
    for n, (item_id, qty, reason) in enumerate(wanted):
        if item_id not in items:
            raise bad_field(f"items[{n}].order_item_id", f"'{item_id}' is not on this order")
        if not 1 <= qty <= items[item_id]["request_order_quantity"]:
            raise bad_field(f"items[{n}].quantity", "must be between 1 and the quantity ordered")
        picked.append((items[item_id], qty, reason))
    return_id = secrets.token_hex(16)
    now = store.now()
    with store.write_lock, store.engine.begin() as conn:
        conn.execute(
            insert(db.returns),
            [{"return_id": return_id, "merchant_id": row.merchant_id, "merchant_order_id": order_id,
              "status": "created", "created_at": now,
              "doc": json.dumps(return_doc(return_id, order, picked, now))}],
        )  # fmt: skip
    return return_id


def list_urls(store: JetStore, merchant_id: str, status: str) -> list[str]:
    if status not in RETURN_STATUSES:
        raise bad_field("status", f"'{status}' is not one of {', '.join(RETURN_STATUSES)}")
    query = (
        select(db.returns.c.return_id)
        .where(db.returns.c.merchant_id == merchant_id, db.returns.c.status == status)
        .order_by(db.returns.c.created_at, db.returns.c.return_id)
        .limit(1000)
    )
    with store.engine.connect() as conn:
        return [return_url(r.return_id) for r in conn.execute(query)]


def _row(conn: Any, merchant_id: str, return_id: str) -> Row[Any]:
    row = conn.execute(
        select(db.returns).where(
            db.returns.c.return_id == return_id, db.returns.c.merchant_id == merchant_id
        )
    ).first()
    if row is None:
        raise not_found("return", return_id)
    return row  # type: ignore[no-any-return]


def detail(store: JetStore, merchant_id: str, return_id: str) -> Json:
    with store.engine.connect() as conn:
        row = _row(conn, merchant_id, return_id)
    doc: Json = json.loads(row.doc)
    return doc | {"return_status": row.status}


def complete(store: JetStore, merchant_id: str, return_id: str, body: ReturnCompletion) -> None:
    """``PUT /returns/{id}/complete``: once, for the return's own order and items."""
    with store.write_lock, store.engine.begin() as conn:
        row = _row(conn, merchant_id, return_id)
        if row.status == "completed by merchant":
            raise conflict_state("return_status", f"return '{return_id}' is already completed")
        if body.merchant_order_id != row.merchant_order_id:
            raise bad_field(
                "merchant_order_id", f"the return belongs to order '{row.merchant_order_id}'"
            )
        doc: Json = json.loads(row.doc)
        lines = {s["order_item_id"]: s for s in doc["return_merchant_SKUs"]}
        for i, item in enumerate(body.items):
            line = lines.get(item.order_item_id)
            if line is None:
                raise bad_field(f"items[{i}].order_item_id", "is not an item of this return")
            if item.order_return_refund_qty > line["return_quantity"]:
                raise bad_field(
                    f"items[{i}].order_return_refund_qty",
                    f"must not exceed the {line['return_quantity']} unit(s) returned",
                )
            line.update(
                total_quantity_returned=item.total_quantity_returned,
                order_return_refund_qty=item.order_return_refund_qty,
                refund_amount=item.refund_amount.model_dump(),
            )
        doc.update(
            completed_date=jet_date(store.now()),
            agree_to_return_charge=body.agree_to_return_charge,
            return_charge_feedback=body.return_charge_feedback,
            alt_order_id=body.alt_order_id or doc.get("alt_order_id"),
        )
        conn.execute(
            update(db.returns)
            .where(db.returns.c.return_id == return_id)
            .values(status="completed by merchant", doc=json.dumps(doc))
        )
