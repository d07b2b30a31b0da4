"""Deterministic test data: a catalog and realistic Jet orders, bulk-inserted.

The same ``seed`` (and ``now``, which defaults to today's midnight UTC) gives the same catalog,
orders and returns byte for byte; ``SeedReport.digest`` fingerprints them. Seeding again with the
same seed adds nothing (rows are inserted with ``OR IGNORE``). Shares follow what a Jet merchant
saw: 1-4 lines per order, about 3% of lines for SKUs the merchant does not sell, about 2% of orders
with ``jet_requested_directed_cancel`` and about 3% already shipped with a return opened.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from etail.sandbox.jet import db
from etail.sandbox.jet.catalog import sku_id
from etail.sandbox.jet.dates import jet_date
from etail.sandbox.jet.merchants import NewMerchant, NodeSpec, create_merchant, node_ids
from etail.sandbox.jet.returns import RETURN_REASONS, return_doc
from etail.sandbox.jet.store import JetStore

Json = dict[str, Any]
DEFAULT_MERCHANT_ID = "jet-sandbox-merchant"
UNKNOWN_SKU_SHARE = 0.03
DIRECTED_CANCEL_SHARE = 0.02
RETURN_SHARE = 0.03
BATCH = 5000

FIRST = (
    "Ava",
    "Liam",
    "Noah",
    "Emma",
    "Olivia",
    "Mason",
    "Sophia",
    "Lucas",
    "Mia",
    "Ethan",
    "Harper",
    "James",
    "Amelia",
    "Logan",
    "Ella",
    "Aiden",
    "Grace",
    "Mateo",
    "Chloe",
    "Leo",
)
LAST = (
    "Smith",
    "Johnson",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Lee",
    "Walker",
    "Young",
    "King",
    "Wright",
    "Lopez",
    "Hill",
    "Scott",
    "Green",
    "Adams",
    "Baker",
    "Nelson",
)
STREETS = (
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Park Rd",
    "Elm St",
    "Washington Blvd",
    "Lakeview Ter",
    "Sunset Way",
    "River Rd",
)
CITIES = (
    ("Hoboken", "NJ", "07030", 0.06625),
    ("Austin", "TX", "78701", 0.0825),
    ("Portland", "OR", "97205", 0.0),
    ("Columbus", "OH", "43215", 0.075),
    ("Denver", "CO", "80202", 0.0881),
    ("Tampa", "FL", "33602", 0.075),
    ("Seattle", "WA", "98101", 0.1025),
    ("Albany", "NY", "12207", 0.08),
    ("Phoenix", "AZ", "85004", 0.086),
    ("Boise", "ID", "83702", 0.06),
)
ADJECTIVES = (
    "Classic",
    "Deluxe",
    "Compact",
    "Organic",
    "Heavy-Duty",
    "Slim",
    "Rustic",
    "Smart",
    "Vintage",
    "Portable",
    "Premium",
    "Everyday",
)
MATERIALS = (
    "Bamboo",
    "Steel",
    "Cotton",
    "Ceramic",
    "Walnut",
    "Glass",
    "Leather",
    "Wool",
    "Copper",
    "Linen",
)
NOUNS = (
    "Cutting Board",
    "Water Bottle",
    "Throw Blanket",
    "Coffee Mug",
    "Desk Lamp",
    "Backpack",
    "Plant Pot",
    "Chef Knife",
    "Yoga Mat",
    "Serving Bowl",
    "Wall Clock",
    "Tote Bag",
)
SHIPPING = (
    ("UPS", "UPS Ground", "Standard"),
    ("FedEx", "FedEx Home Delivery", "Standard"),
    ("USPS", "USPS Priority Mail", "Expedited"),
    ("UPS", "UPS 2nd Day Air", "Second Day"),
    ("FedEx", "FedEx 2 Day", "Second Day"),
    ("UPS", "UPS Next Day Air", "Next Day"),
)


@dataclass(frozen=True)
class CatalogItem:
    merchant_sku: str
    product_title: str
    price: float
    quantities: dict[str, int]


@dataclass
class SeedReport:
    """What one ``seed`` call made; ``new_merchant`` holds keys shown once when it made one."""

    merchant_id: str
    orders: int = 0
    skus: int = 0
    lines: int = 0
    unknown_sku_lines: int = 0
    directed_cancels: int = 0
    returns: int = 0
    seconds: float = 0.0
    digest: str = ""
    catalog: list[CatalogItem] = field(default_factory=list, repr=False)
    new_merchant: NewMerchant | None = field(default=None, repr=False)

    def summary(self) -> dict[str, object]:
        return {
            "merchant_id": self.merchant_id,
            "orders": self.orders,
            "skus": self.skus,
            "lines": self.lines,
            "unknown_sku_lines": self.unknown_sku_lines,
            "directed_cancels": self.directed_cancels,
            "returns": self.returns,
            "seconds": round(self.seconds, 3),
            "digest": self.digest,
        }


def order_line(
    order_item_id: str, sku: str, title: str, qty: int, unit: float, tax_rate: float, ship: float
) -> Json:
    """One Jet order item; ``base_price`` is per unit, tax and shipping are for the line."""
    return {
        "order_item_id": order_item_id,
        "alt_order_item_id": None,
        "merchant_sku": sku,
        "product_title": title,
        "request_order_quantity": qty,
        "request_order_cancel_qty": 0,
        "adjustment_reason": None,
        "item_tax_code": None,
        "url": f"https://jet.com/search?term={sku}",
        "price_adjustment": 0.0,
        "item_fees": 0.0,
        "tax_info": None,
        "fee_adjustments": [],
        "regulatory_fees": 0.0,
        "order_item_acknowledgement_status": None,
        "item_price": {
            "base_price": unit,
            "item_tax": round(unit * qty * tax_rate, 2),
            "item_shipping_cost": ship,
            "item_shipping_tax": round(ship * tax_rate, 2),
        },
    }


def order_doc(
    merchant_order_id: str,
    reference_order_id: str,
    node: str,
    placed_at: float,
    buyer: tuple[str, str],
    address: Json,
    items: list[Json],
    shipping: tuple[str, str, str],
) -> Json:
    """Jet's order object minus the fields the state machine owns (``orders.render``)."""
    base = sum(i["item_price"]["base_price"] * i["request_order_quantity"] for i in items)
    return {
        "merchant_order_id": merchant_order_id,
        "reference_order_id": reference_order_id,
        "customer_reference_order_id": reference_order_id,
        "fulfillment_node": node,
        "hash_email": hashlib.sha256(f"{buyer[0]}@example.com".encode()).hexdigest()[:40],
        "order_placed_date": jet_date(placed_at),
        "order_transmission_date": jet_date(placed_at + 60),
        "order_detail": {
            "request_shipping_carrier": shipping[0],
            "request_shipping_method": shipping[1],
            "request_service_level": shipping[2],
            "request_ship_by": jet_date(placed_at + 2 * 86400),
            "request_delivery_by": jet_date(placed_at + 6 * 86400),
        },
        "buyer": {"name": buyer[0], "phone_number": buyer[1]},
        "shipping_to": {"recipient": {"name": buyer[0], "phone_number": buyer[1]},
                        "address": address},
        "order_totals": {
            "item_price": {
                "base_price": round(base, 2),
                "item_tax": round(sum(i["item_price"]["item_tax"] for i in items), 2),
                "item_shipping_cost": round(
                    sum(i["item_price"]["item_shipping_cost"] for i in items), 2),
                "item_shipping_tax": round(
                    sum(i["item_price"]["item_shipping_tax"] for i in items), 2),
            },
            "item_fees": 0.0,
            "fee_adjustments": [],
            "regulatory_fees": 0.0,
        },
        "order_items": items,
    }  # fmt: skip


