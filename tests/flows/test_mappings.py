"""Mappings of the Jet - NetSuite flows: pure functions of (record, settings), property-tested."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etail.connectors.mappings import cancellations, fulfillments, inventory, orders, returns
from etail.connectors.settings import IntegrationSettings
from etail.errors import MappingError, SettingsError

SKUS = ["SKU-A", "SKU-B", "SKU-C", "SKU-D"]
ids = st.text(alphabet="abcdef0123456789", min_size=8, max_size=32)
amounts = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def jet_orders(draw: st.DrawFn) -> dict:
    n = draw(st.integers(1, 4))
    lines = []
    for i in range(n):
        qty = draw(st.integers(1, 5))
        lines.append(
            {
                "order_item_id": f"oi{i}-{draw(ids)}",
                "merchant_sku": draw(st.sampled_from(SKUS + ["UNKNOWN-1"])),
                "request_order_quantity": qty,
                "request_order_cancel_qty": draw(st.integers(0, qty)),
                "item_price": {
                    "base_price": float(draw(amounts)),
                    "item_tax": float(draw(amounts)),
                    "item_shipping_cost": float(draw(amounts)),
                    "item_shipping_tax": float(draw(amounts)),
                },
            }
        )
    return {
        "merchant_order_id": draw(ids),
        "reference_order_id": str(draw(st.integers(10**6, 10**9))),
        "hash_email": draw(st.one_of(st.none(), ids)),
        "order_placed_date": "2026-11-29T10:00:00.0000000Z",
        "buyer": {"name": draw(st.sampled_from(["Ada Lovelace", "Plato", "", "Mary Ann Evans"]))},
        "shipping_to": {
            "recipient": {"name": "Ada Lovelace", "phone_number": "555-0100"},
            "address": {
                "address1": "1 Main St",
                "city": "Hoboken",
                "state": "NJ",
                "zip_code": "07030",
            },
        },
        "order_detail": {
            "request_shipping_method": draw(st.sampled_from(["UPS Ground", "FedEx 2 Day"]))
        },
        "order_items": lines,
    }


ITEM_IDS = {"SKU-A": "11", "SKU-B": "12", "SKU-C": "13", "SKU-D": "14"}
DEFAULTS = IntegrationSettings()


@given(jet_orders())
@settings(max_examples=150, deadline=None)
def test_sales_order_keeps_the_jet_order_id_and_every_ordered_unit(order: dict) -> None:
    unknown = orders.unknown_skus(order, ITEM_IDS)
    open_units = sum(x["request_order_quantity"] for x in order["order_items"])
    if unknown:
        with pytest.raises(MappingError):
            orders.sales_order_record(order, customer_id="7", item_ids=ITEM_IDS, settings=DEFAULTS)
        return
    so = orders.sales_order_record(order, customer_id="7", item_ids=ITEM_IDS, settings=DEFAULTS)
    assert so["externalId"] == order["merchant_order_id"]
    assert so["entity"] == {"id": "7"}
    lines = so["item"]["items"]
    assert [line["line"] for line in lines] == list(range(1, len(lines) + 1))
    assert sum(line["quantity"] for line in lines) == open_units
    assert {line["item"]["id"] for line in lines} <= set(ITEM_IDS.values())
    for line in lines:
        assert Decimal(str(line["amount"])) == Decimal(str(line["rate"])) * line["quantity"]
    shipping = sum(
        Decimal(str(x["item_price"]["item_shipping_cost"])) for x in order["order_items"]
    )
    assert Decimal(str(so["shippingCost"])) == shipping


@given(jet_orders())
@settings(max_examples=100, deadline=None)
def test_shipping_and_tax_become_lines_when_items_are_set(order: dict) -> None:
    for line in order["order_items"]:
        line["merchant_sku"] = "SKU-A"
        line["request_order_cancel_qty"] = 0
    s = IntegrationSettings.from_mapping({"order": {"shipping_item_id": "90", "tax_item_id": "91"}})
    so = orders.sales_order_record(order, customer_id="7", item_ids=ITEM_IDS, settings=s)
    assert "shippingCost" not in so
    by_item = {line["item"]["id"]: line for line in so["item"]["items"]}
    tax = sum(
        Decimal(str(x["item_price"]["item_tax"]))
        + Decimal(str(x["item_price"]["item_shipping_tax"]))
        for x in order["order_items"]
    )
    assert Decimal(str(by_item.get("91", {}).get("amount", 0))) == tax


@given(jet_orders())
@settings(max_examples=100, deadline=None)
def test_rejection_marks_exactly_the_unknown_skus(order: dict) -> None:
    unknown = orders.unknown_skus(order, ITEM_IDS)
    body = orders.rejection(order, unknown)
    assert body["acknowledgement_status"] == "rejected - item level error"
    for line, ack in zip(order["order_items"], body["order_items"], strict=True):
        assert ack["order_item_id"] == line["order_item_id"]
        invalid = ack["order_item_acknowledgement_status"] == orders.INVALID_SKU
        assert invalid == (line["merchant_sku"] in unknown)
    accepted = orders.acceptance(order, "SO1001")
    assert accepted["alt_order_id"] == "SO1001" and accepted["acknowledgement_status"] == "accepted"
    assert len(accepted["order_items"]) == len(order["order_items"])


@given(jet_orders())
@settings(max_examples=50, deadline=None)
def test_one_customer_per_buyer_with_a_valid_external_id(order: dict) -> None:
    customer = orders.customer_record(order, DEFAULTS)
    assert customer["externalId"].startswith("jet-")
    assert customer["externalId"] == orders.customer_external_id(order)
    assert customer["firstName"] and customer["lastName"]
    again = dict(order, merchant_order_id="other123")
    if order["hash_email"]:
        assert orders.customer_external_id(again) == customer["externalId"]


def test_order_id_that_netsuite_cannot_address_is_a_mapping_error() -> None:
    with pytest.raises(MappingError) as info:
        orders.order_id({"merchant_order_id": "a|b"})
    assert info.value.field == "merchant_order_id"


def test_ship_method_map_then_default() -> None:
    s = IntegrationSettings.from_mapping(
        {"order": {"ship_method_map": {"UPS Ground": "501"}, "default_ship_method": "599"}}
    )
    assert (
        orders.ship_method_id({"order_detail": {"request_shipping_method": "UPS Ground"}}, s)
        == "501"
    )
    assert orders.ship_method_id({"order_detail": {"request_shipping_method": "Other"}}, s) == "599"


def test_settings_errors_name_the_field() -> None:
    with pytest.raises(SettingsError) as info:
        IntegrationSettings.from_mapping({"order": {"customer_mode": "default"}})
    assert info.value.field == "order.default_customer_id"
    with pytest.raises(SettingsError) as info:
        IntegrationSettings.from_mapping({"order": {"customer_mode": "sometimes"}})
    assert info.value.field == "order.customer_mode"
    with pytest.raises(SettingsError) as info:
        IntegrationSettings.from_mapping({"fulfillment": {"carrier_map": {"x": "Pony Express"}}})
    assert info.value.field == "fulfillment.carrier_map"
    with pytest.raises(SettingsError):
        IntegrationSettings.from_mapping({"inventory": {"buffer_quantity": "many"}})


def test_settings_read_the_integrator_json_and_round_trip() -> None:
    stored = {
        "general": {
            "etail_channel": "Jet",
            "subsidiary_id": "1",
            "location_id": "1",
            "item_aliases": False,
        },
        "order": {
            "customer_mode": "default",
            "default_customer_id": "42",
            "shipping_item_id": "",
            "on_demand_order_ids": "a1, b2,,",
            "unknown_sku": "error",
            "duration_days": 7,
        },
        "inventory": {"location_node_map": {"1": "node-1"}, "buffer_quantity": 2},
    }
    s = IntegrationSettings.from_mapping(stored)
    assert s.order.on_demand_order_ids == ("a1", "b2")
    assert s.order.shipping_item_id is None and s.order.unknown_sku == "error"
    assert IntegrationSettings.from_mapping(s.as_dict()) == s


@given(
    st.lists(st.tuples(st.sampled_from(["1", "2", "3"]), st.integers(-5, 50)), max_size=5),
    st.integers(0, 10),
)
def test_inventory_is_never_negative_and_holds_back_the_buffer(locs: list, buffer: int) -> None:
    s = IntegrationSettings.from_mapping(
        {
            "inventory": {
                "location_node_map": {"1": "n1", "2": "n1", "3": "n3"},
                "buffer_quantity": buffer,
            }
        }
    )
    doc = {
        "sku": "SKU-A",
        "locations": [{"location": loc, "quantityAvailable": q} for loc, q in locs],
    }
    if not locs:
        with pytest.raises(MappingError):
            inventory.inventory_message(doc, s)
        return
    body = inventory.inventory_message(doc, s)
    for node in body["fulfillment_nodes"]:
        raw = sum(
            max(q, 0)
            for loc, q in locs
            if {"1": "n1", "2": "n1", "3": "n3"}[loc] == node["fulfillment_node_id"]
        )
        assert node["quantity"] == max(raw - buffer, 0) >= 0
    assert not inventory.changed(
        body, {n["fulfillment_node_id"]: n["quantity"] for n in body["fulfillment_nodes"]}
    )
    assert inventory.changed(body, None)


def test_inventory_without_a_map_goes_to_the_connection_node() -> None:
    doc = {
        "sku": "S",
        "locations": [
            {"location": "1", "quantityAvailable": 4},
            {"location": "2", "quantityAvailable": 3},
        ],
    }
    body = inventory.inventory_message(doc, DEFAULTS, "node-x")
    assert body == {"fulfillment_nodes": [{"fulfillment_node_id": "node-x", "quantity": 7}]}


def test_price_must_be_positive() -> None:
    assert inventory.price_message({"sku": "S", "price": 19.999}, DEFAULTS) == {"price": 20.0}
    with pytest.raises(MappingError):
        inventory.price_message({"sku": "S", "price": None}, DEFAULTS)
    with pytest.raises(MappingError):
        inventory.price_message({"sku": "S", "price": 0}, DEFAULTS)


@given(st.lists(st.tuples(st.sampled_from(SKUS), st.integers(0, 4)), min_size=1, max_size=6))
def test_shipment_sums_quantities_per_sku_and_is_recognised_once_sent(lines: list) -> None:
    doc = {
        "id": "77",
        "tranDate": "2026-11-29",
        "trackingNumber": "1Z999",
        "shipMethod": "UPS Ground",
        "lines": [{"merchant_sku": s, "quantity": q} for s, q in lines],
    }
    s = IntegrationSettings.from_mapping({"fulfillment": {"carrier_map": {"UPS Ground": "UPS"}}})
    body = fulfillments.shipped_message(doc, s)
    shipment = body["shipments"][0]
    assert shipment["carrier"] == "UPS" and shipment["alt_shipment_id"] == "ns-if-77"
    sent = {
        i["merchant_sku"]: i["response_shipment_sku_quantity"] for i in shipment["shipment_items"]
    }
    for sku in SKUS:
        assert sent.get(sku, 0) == sum(q for x, q in lines if x == sku)
    assert fulfillments.already_sent(doc, {"shipments": [shipment]})
    assert not fulfillments.already_sent(doc, {"shipments": []})


def test_fulfillment_without_tracking_is_refused() -> None:
    with pytest.raises(MappingError) as info:
        fulfillments.shipped_message({"id": "1", "tranDate": "2026-11-29", "lines": []}, DEFAULTS)
    assert info.value.field == "trackingNumber"


def test_unknown_carrier_falls_back_to_other() -> None:
    assert fulfillments.jet_carrier({"carrier": "Pony"}, DEFAULTS) == "Other"


def test_jet_cancel_closes_lines_and_tells_jet_once() -> None:
    order = {
        "merchant_order_id": "m1",
        "jet_requested_directed_cancel": True,
        "order_items": [
            {"merchant_sku": "SKU-A", "request_order_quantity": 2},
            {"merchant_sku": "SKU-B", "request_order_quantity": 1},
        ],
    }
    assert cancellations.cancel_requested(order)
    units = cancellations.cancel_quantities(order)
    assert units == {"SKU-A": 2, "SKU-B": 1}
    so = {
        "item": {
            "items": [
                {"line": 1, "custcol_jet_merchant_sku": "SKU-A", "quantity": 2, "isClosed": False},
                {"line": 2, "custcol_jet_merchant_sku": "SKU-B", "quantity": 1, "isClosed": True},
            ]
        }
    }
    assert cancellations.close_lines_patch(so, units) == {
        "item": {"items": [{"line": 1, "isClosed": True}]}
    }
    msg = cancellations.cancel_message("m1", "SO1", units)
    sid = msg["shipments"][0]["alt_shipment_id"]
    assert all(
        i["response_shipment_sku_quantity"] == 0 for i in msg["shipments"][0]["shipment_items"]
    )
    assert cancellations.already_cancelled({"shipments": msg["shipments"]}, sid)
    assert cancellations.cancel_message("m1", "SO1", {"SKU-A": 0}) is None


@given(
    st.lists(st.tuples(st.integers(1, 5), st.integers(0, 5), st.booleans()), min_size=1, max_size=5)
)
def test_closed_quantities_never_cancel_shipped_units(lines: list) -> None:
    so = {
        "item": {
            "items": [
                {
                    "line": i + 1,
                    "custcol_jet_merchant_sku": f"S{i}",
                    "quantity": q,
                    "quantityFulfilled": min(f, q),
                    "isClosed": c,
                }
                for i, (q, f, c) in enumerate(lines)
            ]
        }
    }
    closed = cancellations.closed_quantities(so)
    for i, (q, f, c) in enumerate(lines):
        expected = q - min(f, q) if c else 0
        assert closed.get(f"S{i}", 0) == expected


def test_return_maps_to_authorization_refund_and_completion() -> None:
    ret = {
        "merchant_return_authorization_id": "r-1",
        "merchant_order_id": "m1",
        "return_merchant_SKUs": [
            {
                "order_item_id": "oi1",
                "merchant_sku": "SKU-A",
                "return_quantity": 1,
                "reason": "Unwanted gift",
                "requested_refund_amount": {
                    "principal": 10,
                    "tax": 0.8,
                    "shipping_cost": 2,
                    "shipping_tax": 0.2,
                },
            }
        ],
    }
    so = {"id": "55", "entity": {"id": "7", "refName": "Ada", "links": []}}
    ra = returns.return_authorization_record(
        ret, sales_order=so, item_ids=ITEM_IDS, settings=DEFAULTS
    )
    assert ra["externalId"] == "jet-return-r-1" and ra["createdFrom"] == {"id": "55"}
    assert ra["item"]["items"][0]["item"] == {"id": "11"}
    refund = returns.refund_record(
        ret, sales_order=so, return_authorization_id="60", settings=DEFAULTS
    )
    assert refund["total"] == 13.0 and refund["customer"] == {"id": "7"}
    assert refund["createdFrom"] == {"id": "60"}
    done = returns.complete_message(ret, DEFAULTS)
    assert done["items"][0]["refund_amount"]["principal"] == 10.0
    assert done["items"][0]["order_return_refund_qty"] == 1


def test_partial_cancel_lowers_the_quantity_once() -> None:
    so = {
        "item": {
            "items": [
                {
                    "line": 1,
                    "custcol_jet_merchant_sku": "SKU-A",
                    "custcol_jet_ordered_qty": 3,
                    "quantity": 3,
                },
            ]
        }
    }
    patch = cancellations.close_lines_patch(so, {"SKU-A": 1})
    assert patch == {"item": {"items": [{"line": 1, "quantity": 2}]}}
    so["item"]["items"][0]["quantity"] = 2  # applied
    assert cancellations.close_lines_patch(so, {"SKU-A": 1}) is None
    shipped = {
        "item": {
            "items": [
                {
                    "line": 1,
                    "custcol_jet_merchant_sku": "SKU-A",
                    "custcol_jet_ordered_qty": 3,
                    "quantity": 3,
                    "quantityFulfilled": 2,
                },
            ]
        }
    }
    assert cancellations.close_lines_patch(shipped, {"SKU-A": 3}) == {
        "item": {"items": [{"line": 1, "isClosed": True}]}
    }
