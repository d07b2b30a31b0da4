"""SuiteQL: Prefer: transient, joins, WHERE, ORDER BY, limit/offset, binds, string values."""

from __future__ import annotations

from typing import Any

import pytest

from etail.sandbox.netsuite.context import Level
from etail.sandbox.netsuite.records.suiteql import table_columns

from .conftest import ALL, Records, caller, use

Q = "/services/rest/query/v1/suiteql"


def run(records: Records, q: str, params: list[Any] | None = None, **query: str):  # type: ignore[no-untyped-def]
    body: dict[str, Any] = {"q": q}
    if params is not None:
        body["params"] = params
    return records.http.post(Q, params=query, headers={"Prefer": "transient"}, json=body)


def rows(
    records: Records, q: str, params: list[Any] | None = None, **query: str
) -> list[dict[str, Any]]:
    r = run(records, q, params, **query)
    assert r.status_code == 200, r.text
    return [{k: v for k, v in item.items() if k != "links"} for item in r.json()["items"]]


@pytest.fixture
def shop(records: Records) -> dict[str, str]:
    acme = records.create("customer", {"companyName": "Acme", "email": "a@acme.test"})
    beta = records.create("customer", {"companyName": "Beta", "isPerson": False})
    sku1 = records.create(
        "inventoryItem",
        {
            "itemId": "SKU-1",
            "basePrice": 2.5,
            "locations": {"items": [{"location": {"id": "1"}, "quantityOnHand": 4}]},
        },
    )
    sku2 = records.create("inventoryItem", {"itemId": "SKU-2", "basePrice": 10})
    so1 = records.create(
        "salesOrder",
        {
            "entity": {"id": acme},
            "externalId": "J-1",
            "item": {"items": [{"item": {"id": sku1}, "quantity": 2}, {"item": {"id": sku2}}]},
        },
    )
    so2 = records.create(
        "salesOrder",
        {"entity": {"id": beta}, "item": {"items": [{"item": {"id": sku2}, "quantity": 3}]}},
    )
    records.http.post(f"/services/rest/record/v1/salesOrder/{so1}/!transform/itemFulfillment")
    return {"acme": acme, "beta": beta, "sku1": sku1, "sku2": sku2, "so1": so1, "so2": so2}


def test_join_where_order_and_values_as_strings(records: Records, shop: dict[str, str]) -> None:
    got = rows(
        records,
        "SELECT t.tranid, t.total, c.companyname AS customer FROM transaction t "
        "JOIN customer c ON c.id = t.entity WHERE t.type = 'SalesOrd' ORDER BY t.total DESC",
    )
    assert got == [
        {"tranid": "SO1002", "total": "30", "customer": "Beta"},
        {"tranid": "SO1001", "total": "15", "customer": "Acme"},
    ]


def test_lines_items_and_inventory_locations(records: Records, shop: dict[str, str]) -> None:
    got = rows(
        records,
        "SELECT tl.transaction, tl.linesequencenumber, i.itemid, tl.quantity, tl.quantityshiprecv, "
        "tl.isclosed FROM transactionline tl JOIN item i ON i.id = tl.item "
        "WHERE tl.transaction = ? ORDER BY tl.linesequencenumber",
        [shop["so1"]],
    )
    assert got == [
        {
            "transaction": shop["so1"],
            "linesequencenumber": "1",
            "itemid": "SKU-1",
            "quantity": "2",
            "quantityshiprecv": "2",
            "isclosed": "F",
        },
        {
            "transaction": shop["so1"],
            "linesequencenumber": "2",
            "itemid": "SKU-2",
            "quantity": "1",
            "quantityshiprecv": "1",
            "isclosed": "F",
        },
    ]
    stock = rows(
        records,
        "SELECT i.itemid, l.name, il.quantityonhand FROM inventoryitemlocations il "
        "JOIN item i ON i.id = il.item JOIN location l ON l.id = il.location",
    )
    assert stock == [{"itemid": "SKU-1", "name": "Main Warehouse", "quantityonhand": "4"}]


def test_fulfilment_joined_to_its_order(records: Records, shop: dict[str, str]) -> None:
    got = rows(
        records,
        "SELECT f.tranid, o.externalid FROM transaction f "
        "JOIN transaction o ON o.id = f.createdfrom "
        "WHERE f.type = 'ItemShip'",
    )
    assert got == [{"tranid": "IF1001", "externalid": "J-1"}]


def test_binds_of_several_types_and_aggregates(records: Records, shop: dict[str, str]) -> None:
    got = rows(
        records,
        "SELECT COUNT(*) AS n, SUM(total) AS s FROM transaction WHERE type IN (?, ?) AND total > ?",
        ["SalesOrd", "CashSale", 1],
    )
    assert got == [{"n": "2", "s": "45"}]
    assert rows(records, "SELECT id FROM customer WHERE companyname = ?", ["x' OR '1'='1"]) == []
    assert rows(
        records, "SELECT companyname FROM customer WHERE UPPER(companyname) LIKE 'AC%'"
    ) == [{"companyname": "Acme"}]


