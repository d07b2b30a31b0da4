"""Merchant-initiated refunds (celigo-jet.md §3.3).

``POST /refunds/{order}/{alt_refund_id}`` is idempotent on ``alt_refund_id``: the same body again
answers the same ``refund_authorization_id`` (a client retrying after a lost answer must not
refund twice); a different body under the same id is refused.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from sqlalchemy import insert, select, update

from etail.sandbox.jet import db
from etail.sandbox.jet.problems import bad_field, not_found
from etail.sandbox.jet.schemas import RefundRequest
from etail.sandbox.jet.store import JetStore

Json = dict[str, Any]
LIST_STATUSES = ("created", "processing", "accepted", "rejected")
REFUND_STATUSES = (
    "created",
    "processing",
    "accepted",
    "rejected - customer card not valid",
    "rejected - refund conflicts with returns policy",
)


def refund_url(refund_id: str) -> str:
    return f"/refunds/state/{refund_id}"


def create(
    store: JetStore, merchant_id: str, order_id: str, alt_refund_id: str, body: RefundRequest
) -> tuple[str, bool]:
    """Create the refund; answers (refund_authorization_id, created_now)."""
    canonical = json.dumps(body.model_dump(), sort_keys=True)
    body_sha = hashlib.sha256(canonical.encode()).hexdigest()
    with store.write_lock, store.engine.begin() as conn:
        order = conn.execute(
            select(db.orders).where(
                db.orders.c.merchant_order_id == order_id, db.orders.c.merchant_id == merchant_id
            )
        ).first()
        if order is None:
            raise not_found("order", order_id)
        existing = conn.execute(
            select(db.refunds).where(
                db.refunds.c.merchant_order_id == order_id,
                db.refunds.c.alt_refund_id == alt_refund_id,
            )
        ).first()
        if existing is not None:
            if existing.body_sha256 != body_sha:
                raise bad_field(
                    "alt_refund_id",
                    f"'{alt_refund_id}' was used for a different refund; use a new alt_refund_id",
                )
            return str(existing.refund_authorization_id), False
        doc = json.loads(order.doc)
        _check_items(doc, body)
        refund_id = secrets.token_hex(16)
        refund = {
            "refund_authorization_id": refund_id,
            "alt_refund_id": alt_refund_id,
            "merchant_order_id": order_id,
            "reference_order_id": doc["reference_order_id"],
            "alt_order_id": order.alt_order_id,
            "items": [item.model_dump(exclude_none=True) for item in body.items],
        }
        conn.execute(
            insert(db.refunds),
            [{"refund_authorization_id": refund_id, "merchant_id": merchant_id,
              "merchant_order_id": order_id, "alt_refund_id": alt_refund_id, "status": "created",
              "created_at": store.now(), "body_sha256": body_sha, "doc": json.dumps(refund)}],
        )  # fmt: skip
    return refund_id, True


def _check_items(order: Json, body: RefundRequest) -> None:
    items = {i["order_item_id"]: i for i in order["order_items"]}
    for n, item in enumerate(body.items):
        line = items.get(item.order_item_id)
        if line is None:
            raise bad_field(
                f"items[{n}].order_item_id", f"'{item.order_item_id}' is not on the order"
            )
        if item.order_return_refund_qty > line["request_order_quantity"]:
            raise bad_field(
                f"items[{n}].order_return_refund_qty",
                f"must not exceed the {line['request_order_quantity']} unit(s) ordered",
            )


def list_urls(store: JetStore, merchant_id: str, status: str) -> list[str]:
    if status not in LIST_STATUSES:
        raise bad_field("status", f"'{status}' is not one of {', '.join(LIST_STATUSES)}")
    column = db.refunds.c.status
    match = column.like("rejected%") if status == "rejected" else column == status
    query = (
        select(db.refunds.c.refund_authorization_id)
        .where(db.refunds.c.merchant_id == merchant_id, match)
        .order_by(db.refunds.c.created_at)
        .limit(1000)
    )
    with store.engine.connect() as conn:
        return [refund_url(r.refund_authorization_id) for r in conn.execute(query)]


def detail(store: JetStore, merchant_id: str, refund_id: str) -> Json:
    with store.engine.connect() as conn:
        row = conn.execute(
            select(db.refunds).where(
                db.refunds.c.refund_authorization_id == refund_id,
                db.refunds.c.merchant_id == merchant_id,
            )
        ).first()
    if row is None:
        raise not_found("refund", refund_id)
    doc: Json = json.loads(row.doc)
    return doc | {"refund_status": row.status}


def set_status(store: JetStore, refund_id: str, status: str) -> None:
    """Jet's side moves a refund along (admin)."""
    if status not in REFUND_STATUSES:
        raise bad_field("refund_status", f"'{status}' is not one of {', '.join(REFUND_STATUSES)}")
    with store.write_lock, store.engine.begin() as conn:
        done = conn.execute(
            update(db.refunds)
            .where(db.refunds.c.refund_authorization_id == refund_id)
            .values(status=status)
        )
        if done.rowcount == 0:
            raise not_found("refund", refund_id)
