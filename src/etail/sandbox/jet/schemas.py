"""Request and response bodies of the Jet merchant API, field names exactly as celigo-jet.md §3.

Request bodies are strict (no coercion) and refuse unknown fields, so a typo comes back as a 400
naming the field instead of being silently dropped. Product bodies allow extra attributes because
Jet's product schema is long and open-ended (§3.4).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from etail.sandbox.jet.dates import parse_date

OrderStatus = Literal["created", "ready", "acknowledged", "inprogress", "complete"]
ORDER_STATUSES: tuple[str, ...] = ("created", "ready", "acknowledged", "inprogress", "complete")

AckStatus = Literal[
    "accepted",
    "rejected - other",
    "rejected - fraud",
    "rejected - item level error",
    "rejected - ship from location not available",
    "rejected - shipping method not supported",
    "rejected - unfulfillable address",
]
ItemAckStatus = Literal[
    "fulfillable",
    "nonfulfillable - no inventory",
    "nonfulfillable - invalid merchant SKU",
]
Carrier = Literal[
    "FedEx", "FedEx SmartPost", "FedEx Freight", "UPS", "UPS Freight", "UPS Mail Innovations",
    "UPS SurePost", "OnTrac", "OnTrac Direct Post", "DHL", "DHL Global Mail", "USPS", "CEVA",
    "Laser Ship", "Spee Dee", "A Duie Pyle", "A1", "ABF", "APEX", "Averitt", "Dynamex",
    "Eastern Connection", "Ensenda", "Estes", "Land Air Express", "Lone Star", "Meyer", "New Penn",
    "Pilot", "Prestige", "RBF", "Reddaway", "RL Carriers", "Roadrunner", "Southeastern Freight",
    "UDS", "UES", "YRC", "Other",
]  # fmt: skip
ReturnChargeFeedback = Literal[
    "other", "outsideMerchantPolicy", "notMerchantError", "wrongItem", "fraud",
    "returnedOutsideWindow",
]  # fmt: skip
ProductCodeType = Literal["UPC", "EAN", "ISBN-10", "ISBN-13", "GTIN-14"]

Text = Annotated[str, Field(min_length=1, max_length=500)]
Qty = Annotated[int, Field(ge=0, le=100_000)]
Money = Annotated[float, Field(ge=0, le=10_000_000)]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class TokenRequest(Strict):
    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=True)

    user: Text
    pass_: Text = Field(alias="pass")


class TokenResponse(BaseModel):
    id_token: str
    token_type: str
    expires_on: str


class OrderUrls(BaseModel):
    order_urls: list[str]


class AckItem(Strict):
    order_item_id: Text
    alt_order_item_id: Text | None = None
    order_item_acknowledgement_status: ItemAckStatus


class Acknowledgement(Strict):
    acknowledgement_status: AckStatus
    alt_order_id: Text | None = None
    order_items: list[AckItem] = Field(default_factory=list, max_length=500)


class Address(Strict):
    address1: Text
    address2: str | None = None
    city: Text
    state: Text
    zip_code: Text


class RedirectNotification(Strict):
    redirect_node: str | None = None
    is_redirect_for_zero_inventory: bool | None = None


class ShipmentItem(Strict):
    shipment_item_id: Text | None = None
    alt_shipment_item_id: Text | None = None
    merchant_sku: Text
    response_shipment_sku_quantity: Qty = 0
    response_shipment_cancel_qty: Qty = 0
    RMA_number: Text | None = None
    days_to_return: Annotated[int, Field(ge=0, le=3650)] | None = None
    return_location: Address | None = None


class Shipment(Strict):
    alt_shipment_id: Text | None = None
    shipment_tracking_number: Text | None = None
    response_shipment_date: str | None = None
    expected_delivery_date: str | None = None
    carrier_pick_up_date: str | None = None
    response_shipment_method: Text | None = None
    ship_from_zip_code: Text | None = None
    carrier: Carrier | None = None
    redirect_notification: RedirectNotification | None = None
    shipment_items: list[ShipmentItem] = Field(min_length=1, max_length=500)

    @field_validator("response_shipment_date", "expected_delivery_date", "carrier_pick_up_date")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is not None:
            parse_date("date", value)
        return value


class ShipRequest(Strict):
    alt_order_id: Text | None = None
    shipments: list[Shipment] = Field(min_length=1, max_length=100)


class TagRequest(Strict):
    tag: Annotated[str, Field(min_length=1, max_length=128)]


class ProductCode(Strict):
    standard_product_code: Text
    standard_product_code_type: ProductCodeType


class Product(BaseModel):
    """``PUT /merchant-skus/{sku}``; ``product_title`` is required the first time (§3.4)."""

    model_config = ConfigDict(strict=True, extra="allow")

    product_title: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    standard_product_codes: list[ProductCode] | None = None
    ASIN: str | None = None
    multipack_quantity: Annotated[int, Field(ge=1)] | None = None
    brand: str | None = None
    manufacturer: str | None = None
    mfr_part_number: str | None = None
    product_description: Annotated[str, Field(max_length=5000)] | None = None
    bullets: list[Annotated[str, Field(max_length=500)]] | None = None
    main_image_url: str | None = None
    swatch_image_url: str | None = None
    alternate_images: list[dict[str, object]] | None = None
    jet_browse_node_id: int | None = None
    category_path: str | None = None
    shipping_weight_pounds: Money | None = None
    map_price: Money | None = None
    map_implementation: str | None = None
    msrp: Money | None = None
    product_tax_code: str | None = None
    country_of_origin: str | None = None
    fulfillment_time: Annotated[int, Field(ge=0)] | None = None
    ships_alone: bool | None = None
    start_selling_date: str | None = None


class NodePrice(Strict):
    fulfillment_node_id: Text
    fulfillment_node_price: Money


class PriceRequest(Strict):
    price: Annotated[float, Field(gt=0, le=10_000_000)]
    fulfillment_nodes: list[NodePrice] | None = None


class NodeQuantity(Strict):
    fulfillment_node_id: Text
    quantity: Qty


class InventoryRequest(Strict):
    fulfillment_nodes: list[NodeQuantity] = Field(max_length=500)


class ArchiveRequest(Strict):
    is_archived: bool


class RefundAmount(Strict):
    principal: Money
    tax: Money = 0.0
    shipping_cost: Money = 0.0
    shipping_tax: Money = 0.0


class ReturnItem(Strict):
    order_item_id: Text
    alt_order_item_id: Text | None = None
    total_quantity_returned: Qty
    order_return_refund_qty: Qty
    return_refund_feedback: Text | None = None
    notes: Text | None = None
    refund_amount: RefundAmount


class ReturnCompletion(Strict):
    merchant_order_id: Text
    alt_order_id: Text | None = None
    agree_to_return_charge: bool
    return_charge_feedback: ReturnChargeFeedback | None = None
    items: list[ReturnItem] = Field(min_length=1, max_length=500)


class RefundItem(Strict):
    order_item_id: Text
    total_quantity_returned: Qty
    order_return_refund_qty: Qty
    refund_reason: Text
    refund_feedback: Text
    notes: Text | None = None
    refund_amount: RefundAmount


class RefundRequest(Strict):
    items: list[RefundItem] = Field(min_length=1, max_length=500)


class RefundCreated(BaseModel):
    refund_authorization_id: str


class Urls(BaseModel):
    """``{"<kind>_urls": [...]}`` lists (returns, refunds, SKUs, fulfillment nodes)."""

    model_config = ConfigDict(extra="allow")


class JetErrors(BaseModel):
    errors: list[str]
