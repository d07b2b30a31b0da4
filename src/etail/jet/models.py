"""Typed bodies of the Jet merchant API, field names exactly as celigo-jet.md §3.

Response models accept fields they do not know (``extra="allow"``): Jet added fields over the
years and a client must not break on them. Request models refuse unknown fields, so a typo in our
own code fails before it leaves the process.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

OrderStatus = Literal["created", "ready", "acknowledged", "inprogress", "complete"]
ReturnStatus = Literal["created", "inprogress", "completed by merchant"]
RefundListStatus = Literal["created", "processing", "accepted", "rejected"]
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
    "fulfillable", "nonfulfillable - no inventory", "nonfulfillable - invalid merchant SKU"
]
ReturnChargeFeedback = Literal[
    "other", "outsideMerchantPolicy", "notMerchantError", "wrongItem", "fraud",
    "returnedOutsideWindow",
]  # fmt: skip


class JetModel(BaseModel):
    """A body Jet sends: unknown fields are kept, not refused."""

    model_config = ConfigDict(extra="allow")


class Outgoing(BaseModel):
    """A body we send: unknown fields are a bug in our code."""

    model_config = ConfigDict(extra="forbid")


class Token(JetModel):
    id_token: str = Field(repr=False)
    token_type: str
    expires_on: datetime


# ---- orders (§3.2) --------------------------------------------------------------------------


class ItemPrice(JetModel):
    base_price: float | None = None
    item_tax: float | None = None
    item_shipping_cost: float | None = None
    item_shipping_tax: float | None = None


class FeeAdjustment(JetModel):
    adjustment_name: str | None = None
    adjustment_type: str | None = None
    commission_id: str | None = None
    value: float | None = None


class OrderItem(JetModel):
    order_item_id: str
    alt_order_item_id: str | None = None
    merchant_sku: str
    product_title: str | None = None
    request_order_quantity: int
    request_order_cancel_qty: int | None = None
    adjustment_reason: str | None = None
    item_tax_code: str | None = None
    url: str | None = None
    price_adjustment: float | None = None
    item_fees: float | None = None
    fee_adjustments: list[FeeAdjustment] = Field(default_factory=list)
    regulatory_fees: float | None = None
    order_item_acknowledgement_status: str | None = None
    item_price: ItemPrice = Field(default_factory=ItemPrice)


class Address(JetModel):
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None


class Person(JetModel):
    name: str | None = None
    phone_number: str | None = None


class ShippingTo(JetModel):
    recipient: Person = Field(default_factory=Person)
    address: Address = Field(default_factory=Address)


class OrderDetail(JetModel):
    request_shipping_carrier: str | None = None
    request_shipping_method: str | None = None
    request_service_level: str | None = None
    request_ship_by: datetime | None = None
    request_delivery_by: datetime | None = None


class OrderTotals(JetModel):
    item_price: ItemPrice = Field(default_factory=ItemPrice)
    item_fees: float | None = None
    fee_adjustments: list[FeeAdjustment] = Field(default_factory=list)
    regulatory_fees: float | None = None


class ShipmentItemRecord(JetModel):
    shipment_item_id: str | None = None
    alt_shipment_item_id: str | None = None
    merchant_sku: str
    response_shipment_sku_quantity: int = 0
    response_shipment_cancel_qty: int = 0


class ShipmentRecord(JetModel):
    shipment_id: str | None = None
    alt_shipment_id: str | None = None
    shipment_tracking_number: str | None = None
    carrier: str | None = None
    response_shipment_method: str | None = None
    response_shipment_date: datetime | None = None
    shipment_items: list[ShipmentItemRecord] = Field(default_factory=list)


class Order(JetModel):
    """``GET /orders/withoutShipmentDetail/{merchant_order_id}``."""

    merchant_order_id: str
    reference_order_id: str | None = None
    customer_reference_order_id: str | None = None
    alt_order_id: str | None = None
    fulfillment_node: str | None = None
    hash_email: str | None = None
    status: OrderStatus
    exception_state: str | None = None
    order_placed_date: datetime | None = None
    order_transmission_date: datetime | None = None
    order_ready_date: datetime | None = None
    order_acknowledge_date: datetime | None = None
    jet_requested_directed_cancel: bool = False
    has_shipments: bool = False
    acknowledgement_status: str | None = None
    order_detail: OrderDetail = Field(default_factory=OrderDetail)
    buyer: Person = Field(default_factory=Person)
    shipping_to: ShippingTo = Field(default_factory=ShippingTo)
    order_totals: OrderTotals = Field(default_factory=OrderTotals)
    order_items: list[OrderItem] = Field(default_factory=list)
    shipments: list[ShipmentRecord] = Field(default_factory=list)


class AckItem(Outgoing):
    order_item_id: str
    alt_order_item_id: str | None = None
    order_item_acknowledgement_status: ItemAckStatus = "fulfillable"


class Acknowledgement(Outgoing):
    """``PUT /orders/{id}/acknowledge``; ``alt_order_id`` carries our sales order number."""

    acknowledgement_status: AckStatus = "accepted"
    alt_order_id: str | None = None
    order_items: list[AckItem] = Field(default_factory=list)


class ReturnLocation(Outgoing):
    address1: str
    address2: str | None = None
    city: str
    state: str
    zip_code: str


class ShipmentItem(Outgoing):
    shipment_item_id: str | None = None
    alt_shipment_item_id: str | None = None
    merchant_sku: str
    response_shipment_sku_quantity: int = 0
    response_shipment_cancel_qty: int = 0
    RMA_number: str | None = None
    days_to_return: int | None = None
    return_location: ReturnLocation | None = None


class Shipment(Outgoing):
    """One shipment; ``alt_shipment_id`` is required when it only cancels units."""

    alt_shipment_id: str | None = None
    shipment_tracking_number: str | None = None
    response_shipment_date: datetime | None = None
    expected_delivery_date: datetime | None = None
    carrier_pick_up_date: datetime | None = None
    response_shipment_method: str | None = None
    ship_from_zip_code: str | None = None
    carrier: str | None = None
    shipment_items: list[ShipmentItem]


class ShipmentMessage(Outgoing):
    """``PUT /orders/{id}/shipped``: shipments and cancellations; messages accumulate."""

    alt_order_id: str | None = None
    shipments: list[Shipment]


# ---- merchant SKUs (§3.4) ---------------------------------------------------------------------


class ProductCode(Outgoing):
    standard_product_code: str
    standard_product_code_type: Literal["UPC", "EAN", "ISBN-10", "ISBN-13", "GTIN-14"]


class Product(BaseModel):
    """``PUT /merchant-skus/{sku}``; Jet's long tail of attributes goes in as extra fields."""

    model_config = ConfigDict(extra="allow")

    product_title: str | None = None
    standard_product_codes: list[ProductCode] | None = None
    brand: str | None = None
    manufacturer: str | None = None
    multipack_quantity: int | None = None
    product_description: str | None = None
    bullets: list[str] | None = None
    main_image_url: str | None = None
    msrp: float | None = None
    map_price: float | None = None
    shipping_weight_pounds: float | None = None


