"""Settings of the Jet - NetSuite integration app: General and one section per flow group.

Follows celigo-jet.md §2.3 (the sibling eTail apps' settings, adapted to Jet). Stored as JSON on
the integration; flows read them with :func:`load` and never see unvalidated data::

    settings = app_settings.load(integration.settings)
    if settings.order.customer_mode == "default": ...
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from etail.errors import SettingsError

_CFG = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class GeneralSettings(BaseModel):
    model_config = _CFG
    etail_channel: str = Field(
        "Jet", title="eTail Channel", description="Value of the eTail Channel field on orders."
    )
    subsidiary_id: str = Field("1", title="NetSuite subsidiary (internal ID)")
    location_id: str = Field("1", title="Default NetSuite location (internal ID)")
    item_aliases: bool = Field(
        False,
        title="Item aliases are configured in NetSuite",
        description="Look up Jet SKUs through Celigo eTail Item Alias records.",
    )


class OrderSettings(BaseModel):
    model_config = _CFG
    customer_mode: Literal["per_order", "default"] = Field(
        "per_order",
        title="Customer",
        description="Create or find a customer per order (matched on e-mail and name), or put "
        "every order on one default customer (NetSuite limits a customer to ~10,000 transactions).",
    )
    default_customer_id: str = Field("", title="Default NetSuite customer (internal ID)")
    shipping_item_id: str = Field("", title="Shipping cost item (internal ID)")
    tax_item_id: str = Field("", title="Tax item (internal ID)")
    discount_item_id: str = Field("", title="Discount item (internal ID)")
    ship_method_map: dict[str, str] = Field(
        default_factory=dict,
        title="Ship method map",
        description="Jet ship method = NetSuite ship item internal ID, one per line.",
    )
    default_ship_method: str = Field("", title="Default NetSuite ship item (internal ID)")
    unknown_sku: Literal["reject", "error"] = Field(
        "reject",
        title="When a SKU is unknown",
        description="reject: acknowledge the order to Jet as 'nonfulfillable - invalid merchant "
        "SKU'; error: leave it unacknowledged as an open error to fix and retry.",
    )
    auto_acknowledge: bool = Field(True, title="Acknowledge automatically after the order exists")
    on_demand_order_ids: list[str] = Field(
        default_factory=list,
        title="Order IDs for on-demand sync",
        description="Comma-separated Jet merchant order IDs to import on the next run.",
    )
    duration_days: int = Field(7, ge=1, le=29, title="Duration in days (back-date window)")


class FulfillmentSettings(BaseModel):
    model_config = _CFG
    carrier_map: dict[str, str] = Field(
        default_factory=dict,
        title="Carrier map",
        description="NetSuite carrier or ship method = Jet carrier, one per line.",
    )
    default_carrier: str = Field("Other", title="Default Jet carrier")
    method_map: dict[str, str] = Field(
        default_factory=dict,
        title="Ship method map",
        description="NetSuite ship method = Jet shipping method, one per line.",
    )
    default_method: str = Field("Other", title="Default Jet shipping method")
    ship_from_zip: str = Field(
        "00000",
        title="Ship-from ZIP code",
        description="Sent to Jet with every shipment (five digits, or ZIP+4).",
        pattern=r"^\d{5}(-\d{4})?$",
    )
    return_location_id: str = Field("", title="Return location (internal ID)")


class InventorySettings(BaseModel):
    model_config = _CFG
    fulfillment_node: str = Field(
        "", title="Jet fulfillment node", description="Blank: the Jet connection's node."
    )
    location_node_map: dict[str, str] = Field(
        default_factory=dict,
        title="NetSuite location to Jet fulfillment node",
        description="location internal ID = fulfillment node ID, one per line.",
    )
    buffer_quantity: int = Field(0, ge=0, title="Safety stock held back per SKU")
    sync_prices: bool = Field(True, title="Send NetSuite prices to Jet")
    price_level: str = Field("Base Price", title="NetSuite price level")


class ReturnSettings(BaseModel):
    model_config = _CFG
    create_refund: bool = Field(True, title="Refund in NetSuite when a return is received")
    refund_account_id: str = Field("", title="Refund account (internal ID)")


class IntegrationSettings(BaseModel):
    model_config = _CFG
    general: GeneralSettings = Field(default_factory=GeneralSettings)
    order: OrderSettings = Field(default_factory=OrderSettings)
    fulfillment: FulfillmentSettings = Field(default_factory=FulfillmentSettings)
    inventory: InventorySettings = Field(default_factory=InventorySettings)
    returns: ReturnSettings = Field(default_factory=ReturnSettings)


# Section id -> (label, model), in the order the Settings tab shows them.
SECTIONS: dict[str, tuple[str, type[BaseModel]]] = {
    "general": ("General", GeneralSettings),
    "order": ("Order", OrderSettings),
    "fulfillment": ("Fulfillment", FulfillmentSettings),
    "inventory": ("Inventory and price", InventorySettings),
    "returns": ("Returns and refunds", ReturnSettings),
}


def load(raw: dict[str, Any] | None) -> IntegrationSettings:
    """Validated settings from the integration's stored JSON (defaults fill the gaps)."""
    try:
        return IntegrationSettings.model_validate(raw or {})
    except ValidationError as exc:
        raise _settings_error(exc) from None


def update_section(
    current: IntegrationSettings, section: str, values: dict[str, Any]
) -> IntegrationSettings:
    """A copy of ``current`` with one section replaced by ``values`` (validated)."""
    if section not in SECTIONS:
        raise SettingsError(
            f"unknown settings section {section!r}",
            field="section",
            hint=f"one of {', '.join(SECTIONS)}",
        )
    data = current.model_dump()
    data[section] = values
    try:
        return IntegrationSettings.model_validate(data)
    except ValidationError as exc:
        raise _settings_error(exc) from None


def _settings_error(exc: ValidationError) -> SettingsError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return SettingsError(f"setting {where}: {first['msg']}", field=where)
