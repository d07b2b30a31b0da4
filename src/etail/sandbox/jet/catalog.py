"""Merchant SKUs: product data, price, inventory per fulfillment node, archive (celigo-jet.md §3.4).

Inventory accepts both verbs, as Jet's clients used both over time: ``PATCH`` updates the nodes
it names and keeps the others; ``PUT`` replaces the whole node list.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Row, insert, select, update

from etail.sandbox.jet import db
from etail.sandbox.jet.dates import jet_date
from etail.sandbox.jet.merchants import node_ids
from etail.sandbox.jet.problems import bad_field, not_found
from etail.sandbox.jet.schemas import InventoryRequest, PriceRequest, Product
from etail.sandbox.jet.store import JetStore

Json = dict[str, Any]
MAX_LIMIT = 100


def check_sku(sku: str) -> str:
    if not sku or len(sku) > 128 or "/" in sku or sku != sku.strip():
        raise bad_field(
            "merchant_sku", f"'{sku}' must be 1-128 characters without '/' or edge spaces"
        )
    return sku


def sku_id(merchant_id: str, sku: str) -> str:
    return hashlib.sha256(f"{merchant_id}/{sku}".encode()).hexdigest()[:32]


def _row(conn: Any, merchant_id: str, sku: str) -> Row[Any]:
    row = conn.execute(
        select(db.skus).where(db.skus.c.merchant_id == merchant_id, db.skus.c.merchant_sku == sku)
    ).first()
    if row is None:
        raise not_found("merchant SKU", sku)
    return row  # type: ignore[no-any-return]


def put_product(store: JetStore, merchant_id: str, sku: str, product: Product) -> None:
    """Create the SKU, or merge the fields sent into the stored product."""
    check_sku(sku)
    fields = product.model_dump(exclude_none=True)
    now = store.now()
    with store.write_lock, store.engine.begin() as conn:
        row = conn.execute(
            select(db.skus.c.doc).where(
                db.skus.c.merchant_id == merchant_id, db.skus.c.merchant_sku == sku
            )
        ).first()
        if row is None:
            if "product_title" not in fields:
                raise bad_field("product_title", "is required when a merchant SKU is created")
            conn.execute(
                insert(db.skus),
                [{"merchant_id": merchant_id, "merchant_sku": sku, "doc": json.dumps(fields),
                  "merchant_sku_id": sku_id(merchant_id, sku), "node_prices": "[]",
                  "inventory": "[]", "archived": False, "sku_last_update": now}],
            )  # fmt: skip
            return
        doc = json.loads(row.doc) | fields
        conn.execute(_where(merchant_id, sku).values(doc=json.dumps(doc), sku_last_update=now))


def _where(merchant_id: str, sku: str) -> Any:
    return update(db.skus).where(
        db.skus.c.merchant_id == merchant_id, db.skus.c.merchant_sku == sku
    )


def _status(row: Row[Any]) -> tuple[str, list[str]]:
    # Jet's listing states (celigo-jet.md §3.4): archived wins; a SKU with no price is missing data.
    if row.archived:
        return "Archived", []
    if row.price is None:
        return "Missing Listing Data", ["Missing price"]
    return "Available for Purchase", []


def get_product(store: JetStore, merchant_id: str, sku: str) -> Json:
    with store.engine.connect() as conn:
        row = _row(conn, merchant_id, sku)
    status, sub_status = _status(row)
    doc: Json = json.loads(row.doc)
    last = max(
        t for t in (row.sku_last_update, row.price_last_update, row.inventory_last_update) if t
    )
    return doc | {
        "merchant_sku": row.merchant_sku,
        "merchant_sku_id": row.merchant_sku_id,
        "jet_retail_sku": row.merchant_sku_id[:12],
        "status": status,
        "sub_status": sub_status,
        "correlation_id": row.merchant_sku_id[12:24],
        "producer_id": merchant_id,
        "merchant_id": merchant_id,
        "price": row.price,
        "price_by_fulfillment_node": json.loads(row.node_prices),
        "inventory_by_fulfillment_node": json.loads(row.inventory),
        "is_archived": bool(row.archived),
        "sku_last_update": jet_date(row.sku_last_update),
        "price_last_update": jet_date(row.price_last_update),
        "last_update": jet_date(last),
    }


def list_skus(store: JetStore, merchant_id: str, offset: int, limit: int) -> list[str]:
    """``GET /merchant-skus?offset=&limit=`` in SKU order."""
    if offset < 0:
        raise bad_field("offset", "must be 0 or more")
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_field("limit", f"must be between 1 and {MAX_LIMIT}")
    query = (
        select(db.skus.c.merchant_sku)
        .where(db.skus.c.merchant_id == merchant_id)
        .order_by(db.skus.c.merchant_sku)
        .offset(offset)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return [f"/merchant-skus/{r.merchant_sku}" for r in conn.execute(query)]


def _check_nodes(store: JetStore, merchant_id: str, ids: list[str]) -> None:
    known = set(node_ids(store, merchant_id))
    for i, node in enumerate(ids):
        if node not in known:
            raise bad_field(
                f"fulfillment_nodes[{i}].fulfillment_node_id",
                f"'{node}' is not a fulfillment node of this merchant (see GET /fulfillment-nodes)",
            )


def put_price(store: JetStore, merchant_id: str, sku: str, body: PriceRequest) -> None:
    nodes = body.fulfillment_nodes or []
    _check_nodes(store, merchant_id, [n.fulfillment_node_id for n in nodes])
    with store.write_lock, store.engine.begin() as conn:
        _row(conn, merchant_id, sku)
        conn.execute(
            _where(merchant_id, sku).values(
                price=body.price,
                node_prices=json.dumps([n.model_dump() for n in nodes]),
                price_last_update=store.now(),
            )
        )


def get_price(store: JetStore, merchant_id: str, sku: str) -> Json:
    with store.engine.connect() as conn:
        row = _row(conn, merchant_id, sku)
    return {
        "price": row.price,
        "fulfillment_nodes": json.loads(row.node_prices),
        "price_last_update": jet_date(row.price_last_update),
    }


def put_inventory(
    store: JetStore, merchant_id: str, sku: str, body: InventoryRequest, *, merge: bool
) -> None:
    ids = [n.fulfillment_node_id for n in body.fulfillment_nodes]
    _check_nodes(store, merchant_id, ids)
    if len(set(ids)) != len(ids):
        raise bad_field("fulfillment_nodes", "name each fulfillment node once")
    with store.write_lock, store.engine.begin() as conn:
        row = _row(conn, merchant_id, sku)
        current = {n["fulfillment_node_id"]: n["quantity"] for n in json.loads(row.inventory)}
        sent = {n.fulfillment_node_id: n.quantity for n in body.fulfillment_nodes}
        result = current | sent if merge else sent
        nodes = [{"fulfillment_node_id": k, "quantity": v} for k, v in sorted(result.items())]
        conn.execute(
            _where(merchant_id, sku).values(
                inventory=json.dumps(nodes), inventory_last_update=store.now()
            )
        )


def get_inventory(store: JetStore, merchant_id: str, sku: str) -> Json:
    with store.engine.connect() as conn:
        row = _row(conn, merchant_id, sku)
    return {
        "fulfillment_nodes": json.loads(row.inventory),
        "inventory_last_update": jet_date(row.inventory_last_update),
    }


def archive(store: JetStore, merchant_id: str, sku: str, archived: bool) -> None:
    with store.write_lock, store.engine.begin() as conn:
        _row(conn, merchant_id, sku)
        conn.execute(
            _where(merchant_id, sku).values(archived=archived, sku_last_update=store.now())
        )


def catalog(store: JetStore, merchant_id: str) -> list[Json]:
    """Every SKU with title, price and quantity per node (for the demo's NetSuite items)."""
    query = (
        select(db.skus).where(db.skus.c.merchant_id == merchant_id).order_by(db.skus.c.merchant_sku)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "merchant_sku": r.merchant_sku,
            "product_title": json.loads(r.doc).get("product_title"),
            "price": r.price,
            "quantities": {
                n["fulfillment_node_id"]: n["quantity"] for n in json.loads(r.inventory)
            },
            "is_archived": bool(r.archived),
        }
        for r in rows
    ]
