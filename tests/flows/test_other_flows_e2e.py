"""Fulfillments, cancellations both ways, inventory, prices and returns, end to end over HTTP."""

from __future__ import annotations

from typing import Any

from etail.connectors import flowspecs as F
from etail.engine.jobs import JobStatus

from .helpers import Env


def imported_order(env: Env, lines: list[tuple[int, int]]) -> str:
    """A Jet order of (catalog index, quantity) lines, imported and acknowledged."""
    skus = env.catalog_skus()
    oid = env.world.jet_admin.create_order(
        env.world.merchant_id, [{"merchant_sku": skus[i], "quantity": q} for i, q in lines]
    )
    job = env.run(F.ORDERS, keys=[oid])
    assert job.counters.success == 1, env.open_errors(F.ORDERS)
    return oid


def fulfil(env: Env, oid: str, lines: list[dict[str, Any]] | None, tracking: str | None) -> str:
    so = env.sales_order(oid)
    body: dict[str, Any] = {"shipMethod": {"refName": "UPS Ground"}}
    if lines is not None:
        body["item"] = {"items": lines}
    if tracking:
        body["package"] = {"items": [{"packageTrackingNumber": tracking}]}

    async def transform(ns: Any) -> str:
        return await ns.transform("salesOrder", so["id"], "itemFulfillment", body)

    return str(env.ns(transform))


def shipments(env: Env, oid: str, alt_id: str) -> list[dict[str, Any]]:
    return [
        s for s in env.jet_order(oid).get("shipments", []) if s.get("alt_shipment_id") == alt_id
    ]


def test_fulfillments_become_jet_shipments_once_partial_then_rest(env: Env) -> None:
    oid = imported_order(env, [(0, 2), (1, 1)])
    first = fulfil(env, oid, [{"orderLine": 1, "quantity": 1}], "1ZPARTIAL0001")
    no_tracking = fulfil(env, oid, [{"orderLine": 2, "quantity": 1}], None)
    job = env.run(F.FULFILLMENTS)
    assert job.status is JobStatus.COMPLETED and job.counters.errors == 0
    sent = shipments(env, oid, f"ns-if-{first}")
    assert len(sent) == 1
    assert sent[0]["carrier"] == "UPS" and sent[0]["shipment_tracking_number"] == "1ZPARTIAL0001"
    sku0 = env.catalog_skus()[0]
    assert [
        (i["merchant_sku"], i["response_shipment_sku_quantity"]) for i in sent[0]["shipment_items"]
    ] == [(sku0, 1)]
    assert shipments(env, oid, f"ns-if-{no_tracking}") == []  # waits for its tracking number
    assert env.jet_order(oid)["status"] == "inprogress"
    # Again: nothing is sent twice.
    env.run(F.FULFILLMENTS)
    assert len(shipments(env, oid, f"ns-if-{first}")) == 1
    # The rest of the order ships: the Jet order is complete.
    rest = fulfil(env, oid, [{"orderLine": 1, "quantity": 1}], "1ZREST0002")

    async def add_tracking(ns: Any) -> None:
        await ns.update(
            "itemFulfillment",
            no_tracking,
            {"package": {"items": [{"packageTrackingNumber": "1ZLATE0003"}]}},
        )

    env.ns(add_tracking)
    env.run(F.FULFILLMENTS)
    assert len(shipments(env, oid, f"ns-if-{rest}")) == 1
    assert len(shipments(env, oid, f"ns-if-{no_tracking}")) == 1
    assert env.jet_order(oid)["status"] == "complete"


def test_jet_requested_cancel_closes_netsuite_lines_and_tells_jet(env: Env) -> None:
    oid = imported_order(env, [(2, 1), (3, 2)])
    env.world.jet_admin.request_cancel(oid)
    job = env.run(F.JET_CANCELS)
    assert job.status is JobStatus.COMPLETED and job.counters.errors == 0
    lines = env.sales_order(oid)["item"]["items"]
    assert all(line["isClosed"] for line in lines)
    order = env.jet_order(oid)
    cancelled = {i["merchant_sku"]: i["response_shipment_cancel_qty"]
                 for s in order["shipments"] for i in s["shipment_items"]}  # fmt: skip
    skus = env.catalog_skus()
    assert cancelled == {skus[2]: 1, skus[3]: 2}
    assert order["status"] == "complete"
    env.run(F.JET_CANCELS)
    env.run(F.NETSUITE_CANCELS)  # the closed lines are already cancelled in Jet: nothing more
    assert len(env.jet_order(oid)["shipments"]) == 1


