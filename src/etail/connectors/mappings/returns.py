"""Jet Return to NetSuite return authorization and refund, then the return completed in Jet.

Rules followed (celigo-jet.md §2.2 returns row, §3.3):

* the return authorization is created from the Jet order's sales order (``createdFrom``), with
  ``externalId`` ``jet-return-<merchant_return_authorization_id>``, by upsert, so a repeat finds
  the same record;
* the refund is a NetSuite customer refund with ``externalId`` ``jet-refund-<id>`` for the sum
  of Jet's requested refund amounts (principal, tax, shipping, shipping tax);
* the return is completed in Jet only after both exist, refunding what Jet requested and
  agreeing to the return charge by setting.
"""

from __future__ import annotations

from decimal import Decimal

from etail.connectors.mappings.common import (
    FieldMapping,
    Json,
    as_float,
    drop_none,
    money,
    quantity,
    ref,
    safe_id,
    text,
)
from etail.connectors.settings import IntegrationSettings
from etail.errors import MappingError

RETURN_PREFIX = "jet-return-"
REFUND_PREFIX = "jet-refund-"
AMOUNT_PARTS = ("principal", "tax", "shipping_cost", "shipping_tax")

FIELDS: tuple[FieldMapping, ...] = (
    FieldMapping(
        "merchant_return_authorization_id",
        "returnAuthorization.externalId",
        "jet-return-<id>; upsert key",
    ),
    FieldMapping("merchant_order_id", "returnAuthorization.createdFrom", "sales order by eid"),
    FieldMapping("return_merchant_SKUs[].merchant_sku", "item[].item", "item lookup by SKU"),
    FieldMapping("return_merchant_SKUs[].return_quantity", "item[].quantity"),
    FieldMapping("return_merchant_SKUs[].reason", "returnAuthorization.memo"),
    FieldMapping(
        "sum(requested_refund_amount.*)",
        "customerRefund.total",
        "jet-refund-<id>; when returns.create_refund",
    ),
    FieldMapping("requested_refund_amount", "complete.items[].refund_amount", "as requested"),
)


def entity_ref(sales_order: Json) -> Json | None:
    """The sales order's customer as a plain reference (a GET adds refName and links)."""
    entity = sales_order.get("entity")
    return ref(entity.get("id")) if isinstance(entity, dict) else ref(entity)


def return_id(ret: Json) -> str:
    return text(ret, "merchant_return_authorization_id", required=True)


def return_lines(ret: Json) -> list[Json]:
    lines = ret.get("return_merchant_SKUs")
    if not isinstance(lines, list) or not lines:
        raise MappingError("return_merchant_SKUs is missing or empty", field="return_merchant_SKUs")
    return [x for x in lines if isinstance(x, dict)]


def refund_parts(line: Json, at: str) -> dict[str, Decimal]:
    amount = line.get("requested_refund_amount") or {}
    if not isinstance(amount, dict):
        raise MappingError(f"{at}.requested_refund_amount must be an object", field=at)
    return {p: money(amount.get(p), f"{at}.requested_refund_amount.{p}") for p in AMOUNT_PARTS}


def refund_total(ret: Json) -> Decimal:
    total = Decimal(0)
    for i, line in enumerate(return_lines(ret)):
        total += sum(refund_parts(line, f"return_merchant_SKUs[{i}]").values(), Decimal(0))
    return total


def return_authorization_record(
    ret: Json, *, sales_order: Json, item_ids: dict[str, str], settings: IntegrationSettings
) -> Json:
    """The NetSuite return authorization for a Jet return."""
    lines = []
    reasons = []
    for i, line in enumerate(return_lines(ret)):
        sku = text(line, "merchant_sku", required=True)
        if sku not in item_ids:
            raise MappingError(f"unknown merchant SKU {sku!r}", field="merchant_sku")
        parts = refund_parts(line, f"return_merchant_SKUs[{i}]")
        qty = quantity(line.get("return_quantity"), f"return_merchant_SKUs[{i}].return_quantity")
        lines.append(
            {
                "item": ref(item_ids[sku]),
                "quantity": qty,
                "amount": as_float(parts["principal"]),
                "custcol_jet_merchant_sku": sku,
            }
        )
        if text(line, "reason"):
            reasons.append(text(line, "reason"))
    return drop_none(
        {
            "externalId": safe_id(RETURN_PREFIX, return_id(ret)),
            "entity": entity_ref(sales_order),
            "createdFrom": ref(text(sales_order, "id", required=True)),
            "otherRefNum": text(ret, "reference_return_authorization_id") or None,
            "memo": "; ".join(reasons)[:999] or None,
            "custbody_etail_channel": settings.general.etail_channel,
            # numbered lines: a repeated upsert merges instead of appending (NS:section_1545142420)
            "item": {"items": [{**line, "line": n} for n, line in enumerate(lines, 1)]},
        }
    )


def refund_record(
    ret: Json, *, sales_order: Json, return_authorization_id: str, settings: IntegrationSettings
) -> Json:
    """The NetSuite customer refund paying back what Jet asked, created from the RMA."""
    return drop_none(
        {
            "externalId": safe_id(REFUND_PREFIX, return_id(ret)),
            "customer": entity_ref(sales_order),
            "createdFrom": ref(return_authorization_id),
            "total": as_float(refund_total(ret)),
            "memo": f"{settings.general.etail_channel} return {return_id(ret)}",
            "custbody_etail_channel": settings.general.etail_channel,
        }
    )


def complete_message(ret: Json, settings: IntegrationSettings) -> Json:
    """``PUT /returns/{id}/complete`` body refunding what Jet requested."""
    items = []
    for i, line in enumerate(return_lines(ret)):
        at = f"return_merchant_SKUs[{i}]"
        qty = quantity(line.get("return_quantity"), f"{at}.return_quantity")
        parts = refund_parts(line, at)
        items.append(
            {
                "order_item_id": text(line, "order_item_id", required=True),
                "total_quantity_returned": qty,
                "order_return_refund_qty": qty,
                "refund_amount": {p: as_float(v) for p, v in parts.items()},
            }
        )
    return {
        "merchant_order_id": text(ret, "merchant_order_id", required=True),
        "agree_to_return_charge": settings.returns.agree_to_return_charge,
        "items": items,
    }
