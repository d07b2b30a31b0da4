"""Merchant SKUs, price, inventory, archive and fulfillment nodes (celigo-jet.md §3.4)."""

from __future__ import annotations

import pytest

from etail.errors import RecordNotFoundError, RecordRejectedError
from etail.jet import Inventory, NodePrice, NodeQuantity, Price, Product, ProductCode

from .conftest import NODE_A, NODE_B


async def test_put_and_get_product_with_listing_state(jet_sandbox):
    async with jet_sandbox.client() as jet:
        product = Product(
            product_title="Walnut Desk Lamp",
            brand="Sandbox",
            standard_product_codes=[
                ProductCode(standard_product_code="012345678905", standard_product_code_type="UPC")
            ],
            jet_browse_node_id=4000001,  # one of Jet's many extra attributes
        )
        await jet.put_sku("LAMP-1", product)
        sku = await jet.get_sku("LAMP-1")
        assert sku.merchant_sku == "LAMP-1" and sku.product_title == "Walnut Desk Lamp"
        assert sku.status == "Missing Listing Data" and sku.sub_status == ["Missing price"]
        assert sku.model_extra["jet_browse_node_id"] == 4000001
        await jet.put_price("LAMP-1", Price(price=59.0))
        assert (await jet.get_sku("LAMP-1")).status == "Available for Purchase"
        await jet.put_sku("LAMP-1", Product(brand="Renamed"))  # partial update keeps the title
        sku = await jet.get_sku("LAMP-1")
        assert sku.product_title == "Walnut Desk Lamp" and sku.model_extra["brand"] == "Renamed"


async def test_new_sku_without_title_names_the_field(jet_sandbox):
    async with jet_sandbox.client() as jet:
        with pytest.raises(RecordRejectedError) as info:
            await jet.put_sku("NO-TITLE", Product(brand="x"))
        assert info.value.error_path == "product_title"
        with pytest.raises(RecordNotFoundError):
            await jet.get_sku("NO-TITLE")


async def test_price_with_node_prices(jet_sandbox):
    async with jet_sandbox.client() as jet:
        await jet.put_sku("P-1", Product(product_title="Priced"))
        await jet.put_price(
            "P-1",
            Price(price=30.95, fulfillment_nodes=[
                NodePrice(fulfillment_node_id=NODE_B, fulfillment_node_price=32.5)]),
        )  # fmt: skip
        info = await jet.get_price("P-1")
        assert info.price == 30.95 and info.price_last_update is not None
        assert info.fulfillment_nodes[0].fulfillment_node_price == 32.5
        bad = Price(price=1.0, fulfillment_nodes=[
            NodePrice(fulfillment_node_id="nowhere", fulfillment_node_price=1.0)])  # fmt: skip
        with pytest.raises(RecordRejectedError) as err:
            await jet.put_price("P-1", bad)
        assert err.value.error_path == "fulfillment_nodes[0].fulfillment_node_id"
        with pytest.raises(RecordRejectedError) as err:
            await jet.put_price("P-1", Price(price=0))
        assert err.value.error_path == "price"


async def test_inventory_patch_merges_and_put_replaces(jet_sandbox):
    async with jet_sandbox.client() as jet:
        await jet.put_sku("INV-1", Product(product_title="Stocked"))
        both = Inventory(fulfillment_nodes=[
            NodeQuantity(fulfillment_node_id=NODE_A, quantity=10),
            NodeQuantity(fulfillment_node_id=NODE_B, quantity=4)])  # fmt: skip
        await jet.put_inventory("INV-1", both)
        one = Inventory(fulfillment_nodes=[NodeQuantity(fulfillment_node_id=NODE_A, quantity=7)])
        await jet.patch_inventory("INV-1", one)
        info = await jet.get_inventory("INV-1")
        assert {n.fulfillment_node_id: n.quantity for n in info.fulfillment_nodes} == {
            NODE_A: 7, NODE_B: 4}  # fmt: skip
        assert info.inventory_last_update is not None
        await jet.put_inventory("INV-1", one)
        info = await jet.get_inventory("INV-1")
        assert [(n.fulfillment_node_id, n.quantity) for n in info.fulfillment_nodes] == [
            (NODE_A, 7)
        ]


async def test_archive_and_unarchive(jet_sandbox):
    async with jet_sandbox.client() as jet:
        await jet.put_sku("ARC-1", Product(product_title="Old"))
        await jet.put_price("ARC-1", Price(price=5.0))
        await jet.archive_sku("ARC-1")
        assert (await jet.get_sku("ARC-1")).status == "Archived"
        await jet.archive_sku("ARC-1", archived=False)
        assert (await jet.get_sku("ARC-1")).status == "Available for Purchase"
        with pytest.raises(RecordNotFoundError):
            await jet.archive_sku("NOPE-ARC")


async def test_sku_list_pages(sandbox_factory):
    with sandbox_factory() as sb:
        sb.admin.seed(orders=0, skus=23, seed=1, merchant_id=sb.merchant_id)
        async with sb.client() as jet:
            first = await jet.list_skus(0, 10)
            assert len(first) == 10 and first == sorted(first)
            everything = [s async for s in jet.iter_skus(page_size=10)]
            assert len(everything) == 25  # 23 seeded + the 2 of the fixture catalog
            assert everything[:10] == first
            with pytest.raises(RecordRejectedError) as info:
                await jet.list_skus(0, 1000)
            assert info.value.error_path == "limit"


async def test_fulfillment_nodes(jet_sandbox):
    async with jet_sandbox.client() as jet:
        nodes = await jet.fulfillment_nodes()
    assert {n.jet_fulfillment_node_id for n in nodes} == {NODE_A, NODE_B}
    assert {n.location_name for n in nodes} == {"East", "West"}


async def test_fulfillment_node_urls_and_detail(jet_sandbox):
    import httpx2

    async with jet_sandbox.client() as jet:
        token = (await jet.token()).id_token
    with httpx2.Client(base_url=f"{jet_sandbox.url}/api") as http:
        auth = {"Authorization": f"Bearer {token}"}
        urls = http.get("/fulfillment-nodes", headers=auth).json()["fulfillment_nodes"]
        assert sorted(urls) == [f"/fulfillment-nodes/{NODE_A}", f"/fulfillment-nodes/{NODE_B}"]
        node = http.get(urls[0], headers=auth).json()
        assert node["jet_fulfillment_node_id"] == NODE_A and node["zip_code"] == "12061"
        missing = http.get("/fulfillment-nodes/elsewhere", headers=auth)
        assert missing.status_code == 404 and missing.json()["errors"]
