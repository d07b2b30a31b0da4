"""Returns and refunds (celigo-jet.md §3.3)."""

from __future__ import annotations

import pytest

from etail.errors import RecordNotFoundError, RecordRejectedError
from etail.jet import (
    Acknowledgement,
    RefundAmount,
    RefundItem,
    RefundRequest,
    ReturnCompletion,
    ReturnItem,
    Shipment,
    ShipmentItem,
    ShipmentMessage,
)


async def shipped_order(jet, sb) -> str:
    order_id = sb.order([("SKU-A", 2)])
    await jet.acknowledge(order_id, Acknowledgement(alt_order_id="SO-9"))
    items = [ShipmentItem(merchant_sku="SKU-A", response_shipment_sku_quantity=2)]
    ship = Shipment(shipment_tracking_number="1Z1", carrier="UPS", shipment_items=items)
    await jet.ship(order_id, ShipmentMessage(shipments=[ship]))
    return order_id


def completion(order_id: str, item_id: str, qty: int = 1) -> ReturnCompletion:
    return ReturnCompletion(
        merchant_order_id=order_id,
        agree_to_return_charge=True,
        items=[ReturnItem(order_item_id=item_id, total_quantity_returned=qty,
                          order_return_refund_qty=qty,
                          refund_amount=RefundAmount(principal=24.99, tax=2.0))],
    )  # fmt: skip


async def test_return_lifecycle(jet_sandbox):
    async with jet_sandbox.client() as jet:
        order_id = await shipped_order(jet, jet_sandbox)
        order = await jet.order(order_id)
        item_id = order.order_items[0].order_item_id
        return_id = jet_sandbox.admin.open_return(
            order_id, [{"order_item_id": item_id, "quantity": 1, "reason": "Unwanted gift"}]
        )
        assert return_id in await jet.returns("created")
        detail = await jet.return_detail(return_id)
        assert detail.return_status == "created" and detail.merchant_order_id == order_id
        assert detail.alt_order_id == "SO-9"
        line = detail.return_merchant_SKUs[0]
        assert (line.merchant_sku, line.return_quantity, line.reason) == (
            "SKU-A",
            1,
            "Unwanted gift",
        )
        with pytest.raises(RecordRejectedError) as info:
            await jet.complete_return(return_id, completion("another-order", item_id))
        assert info.value.error_path == "merchant_order_id"
        with pytest.raises(RecordRejectedError) as info:
            await jet.complete_return(return_id, completion(order_id, item_id, qty=2))
        assert info.value.error_path == "items[0].order_return_refund_qty"
        await jet.complete_return(return_id, completion(order_id, item_id))
        assert return_id in await jet.returns("completed by merchant")
        assert return_id not in await jet.returns("created")
        done = await jet.return_detail(return_id)
        assert done.return_status == "completed by merchant" and done.completed_date is not None
        with pytest.raises(RecordRejectedError, match="already completed"):
            await jet.complete_return(return_id, completion(order_id, item_id))
        with pytest.raises(RecordNotFoundError):
            await jet.return_detail("f" * 32)


async def test_seeded_returns_are_listed(sandbox_factory):
    with sandbox_factory() as sb:
        report = sb.admin.seed(orders=200, skus=10, seed=5, merchant_id=sb.merchant_id)
        async with sb.client() as jet:
            ids = await jet.returns("created")
            assert len(ids) == report["returns"] > 0
            detail = await jet.return_detail(ids[0])
            order = await jet.order(detail.merchant_order_id)
            assert order.status == "complete" and order.has_shipments


def refund(item_id: str, qty: int = 1, principal: float = 24.99) -> RefundRequest:
    return RefundRequest(items=[RefundItem(
        order_item_id=item_id, total_quantity_returned=qty, order_return_refund_qty=qty,
        refund_reason="No longer want this item", refund_feedback="Item damaged",
        refund_amount=RefundAmount(principal=principal))])  # fmt: skip


async def test_refund_lifecycle_and_idempotent_create(jet_sandbox):
    async with jet_sandbox.client() as jet:
        order_id = await shipped_order(jet, jet_sandbox)
        item_id = (await jet.order(order_id)).order_items[0].order_item_id
        refund_id = await jet.create_refund(order_id, "RF-1", refund(item_id))
        assert await jet.create_refund(order_id, "RF-1", refund(item_id)) == refund_id
        with pytest.raises(RecordRejectedError) as info:
            await jet.create_refund(order_id, "RF-1", refund(item_id, principal=1.0))
        assert info.value.error_path == "alt_refund_id"
        assert refund_id in await jet.refunds("created")
        state = await jet.refund_state(refund_id)
        assert (state.refund_status, state.alt_refund_id, state.alt_order_id) == (
            "created", "RF-1", "SO-9")  # fmt: skip
        jet_sandbox.admin.set_refund_status(refund_id, "accepted")
        assert refund_id in await jet.refunds("accepted")
        jet_sandbox.admin.set_refund_status(refund_id, "rejected - customer card not valid")
        assert refund_id in await jet.refunds("rejected")
        assert (await jet.refund_state(refund_id)).refund_status.startswith("rejected")


async def test_refund_errors_name_the_field(jet_sandbox):
    async with jet_sandbox.client() as jet:
        order_id = await shipped_order(jet, jet_sandbox)
        item_id = (await jet.order(order_id)).order_items[0].order_item_id
        with pytest.raises(RecordRejectedError) as info:
            await jet.create_refund(order_id, "RF-X", refund("not-an-item"))
        assert info.value.error_path == "items[0].order_item_id"
        with pytest.raises(RecordRejectedError) as info:
            await jet.create_refund(order_id, "RF-Y", refund(item_id, qty=3))
        assert info.value.error_path == "items[0].order_return_refund_qty"
        with pytest.raises(RecordNotFoundError):
            await jet.create_refund("0" * 32, "RF-Z", refund(item_id))
        with pytest.raises(RecordRejectedError) as info:
            await jet.refunds("lost")
        assert info.value.error_path == "status"
