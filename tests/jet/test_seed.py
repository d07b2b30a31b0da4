"""Seed determinism and shape."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from etail.sandbox.jet import db
from etail.sandbox.jet.seed import seed
from etail.sandbox.jet.store import JetStore

NOW = 1_790_000_000.0


def test_same_seed_same_data_in_fresh_stores(tmp_path):
    a = seed(JetStore(tmp_path / "a"), orders=300, skus=40, seed=42, now=NOW)
    b = seed(JetStore(tmp_path / "b"), orders=300, skus=40, seed=42, now=NOW)
    c = seed(JetStore(tmp_path / "c"), orders=300, skus=40, seed=43, now=NOW)
    assert a.digest == b.digest and a.summary() | {"seconds": 0} == b.summary() | {"seconds": 0}
    assert c.digest != a.digest
    assert a.catalog == b.catalog


def test_reseeding_is_idempotent(tmp_path):
    store = JetStore(tmp_path)
    first = seed(store, orders=100, skus=10, seed=1, now=NOW)
    again = seed(store, orders=100, skus=10, seed=1, now=NOW)
    assert first.new_merchant is not None and again.new_merchant is None
    with store.engine.connect() as conn:
        assert len(conn.execute(select(db.orders.c.merchant_order_id)).all()) == 100


def test_orders_are_realistic(tmp_path):
    store = JetStore(tmp_path)
    report = seed(store, orders=2000, skus=50, seed=9, now=NOW)
    assert report.orders == 2000 and report.skus == 50
    assert 0.01 < report.unknown_sku_lines / report.lines < 0.06
    assert 0.005 < report.directed_cancels / report.orders < 0.04
    assert 0.01 < report.returns / report.orders < 0.06
    known = {c.merchant_sku for c in report.catalog}
    with store.engine.connect() as conn:
        docs = [json.loads(r.doc) for r in conn.execute(select(db.orders.c.doc))]
    sizes = {len(d["order_items"]) for d in docs}
    assert sizes == {1, 2, 3, 4}
    unknown = [i for d in docs for i in d["order_items"] if i["merchant_sku"] not in known]
    assert len(unknown) == report.unknown_sku_lines
    one = docs[0]
    assert one["buyer"]["name"] and one["shipping_to"]["address"]["zip_code"]
    price = one["order_items"][0]["item_price"]
    assert price["base_price"] > 0 and price["item_tax"] >= 0
    total = one["order_totals"]["item_price"]["base_price"]
    lines = sum(
        i["item_price"]["base_price"] * i["request_order_quantity"] for i in one["order_items"]
    )
    assert total == pytest.approx(lines, abs=0.01)


def test_catalog_has_quantity_per_node(tmp_path):
    report = seed(JetStore(tmp_path), orders=0, skus=5, seed=2, now=NOW)
    nodes = {n.node_id for n in report.new_merchant.fulfillment_nodes}
    for item in report.catalog:
        assert set(item.quantities) == nodes and item.price > 0 and item.product_title
    assert "secret" not in repr(report)
