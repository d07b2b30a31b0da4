"""The admin API (key check, merchants, catalog) and the watch page."""

from __future__ import annotations

import stat

import httpx2
import pytest

from etail.errors import CredentialsError, RecordRejectedError
from etail.sandbox.jet.adminclient import JetAdminClient


def test_admin_key_file_is_private_and_required(jet_sandbox):
    key_file = jet_sandbox.data_dir / "jet-admin.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    for headers in ({}, {"X-Sandbox-Admin-Key": "wrong"}):
        resp = httpx2.get(f"{jet_sandbox.url}/admin/merchants", headers=headers)
        assert resp.status_code == 401 and resp.json()["errors"]
    with JetAdminClient(jet_sandbox.url, "wrong-key") as admin:
        with pytest.raises(CredentialsError) as info:
            admin.merchants()
    assert "wrong-key" not in str(info.value) and "******" in repr(admin)


def test_merchant_list_masks_secrets(jet_sandbox):
    listed = {m["merchant_id"]: m for m in jet_sandbox.admin.merchants()}
    mine = listed[jet_sandbox.merchant_id]
    assert {k["secret"] for k in mine["keys"]} == {"******"}
    assert {k["kind"] for k in mine["keys"]} == {"test", "live"}
    assert jet_sandbox.secret not in str(listed)


async def test_live_key_works_too(jet_sandbox):
    from etail.jet import JetClient

    live = jet_sandbox.merchant["live_key"]
    async with JetClient(jet_sandbox.url, live["api_user"], live["secret"]) as jet:
        assert await jet.authcheck()


def test_duplicate_merchant_and_short_secret_are_refused(jet_sandbox):
    with pytest.raises(RecordRejectedError, match="merchant_id"):
        jet_sandbox.admin.create_merchant("Again", merchant_id=jet_sandbox.merchant_id)
    with pytest.raises(RecordRejectedError, match="secret"):
        jet_sandbox.admin.create_merchant("Short", secret="short")


def test_catalog_endpoint_matches_seed(sandbox_factory):
    with sandbox_factory() as sb:
        report = sb.admin.seed(orders=10, skus=5, seed=4, merchant_id="demo-merchant")
        assert report["new_merchant"]["test_key"]["secret"]  # shown once, to the caller
        items = sb.admin.catalog("demo-merchant")
        assert [i["merchant_sku"] for i in items] == [f"JS-{n:06d}" for n in range(1, 6)]
        assert all(i["price"] > 0 and i["quantities"] for i in items)


def test_runway_order_for_unknown_sku_needs_a_price(jet_sandbox):
    with pytest.raises(RecordRejectedError, match=r"lines\[0\].price"):
        jet_sandbox.admin.create_order(jet_sandbox.merchant_id, [{"merchant_sku": "NEW-1"}])


def test_order_page_shows_orders_lines_and_acknowledgement(jet_sandbox):
    order_id = jet_sandbox.order()
    page = httpx2.get(f"{jet_sandbox.url}/", params={"status": "ready"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert order_id in page.text and "Bamboo Cutting Board" in page.text
    assert "Acknowledgement" in page.text and jet_sandbox.secret not in page.text
    counts = jet_sandbox.admin.orders(merchant_id=jet_sandbox.merchant_id)["counts"]
    assert counts["ready"] >= 1