class Sku(JetModel):
    """``GET /merchant-skus/{sku}``: the product plus Jet's listing state."""

    merchant_sku: str
    merchant_sku_id: str | None = None
    jet_retail_sku: str | None = None
    product_title: str | None = None
    status: str | None = None
    sub_status: list[str] = Field(default_factory=list)
    price: float | None = None
    sku_last_update: datetime | None = None
    price_last_update: datetime | None = None
    last_update: datetime | None = None


class NodePrice(JetModel):
    fulfillment_node_id: str
    fulfillment_node_price: float


class Price(BaseModel):
    model_config = ConfigDict(extra="forbid")

    price: float
    fulfillment_nodes: list[NodePrice] | None = None


class PriceInfo(JetModel):
    price: float | None = None
    fulfillment_nodes: list[NodePrice] = Field(default_factory=list)
    price_last_update: datetime | None = None


class NodeQuantity(JetModel):
    fulfillment_node_id: str
    quantity: int


class Inventory(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fulfillment_nodes: list[NodeQuantity]


class InventoryInfo(JetModel):
    fulfillment_nodes: list[NodeQuantity] = Field(default_factory=list)
    inventory_last_update: datetime | None = None


class FulfillmentNode(JetModel):
    """One entry of ``GET /setup/fulfillmentNodes``."""

    jet_fulfillment_node_id: str
    location_name: str | None = None
    zip_code: str | None = None


# ---- returns and refunds (§3.3) ---------------------------------------------------------------


class RefundAmount(Outgoing):
    principal: float
    tax: float = 0.0
    shipping_cost: float = 0.0
    shipping_tax: float = 0.0


class AmountInfo(JetModel):
    principal: float | None = None
    tax: float | None = None
    shipping_cost: float | None = None
    shipping_tax: float | None = None


class ReturnSku(JetModel):
    order_item_id: str
    alt_order_item_id: str | None = None
    merchant_sku: str
    merchant_sku_title: str | None = None
    reason: str | None = None
    return_quantity: int
    requested_refund_amount: AmountInfo = Field(default_factory=AmountInfo)


class Return(JetModel):
    """``GET /returns/state/{return_id}``."""

    merchant_return_authorization_id: str
    alt_return_authorization_id: str | None = None
    reference_return_authorization_id: str | None = None
    merchant_order_id: str
    reference_order_id: str | None = None
    alt_order_id: str | None = None
    return_status: str
    return_date: datetime | None = None
    shipping_carrier: str | None = None
    tracking_number: str | None = None
    refund_without_return: bool | None = None
    completed_date: datetime | None = None
    merchant_return_charge: float | None = None
    agree_to_return_charge: bool | None = None
    return_charge_feedback: str | None = None
    return_merchant_SKUs: list[ReturnSku] = Field(default_factory=list)


class ReturnItem(Outgoing):
    order_item_id: str
    alt_order_item_id: str | None = None
    total_quantity_returned: int
    order_return_refund_qty: int
    return_refund_feedback: str | None = None
    notes: str | None = None
    refund_amount: RefundAmount


class ReturnCompletion(Outgoing):
    """``PUT /returns/{id}/complete``."""

    merchant_order_id: str
    alt_order_id: str | None = None
    agree_to_return_charge: bool = True
    return_charge_feedback: ReturnChargeFeedback | None = None
    items: list[ReturnItem]


class RefundItem(Outgoing):
    order_item_id: str
    total_quantity_returned: int
    order_return_refund_qty: int
    refund_reason: str
    refund_feedback: str
    notes: str | None = None
    refund_amount: RefundAmount


class RefundRequest(Outgoing):
    """``POST /refunds/{merchant_order_id}/{alt_refund_id}``."""

    items: list[RefundItem]


class Refund(JetModel):
    """``GET /refunds/state/{refund_authorization_id}``."""

    refund_authorization_id: str
    alt_refund_id: str | None = None
    refund_status: str
    merchant_order_id: str
    reference_order_id: str | None = None
    alt_order_id: str | None = None
    items: list[dict[str, object]] = Field(default_factory=list)
