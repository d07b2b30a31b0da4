"""Jet's order state machine (celigo-jet.md §3.2, §3.5).

::

    created --(ready delay)--> ready --ack accepted--> acknowledged --shipped--> inprogress
                                 |                          |                       |
                                 +--ack rejected--> complete (exception - order rejected)
                                                            +------shipped all----> complete

Shipped messages accumulate; units are shipped (``response_shipment_sku_quantity``) or cancelled
(``response_shipment_cancel_qty``). An order whose every unit is shipped or cancelled is complete;
more units than ordered put it in ``exception - too many units shipped`` / ``... cancelled``.
``ready`` is never stored: a ``created`` row whose ``ready_at`` has passed *is* ready, so reads
need no write and the delay needs no background task.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, select, update

from etail.sandbox.jet import db
from etail.sandbox.jet.dates import jet_date
from etail.sandbox.jet.problems import bad_field, conflict_state, not_found
from etail.sandbox.jet.schemas import ORDER_STATUSES, Acknowledgement, ShipRequest
from etail.sandbox.jet.store import JetStore

LIST_CAP = 1000  # Jet lists at most the first 1000 orders per status (celigo-jet.md §3.1)
TOO_MANY_SHIPPED = "exception - too many units shipped"
TOO_MANY_CANCELLED = "exception - too many units cancelled"
REJECTED = "exception - order rejected"

Json = dict[str, Any]


def order_url(merchant_order_id: str) -> str:
    return f"/orders/withoutShipmentDetail/{merchant_order_id}"


def check_status(status: str) -> str:
    if status not in ORDER_STATUSES:
        raise bad_field("status", f"'{status}' is not one of {', '.join(ORDER_STATUSES)}")
    return status


def _status_clause(status: str, now: float) -> ColumnElement[bool]:
    t = db.orders.c
    if status == "created":
        return and_(t.status == "created", t.ready_at > now)
    if status == "ready":
        return or_(t.status == "ready", and_(t.status == "created", t.ready_at <= now))
    return t.status == status


def effective_status(row: Row[Any], now: float) -> str:
    if row.status == "created" and row.ready_at <= now:
        return "ready"
    return str(row.status)


def list_urls(
    store: JetStore,
    merchant_id: str,
    status: str,
    *,
    node: str | None = None,
    is_cancelled: bool | None = None,
    tag: str | None = None,
    include: bool | None = None,
) -> list[str]:
    """``GET /orders/{status}`` and the tagged list, oldest first, capped at 1000."""
    t = db.orders.c
    query = select(t.merchant_order_id).where(
        t.merchant_id == merchant_id, _status_clause(check_status(status), store.now())
    )
    if node is not None:
        query = query.where(t.fulfillment_node == node)
    if is_cancelled is not None:
        query = query.where(t.directed_cancel == is_cancelled)
    if tag is not None:
        query = query.where(t.tag == tag if include else or_(t.tag.is_(None), t.tag != tag))
    query = query.order_by(t.placed_at, t.merchant_order_id).limit(LIST_CAP)
    with store.engine.connect() as conn:
        return [order_url(r.merchant_order_id) for r in conn.execute(query)]


def directed_cancel_urls(store: JetStore, merchant_id: str) -> list[str]:
    """``GET /orders/directedCancel`` (deprecated by Jet in Feb 2017, kept for old clients)."""
    t = db.orders.c
    query = (
        select(t.merchant_order_id)
        .where(t.merchant_id == merchant_id, t.directed_cancel.is_(True), t.status != "complete")
        .order_by(t.placed_at)
        .limit(LIST_CAP)
    )
    with store.engine.connect() as conn:
        return [order_url(r.merchant_order_id) for r in conn.execute(query)]


def _row(conn: Any, merchant_id: str, order_id: str) -> Row[Any]:
    row = conn.execute(
        select(db.orders).where(
            db.orders.c.merchant_order_id == order_id, db.orders.c.merchant_id == merchant_id
        )
    ).first()
    if row is None:
        raise not_found("order", order_id)
    return row  # type: ignore[no-any-return]


def render(row: Row[Any], now: float) -> Json:
    """Jet's order object: the stored document plus the fields the state machine owns."""
    doc: Json = json.loads(row.doc)
    status = effective_status(row, now)
    doc.update(
        status=status,
        exception_state=row.exception_state,
        alt_order_id=row.alt_order_id,
        fulfillment_node=row.fulfillment_node,
        order_ready_date=None if status == "created" else jet_date(row.ready_at),
        order_acknowledge_date=jet_date(row.acknowledged_at),
        acknowledgement_status=row.acknowledgement_status,
        jet_requested_directed_cancel=bool(row.directed_cancel),
        has_shipments=bool(row.has_shipments),
        shipments=json.loads(row.shipments),
    )
    return doc


