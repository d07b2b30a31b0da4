"""The order page in a real browser: tabs by status, lines, acknowledgement, shipments."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from etail.jet import Acknowledgement, Shipment, ShipmentItem, ShipmentMessage

CHROMIUM = os.environ.get("ETAIL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]  # fmt: skip


async def _ack_and_ship(sandbox, order_id: str) -> None:
    async with sandbox.client() as jet:
        await jet.acknowledge(order_id, Acknowledgement(alt_order_id="SO-PAGE"))
        item = ShipmentItem(merchant_sku="SKU-A", response_shipment_sku_quantity=1)
        ship = Shipment(shipment_tracking_number="1ZPAGE", carrier="UPS", shipment_items=[item])
        await jet.ship(order_id, ShipmentMessage(shipments=[ship]))


@pytest.fixture
def page_browser():
    """A Chromium of our own, closed after the test: the shared session ``browser`` keeps
    Playwright's event loop on the main thread, which breaks the async tests that run after it."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.e2e
def test_watching_an_order_move_through_the_tabs(jet_sandbox, page_browser):
    browser = page_browser
    order_id = jet_sandbox.order([("SKU-A", 1)], buyer_name="Page Watcher")
    # Playwright's sync API keeps an event loop on this thread: run our client on another one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _ack_and_ship(jet_sandbox, order_id)).result()
    page = browser.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{jet_sandbox.url}/?merchant_id={jet_sandbox.merchant_id}")
        page.get_by_role("navigation", name="Order status").get_by_role(
            "link", name="complete"
        ).click()
        card = page.locator("article", has_text=order_id)
        card.wait_for()
        assert "Page Watcher" in card.inner_text()
        assert "accepted" in card.inner_text() and "SO-PAGE" in card.inner_text()
        assert "1ZPAGE" in card.locator("table").nth(1).inner_text()
        assert "Bamboo Cutting Board" in card.locator("table").first.inner_text()
    finally:
        page.close()