def test_limit_offset_paging(records: Records, shop: dict[str, str]) -> None:
    q = "SELECT id FROM item ORDER BY id"
    first = run(records, q, limit="1").json()
    assert first["count"] == 1 and first["hasMore"] is True and first["totalResults"] == 2
    assert [x["id"] for x in first["items"]] == [shop["sku1"]]
    second = run(records, q, limit="1", offset="1").json()
    assert [x["id"] for x in second["items"]] == [shop["sku2"]] and second["hasMore"] is False
    rels = {link["rel"] for link in second["links"]}
    assert {"self", "first", "prev", "last"} <= rels and "next" not in rels
    fetch = rows(records, "SELECT id FROM item ORDER BY id DESC FETCH FIRST 1 ROWS ONLY")
    assert fetch == [{"id": shop["sku2"]}]


def test_nulls_are_left_out(records: Records, shop: dict[str, str]) -> None:
    got = rows(records, "SELECT companyname, email FROM customer ORDER BY companyname")
    assert got == [{"companyname": "Acme", "email": "a@acme.test"}, {"companyname": "Beta"}]


def test_prefer_transient_is_required(records: Records) -> None:
    r = records.http.post(Q, json={"q": "SELECT id FROM customer"})
    assert r.status_code == 400 and "Prefer: transient" in r.json()["o:errorDetails"][0]["detail"]


@pytest.mark.parametrize(
    ("q", "params", "hint"),
    [
        ("SELEC id FROM customer", None, "Syntax"),
        ("SELECT id FROM customer WHERE", None, ""),
        ("DELETE FROM customer", None, "SELECT"),
        ("UPDATE customer SET email = 'x'", None, "SELECT"),
        ("SELECT id FROM customer; SELECT id FROM item", None, "exactly one"),
        ("SELECT id FROM employee", None, "Unknown table"),
        ("SELECT * FROM sqlite_master", None, "Unknown table"),
        ("SELECT * FROM rec_record", None, "Unknown table"),
        ("SELECT nosuch FROM customer", None, "no such column"),
        ("SELECT id FROM customer WHERE id = ?", [], "placeholders"),
        ("SELECT id FROM customer", ["extra"], "placeholders"),
        ("WITH x AS (SELECT id FROM customer) SELECT * FROM x", None, "WITH"),
        ("SELECT BUILTIN.DF(entity) FROM transaction", None, "BUILTIN"),
        ("SELECT load_extension('x') FROM customer", None, "Unknown function"),
    ],
)
def test_malformed_queries_are_400_with_a_helpful_detail(
    records: Records, q: str, params: list[Any] | None, hint: str
) -> None:
    r = run(records, q, params)
    assert r.status_code == 400, r.text
    detail = r.json()["o:errorDetails"][0]["detail"]
    assert hint in detail


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"q": 5},
        {"q": "SELECT 1", "params": "x"},
        {"q": "SELECT 1", "params": [{}]},
        {"q": "SELECT 1", "x": 1},
    ],
)
def test_bad_bodies(records: Records, body: Any) -> None:
    r = records.http.post(Q, headers={"Prefer": "transient"}, json=body)
    assert r.status_code == 400


def test_rows_follow_the_role(records: Records, served, shop: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    use(records, served, caller({**ALL, "salesOrder": Level.NONE}, account=records.who.account_id))
    types = rows(records, "SELECT DISTINCT type FROM transaction")
    assert types == [{"type": "ItemShip"}]
    use(records, served, caller({**ALL, "customer": Level.NONE}, account=records.who.account_id))
    r = run(records, "SELECT id FROM customer")
    assert r.status_code == 403


def test_accounts_are_isolated(records: Records, served, shop: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    use(records, served, caller(account="1111111"))
    assert rows(records, "SELECT id FROM transaction") == []


def test_documented_tables() -> None:
    cols = table_columns()
    assert set(cols) == {
        "customer",
        "item",
        "inventoryitemlocations",
        "transaction",
        "transactionline",
        "location",
    }
    assert {"id", "tranid", "type", "entity", "createdfrom", "lastmodifieddate"} <= set(
        cols["transaction"]
    )


def test_the_docs_list_every_column() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[3] / "docs" / "netsuite-sandbox-records.md").read_text()
    for table, columns in table_columns().items():
        row = next(line for line in doc.splitlines() if line.startswith(f"| `{table}` |"))
        assert row.split("|")[2].strip() == ", ".join(columns), table