def test_lines_closed_in_netsuite_are_cancelled_in_jet_once(env: Env) -> None:
    oid = imported_order(env, [(4, 1), (5, 3)])
    so = env.sales_order(oid)

    async def close_line_2(ns: Any) -> None:
        await ns.update(
            "salesOrder", so["id"], {"item": {"items": [{"line": 2, "isClosed": True}]}}
        )

    env.ns(close_line_2)
    job = env.run(F.NETSUITE_CANCELS)
    assert job.status is JobStatus.COMPLETED and job.counters.errors == 0
    order = env.jet_order(oid)
    items = [i for s in order["shipments"] for i in s["shipment_items"]]
    assert [(i["merchant_sku"], i["response_shipment_cancel_qty"]) for i in items] == [
        (env.catalog_skus()[5], 3)
    ]
    env.run(F.NETSUITE_CANCELS)
    assert len(env.jet_order(oid)["shipments"]) == 1


def jet_inventory(env: Env, sku: str) -> dict[str, int]:
    assert env.services.io is not None and env.services.clients is not None
    jet = env.services.clients.jet()

    async def get() -> Any:
        return await jet.client.get_inventory(sku)  # type: ignore[attr-defined]

    got = env.services.io.run(get())
    return {n.fulfillment_node_id: n.quantity for n in got.fulfillment_nodes}


def test_inventory_per_node_only_what_changed_and_prices(env: Env) -> None:
    first = env.run(F.INVENTORY)
    assert first.status is JobStatus.COMPLETED and first.counters.errors == 0
    sku = env.catalog_skus()[6]

    async def item(ns: Any) -> dict[str, Any]:
        return await ns.get("inventoryItem", f"eid:{sku}", expand=True)

    ns_item = env.ns(item)
    expected = {
        node: int(next(x["quantityAvailable"] for x in ns_item["locations"]["items"]
                       if str(x["location"]["id"]) == loc))
        for node, loc in {"etail-node-main": "1", "etail-node-east": "2"}.items()
    }  # fmt: skip
    assert jet_inventory(env, sku) == expected

    # One item changes in NetSuite: only it is sent again.
    async def restock(ns: Any) -> None:
        await ns.update(
            "inventoryItem",
            ns_item["id"],
            {"locations": {"items": [{"location": {"id": "1"}, "quantityOnHand": 777}]}},
        )

    env.ns(restock)
    second = env.run(F.INVENTORY)
    assert second.counters.success == 1
    assert jet_inventory(env, sku)["etail-node-main"] == 777
    # Prices.
    prices = env.run(F.PRICES)
    assert prices.status is JobStatus.COMPLETED and prices.counters.errors == 0
    jet = env.services.clients.jet()  # type: ignore[union-attr]

    async def price() -> Any:
        return await jet.client.get_price(sku)  # type: ignore[attr-defined]

    assert env.services.io.run(price()).price == round(float(ns_item["basePrice"]), 2)  # type: ignore[union-attr]


def test_jet_return_becomes_rma_and_refund_then_completed_in_jet(env: Env) -> None:
    oid = imported_order(env, [(7, 2)])
    fulfil(env, oid, None, "1ZRETURN0001")
    env.run(F.FULFILLMENTS)
    item_id = env.jet_order(oid)["order_items"][0]["order_item_id"]
    return_id = env.world.jet_admin.open_return(oid, [{"order_item_id": item_id, "quantity": 1}])
    job = env.run(F.RETURNS, keys=[return_id])
    assert job.status is JobStatus.COMPLETED and job.counters.errors == 0, env.open_errors(
        F.RETURNS
    )

    async def records(ns: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        rma = await ns.get("returnAuthorization", f"eid:jet-return-{return_id}", expand=True)
        refund = await ns.get("customerRefund", f"eid:jet-refund-{return_id}")
        return rma, refund

    rma, refund = env.ns(records)
    so = env.sales_order(oid)
    assert str(rma["createdFrom"]["id"]) == str(so["id"])
    assert rma["item"]["items"][0]["quantity"] == 1
    assert refund["total"] > 0
    jet = env.services.clients.jet()  # type: ignore[union-attr]
    assert (
        env.services.io.run(jet.return_detail(return_id))["return_status"]
        == "completed by merchant"
    )  # type: ignore[union-attr]
    # Not listed again, and asked for by id it is left alone.
    assert return_id not in env.services.io.run(jet.return_ids("created"))  # type: ignore[union-attr]
    again = env.run(F.RETURNS, keys=[return_id])
    assert again.counters.ignored == 1 and again.counters.errors == 0


def test_returns_of_orders_from_before_go_live_are_ignored_with_a_reason(env: Env) -> None:
    # The seed's returns belong to orders acknowledged by an earlier system ("HIST-...").
    report = env.world.jet_admin.seed(
        orders=200, skus=12, seed=404, merchant_id=env.world.merchant_id
    )
    assert report["returns"] > 0
    job = env.run(F.RETURNS)
    assert job.counters.exported >= 1 and job.counters.errors == 0
    assert job.counters.ignored == job.counters.exported
