"""REST records over real HTTP: create, get, PATCH, eid upsert, delete, sub-resources."""

from __future__ import annotations

import time

from .conftest import Records

R = "/services/rest/record/v1"


def seed(records: Records) -> dict[str, str]:
    cust = records.create(
        "customer", {"companyName": "Acme", "email": "a@acme.test", "externalId": "C-1"}
    )
    item = records.create(
        "inventoryItem",
        {
            "itemId": "SKU-1",
            "basePrice": 9.5,
            "locations": {"items": [{"location": {"id": "1"}, "quantityOnHand": 7}]},
        },
    )
    return {"customer": cust, "item": item}


def test_create_answers_204_with_location_and_get_shows_references(records: Records) -> None:
    ids = seed(records)
    r = records.http.post(
        f"{R}/salesOrder",
        json={
            "entity": {"externalId": "C-1"},
            "externalId": "JET-1",
            "otherRefNum": "JET-1",
            "custbody_etail_channel": "Jet",
            "item": {"items": [{"item": {"id": ids["item"]}, "quantity": 2}]},
        },
    )
    assert r.status_code == 204 and r.content == b""
    assert r.headers["location"].startswith(records.url + f"{R}/salesOrder/")
    so = records.get("salesOrder", r.headers["location"].rsplit("/", 1)[1])
    assert so["entity"]["id"] == ids["customer"] and so["entity"]["refName"] == "Acme"
    assert so["entity"]["links"][0]["href"].endswith(f"/customer/{ids['customer']}")
    assert so["tranId"].startswith("SO") and so["status"]["refName"] == "Pending Fulfillment"
    assert so["total"] == 19.0  # rate defaults to the item's basePrice
    assert so["custbody_etail_channel"] == "Jet"
    assert set(so["item"]) == {"links"}  # sublists are links unless expanded
    assert so["lastModifiedDate"].endswith("Z")


def test_sublist_expanded_with_line_numbers_and_as_its_own_resource(records: Records) -> None:
    ids = seed(records)
    so = records.create(
        "salesOrder",
        {
            "entity": {"id": ids["customer"]},
            "item": {
                "items": [
                    {"item": {"id": ids["item"]}, "quantity": 1, "rate": 4},
                    {"item": {"id": ids["item"]}, "quantity": 2, "amount": 10},
                ]
            },
        },
    )
    body = records.get("salesOrder", so, expandSubResources="true")
    lines = body["item"]["items"]
    assert [line["line"] for line in lines] == [1, 2]
    assert lines[0]["amount"] == 4 and lines[1]["rate"] == 5  # the rate follows the amount
    assert lines[0]["isClosed"] is False and lines[0]["item"]["refName"] == "SKU-1"
    sub = records.http.get(f"{R}/salesOrder/{so}/item")
    assert sub.status_code == 200 and [x["line"] for x in sub.json()["items"]] == [1, 2]
    assert records.http.get(f"{R}/salesOrder/{so}/nosuch").status_code == 404


def test_type_names_are_case_insensitive_and_unknown_types_404(records: Records) -> None:
    ids = seed(records)
    assert records.http.get(f"{R}/CUSTOMER/{ids['customer']}").status_code == 200
    assert records.http.get(f"{R}/inventoryitem/{ids['item']}").status_code == 200
    r = records.http.get(f"{R}/vendorBill/1")
    assert (
        r.status_code == 404 and r.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_RCRD_TYPE"
    )