def order_row(
    merchant_id: str, doc: Json, ready_at: float, placed_at: float | None = None, **state: Any
) -> Json:
    """A row for ``db.orders`` from an order document (defaults: a fresh created order)."""
    row: Json = {
        "merchant_order_id": doc["merchant_order_id"],
        "merchant_id": merchant_id,
        "status": "created",
        "exception_state": None,
        "fulfillment_node": doc["fulfillment_node"],
        "placed_at": _epoch(doc["order_placed_date"]) if placed_at is None else placed_at,
        "ready_at": ready_at,
        "acknowledged_at": None,
        "acknowledgement_status": None,
        "alt_order_id": None,
        "directed_cancel": False,
        "has_shipments": False,
        "tag": None,
        "doc": json.dumps(doc, separators=(",", ":")),
        "shipments": "[]",
    }
    row.update(state)
    return row


def _epoch(jet: str) -> float:
    return datetime.fromisoformat(jet[:26] + "+00:00").timestamp()


def default_nodes(merchant_id: str) -> list[NodeSpec]:
    """Stable node ids for a merchant the seed creates, so orders are the same every time."""
    return [
        NodeSpec(hashlib.sha256(f"{merchant_id}/node{i}".encode()).hexdigest()[:32], name, zip_)
        for i, (name, zip_) in enumerate((("East warehouse", "12061"), ("West warehouse", "89101")))
    ]