def detail(store: JetStore, merchant_id: str, order_id: str) -> Json:
    with store.engine.connect() as conn:
        return render(_row(conn, merchant_id, order_id), store.now())


def acknowledge(store: JetStore, merchant_id: str, order_id: str, ack: Acknowledgement) -> None:
    """``PUT /orders/{id}/acknowledge``: only a ready order may be acknowledged, once."""
    with store.write_lock, store.engine.begin() as conn:
        row = _row(conn, merchant_id, order_id)
        status = effective_status(row, store.now())
        if status != "ready":
            raise conflict_state(
                "status",
                f"order '{order_id}' is {status}; Jet takes an acknowledgement only while an "
                "order is ready (wait for GET /orders/ready)",
            )
        doc: Json = json.loads(row.doc)
        _apply_item_acks(doc, ack)
        rejected = ack.acknowledgement_status != "accepted"
        conn.execute(
            update(db.orders)
            .where(db.orders.c.merchant_order_id == order_id)
            .values(
                status="complete" if rejected else "acknowledged",
                exception_state=REJECTED if rejected else None,
                acknowledged_at=store.now(),
                acknowledgement_status=ack.acknowledgement_status,
                alt_order_id=ack.alt_order_id or row.alt_order_id,
                ready_at=min(row.ready_at, store.now()),
                doc=json.dumps(doc),
            )
        )


def _apply_item_acks(doc: Json, ack: Acknowledgement) -> None:
    items = {item["order_item_id"]: item for item in doc["order_items"]}
    seen: set[str] = set()
    for i, line in enumerate(ack.order_items):
        field = f"order_items[{i}].order_item_id"
        if line.order_item_id not in items:
            raise bad_field(field, f"'{line.order_item_id}' is not an item of this order")
        if line.order_item_id in seen:
            raise bad_field(field, f"'{line.order_item_id}' is acknowledged twice")
        seen.add(line.order_item_id)
        item = items[line.order_item_id]
        item["order_item_acknowledgement_status"] = line.order_item_acknowledgement_status
        item["alt_order_item_id"] = line.alt_order_item_id
    if ack.acknowledgement_status == "accepted":
        for item in doc["order_items"]:
            item["order_item_acknowledgement_status"] = (
                item.get("order_item_acknowledgement_status") or "fulfillable"
            )


def ship(store: JetStore, merchant_id: str, order_id: str, message: ShipRequest) -> None:
    """``PUT /orders/{id}/shipped``: record shipments and cancellations, then move the order."""
    with store.write_lock, store.engine.begin() as conn:
        row = _row(conn, merchant_id, order_id)
        status = effective_status(row, store.now())
        if status in ("created", "ready"):
            raise conflict_state(
                "status",
                f"order '{order_id}' is {status}; acknowledge it (PUT /orders/{{id}}/acknowledge) "
                "before sending shipments",
            )
        if status == "complete":
            raise conflict_state(
                "status", f"order '{order_id}' is complete; it takes no more shipped messages"
            )
        doc: Json = json.loads(row.doc)
        shipments: list[Json] = json.loads(row.shipments)
        new = [_shipment(i, s, doc) for i, s in enumerate(message.shipments)]
        shipments.extend(new)
        new_status, exception = _progress(doc, shipments)
        conn.execute(
            update(db.orders)
            .where(db.orders.c.merchant_order_id == order_id)
            .values(
                status=new_status,
                exception_state=exception,
                has_shipments=True,
                alt_order_id=row.alt_order_id or message.alt_order_id,
                shipments=json.dumps(shipments),
            )
        )