def test_get_by_eid_and_missing_ids_answer_nonexistent_id(records: Records) -> None:
    ids = seed(records)
    assert records.get("customer", "eid:C-1")["id"] == ids["customer"]
    for ref in ("999999", "eid:NOPE", "abc"):
        r = records.http.get(f"{R}/customer/{ref}")
        assert r.status_code == 404
        assert r.json()["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_ID"


def test_patch_merges_and_null_clears_and_bumps_last_modified(records: Records) -> None:
    ids = seed(records)
    before = records.get("customer", ids["customer"])
    time.sleep(1.05)  # lastModifiedDate has second resolution on the wire
    r = records.http.patch(f"{R}/customer/{ids['customer']}", json={"phone": "555", "email": None})
    assert r.status_code == 204 and r.headers["location"].endswith(f"/customer/{ids['customer']}")
    after = records.get("customer", ids["customer"])
    assert after["phone"] == "555" and "email" not in after
    assert after["companyName"] == "Acme"
    assert after["lastModifiedDate"] > before["lastModifiedDate"]


def test_patch_sublist_merges_keyed_lines_appends_others_and_replace_replaces(
    records: Records,
) -> None:
    ids = seed(records)
    so = records.create(
        "salesOrder",
        {"entity": {"id": ids["customer"]}, "item": {"items": [{"item": {"id": ids["item"]}}]}},
    )
    patch = {
        "item": {
            "items": [{"line": 1, "isClosed": True}, {"item": {"id": ids["item"]}, "quantity": 4}]
        }
    }
    assert records.http.patch(f"{R}/salesOrder/{so}", json=patch).status_code == 204
    lines = records.get("salesOrder", so, expandSubResources="true")["item"]["items"]
    assert [(x["line"], x["isClosed"], x["quantity"]) for x in lines] == [
        (1, True, 1),
        (2, False, 4),
    ]
    bad = records.http.patch(
        f"{R}/salesOrder/{so}", json={"item": {"items": [{"line": 9, "quantity": 1}]}}
    )
    assert bad.json()["o:errorDetails"][0]["o:errorPath"] == "item.items[0].line"
    r = records.http.patch(
        f"{R}/salesOrder/{so}",
        params={"replace": "item"},
        json={"item": {"items": [{"item": {"id": ids["item"]}, "quantity": 9}]}},
    )
    assert r.status_code == 204
    lines = records.get("salesOrder", so, expandSubResources="true")["item"]["items"]
    assert [(x["line"], x["quantity"]) for x in lines] == [(1, 9)]


def test_put_eid_upsert_is_idempotent_and_updates(records: Records) -> None:
    url = f"{R}/customer/eid:CID-002"
    first = records.http.put(url, json={"companyName": "Beta"})
    second = records.http.put(url, json={"companyName": "Beta"})
    assert first.status_code == second.status_code == 204
    assert first.headers["location"] == second.headers["location"]
    listing = records.http.get(f"{R}/customer", params={"q": 'externalId IS "CID-002"'}).json()
    assert listing["totalResults"] == 1
    records.http.put(url, json={"email": "b@beta.test"})
    shown = records.get("customer", "eid:CID-002")
    assert shown["companyName"] == "Beta" and shown["email"] == "b@beta.test"
    clash = records.http.put(url, json={"externalId": "OTHER"})
    assert clash.json()["o:errorDetails"][0]["o:errorPath"] == "externalId"
    assert records.http.put(f"{R}/customer/5", json={"companyName": "x"}).status_code == 405


def test_external_id_is_unique_per_type(records: Records) -> None:
    seed(records)
    r = records.http.post(f"{R}/customer", json={"companyName": "Dup", "externalId": "C-1"})
    assert r.status_code == 400 and r.json()["o:errorDetails"][0]["o:errorCode"] == "DUP_RCRD"
    # the same external id on another record type is fine
    records.create("inventoryItem", {"itemId": "X-1", "externalId": "C-1"})


def test_delete_answers_204_then_the_record_is_gone(records: Records) -> None:
    ids = seed(records)
    assert records.http.delete(f"{R}/customer/{ids['customer']}").status_code == 204
    assert records.http.get(f"{R}/customer/{ids['customer']}").status_code == 404
    assert records.http.delete(f"{R}/customer/{ids['customer']}").status_code == 404


def test_inventory_item_quantities_per_location(records: Records) -> None:
    ids = seed(records)
    patch = {
        "locations": {
            "items": [
                {"location": {"id": "1"}, "quantityOnHand": 3},
                {"location": {"id": "2"}, "quantityOnHand": 5},
            ]
        }
    }
    assert records.http.patch(f"{R}/inventoryItem/{ids['item']}", json=patch).status_code == 204
    item = records.get("inventoryItem", ids["item"], expandSubResources="true")
    assert item["itemId"] == "SKU-1" and item["totalQuantityOnHand"] == 8
    shown = {x["location"]["refName"]: x["quantityAvailable"] for x in item["locations"]["items"]}
    assert shown == {"Main Warehouse": 3, "East Coast DC": 5}
    dup = records.http.post(f"{R}/inventoryItem", json={"itemId": "SKU-1"})
    assert dup.json()["o:errorDetails"][0]["o:errorPath"] == "itemId"


def test_accounts_do_not_see_each_others_records(records: Records, served) -> None:  # type: ignore[no-untyped-def]
    from .conftest import caller, use

    ids = seed(records)
    use(records, served, caller(account="7654321"))
    assert records.http.get(f"{R}/customer/{ids['customer']}").status_code == 404
    assert records.http.get(f"{R}/customer").json()["totalResults"] == 0


async def test_concurrent_upserts_of_one_eid_make_exactly_one_record(records: Records) -> None:
    import asyncio

    import httpx2

    async with httpx2.AsyncClient(base_url=records.url, timeout=30) as client:
        answers = await asyncio.gather(
            *(
                client.put(f"{R}/customer/eid:RACE-1", json={"companyName": f"Racer {n}"})
                for n in range(12)
            )
        )
    assert {r.status_code for r in answers} == {204}
    assert len({r.headers["location"] for r in answers}) == 1
    found = records.http.get(f"{R}/customer", params={"q": "externalId IS RACE-1"}).json()
    assert found["totalResults"] == 1


async def test_concurrent_orders_get_distinct_document_numbers(records: Records) -> None:
    import asyncio

    import httpx2

    cust = records.create("customer", {"companyName": "Acme"})
    item = records.create("inventoryItem", {"itemId": "SKU"})
    body = {"entity": {"id": cust}, "item": {"items": [{"item": {"id": item}}]}}
    async with httpx2.AsyncClient(base_url=records.url, timeout=30) as client:
        answers = await asyncio.gather(
            *(client.post(f"{R}/salesOrder", json=body) for _ in range(12))
        )
    assert {r.status_code for r in answers} == {204}
    numbers = {
        records.get("salesOrder", r.headers["location"].rsplit("/", 1)[1])["tranId"]
        for r in answers
    }
    assert numbers == {f"SO{n}" for n in range(1001, 1013)}


def test_records_others_depend_on_cannot_be_deleted(records: Records) -> None:
    ids = seed(records)
    so = records.create(
        "salesOrder",
        {"entity": {"id": ids["customer"]}, "item": {"items": [{"item": {"id": ids["item"]}}]}},
    )
    for rtype, rid in (("customer", ids["customer"]), ("inventoryItem", ids["item"])):
        r = records.http.delete(f"{R}/{rtype}/{rid}")
        assert r.status_code == 400 and r.json()["o:errorDetails"][0]["o:errorCode"] == "USER_ERROR"
    assert records.http.delete(f"{R}/salesOrder/{so}").status_code == 204
    assert records.http.delete(f"{R}/inventoryItem/{ids['item']}").status_code == 204
    assert records.http.delete(f"{R}/customer/{ids['customer']}").status_code == 204


def test_moving_a_fulfilment_to_another_order_refreshes_both(records: Records) -> None:
    ids = seed(records)
    body = {"entity": {"id": ids["customer"]}, "item": {"items": [{"item": {"id": ids["item"]}}]}}
    first, second = records.create("salesOrder", body), records.create("salesOrder", body)
    loc = records.http.post(f"{R}/salesOrder/{first}/!transform/itemFulfillment").headers[
        "location"
    ]
    r = records.http.patch(loc, json={"createdFrom": {"id": second}})
    assert r.status_code == 204, r.text
    assert records.get("salesOrder", first)["status"]["id"] == "B"
    assert records.get("salesOrder", second)["status"]["refName"] == "Pending Billing"


def test_fields_selects_body_fields(records: Records) -> None:
    ids = seed(records)
    shown = records.get("customer", ids["customer"], fields="companyName,EMAIL")
    assert set(shown) == {"links", "id", "companyName", "email"}
