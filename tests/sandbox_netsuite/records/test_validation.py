"""Bad bodies answer 400 INVALID_CONTENT with the o:errorPath of the mistake, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import Records

R = "/services/rest/record/v1"


@pytest.fixture
def base(records: Records) -> dict[str, str]:
    cust = records.create("customer", {"companyName": "Acme"})
    item = records.create("inventoryItem", {"itemId": "SKU"})
    return {"cust": cust, "item": item}


def so(base: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "entity": {"id": base["cust"]},
        "item": {"items": [{"item": {"id": base["item"]}}]},
        **extra,
    }


CASES: list[tuple[str, Any, str]] = [
    ("salesOrder", "ITEM", "item.items[0].item"),  # unknown item reference
    ("salesOrder", {"entity": {"id": "424242"}}, "entity"),
    ("salesOrder", {"entity": {"externalId": "nope"}}, "entity"),
    ("salesOrder", {"entity": "5"}, "entity"),
    ("salesOrder", {"entity": {"id": True}}, "entity"),
    ("salesOrder", {"entity": {"id": "1", "other": 1}}, "entity"),
    ("salesOrder", {"memo": 5}, "memo"),
    ("salesOrder", {"memo": "x" * 1000}, "memo"),
    ("salesOrder", {"tranDate": "29/11/2026"}, "tranDate"),
    ("salesOrder", {"tranDate": "2026-02-30"}, "tranDate"),
    ("salesOrder", {"shippingCost": "12"}, "shippingCost"),
    ("salesOrder", {"shippingCost": True}, "shippingCost"),
    ("salesOrder", {"shippingCost": 1e300}, "shippingCost"),
    ("salesOrder", {"location": {"id": "99"}}, "location"),
    ("salesOrder", {"item": []}, "item"),
    ("salesOrder", {"item": {"items": {}}}, "item.items"),
    ("salesOrder", {"item": {"items": [5]}}, "item.items[0]"),
    ("salesOrder", {"item": {"rows": []}}, "item.rows"),
    ("salesOrder", {"item": {"items": [{"quantity": 1}]}}, "item.items[0].item"),
    (
        "salesOrder",
        {"item": {"items": [{"item": {"id": "ITEM_ID"}, "qty": 1}]}},
        "item.items[0].qty",
    ),
    (
        "salesOrder",
        {"item": {"items": [{"item": {"id": "ITEM_ID"}, "isClosed": "yes"}]}},
        "item.items[0].isClosed",
    ),
    ("salesOrder", {"shippingAddress": {"city": 5}}, "shippingAddress.city"),
    ("salesOrder", {"shippingAddress": {"planet": "Mars"}}, "shippingAddress.planet"),
    ("salesOrder", {"custbody_x": {"nested": 1}}, "custbody_x"),
    ("salesOrder", {"custbody_X Y": 1}, "custbody_X Y"),
    ("salesOrder", {"nosuchfield": 1}, "nosuchfield"),
    ("itemFulfillment", {"shipStatus": {"id": "Z"}}, "shipStatus"),
    ("customer", {"entity": None, "item": None, "companyName": None}, "companyName"),
    ("customer", {"isPerson": True, "firstName": "Ann"}, "lastName"),
    ("inventoryItem", {"itemId": None}, "itemId"),
]


@pytest.mark.parametrize(("rtype", "patch", "path"), CASES)
def test_invalid_content_names_the_path(
    records: Records, base: dict[str, str], rtype: str, patch: Any, path: str
) -> None:
    if patch == "ITEM":
        body: Any = so(base, item={"items": [{"item": {"id": "987654"}}]})
    elif rtype == "salesOrder":
        # "ITEM_ID" stands for this account's item, so only the field under test is wrong
        text = json.dumps(so(base, **patch)).replace('"ITEM_ID"', json.dumps(base["item"]))
        body = json.loads(text)
    elif rtype == "customer":
        body = {k: v for k, v in patch.items() if k not in ("entity", "item")}
    else:
        body = patch
    r = records.http.post(f"{R}/{rtype}", json=body)
    assert r.status_code == 400, r.text
    detail = r.json()["o:errorDetails"][0]
    assert detail["o:errorCode"] in ("INVALID_CONTENT", "USER_ERROR")
    if rtype != "itemFulfillment":
        assert detail["o:errorPath"] == path


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"[1, 2]",
        b'"text"',
        b"null",
        b"NaN",
        b'{"companyName": NaN}',
        b"\xff\xfe",
        b"[" * 5000,
    ],
)
def test_garbage_bodies_are_400_not_500(records: Records, raw: bytes) -> None:
    r = records.http.post(
        f"{R}/customer", content=raw, headers={"content-type": "application/json"}
    )
    assert r.status_code == 400, r.text
    assert r.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_CONTENT"


def test_unknown_fields_can_be_ignored_on_request(records: Records) -> None:
    body = {"companyName": "Acme", "subsidiaryX": 1}
    assert records.http.post(f"{R}/customer", json=body).status_code == 400
    r = records.http.post(
        f"{R}/customer", json=body, headers={"X-NetSuite-PropertyNameValidation": "ignore"}
    )
    assert r.status_code == 204


def test_read_only_fields_and_links_of_a_read_body_are_ignored(
    records: Records, base: dict[str, str]
) -> None:
    """A body read with GET can be sent back as it is."""
    so_id = records.create("salesOrder", so(base))
    shown = records.get("salesOrder", so_id)
    shown.pop("externalId", None)
    r = records.http.patch(f"{R}/salesOrder/{so_id}", json=shown)
    assert r.status_code == 204, r.text
    assert records.get("salesOrder", so_id)["tranId"] == shown["tranId"]


def test_nothing_is_written_when_a_body_fails(records: Records, base: dict[str, str]) -> None:
    before = records.http.get(f"{R}/salesOrder").json()["totalResults"]
    records.http.post(
        f"{R}/salesOrder",
        json=so(base, item={"items": [{"item": {"id": "1"}}, {"item": {"id": "777"}}]}),
    )
    assert records.http.get(f"{R}/salesOrder").json()["totalResults"] == before
