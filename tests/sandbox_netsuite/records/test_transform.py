"""!transform: sales order -> item fulfillment (full, partial, over-shipping) and -> cash sale."""

from __future__ import annotations

from .conftest import Records

R = "/services/rest/record/v1"


def order(records: Records, *quantities: float) -> tuple[str, str]:
    cust = records.create("customer", {"companyName": "Acme"})
    item = records.create("inventoryItem", {"itemId": "SKU", "basePrice": 10})
    lines = [{"item": {"id": item}, "quantity": q} for q in quantities]
    so = records.create(
        "salesOrder",
        {
            "entity": {"id": cust},
            "location": {"id": "2"},
            "shipMethod": {"refName": "UPS Ground"},
            "item": {"items": lines},
        },
    )
    return so, item


def transform(records: Records, so: str, target: str, body: object = None):  # type: ignore[no-untyped-def]
    url = f"{R}/salesOrder/{so}/!transform/{target}"
    return records.http.post(url, json=body) if body is not None else records.http.post(url)


def so_lines(records: Records, so: str) -> list[tuple[float, float]]:
    lines = records.get("salesOrder", so, expandSubResources="true")["item"]["items"]
    return [(x["quantityFulfilled"], x["quantityBilled"]) for x in lines]


def test_transform_without_body_fulfils_every_open_line(records: Records) -> None:
    so, item = order(records, 2, 1)
    r = transform(records, so, "itemFulfillment")
    assert r.status_code == 204
    assert "/itemFulfillment/" in r.headers["location"]
    ful = records.get(
        "itemFulfillment", r.headers["location"].rsplit("/", 1)[1], expandSubResources="true"
    )
    assert ful["createdFrom"]["id"] == so and ful["createdFrom"]["refName"].startswith(
        "Sales Order #SO"
    )
    assert ful["tranId"].startswith("IF") and ful["shipStatus"]["id"] == "C"
    assert ful["shipMethod"] == {"id": "UPS Ground", "refName": "UPS Ground"}
    assert [
        (x["orderLine"], x["quantity"], x["item"]["id"], x["location"]["id"])
        for x in ful["item"]["items"]
    ] == [
        (1, 2, item, "2"),
        (2, 1, item, "2"),
    ]
    assert so_lines(records, so) == [(2, 0), (1, 0)]
    assert records.get("salesOrder", so)["status"]["refName"] == "Pending Billing"
    again = transform(records, so, "itemFulfillment")
    assert (
        again.status_code == 400
        and again.json()["o:errorDetails"][0]["o:errorCode"] == "USER_ERROR"
    )


def test_partial_fulfilment_with_tracking_and_over_shipping_refused(records: Records) -> None:
    so, _ = order(records, 5)
    body = {
        "externalId": "SHIP-1",
        "shipCarrier": {"id": "nonups"},
        "item": {"items": [{"orderLine": 1, "quantity": 2}]},
        "package": {
            "items": [{"packageTrackingNumber": "9400111"}, {"packageTrackingNumber": "9400222"}]
        },
    }
    r = transform(records, so, "itemFulfillment", body)
    assert r.status_code == 204, r.text
    ful = records.get("itemFulfillment", "eid:SHIP-1")
    assert ful["linkedTrackingNumbers"] == "9400111 9400222"
    assert ful["shipCarrier"] == {"id": "nonups", "refName": "FedEx/USPS/More"}
    assert records.get("salesOrder", so)["status"]["refName"] == "Partially Fulfilled"
    over = transform(
        records, so, "itemFulfillment", {"item": {"items": [{"orderLine": 1, "quantity": 4}]}}
    )
    assert over.status_code == 400
    assert over.json()["o:errorDetails"][0]["o:errorPath"] == "item.items[0].quantity"
    wrong = transform(records, so, "itemFulfillment", {"item": {"items": [{"orderLine": 7}]}})
    assert wrong.json()["o:errorDetails"][0]["o:errorPath"] == "item.items[0].orderLine"
    rest = transform(records, so, "itemFulfillment")
    assert rest.status_code == 204 and so_lines(records, so) == [(5, 0)]


def test_deleting_a_fulfilment_reopens_the_order(records: Records) -> None:
    so, _ = order(records, 1)
    loc = transform(records, so, "itemFulfillment").headers["location"]
    assert records.http.delete(f"{R}/salesOrder/{so}").status_code == 400  # has dependents
    assert records.http.delete(loc).status_code == 204
    assert so_lines(records, so) == [(0, 0)]
    assert records.get("salesOrder", so)["status"]["id"] == "B"


def test_closed_lines_are_not_fulfilled(records: Records) -> None:
    so, _ = order(records, 1, 1)
    records.http.patch(
        f"{R}/salesOrder/{so}", json={"item": {"items": [{"line": 1, "isClosed": True}]}}
    )
    loc = transform(records, so, "itemFulfillment").headers["location"]
    ful = records.get("itemFulfillment", loc.rsplit("/", 1)[1], expandSubResources="true")
    assert [x["orderLine"] for x in ful["item"]["items"]] == [2]
    records.http.patch(
        f"{R}/salesOrder/{so}", json={"item": {"items": [{"line": 2, "isClosed": True}]}}
    )
    assert records.get("salesOrder", so)["status"]["refName"] == "Closed"


def test_transform_to_cash_sale_bills_the_order(records: Records) -> None:
    so, item = order(records, 3)
    r = transform(records, so, "cashSale", {"paymentMethod": {"refName": "Jet"}})
    assert r.status_code == 204, r.text
    sale = records.get(
        "cashSale", r.headers["location"].rsplit("/", 1)[1], expandSubResources="true"
    )
    assert sale["entity"]["refName"] == "Acme" and sale["total"] == 30
    assert sale["item"]["items"][0]["item"]["id"] == item
    assert so_lines(records, so) == [(0, 3)]
    assert transform(records, so, "cashSale").status_code == 400  # nothing left to bill


def test_unsupported_transforms_and_bodies(records: Records) -> None:
    so, _ = order(records, 1)
    cust = records.get("salesOrder", so)["entity"]["id"]
    assert transform(records, so, "customerRefund").status_code == 400
    assert records.http.post(f"{R}/customer/{cust}/!transform/itemFulfillment").status_code == 400
    assert transform(records, so, "itemFulfillment", [1, 2]).status_code == 400
    assert records.http.post(f"{R}/salesOrder/99999/!transform/itemFulfillment").status_code == 404


def test_return_authorization_and_customer_refund(records: Records) -> None:
    so, item = order(records, 1)
    cust = records.get("salesOrder", so)["entity"]["id"]
    rma = records.create(
        "returnAuthorization",
        {
            "entity": {"id": cust},
            "createdFrom": {"id": so},
            "item": {"items": [{"item": {"id": item}, "quantity": 1}]},
        },
    )
    shown = records.get("returnAuthorization", rma)
    assert (
        shown["tranId"].startswith("RMA") and shown["orderStatus"]["refName"] == "Pending Receipt"
    )
    assert shown["createdFrom"]["links"][0]["href"].endswith(f"/salesOrder/{so}")
    refund = records.create(
        "customerRefund", {"customer": {"id": cust}, "total": 10, "createdFrom": {"id": rma}}
    )
    assert records.get("customerRefund", refund)["createdFrom"]["refName"].startswith(
        "Return Authorization #"
    )
    bad = records.http.post(f"{R}/customerRefund", json={"customer": {"id": cust}, "total": 0})
    assert bad.json()["o:errorDetails"][0]["o:errorPath"] == "total"
