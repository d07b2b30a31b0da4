"""Settings of the Jet - NetSuite integration, as the mappings and steps read them.

The integrator stores the values a person enters on the integration's Settings page as JSON
(schema: ``etail.integrator.app_settings``, same group and field names);
:func:`IntegrationSettings.from_mapping` turns that JSON into frozen objects so that every
mapping is a pure function of ``(record, settings)``. The groups follow the Celigo eTail apps
(celigo-jet.md §2.3): General, Order, Fulfillment, Inventory and price, Returns and refunds.

Every error names the setting and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from etail.errors import SettingsError

CustomerMode = Literal["per_order", "default"]
UnknownSku = Literal["reject", "error"]

# Jet carrier enum (celigo-jet.md §3.2 "Carriers"); anything else is sent as "Other".
JET_CARRIERS: frozenset[str] = frozenset(
    {
        "FedEx", "FedEx SmartPost", "FedEx Freight", "UPS", "UPS Freight", "UPS Mail Innovations",
        "UPS SurePost", "OnTrac", "OnTrac Direct Post", "DHL", "DHL Global Mail", "USPS", "CEVA",
        "Laser Ship", "Spee Dee", "A Duie Pyle", "A1", "ABF", "APEX", "Averitt", "Dynamex",
        "Eastern Connection", "Ensenda", "Estes", "Land Air Express", "Lone Star", "Meyer",
        "New Penn", "Pilot", "Prestige", "RBF", "Reddaway", "RL Carriers", "Roadrunner",
        "Southeastern Freight", "UDS", "UES", "YRC", "Other",
    }
)  # fmt: skip


@dataclass(frozen=True)
class GeneralSettings:
    """General: where records land in NetSuite and how they are labelled."""

    etail_channel: str = "Jet"  # the "eTail Channel" written on every transaction
    subsidiary_id: str | None = None
    location_id: str | None = None  # default NetSuite location of new sales orders
    item_aliases: bool = False


@dataclass(frozen=True)
class OrderSettings:
    """Order flow: customers, shipping, tax, unknown SKUs and on-demand order ids.

    A blank ``shipping_item_id`` puts Jet's shipping on the order header (``shippingCost``); a
    set one adds a shipping line. A blank ``tax_item_id`` leaves tax to NetSuite; a set one adds
    Jet's tax as a line (REST tax fields need SuiteTax, netsuite-tba.md §5).
    """

    customer_mode: CustomerMode = "per_order"
    default_customer_id: str | None = None
    shipping_item_id: str | None = None
    tax_item_id: str | None = None
    discount_item_id: str | None = None
    # Jet request_shipping_method (or service level) -> NetSuite ship item internal id.
    ship_method_map: Mapping[str, str] = field(default_factory=dict)
    default_ship_method: str | None = None
    # celigo-jet.md §2.3: reject as "nonfulfillable - invalid merchant SKU", or keep as an error.
    unknown_sku: UnknownSku = "reject"
    auto_acknowledge: bool = True
    on_demand_order_ids: tuple[str, ...] = ()
    duration_days: int = 7


@dataclass(frozen=True)
class FulfillmentSettings:
    """Fulfillment flow: NetSuite carrier / ship method text -> Jet carrier and method."""

    carrier_map: Mapping[str, str] = field(default_factory=dict)
    default_carrier: str = "Other"
    return_location_id: str | None = None
    method_map: Mapping[str, str] = field(default_factory=dict)
    default_method: str = "Other"
    ship_from_zip: str = "00000"


@dataclass(frozen=True)
class InventorySettings:
    """Inventory and price flows: NetSuite location internal id -> Jet fulfillment node id."""

    fulfillment_node: str | None = None  # blank: the Jet connection's node
    location_node_map: Mapping[str, str] = field(default_factory=dict)
    buffer_quantity: int = 0  # units held back from every node (safety stock)
    sync_prices: bool = True
    price_level: str = "Base Price"

    def node_for(self, location: str, connection_node: str | None) -> str | None:
        """The Jet node of a NetSuite location: the map, else the one default node."""
        if location in self.location_node_map:
            return self.location_node_map[location]
        if self.location_node_map:
            return None  # a map is set: unmapped locations are left out
        return self.fulfillment_node or connection_node


@dataclass(frozen=True)
class ReturnSettings:
    """Return flow: how the refund is written in NetSuite and what Jet is told."""

    create_refund: bool = True
    refund_account_id: str | None = None
    agree_to_return_charge: bool = True


@dataclass(frozen=True)
class IntegrationSettings:
    """Every setting of the installed Jet - NetSuite integration."""

    general: GeneralSettings = field(default_factory=GeneralSettings)
    order: OrderSettings = field(default_factory=OrderSettings)
    fulfillment: FulfillmentSettings = field(default_factory=FulfillmentSettings)
    inventory: InventorySettings = field(default_factory=InventorySettings)
    returns: ReturnSettings = field(default_factory=ReturnSettings)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> IntegrationSettings:
        """Build from the integration's stored JSON ``{"general": {...}, "order": {...}}``.

        The integrator validates what people save (``etail.integrator.app_settings``); keys this
        side does not use are skipped so both can evolve, but a wrong type fails naming the field.
        """
        groups: dict[str, Any] = {}
        for f in fields(cls):
            raw = (data or {}).get(f.name) or {}
            if not isinstance(raw, Mapping):
                raise SettingsError(
                    f"setting group {f.name!r} must be an object", field=f.name, hint="use {}"
                )
            groups[f.name] = _group(f.name, _GROUP_TYPES[f.name], raw)
        settings = cls(**groups)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Cross-field rules: a mode that needs an id must have it."""
        o = self.order
        _require(
            o.customer_mode != "default" or o.default_customer_id,
            "order.default_customer_id",
            "set the NetSuite internal id of the default customer, or use per_order",
        )
        for carrier in self.fulfillment.carrier_map.values():
            _require(
                carrier in JET_CARRIERS,
                "fulfillment.carrier_map",
                f"{carrier!r} is not a Jet carrier; use one of Jet's carriers or Other",
            )
        _require(
            self.fulfillment.default_carrier in JET_CARRIERS,
            "fulfillment.default_carrier",
            "use one of Jet's carriers or Other",
        )
        _require(self.inventory.buffer_quantity >= 0, "inventory.buffer_quantity", "use 0 or more")

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape :meth:`from_mapping` reads (for pages and storage)."""
        return {f.name: _group_dict(getattr(self, f.name)) for f in fields(self)}


_GROUP_TYPES: dict[str, type] = {
    "general": GeneralSettings,
    "order": OrderSettings,
    "fulfillment": FulfillmentSettings,
    "inventory": InventorySettings,
    "returns": ReturnSettings,
}


_CHOICES: dict[str, tuple[str, ...]] = {
    "order.customer_mode": ("per_order", "default"),
    "order.unknown_sku": ("reject", "error"),
}


def _require(ok: object, name: str, hint: str) -> None:
    if not ok:
        raise SettingsError(f"setting {name} is missing or invalid", field=name, hint=hint)


def _group(group: str, kind: type, raw: Mapping[str, Any]) -> Any:
    known = {f.name: f for f in fields(kind)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            continue
        default = getattr(kind(), key)
        name = f"{group}.{key}"
        values[key] = _coerce(name, value, default)
        choices = _CHOICES.get(name)
        if choices and values[key] not in choices:
            raise SettingsError(
                f"setting {name} is {value!r}", field=name, hint=f"use one of {list(choices)}"
            )
    return kind(**values)


def _coerce(name: str, value: Any, default: Any) -> Any:
    """Check a stored value against the type of its default; ids may be ints in JSON."""
    if value is None:
        return None
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise SettingsError(f"setting {name} must be true or false", field=name)
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"setting {name} must be a whole number", field=name)
        return value
    if isinstance(default, Mapping):
        if not isinstance(value, Mapping):
            raise SettingsError(f"setting {name} must be an object of text values", field=name)
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(default, tuple):
        return _id_list(name, value)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value).strip() or None if default is None else str(value)
    raise SettingsError(f"setting {name} must be text", field=name)


def _id_list(name: str, value: Any) -> tuple[str, ...]:
    """A list of ids, or comma-separated text as typed into the Settings page."""
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    raise SettingsError(
        f"setting {name} must be a list of ids", field=name, hint="type ids separated by commas"
    )


def _group_dict(group: object) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(group):  # type: ignore[arg-type]
        value = getattr(group, f.name)
        if isinstance(value, Mapping):
            value = dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out
