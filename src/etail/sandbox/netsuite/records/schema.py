"""The record types the sandbox serves, field by field (docs/netsuite-sandbox-records.md).

One declarative table drives validation, serialisation, ``q`` filters and the SuiteQL tables, so
the four never disagree. Field names follow NetSuite's REST record browser (camelCase body and
sublist fields; ``custbody_*``, ``custentity_*``, ``custitem_*`` and ``custcol_*`` custom fields
accept any scalar).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal[
    "text",  # JSON string
    "integer",  # JSON integer
    "float",  # JSON number
    "boolean",  # JSON true/false
    "date",  # "YYYY-MM-DD"
    "ref",  # {"id": ...} or {"externalId": ...} of a record type or a static list
    "freeref",  # {"id"?, "refName"?}: a list the sandbox does not model (ship methods, ...)
    "enum",  # {"id": <choice>} or the bare choice string
    "address",  # subrecord: an object of address fields
]


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    targets: tuple[str, ...] = ()  # record types (or static lists) a ref may point at
    required: bool = False
    readonly: bool = False
    choices: Mapping[str, str] = field(default_factory=dict)  # enum id -> refName
    max_length: int = 999
    column: str | None = None  # SuiteQL column name; None = not exposed


@dataclass(frozen=True)
class Sublist:
    name: str
    fields: tuple[Field, ...]
    key: str = "line"  # lines merge on this field in PATCH (NS:section_1545142420)
    custom_prefix: str = "custcol_"

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name.lower() == name.lower()), None)


@dataclass(frozen=True)
class RecordType:
    name: str  # REST spelling, e.g. "salesOrder"
    label: str  # UI label, e.g. "Sales Order"
    fields: tuple[Field, ...]
    sublists: tuple[Sublist, ...] = ()
    custom_prefix: str = "custbody_"
    tran_prefix: str | None = None  # transactions get a tranId like SO1001
    tran_type: str | None = None  # SuiteQL transaction.type, e.g. "SalesOrd"
    created_name: str = "createdDate"

    @property
    def is_transaction(self) -> bool:
        return self.tran_prefix is not None

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name.lower() == name.lower()), None)

    def sublist(self, name: str) -> Sublist | None:
        return next((s for s in self.sublists if s.name.lower() == name.lower()), None)


# Static lists the sandbox does not let you edit; every account has them.
LOCATIONS: Mapping[int, str] = {1: "Main Warehouse", 2: "East Coast DC", 3: "West Coast DC"}
SUBSIDIARIES: Mapping[int, str] = {1: "Parent Company"}
STATIC_LISTS: Mapping[str, Mapping[int, str]] = {"location": LOCATIONS, "subsidiary": SUBSIDIARIES}

SO_STATUS = {
    "A": "Pending Approval",
    "B": "Pending Fulfillment",
    "D": "Partially Fulfilled",
    "E": "Pending Billing/Partially Fulfilled",
    "F": "Pending Billing",
    "G": "Billed",
    "H": "Closed",
}
SHIP_STATUS = {"A": "Picked", "B": "Packed", "C": "Shipped"}
SHIP_CARRIER = {"ups": "UPS", "nonups": "FedEx/USPS/More"}
RMA_STATUS = {"A": "Pending Approval", "B": "Pending Receipt", "H": "Closed"}


def _common_tran(*, entity_required: bool = True) -> tuple[Field, ...]:
    return (
        Field("externalId", "text", max_length=255, column="externalid"),
        Field("tranId", "text", readonly=True, column="tranid"),
        Field("tranDate", "date", column="trandate"),
        Field("memo", "text", max_length=999, column="memo"),
        Field("subsidiary", "ref", targets=("subsidiary",)),
        Field("entity", "ref", targets=("customer",), required=entity_required, column="entity"),
        Field("total", "float", readonly=True, column="total"),
    )


_SALES_LINE = (
    Field("line", "integer", readonly=True, column="linesequencenumber"),
    Field("item", "ref", targets=("inventoryItem",), required=True, column="item"),
    Field("quantity", "float", column="quantity"),
    Field("rate", "float", column="rate"),
    Field("amount", "float", column="amount"),
    Field("description", "text", max_length=999, column="memo"),
    Field("location", "ref", targets=("location",), column="location"),
)

CUSTOMER = RecordType(
    name="customer",
    label="Customer",
    created_name="dateCreated",
    custom_prefix="custentity_",
    fields=(
        Field("externalId", "text", max_length=255, column="externalid"),
        Field("entityId", "text", max_length=83, column="entityid"),
        Field("isPerson", "boolean", column="isperson"),
        Field("companyName", "text", max_length=83, column="companyname"),
        Field("firstName", "text", max_length=32, column="firstname"),
        Field("lastName", "text", max_length=32, column="lastname"),
        Field("email", "text", max_length=254, column="email"),
        Field("phone", "text", max_length=32, column="phone"),
        Field("comments", "text", max_length=999),
        Field("isInactive", "boolean", column="isinactive"),
        Field("subsidiary", "ref", targets=("subsidiary",)),
        Field("defaultAddress", "address"),
    ),
)

INVENTORY_ITEM = RecordType(
    name="inventoryItem",
    label="Inventory Item",
    custom_prefix="custitem_",
    fields=(
        Field("externalId", "text", max_length=255, column="externalid"),
        Field("itemId", "text", required=True, max_length=60, column="itemid"),
        Field("displayName", "text", max_length=200, column="displayname"),
        Field("salesDescription", "text", max_length=999, column="description"),
        Field("upcCode", "text", max_length=40, column="upccode"),
        Field("basePrice", "float", column="baseprice"),
        Field("cost", "float", column="cost"),
        Field("isInactive", "boolean", column="isinactive"),
        Field("subsidiary", "ref", targets=("subsidiary",)),
        Field("totalQuantityOnHand", "float", readonly=True, column="totalquantityonhand"),
    ),
    sublists=(
        Sublist(
            "locations",
            key="location",
            custom_prefix="custrecord_",
            fields=(
                Field("location", "ref", targets=("location",), required=True, column="location"),
                Field("quantityOnHand", "float", column="quantityonhand"),
                Field("quantityAvailable", "float", readonly=True, column="quantityavailable"),
                Field("reorderPoint", "float"),
            ),
        ),
    ),
)

SALES_ORDER = RecordType(
    name="salesOrder",
    label="Sales Order",
    tran_prefix="SO",
    tran_type="SalesOrd",
    fields=(
        *_common_tran(),
        Field("otherRefNum", "text", max_length=45, column="otherrefnum"),
        Field("email", "text", max_length=254, column="email"),
        Field("location", "ref", targets=("location",), column="location"),
        Field("shipMethod", "freeref", column="shipmethod"),
        Field("shippingCost", "float", column="shippingcost"),
        Field("shipDate", "date", column="shipdate"),
        Field("shippingAddress", "address"),
        Field("status", "enum", readonly=True, choices=SO_STATUS, column="status"),
        Field("subtotal", "float", readonly=True),
    ),
    sublists=(
        Sublist(
            "item",
            fields=(
                *_SALES_LINE,
                Field("isClosed", "boolean", column="isclosed"),
                Field("quantityFulfilled", "float", readonly=True, column="quantityshiprecv"),
                Field("quantityBilled", "float", readonly=True, column="quantitybilled"),
            ),
        ),
    ),
)

ITEM_FULFILLMENT = RecordType(
    name="itemFulfillment",
    label="Item Fulfillment",
    tran_prefix="IF",
    tran_type="ItemShip",
    fields=(
        *_common_tran(entity_required=False),
        Field("createdFrom", "ref", targets=("salesOrder",), required=True, column="createdfrom"),
        Field("shipStatus", "enum", choices=SHIP_STATUS, column="shipstatus"),
        Field("shipMethod", "freeref", column="shipmethod"),
        Field("shipCarrier", "enum", choices=SHIP_CARRIER, column="shipcarrier"),
        Field("linkedTrackingNumbers", "text", readonly=True, column="trackingnumberlist"),
        Field("shippingAddress", "address"),
    ),
    sublists=(
        Sublist(
            "item",
            fields=(
                Field("line", "integer", readonly=True, column="linesequencenumber"),
                Field("orderLine", "integer", required=True, column="orderline"),
                Field("item", "ref", targets=("inventoryItem",), readonly=True, column="item"),
                Field("quantity", "float", column="quantity"),
                Field("location", "ref", targets=("location",), column="location"),
                Field("itemReceive", "boolean", column="itemreceive"),
            ),
        ),
        Sublist(
            "package",
            fields=(
                Field("line", "integer", readonly=True),
                Field("packageTrackingNumber", "text", max_length=100),
                Field("packageWeight", "float"),
                Field("packageDescr", "text", max_length=200),
            ),
        ),
    ),
)

CASH_SALE = RecordType(
    name="cashSale",
    label="Cash Sale",
    tran_prefix="CS",
    tran_type="CashSale",
    fields=(
        *_common_tran(),
        Field("createdFrom", "ref", targets=("salesOrder",), column="createdfrom"),
        Field("otherRefNum", "text", max_length=45, column="otherrefnum"),
        Field("location", "ref", targets=("location",), column="location"),
        Field("paymentMethod", "freeref"),
        Field("shipMethod", "freeref", column="shipmethod"),
        Field("shippingCost", "float", column="shippingcost"),
    ),
    sublists=(
        Sublist("item", fields=(*_SALES_LINE, Field("orderLine", "integer", column="orderline"))),
    ),
)

RETURN_AUTHORIZATION = RecordType(
    name="returnAuthorization",
    label="Return Authorization",
    tran_prefix="RMA",
    tran_type="RtnAuth",
    fields=(
        *_common_tran(),
        Field("createdFrom", "ref", targets=("salesOrder", "cashSale"), column="createdfrom"),
        Field("otherRefNum", "text", max_length=45, column="otherrefnum"),
        Field("location", "ref", targets=("location",), column="location"),
        Field("orderStatus", "enum", choices=RMA_STATUS, column="status"),
    ),
    sublists=(Sublist("item", fields=_SALES_LINE),),
)

CUSTOMER_REFUND = RecordType(
    name="customerRefund",
    label="Customer Refund",
    tran_prefix="CR",
    tran_type="CustRfnd",
    fields=(
        Field("externalId", "text", max_length=255, column="externalid"),
        Field("tranId", "text", readonly=True, column="tranid"),
        Field("tranDate", "date", column="trandate"),
        Field("memo", "text", max_length=999, column="memo"),
        Field("subsidiary", "ref", targets=("subsidiary",)),
        # A refund names its customer in `customer`, not `entity` (REST record browser).
        Field("customer", "ref", targets=("customer",), required=True, column="entity"),
        Field(
            "createdFrom",
            "ref",
            targets=("returnAuthorization", "cashSale"),
            column="createdfrom",
        ),
        Field("total", "float", required=True, column="total"),
        Field("paymentMethod", "freeref"),
        Field("otherRefNum", "text", max_length=45, column="otherrefnum"),
    ),
)

RECORD_TYPES: Mapping[str, RecordType] = {
    t.name: t
    for t in (
        CUSTOMER,
        INVENTORY_ITEM,
        SALES_ORDER,
        ITEM_FULFILLMENT,
        CASH_SALE,
        RETURN_AUTHORIZATION,
        CUSTOMER_REFUND,
    )
}
_BY_LOWER = {k.lower(): v for k, v in RECORD_TYPES.items()}

ADDRESS_FIELDS = ("addressee", "attention", "addr1", "addr2", "city", "state", "zip", "country")
ADDRESS_FIELDS_ALL = (*ADDRESS_FIELDS, "addrPhone")


def record_type(name: str) -> RecordType | None:
    """The record type for a URL segment; NetSuite matches type names case-insensitively."""
    return _BY_LOWER.get(name.lower())


def transaction_types() -> tuple[RecordType, ...]:
    return tuple(t for t in RECORD_TYPES.values() if t.is_transaction)
