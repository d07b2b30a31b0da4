"""A Jet client that is not ours: plain httpx2 calls written only from the paths and field names
in celigo-jet.md §3, completing token -> ready orders -> detail -> acknowledge -> shipped ->
complete. It shares no code with ``etail.jet``."""

from __future__ import annotations

import httpx2


def test_plain_http_cycle(jet_sandbox):
    order_id = jet_sandbox.order()
    with httpx2.Client(base_url=f"{jet_sandbox.url}/api") as http:
        # §3.1: POST /token {"user", "pass"} -> id_token, token_type, expires_on
        got = http.post("/token", json={"user": jet_sandbox.api_user, "pass": jet_sandbox.secret})
        assert got.status_code == 200
        token = got.json()
        headers = {"Authorization": f"bearer {token['id_token']}"}  # as Jet's clients sent it
        assert http.get("/authcheck", headers=headers).json() == "This message is authorized."

        # §3.2: GET /orders/ready -> {"order_urls": [...]}
        urls = http.get("/orders/ready", headers=headers).json()["order_urls"]
        url = f"/orders/withoutShipmentDetail/{order_id}"
        assert url in urls

        order = http.get(url, headers=headers).json()
        assert order["status"] == "ready"
        items = order["order_items"]

        ack = {
            "acknowledgement_status": "accepted",
            "alt_order_id": "SO-42",
            "order_items": [
                {
                    "order_item_id": i["order_item_id"],
                    "order_item_acknowledgement_status": "fulfillable",
                }
                for i in items
            ],
        }
        assert http.put(f"/orders/{order_id}/acknowledge", json=ack, headers=headers).is_success
        acked = http.get(url, headers=headers).json()
        assert acked["status"] == "acknowledged" and acked["alt_order_id"] == "SO-42"

        shipped = {
            "alt_order_id": "SO-42",
            "shipments": [{
                "alt_shipment_id": "IF-1",
                "shipment_tracking_number": "1Z12345E0205271688",
                "response_shipment_date": "2026-11-29T18:00:00.0000000-00:00",
                "response_shipment_method": "UPS Ground",
                "expected_delivery_date": "2026-12-02T18:00:00.0000000-00:00",
                "ship_from_zip_code": "12061",
                "carrier_pick_up_date": "2026-11-29T19:00:00.0000000-00:00",
                "carrier": "UPS",
                "shipment_items": [
                    {"merchant_sku": i["merchant_sku"],
                     "response_shipment_sku_quantity": i["request_order_quantity"],
                     "response_shipment_cancel_qty": 0}
                    for i in items
                ],
            }],
        }  # fmt: skip
        assert http.put(f"/orders/{order_id}/shipped", json=shipped, headers=headers).is_success

        done = http.get(url, headers=headers).json()
        assert done["status"] == "complete" and done["has_shipments"] is True
        assert done["shipments"][0]["shipment_tracking_number"] == "1Z12345E0205271688"
        assert url in http.get("/orders/complete", headers=headers).json()["order_urls"]
