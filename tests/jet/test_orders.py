"""Jet's order state machine over real HTTP: lists, detail, acknowledge, shipped, cancel, tags."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx2
import pytest

from etail.errors import RecordNotFoundError, RecordRejectedError
from etail.jet import (
    AckItem,
    Acknowledgement,
    Shipment,
    ShipmentItem,
    ShipmentMessage,
)

from .conftest import NODE_A, NODE_B

ORDER_FIELDS = {
    "merchant_order_id", "reference_order_id", "customer_reference_order_id", "alt_order_id",
    "fulfillment_node", "hash_email", "status", "exception_state", "order_placed_date",
    "order_transmission_date", "order_ready_date", "order_acknowledge_date",
    "jet_requested_directed_cancel", "has_shipments", "acknowledgement_status", "order_detail",
    "buyer", "shipping_to", "order_totals", "order_items", "shipments",
}  # fmt: skip
ITEM_FIELDS = {
    "order_item_id", "alt_order_item_id", "merchant_sku", "product_title",
    "request_order_quantity", "request_order_cancel_qty", "adjustment_reason", "item_tax_code",
    "url", "price_adjustment", "item_fees", "tax_info", "fee_adjustments", "regulatory_fees",
    "order_item_acknowledgement_status", "item_price",
}  # fmt: skip


def shipment(sku: str, qty: int, cancel: int = 0, **kw) -> Shipment:
    fields = {"shipment_tracking_number": "1Z999", "carrier": "UPS"} if qty else {}
    fields |= kw
    items = [ShipmentItem(merchant_sku=sku, response_shipment_sku_quantity=qty,
                          response_shipment_cancel_qty=cancel)]  # fmt: skip
    return Shipment(response_shipment_date=datetime.now(UTC), shipment_items=items, **fields)


async def acked(jet, sb, lines=None, alt="SO-1") -> str:
    order_id = sb.order(lines)
    await jet.acknowledge(order_id, Acknowledgement(alt_order_id=alt))
    return order_id


async def test_ready_order_lists_and_detail_has_every_jet_field(jet_sandbox):
    order_id = jet_sandbox.order()
    async with jet_sandbox.client() as jet:
        assert f"/orders/withoutShipmentDetail/{order_id}" in await jet.order_urls("ready")
        order = await jet.order(order_id)
    raw = httpx2.get(
        f"{jet_sandbox.url}/api/orders/withoutShipmentDetail/{order_id}",
        headers={"Authorization": f"bearer {(await _token(jet_sandbox))}"},
    ).json()
    assert ORDER_FIELDS <= set(raw)
    assert ITEM_FIELDS <= set(raw["order_items"][0])
    assert set(raw["order_items"][0]["item_price"]) == {
        "base_price", "item_tax", "item_shipping_cost", "item_shipping_tax"}  # fmt: skip
    assert set(raw["shipping_to"]["address"]) == {
        "address1",
        "address2",
        "city",
        "state",
        "zip_code",
    }
    assert order.status == "ready" and order.order_ready_date is not None
    assert [i.merchant_sku for i in order.order_items] == ["SKU-A", "SKU-B"]
    assert order.order_items[0].item_price.base_price == 24.99  # the catalog price
    assert order.order_totals.item_price.base_price == pytest.approx(2 * 24.99 + 14.5)


async def _token(sb) -> str:
    async with sb.client() as jet:
        return (await jet.token()).id_token


async def test_created_until_the_ready_delay_passes(sandbox_factory):
    with sandbox_factory(ready_delay_s=0.6) as sb:
        order_id = sb.order()
        async with sb.client() as jet:
            assert await jet.order_ids("created") == [order_id]
            assert await jet.order_ids("ready") == []
            assert (await jet.order(order_id)).order_ready_date is None
            with pytest.raises(RecordRejectedError) as info:  # created: not yet acknowledgeable
                await jet.acknowledge(order_id, Acknowledgement())
            assert info.value.error_path == "status"
            await asyncio.sleep(0.7)
            assert await jet.order_ids("ready") == [order_id]
            assert await jet.order_ids("created") == []


async def test_acknowledge_accepted_moves_to_acknowledged_and_echoes_alt_ids(jet_sandbox):
    order_id = jet_sandbox.order()
    async with jet_sandbox.client() as jet:
        order = await jet.order(order_id)
        first = order.order_items[0].order_item_id
        ack = Acknowledgement(
            alt_order_id="SO-1001",
            order_items=[AckItem(order_item_id=first, alt_order_item_id="1")],
        )
        await jet.acknowledge(order_id, ack)
        order = await jet.order(order_id)
        assert order.status == "acknowledged"
        assert order.alt_order_id == "SO-1001"
        assert order.acknowledgement_status == "accepted"
        assert order.order_acknowledge_date is not None
        assert order.order_items[0].alt_order_item_id == "1"
        assert {i.order_item_acknowledgement_status for i in order.order_items} == {"fulfillable"}
        assert order_id not in await jet.order_ids("ready")
        assert order_id in await jet.order_ids("acknowledged")
        with pytest.raises(RecordRejectedError) as info:  # acknowledged twice: illegal
            await jet.acknowledge(order_id, Acknowledgement())
        assert "acknowledged" in str(info.value) and info.value.status == 400


async def test_rejection_completes_the_order_in_the_rejected_exception_state(jet_sandbox):
    order_id = jet_sandbox.order()
    async with jet_sandbox.client() as jet:
        await jet.acknowledge(order_id, Acknowledgement(acknowledgement_status="rejected - fraud"))
        order = await jet.order(order_id)
        assert order.status == "complete"
        assert order.exception_state == "exception - order rejected"
        with pytest.raises(RecordRejectedError):  # complete takes no shipments
            await jet.ship(order_id, ShipmentMessage(shipments=[shipment("SKU-A", 1)]))


async def test_acknowledge_with_a_foreign_item_names_the_field(jet_sandbox):
    order_id = jet_sandbox.order()
    async with jet_sandbox.client() as jet:
        ack = Acknowledgement(order_items=[AckItem(order_item_id="nope")])
        with pytest.raises(RecordRejectedError) as info:
            await jet.acknowledge(order_id, ack)
        assert info.value.error_path == "order_items[0].order_item_id"
        assert (await jet.order(order_id)).status == "ready"  # nothing changed


async def test_bad_enumeration_is_400_naming_the_field(jet_sandbox):
    order_id = jet_sandbox.order()
    token = await _token(jet_sandbox)
    resp = httpx2.put(
        f"{jet_sandbox.url}/api/orders/{order_id}/acknowledge",
        json={"acknowledgement_status": "maybe"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 400
    assert resp.json()["errors"][0].startswith("acknowledgement_status:")


async def test_ship_before_acknowledge_is_illegal(jet_sandbox):
    order_id = jet_sandbox.order()
    async with jet_sandbox.client() as jet:
        with pytest.raises(RecordRejectedError, match="acknowledge it"):
            await jet.ship(order_id, ShipmentMessage(shipments=[shipment("SKU-A", 1)]))


async def test_partial_then_full_shipment_goes_inprogress_then_complete(jet_sandbox):
    async with jet_sandbox.client() as jet:
        order_id = await acked(jet, jet_sandbox)
        await jet.ship(order_id, ShipmentMessage(shipments=[shipment("SKU-A", 1)]))
        order = await jet.order(order_id)
        assert order.status == "inprogress" and order.has_shipments
        assert order_id in await jet.order_ids("inprogress")
        rest = ShipmentMessage(shipments=[shipment("SKU-A", 1), shipment("SKU-B", 1)])
        await jet.ship(order_id, rest)
        order = await jet.order(order_id)
        assert order.status == "complete" and order.exception_state is None
        assert len(order.shipments) == 3  # shipped messages accumulate
        assert all(s.shipment_id for s in order.shipments)
        assert order_id in await jet.order_ids("complete")
        with pytest.raises(RecordRejectedError, match="complete"):
            await jet.ship(order_id, ShipmentMessage(shipments=[shipment("SKU-A", 1)]))


async def test_cancel_through_shipped_message_completes_the_order(jet_sandbox):
    async with jet_sandbox.client() as jet:
        order_id = await acked(jet, jet_sandbox)
        await jet.ship(order_id, ShipmentMessage(shipments=[shipment("SKU-A", 1)]))
        await jet.cancel(await jet.order(order_id), alt_shipment_id="cancel-1")
        order = await jet.order(order_id)
        assert order.status == "complete" and order.exception_state is None
        last = order.shipments[-1]
        assert last.alt_shipment_id == "cancel-1"
        assert {(i.merchant_sku, i.response_shipment_cancel_qty) for i in last.shipment_items} == {
            ("SKU-A", 1), ("SKU-B", 1)}  # fmt: skip


async def test_cancel_only_shipment_needs_alt_shipment_id(jet_sandbox):
    async with jet_sandbox.client() as jet:
        order_id = await acked(jet, jet_sandbox)
        with pytest.raises(RecordRejectedError) as info:
            await jet.ship(order_id, ShipmentMessage(shipments=[shipment("SKU-A", 0, cancel=1)]))
        assert info.value.error_path == "shipments[0].alt_shipment_id"


@pytest.mark.parametrize(
    "ship_qty, cancel_qty, state",
    [(3, 0, "exception - too many units shipped"), (0, 3, "exception - too many units cancelled")],
)
async def test_too_many_units_put_the_order_in_an_exception_state(
    jet_sandbox, ship_qty, cancel_qty, state
):
    async with jet_sandbox.client() as jet:
        order_id = await acked(jet, jet_sandbox, lines=[("SKU-A", 2)])
        extra = {"alt_shipment_id": "x"} if not ship_qty else {}
        message = ShipmentMessage(shipments=[shipment("SKU-A", ship_qty, cancel_qty, **extra)])
        await jet.ship(order_id, message)
        order = await jet.order(order_id)
        assert order.exception_state == state
        assert order.status == "complete"


@pytest.mark.parametrize(
    "bad, path",
    [
        ({"merchant_sku": "NOT-ON-ORDER"}, "shipments[0].shipment_items[0].merchant_sku"),
        ({"carrier": None}, "shipments[0].carrier"),
        ({"quantity": 0}, "shipments[0].shipment_items[0].response_shipment_sku_quantity"),
    ],
)
async def test_bad_shipped_messages_name_the_field(jet_sandbox, bad, path):
    async with jet_sandbox.client() as jet:
        order_id = await acked(jet, jet_sandbox)
        sku = bad.get("merchant_sku", "SKU-A")
        ship = shipment(sku, bad.get("quantity", 1))
        if "carrier" in bad:
            ship = ship.model_copy(update={"carrier": None})
        with pytest.raises(RecordRejectedError) as info:
            await jet.ship(order_id, ShipmentMessage(shipments=[ship]))
        assert info.value.error_path == path
        assert (await jet.order(order_id)).status == "acknowledged"


async def test_unknown_carrier_and_bad_date_are_400(jet_sandbox):
    async with jet_sandbox.client() as jet:
        order_id = await acked(jet, jet_sandbox)
        token = (await jet.token()).id_token
    line = {"merchant_sku": "SKU-A", "response_shipment_sku_quantity": 1}
    base = {"shipment_tracking_number": "1Z", "carrier": "UPS", "shipment_items": [line]}
    changes = [
        ({"carrier": "Pony Express"}, "carrier"),
        ({"response_shipment_date": "yesterday"}, "response_shipment_date"),
    ]
    for change, field in changes:
        resp = httpx2.put(
            f"{jet_sandbox.url}/api/orders/{order_id}/shipped",
            json={"shipments": [base | change]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert resp.status_code == 400
        assert resp.json()["errors"][0].startswith(f"shipments[0].{field}:")


async def test_filters_by_fulfillment_node_and_directed_cancel(jet_sandbox):
    east = jet_sandbox.order(fulfillment_node=NODE_A)
    west = jet_sandbox.order(fulfillment_node=NODE_B)
    jet_sandbox.admin.request_cancel(west)
    async with jet_sandbox.client() as jet:
        east_ids = await jet.order_ids("ready", fulfillment_node=NODE_A)
        assert east in east_ids and west not in east_ids
        cancelled = await jet.order_ids("ready", is_cancelled=True)
        assert west in cancelled and east not in cancelled
        assert west not in await jet.order_ids("ready", is_cancelled=False)
        asked = await jet.order(west)
        assert asked.jet_requested_directed_cancel is True
        items = asked.order_items
        assert all(i.request_order_cancel_qty == i.request_order_quantity for i in items)
        directed = await jet.directed_cancel_ids()
        assert west in directed and east not in directed
        await jet.acknowledge(west, Acknowledgement())
        await jet.cancel(await jet.order(west), alt_shipment_id="jet-asked")
        assert west not in await jet.directed_cancel_ids()  # complete: no longer open


async def test_tags_split_orders_into_with_and_without(jet_sandbox):
    tagged, plain = jet_sandbox.order(), jet_sandbox.order()
    async with jet_sandbox.client() as jet:
        await jet.tag(tagged, "ns_imported")
        with_tag = await jet.orders_by_tag("ready", "ns_imported", include=True)
        without = await jet.orders_by_tag("ready", "ns_imported", include=False)
        assert tagged in with_tag and plain not in with_tag
        assert plain in without and tagged not in without
        with pytest.raises(RecordNotFoundError):
            await jet.tag("no-such-order", "x")


async def test_unknown_status_and_bad_flag_are_400(jet_sandbox):
    async with jet_sandbox.client() as jet:
        with pytest.raises(RecordRejectedError) as info:
            await jet.order_urls("shipped")
        assert info.value.error_path == "status"
        token = (await jet.token()).id_token
    resp = httpx2.get(
        f"{jet_sandbox.url}/api/orders/ready/t/maybe", headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status_code == 400 and resp.json()["errors"][0].startswith("include:")


async def test_missing_order_is_not_found_and_merchants_are_isolated(jet_sandbox):
    other = jet_sandbox.admin.create_merchant("Other merchant")
    order_id = jet_sandbox.order()
    from etail.jet import JetClient

    key = other["test_key"]
    async with JetClient(jet_sandbox.url, key["api_user"], key["secret"]) as jet:
        with pytest.raises(RecordNotFoundError):
            await jet.order(order_id)
        assert order_id not in await jet.order_ids("ready")
    async with jet_sandbox.client() as jet:
        with pytest.raises(RecordNotFoundError, match="404"):
            await jet.order("0" * 32)


async def test_list_is_capped_at_1000(sandbox_factory):
    with sandbox_factory() as sb:
        sb.admin.seed(orders=1100, skus=20, seed=3, merchant_id=sb.merchant_id)
        async with sb.client() as jet:
            assert len(await jet.order_urls("ready")) == 1000
