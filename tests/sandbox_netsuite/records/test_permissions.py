"""The token's role is checked for every operation: 403 INSUFFICIENT_PERMISSION otherwise."""

from __future__ import annotations

import pytest

from etail.sandbox.netsuite.context import Level

from .conftest import ALL, Records, caller, use

R = "/services/rest/record/v1"


def level(records: Records, served, key: str, lvl: Level) -> None:  # type: ignore[no-untyped-def]
    use(records, served, caller({**ALL, key: lvl}, account=records.who.account_id))


def forbidden(r) -> bool:  # type: ignore[no-untyped-def]
    return (
        r.status_code == 403
        and r.json()["o:errorDetails"][0]["o:errorCode"] == "INSUFFICIENT_PERMISSION"
    )


@pytest.mark.parametrize(
    ("method", "needed"),
    [
        ("GET", Level.VIEW),
        ("POST", Level.CREATE),
        ("PATCH", Level.EDIT),
        ("PUT", Level.EDIT),
        ("DELETE", Level.FULL),
    ],
)
def test_each_method_needs_its_level(records: Records, served, method: str, needed: Level) -> None:  # type: ignore[no-untyped-def]
    cid = records.create("customer", {"companyName": "Acme", "externalId": "C"})
    url = {
        "GET": f"{R}/customer/{cid}",
        "POST": f"{R}/customer",
        "PATCH": f"{R}/customer/{cid}",
        "PUT": f"{R}/customer/eid:C",
        "DELETE": f"{R}/customer/{cid}",
    }[method]
    body = {"companyName": "Acme 2"} if method in ("POST", "PATCH", "PUT") else None
    level(records, served, "customer", Level(needed - 1))
    assert forbidden(records.http.request(method, url, json=body))
    level(records, served, "customer", needed)
    assert records.http.request(method, url, json=body).status_code in (200, 204)


def test_lists_need_view(records: Records, served) -> None:  # type: ignore[no-untyped-def]
    level(records, served, "salesOrder", Level.NONE)
    assert forbidden(records.http.get(f"{R}/salesOrder"))
    assert records.http.get(f"{R}/customer").status_code == 200


def test_rest_web_services_full_is_needed_everywhere(records: Records, served) -> None:  # type: ignore[no-untyped-def]
    level(records, served, "restWebServices", Level.EDIT)
    assert forbidden(records.http.get(f"{R}/customer"))
    r = records.http.post(
        "/services/rest/query/v1/suiteql",
        headers={"Prefer": "transient"},
        json={"q": "SELECT id FROM customer"},
    )
    assert forbidden(r)


def test_transform_needs_view_on_source_and_create_on_target(records: Records, served) -> None:  # type: ignore[no-untyped-def]
    cust = records.create("customer", {"companyName": "Acme"})
    item = records.create("inventoryItem", {"itemId": "SKU"})
    so = records.create(
        "salesOrder", {"entity": {"id": cust}, "item": {"items": [{"item": {"id": item}}]}}
    )
    url = f"{R}/salesOrder/{so}/!transform/itemFulfillment"
    level(records, served, "itemFulfillment", Level.VIEW)
    assert forbidden(records.http.post(url))
    level(records, served, "salesOrder", Level.NONE)
    assert forbidden(records.http.post(url))
    level(records, served, "salesOrder", Level.VIEW)
    assert records.http.post(url).status_code == 204


def test_the_bundle_role_can_view_items_but_not_write_them(records: Records, served) -> None:  # type: ignore[no-untyped-def]
    bundle = {
        "salesOrder": Level.FULL,
        "customer": Level.EDIT,
        "itemFulfillment": Level.EDIT,
        "cashSale": Level.EDIT,
        "returnAuthorization": Level.EDIT,
        "customerRefund": Level.EDIT,
        "inventoryItem": Level.VIEW,
        "restWebServices": Level.FULL,
    }
    item = records.create("inventoryItem", {"itemId": "SKU"})
    use(records, served, caller(bundle, account=records.who.account_id))
    assert records.http.get(f"{R}/inventoryItem/{item}").status_code == 200
    assert forbidden(records.http.patch(f"{R}/inventoryItem/{item}", json={"basePrice": 1}))
    assert forbidden(records.http.delete(f"{R}/customer/1"))
