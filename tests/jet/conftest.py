"""Jet sandbox fixtures: a real server on a free loopback port, its admin client, a merchant."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from etail.httpserver import BackgroundServer
from etail.jet import JetClient
from etail.sandbox.jet import catalog, schemas
from etail.sandbox.jet.adminclient import JetAdminClient
from etail.sandbox.jet.app import create_app
from etail.sandbox.jet.store import JetStore

NODE_A = "node-east"
NODE_B = "node-west"
CATALOG = [("SKU-A", "Bamboo Cutting Board", 24.99), ("SKU-B", "Steel Water Bottle", 14.5)]


@dataclass
class Sandbox:
    url: str
    data_dir: Path
    admin: JetAdminClient
    merchant: dict[str, Any]

    @property
    def merchant_id(self) -> str:
        return str(self.merchant["merchant_id"])

    @property
    def api_user(self) -> str:
        return str(self.merchant["test_key"]["api_user"])

    @property
    def secret(self) -> str:
        return str(self.merchant["test_key"]["secret"])

    def client(self, **kw: Any) -> JetClient:
        kw.setdefault("backoff_s", 0.01)
        return JetClient(self.url, self.api_user, self.secret, **kw)

    def order(self, lines: list[tuple[str, int]] | None = None, **fields: Any) -> str:
        """A test order; catalog SKUs take their price, others get one."""
        spec = []
        for sku, qty in lines or [("SKU-A", 2), ("SKU-B", 1)]:
            line: dict[str, Any] = {"merchant_sku": sku, "quantity": qty}
            if sku not in {c[0] for c in CATALOG}:
                line |= {"price": 9.99, "title": f"Unlisted {sku}"}
            spec.append(line)
        return self.admin.create_order(self.merchant_id, spec, **fields)


@contextmanager
def running(data_dir: Path, **options: Any) -> Iterator[Sandbox]:
    app = create_app(data_dir, **options)
    key = (data_dir / "jet-admin.key").read_text().strip()
    with BackgroundServer(app) as srv, JetAdminClient(srv.url, key) as admin:
        merchant = admin.create_merchant(
            "Test merchant",
            merchant_id="m-test",
            fulfillment_nodes=[
                {"fulfillment_node_id": NODE_A, "name": "East", "zip_code": "12061"},
                {"fulfillment_node_id": NODE_B, "name": "West", "zip_code": "89101"},
            ],
        )
        add_catalog(app.state.store, merchant["merchant_id"])
        yield Sandbox(srv.url, data_dir, admin, merchant)


def add_catalog(store: JetStore, merchant_id: str) -> None:
    """The small test catalog, written to the store directly so that a server under a rate
    limit or fault injection starts with it all the same."""
    for sku, title, price in CATALOG:
        catalog.put_product(store, merchant_id, sku, schemas.Product(product_title=title))
        catalog.put_price(store, merchant_id, sku, schemas.PriceRequest(price=price))
        inv = schemas.InventoryRequest(
            fulfillment_nodes=[schemas.NodeQuantity(fulfillment_node_id=NODE_A, quantity=5)]
        )
        catalog.put_inventory(store, merchant_id, sku, inv, merge=False)


@pytest.fixture(scope="module")
def jet_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One server for a module; tests make their own orders so they do not interfere."""
    with running(tmp_path_factory.mktemp("jet")) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox_factory(tmp_path: Path) -> Callable[..., Any]:
    """``with sandbox_factory(token_lifetime_s=2) as sb:`` for servers with special options."""
    count = 0

    def make(**options: Any) -> Any:
        nonlocal count
        count += 1
        return running(tmp_path / f"jet{count}", **options)

    return make