def _shipment(i: int, shipment: Any, doc: Json) -> Json:
    skus = {item["merchant_sku"] for item in doc["order_items"]}
    only_cancels = True
    for j, item in enumerate(shipment.shipment_items):
        path = f"shipments[{i}].shipment_items[{j}]"
        if item.merchant_sku not in skus:
            raise bad_field(f"{path}.merchant_sku", f"'{item.merchant_sku}' is not on this order")
        if item.response_shipment_sku_quantity == 0 and item.response_shipment_cancel_qty == 0:
            raise bad_field(
                f"{path}.response_shipment_sku_quantity",
                "ship or cancel at least one unit (quantity or response_shipment_cancel_qty)",
            )
        only_cancels = only_cancels and item.response_shipment_sku_quantity == 0
    if only_cancels and not shipment.alt_shipment_id:
        raise bad_field(
            f"shipments[{i}].alt_shipment_id",
            "is required when a shipment only cancels units (celigo-jet.md §3.2)",
        )
    if not only_cancels:
        for name in ("shipment_tracking_number", "carrier"):
            if getattr(shipment, name) is None:
                raise bad_field(f"shipments[{i}].{name}", "is required when units are shipped")
    out: Json = shipment.model_dump(exclude_none=True)
    out["shipment_id"] = secrets.token_hex(16)
    for item in out["shipment_items"]:
        item.setdefault("shipment_item_id", secrets.token_hex(16))
    return out


def _progress(doc: Json, shipments: Sequence[Json]) -> tuple[str, str | None]:
    shipped: dict[str, int] = {}
    cancelled: dict[str, int] = {}
    for shipment in shipments:
        for item in shipment["shipment_items"]:
            sku = item["merchant_sku"]
            shipped[sku] = shipped.get(sku, 0) + item.get("response_shipment_sku_quantity", 0)
            cancelled[sku] = cancelled.get(sku, 0) + item.get("response_shipment_cancel_qty", 0)
    ordered: dict[str, int] = {}
    for item in doc["order_items"]:
        sku = item["merchant_sku"]
        ordered[sku] = ordered.get(sku, 0) + item["request_order_quantity"]
    exception = None
    if any(cancelled.get(s, 0) > q for s, q in ordered.items()):
        exception = TOO_MANY_CANCELLED
    elif any(shipped.get(s, 0) + cancelled.get(s, 0) > q for s, q in ordered.items()):
        exception = TOO_MANY_SHIPPED
    done = all(shipped.get(s, 0) + cancelled.get(s, 0) >= q for s, q in ordered.items())
    return ("complete" if done or exception else "inprogress"), exception


def set_tag(store: JetStore, merchant_id: str, order_id: str, tag: str) -> None:
    """``PUT /orders/{id}/tag``: one tag per order; a new tag replaces the old one."""
    with store.write_lock, store.engine.begin() as conn:
        _row(conn, merchant_id, order_id)
        conn.execute(
            update(db.orders).where(db.orders.c.merchant_order_id == order_id).values(tag=tag)
        )


def set_directed_cancel(store: JetStore, order_id: str, merchant_id: str | None = None) -> None:
    """Jet asks the merchant to cancel the order (``jet_requested_directed_cancel``); each
    item's ``request_order_cancel_qty`` becomes its ordered quantity, as in seeded orders."""
    t = db.orders.c
    with store.write_lock, store.engine.begin() as conn:
        query = select(t.merchant_id, t.doc).where(t.merchant_order_id == order_id)
        if merchant_id is not None:
            query = query.where(t.merchant_id == merchant_id)
        row = conn.execute(query).first()
        if row is None:
            raise not_found("order", order_id)
        doc: Json = json.loads(row.doc)
        for item in doc["order_items"]:
            item["request_order_cancel_qty"] = item["request_order_quantity"]
        conn.execute(
            update(db.orders)
            .where(t.merchant_order_id == order_id, t.merchant_id == row.merchant_id)
            .values(directed_cancel=True, doc=json.dumps(doc))
        )


def summaries(
    store: JetStore, merchant_id: str | None, status: str | None, limit: int = 100
) -> list[Json]:
    """Orders rendered in full for the watch page and the admin list, newest first."""
    query = select(db.orders)
    if merchant_id:
        query = query.where(db.orders.c.merchant_id == merchant_id)
    if status:
        query = query.where(_status_clause(check_status(status), store.now()))
    query = query.order_by(db.orders.c.placed_at.desc()).limit(limit)
    now = store.now()
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    # The tag is not part of Jet's order object; the page and the admin list show it anyway.
    return [render(r, now) | {"merchant_id": r.merchant_id, "tag": r.tag} for r in rows]


def counts(store: JetStore, merchant_id: str | None) -> dict[str, int]:
    now = store.now()
    out: dict[str, int] = {}
    with store.engine.connect() as conn:
        for status in ORDER_STATUSES:
            query = select(func.count()).select_from(db.orders).where(_status_clause(status, now))
            if merchant_id:
                query = query.where(db.orders.c.merchant_id == merchant_id)
            out[status] = int(conn.scalar(query) or 0)
    return out