def today_midnight() -> float:
    now = datetime.now(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC).timestamp()


class _Generator:
    """Draws every random choice from one ``random.Random(seed)`` in a fixed order."""

    def __init__(self, seed: int, merchant_id: str, nodes: list[str], now: float) -> None:
        self.rng = random.Random(seed)
        self.merchant_id = merchant_id
        self.nodes = nodes
        self.now = now
        self.catalog: list[CatalogItem] = []

    def hex(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def make_catalog(self, count: int) -> list[Json]:
        rng, rows = self.rng, []
        for i in range(count):
            title = f"{rng.choice(ADJECTIVES)} {rng.choice(MATERIALS)} {rng.choice(NOUNS)}"
            price = round(rng.uniform(4, 240), 0) - 0.01
            qty = {n: rng.randint(0, 400) for n in self.nodes}
            sku = f"JS-{i + 1:06d}"
            self.catalog.append(CatalogItem(sku, title, price, qty))
            rows.append(self._sku_row(sku, title, price, qty))
        return rows

    def _sku_row(self, sku: str, title: str, price: float, qty: dict[str, int]) -> Json:
        doc = {
            "product_title": title,
            "brand": "Sandbox Goods",
            "multipack_quantity": 1,
            "standard_product_codes": [
                {
                    "standard_product_code": f"{self.rng.getrandbits(40):012d}"[:12],
                    "standard_product_code_type": "UPC",
                }
            ],
        }
        return {"merchant_id": self.merchant_id, "merchant_sku": sku,
                "merchant_sku_id": sku_id(self.merchant_id, sku),
                "doc": json.dumps(doc), "price": price, "node_prices": "[]",
                "inventory": json.dumps([{"fulfillment_node_id": n, "quantity": q}
                                         for n, q in sorted(qty.items())]),
                "archived": False, "sku_last_update": self.now, "price_last_update": self.now,
                "inventory_last_update": self.now}  # fmt: skip

    def make_order(self) -> tuple[Json, int]:
        rng = self.rng
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        phone = f"{rng.randint(201, 989)}-555-{rng.randint(0, 9999):04d}"
        city, state, zip_code, tax = rng.choice(CITIES)
        address = {"address1": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
                   "address2": f"Apt {rng.randint(1, 40)}" if rng.random() < 0.2 else None,
                   "city": city, "state": state, "zip_code": zip_code}  # fmt: skip
        count = rng.choices((1, 2, 3, 4), weights=(55, 25, 12, 8))[0]
        picks = rng.sample(self.catalog, min(count, len(self.catalog))) if self.catalog else []
        items, unknown = [], 0
        for n in range(count):
            qty = rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
            ship = 0.0 if rng.random() < 0.6 else 4.99
            if n >= len(picks) or rng.random() < UNKNOWN_SKU_SHARE:
                unknown += 1
                sku, title, price = f"UNKNOWN-{rng.randint(0, 99999):05d}", "Unlisted item", 19.99
            else:
                sku, title, price = picks[n].merchant_sku, picks[n].product_title, picks[n].price
            items.append(order_line(self.hex(), sku, title, qty, price, tax, ship))
        placed = self.now - rng.uniform(600, 3 * 86400)
        doc = order_doc(self.hex(), f"{rng.randint(10**11, 10**12 - 1)}", rng.choice(self.nodes),
                        placed, (name, phone), address, items, rng.choice(SHIPPING))  # fmt: skip
        return doc, unknown


def seed(
    store: JetStore,
    *,
    orders: int,
    skus: int,
    seed: int,
    merchant_id: str = DEFAULT_MERCHANT_ID,
    now: float | None = None,
    ready_delay_s: float = 0.0,
    progress: Callable[[int], None] | None = None,
) -> SeedReport:
    """Make ``skus`` catalog items and ``orders`` orders for ``merchant_id`` (created if missing).

    Orders become ready ``ready_delay_s`` after loading; dates inside the orders derive from
    ``now`` only, so the content is the same for the same ``seed`` and ``now``.
    """
    started = time.perf_counter()
    if orders < 0 or skus < 0:
        raise ValueError("orders and skus must be 0 or more")
    report = SeedReport(merchant_id=merchant_id)
    nodes = node_ids(store, merchant_id)
    if not nodes:
        report.new_merchant = create_merchant(
            store, name="Jet sandbox merchant", merchant_id=merchant_id,
            fulfillment_nodes=default_nodes(merchant_id),
        )  # fmt: skip
        nodes = node_ids(store, merchant_id)
    gen = _Generator(seed, merchant_id, nodes, today_midnight() if now is None else now)
    digest = hashlib.sha256()
    sku_rows = gen.make_catalog(skus)
    with store.write_lock, store.engine.begin() as conn:
        if sku_rows:
            conn.execute(insert(db.skus).prefix_with("OR IGNORE"), sku_rows)
    for row in sku_rows:
        digest.update(
            row["merchant_sku"].encode() + row["doc"].encode() + row["inventory"].encode()
        )
    report.skus, report.catalog = len(sku_rows), gen.catalog
    load_time = store.now()
    done = 0
    while done < orders:
        size = min(BATCH, orders - done)
        rows, return_rows = _order_batch(gen, size, load_time + ready_delay_s, report)
        with store.write_lock, store.engine.begin() as conn:
            conn.execute(insert(db.orders).prefix_with("OR IGNORE"), rows)
            if return_rows:
                conn.execute(insert(db.returns).prefix_with("OR IGNORE"), return_rows)
        for row in rows:
            digest.update(row["doc"].encode() + row["shipments"].encode())
        done += size
        if progress:
            progress(done)
    report.orders, report.digest = done, digest.hexdigest()
    report.seconds = time.perf_counter() - started
    return report


def _order_batch(
    gen: _Generator, size: int, ready_at: float, report: SeedReport
) -> tuple[list[Json], list[Json]]:
    rows, return_rows = [], []
    for _ in range(size):
        doc, unknown = gen.make_order()
        report.lines += len(doc["order_items"])
        report.unknown_sku_lines += unknown
        roll = gen.rng.random()
        if roll < DIRECTED_CANCEL_SHARE:
            report.directed_cancels += 1
            for item in doc["order_items"]:
                item["request_order_cancel_qty"] = item["request_order_quantity"]
            rows.append(order_row(gen.merchant_id, doc, ready_at, directed_cancel=True))
        elif roll < DIRECTED_CANCEL_SHARE + RETURN_SHARE:
            report.returns += 1
            row, ret = _returned(gen, doc)
            rows.append(row)
            return_rows.append(ret)
        else:
            rows.append(order_row(gen.merchant_id, doc, ready_at))
    return rows, return_rows


def _returned(gen: _Generator, doc: Json) -> tuple[Json, Json]:
    """A past order: acknowledged, shipped in full, then a return opened on its first line."""
    placed = _epoch(doc["order_placed_date"])
    alt = f"HIST-{doc['reference_order_id']}"
    for item in doc["order_items"]:
        item["order_item_acknowledgement_status"] = "fulfillable"
    shipment = {
        "shipment_id": gen.hex(),
        "shipment_tracking_number": f"1Z{gen.rng.getrandbits(48):012X}",
        "response_shipment_date": jet_date(placed + 86400),
        "response_shipment_method": "UPS Ground",
        "carrier": "UPS",
        "shipment_items": [
            {"shipment_item_id": gen.hex(), "merchant_sku": i["merchant_sku"],
             "response_shipment_sku_quantity": i["request_order_quantity"],
             "response_shipment_cancel_qty": 0}
            for i in doc["order_items"]
        ],
    }  # fmt: skip
    row = order_row(
        gen.merchant_id, doc, placed + 1800, status="complete", acknowledged_at=placed + 3600,
        acknowledgement_status="accepted", alt_order_id=alt, has_shipments=True,
        shipments=json.dumps([shipment], separators=(",", ":")),
    )  # fmt: skip
    return_id = gen.hex()
    first = doc["order_items"][0]
    reason = gen.rng.choice(RETURN_REASONS)
    ret = return_doc(
        return_id, doc | {"alt_order_id": alt}, [(first, 1, reason)], placed + 5 * 86400
    )
    return row, {"return_id": return_id, "merchant_id": gen.merchant_id,
                 "merchant_order_id": doc["merchant_order_id"], "status": "created",
                 "created_at": placed + 5 * 86400, "doc": json.dumps(ret)}  # fmt: skip


def catalog_of(store: JetStore, merchant_id: str) -> list[CatalogItem]:
    """The merchant's catalog as ``CatalogItem`` (for the demo's matching NetSuite items)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(db.skus)
            .where(db.skus.c.merchant_id == merchant_id)
            .order_by(db.skus.c.merchant_sku)
        ).all()
    return [
        CatalogItem(
            r.merchant_sku, json.loads(r.doc).get("product_title", ""), r.price or 0.0,
            {n["fulfillment_node_id"]: n["quantity"] for n in json.loads(r.inventory)},
        )
        for r in rows
    ]  # fmt: skip
