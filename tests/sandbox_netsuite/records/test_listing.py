"""Record lists: NetSuite's paging body, paging to the end, and the q filter."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Records

R = "/services/rest/record/v1"

PEOPLE = [
    ("Barbara Jones", "barbara@shop.test", "555-1000", "B-1"),
    ("Barry White", "barry@music.test", None, "B-2"),
    ("Carla Bruni", "carla@shop.test", "555-2000", "C-3"),
    ("Dan Brown", "dan@books.test", None, None),
    ("Eve Barb", "eve@shop.test", "555-3000", "E-5"),
]


def make_people(records: Records) -> list[str]:
    ids = []
    for name, email, phone, ext in PEOPLE:
        body: dict[str, Any] = {"companyName": name, "email": email}
        if phone:
            body["phone"] = phone
        if ext:
            body["externalId"] = ext
        ids.append(records.create("customer", body))
    return ids


def names(records: Records, q: str) -> list[str]:
    r = records.http.get(f"{R}/customer", params={"q": q})
    assert r.status_code == 200, r.text
    by_id = {records.get("customer", x["id"])["id"]: x for x in r.json()["items"]}
    return sorted(records.get("customer", i)["companyName"] for i in by_id)


def test_paging_to_the_end_follows_next_links(records: Records) -> None:
    ids = make_people(records)
    seen: list[str] = []
    url: str | None = f"{records.url}{R}/customer?limit=2"
    pages = 0
    while url and pages < 10:  # bounded
        body = records.http.get(url).json()
        seen += [x["id"] for x in body["items"]]
        assert body["totalResults"] == 5 and body["count"] == len(body["items"])
        rels = {link["rel"]: link["href"] for link in body["links"]}
        assert {"self", "first", "last"} <= set(rels)
        assert ("prev" in rels) == (body["offset"] > 0)
        assert body["hasMore"] == ("next" in rels)
        url = rels.get("next")
        pages += 1
    assert seen == ids and pages == 3
    assert rels["last"].endswith("limit=2&offset=4")


def test_items_carry_self_links_and_ids(records: Records) -> None:
    ids = make_people(records)
    body = records.http.get(f"{R}/customer", params={"limit": "1", "offset": "1"}).json()
    assert body["items"] == [
        {"links": [{"rel": "self", "href": f"{records.url}{R}/customer/{ids[1]}"}], "id": ids[1]}
    ]
    assert body["offset"] == 1 and body["hasMore"] is True


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": "3", "offset": "4"}, "offset"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
    ],
)
def test_bad_paging_parameters_are_invalid_parameter(
    records: Records, params: dict[str, str], param: str
) -> None:
    r = records.http.get(f"{R}/customer", params=params)
    assert r.status_code == 400
    detail = r.json()["o:errorDetails"][0]
    assert detail["o:errorCode"] == "INVALID_PARAMETER" and detail["o:errorQueryParam"] == param


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("email START_WITH barbara", ["Barbara Jones"]),
        ("email START_WITH BAR", ["Barbara Jones", "Barry White"]),
        ('companyName IS "Carla Bruni"', ["Carla Bruni"]),
        ('companyName IS_NOT "Carla Bruni" AND email CONTAIN shop', ["Barbara Jones", "Eve Barb"]),
        ("companyName CONTAIN barb", ["Barbara Jones", "Eve Barb"]),
        ("companyName END_WITH white", ["Barry White"]),
        ("externalId ANY_OF [B-1, C-3]", ["Barbara Jones", "Carla Bruni"]),
        ('externalId ANY_OF ["E-5"]', ["Eve Barb"]),
        ("phone EMPTY", ["Barry White", "Dan Brown"]),
        ("externalId EMPTY_NOT AND phone EMPTY", ["Barry White"]),
        ("email CONTAIN books OR email CONTAIN music", ["Barry White", "Dan Brown"]),
        # AND binds tighter than OR
        (
            "email CONTAIN books OR email CONTAIN shop AND phone IS 555-3000",
            ["Dan Brown", "Eve Barb"],
        ),
        ("isPerson IS false AND companyName START_WITH d", ["Dan Brown"]),
    ],
)
def test_q_filters(records: Records, q: str, expected: list[str]) -> None:
    make_people(records)
    assert names(records, q) == expected


def test_q_on_ids_numbers_references_and_dates(records: Records) -> None:
    ids = make_people(records)
    assert names(records, f"id ANY_OF [{ids[0]}, {ids[4]}]") == ["Barbara Jones", "Eve Barb"]
    assert len(names(records, "lastModifiedDate ON_OR_AFTER 2000-01-01")) == 5
    assert names(records, "lastModifiedDate BEFORE 2000-01-01") == []
    assert len(names(records, 'dateCreated AFTER "01/01/2000"')) == 5
    item = records.create("inventoryItem", {"itemId": "S", "basePrice": 20})
    records.create("inventoryItem", {"itemId": "T", "basePrice": 5})
    r = records.http.get(f"{R}/inventoryItem", params={"q": "basePrice GREATER 10"}).json()
    assert [x["id"] for x in r["items"]] == [item]
    r = records.http.get(f"{R}/inventoryItem", params={"q": "basePrice BETWEEN [1, 100]"}).json()
    assert r["totalResults"] == 2
    so = records.create(
        "salesOrder",
        {
            "entity": {"id": ids[2]},
            "tranDate": "2026-01-15",
            "item": {"items": [{"item": {"id": item}}]},
        },
    )
    for q, hit in [
        (f"entity ANY_OF [{ids[2]}]", True),
        (f"entity ANY_OF [{ids[1]}]", False),
        ("tranDate WITHIN [2026-01-01, 2026-01-31]", True),
        ("tranDate AFTER 2026-01-15", False),
        ("status ANY_OF [B]", True),
    ]:
        found = records.http.get(f"{R}/salesOrder", params={"q": q}).json()["items"]
        assert ([x["id"] for x in found] == [so]) is hit, q


@pytest.mark.parametrize(
    "q",
    [
        "nosuchfield IS x",
        "email",
        "email IS",
        "email GREATER 5",
        "email IS a AND",
        "email IS a XOR email IS b",
        "lastModifiedDate AFTER yesterday",
        "isPerson IS maybe",
        "email ANY_OF [a",
        'email IS "unterminated',
    ],
)
def test_bad_q_is_invalid_parameter_naming_q(records: Records, q: str) -> None:
    r = records.http.get(f"{R}/customer", params={"q": q})
    assert r.status_code == 400, q
    detail = r.json()["o:errorDetails"][0]
    assert detail["o:errorCode"] == "INVALID_PARAMETER" and detail["o:errorQueryParam"] == "q"


def test_q_keeps_paging(records: Records) -> None:
    make_people(records)
    body = records.http.get(
        f"{R}/customer", params={"q": "email CONTAIN shop", "limit": "2", "offset": "2"}
    ).json()
    assert body["totalResults"] == 3 and body["count"] == 1 and body["hasMore"] is False
    assert "q=email+CONTAIN+shop" in body["links"][0]["href"]


def test_delta_export_by_timestamp(records: Records) -> None:
    from datetime import UTC, datetime, timedelta

    ids = make_people(records)
    now = datetime.now(UTC)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    hour_ago, in_an_hour = (
        (now - timedelta(hours=1)).strftime(fmt),
        (now + timedelta(hours=1)).strftime(fmt),
    )
    assert len(names(records, f'lastModifiedDate ON_OR_AFTER "{hour_ago}"')) == 5
    assert names(records, f'lastModifiedDate AFTER "{in_an_hour}"') == []
    assert len(names(records, f'lastModifiedDate ON_OR_BEFORE "{in_an_hour}"')) == 5
    q = f'lastModifiedDate AFTER "{in_an_hour}" OR id ANY_OF [{ids[0]}]'
    assert names(records, q) == ["Barbara Jones"]
    assert names(records, f"id ANY_OF [{ids[1]}, abc]") == ["Barry White"]
