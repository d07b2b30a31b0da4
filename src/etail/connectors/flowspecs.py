"""The FlowSpecs of the Jet - NetSuite integration (celigo-jet.md §2.2), built from clients.

Flow ids are stable (they key jobs, errors and saved configuration):

==========================================  ====================================  ============
id                                          name                                  group
==========================================  ====================================  ============
``jet-order-to-netsuite-order``             Jet Order to NetSuite Order Add       Order
``netsuite-fulfillment-to-jet-shipment``    NetSuite Fulfillment to Jet Shipment  Fulfillment
``jet-cancel-to-netsuite-order``            Jet Cancellation to NetSuite Order    Cancellation
``netsuite-cancel-to-jet-cancel``           NetSuite Cancellation to Jet Cancel   Cancellation
``netsuite-inventory-to-jet-inventory``     NetSuite Inventory to Jet Inventory   Inventory
``netsuite-price-to-jet-price``             NetSuite Price to Jet Price           Inventory
``jet-return-to-netsuite-return``           Jet Return to NetSuite Return/Refund  Returns
==========================================  ====================================  ============
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from etail.connectors import cancel_flows, fulfillment_flow, order_flow, return_flow, stock_flows
from etail.connectors.clients import Clients
from etail.connectors.ioloop import Bridged, BridgedExport, IOLoop
from etail.connectors.items import ItemLookup
from etail.connectors.mappings import cancellations, fulfillments, inventory, orders, returns
from etail.connectors.mappings.common import FieldMapping
from etail.connectors.order_flow import Settings
from etail.engine.flows import FieldMap, FlowSpec
from etail.engine.ports import Export, Import

ORDERS = "jet-order-to-netsuite-order"
FULFILLMENTS = "netsuite-fulfillment-to-jet-shipment"
JET_CANCELS = "jet-cancel-to-netsuite-order"
NETSUITE_CANCELS = "netsuite-cancel-to-jet-cancel"
INVENTORY = "netsuite-inventory-to-jet-inventory"
PRICES = "netsuite-price-to-jet-price"
RETURNS = "jet-return-to-netsuite-return"
FLOW_IDS = (ORDERS, FULFILLMENTS, JET_CANCELS, NETSUITE_CANCELS, INVENTORY, PRICES, RETURNS)

ORDER_FLOW_WIDTH = 16  # order records in flight per NetSuite concurrency slot

# Settings group shown with each flow (the integration's Settings sections).
GROUPS = {
    ORDERS: "order",
    FULFILLMENTS: "fulfillment",
    JET_CANCELS: "order",
    NETSUITE_CANCELS: "order",
    INVENTORY: "inventory",
    PRICES: "inventory",
    RETURNS: "returns",
}


@dataclass(frozen=True)
class FlowContext:
    """What every Jet - NetSuite flow is built from."""

    clients: Clients
    io: IOLoop
    settings_for: Callable[[str], Settings]  # flow id -> current settings of that flow
    state: stock_flows.State
    integration_id: str = ""
    concurrency: int = 5  # the NetSuite connection's concurrency limit
    secrets: Callable[[], Iterable[str]] | None = None


def field_maps(rows: Iterable[FieldMapping]) -> tuple[FieldMap, ...]:
    return tuple(FieldMap(r.source, r.target, r.rule) for r in rows)


def build_flows(ctx: FlowContext) -> list[FlowSpec]:
    """The seven flows, their exports and steps bridged onto the I/O loop."""
    items = ItemLookup(ctx.clients)
    c = ctx.clients

    def spec(
        flow_id: str,
        name: str,
        group: str,
        export: Export,
        steps: tuple[Import, ...],
        mapping: Iterable[FieldMapping],
        description: str,
        *,
        schedule: str | None = "every_15_minutes",
        concurrency: int | None = None,
    ) -> FlowSpec:
        settings = ctx.settings_for(flow_id)
        return FlowSpec(
            id=flow_id,
            name=name,
            group=group,
            description=description,
            export=BridgedExport(export, ctx.io),
            imports=tuple(Bridged(step, ctx.io) for step in steps),
            settings=settings().as_dict()[GROUPS[flow_id]],
            mapping=field_maps(mapping),
            schedule=schedule,
            concurrency=concurrency or ctx.concurrency,
            secrets=ctx.secrets,
            integration=ctx.integration_id,
        )

    s = ctx.settings_for
    return [
        spec(
            ORDERS, "Jet Order to NetSuite Order Add", "Order",
            order_flow.ReadyOrdersExport(c),
            order_flow.order_steps(c, items, s(ORDERS)),
            orders.FIELDS,
            "Ready Jet orders become NetSuite sales orders (upsert by merchant_order_id), "
            "then are acknowledged in Jet with the order number.",
            # Most records in flight wait on Jet or on a batched read, not on NetSuite: many in
            # flight keep every NetSuite slot busy (the client caps NetSuite at the limit).
            concurrency=ctx.concurrency * ORDER_FLOW_WIDTH,
        ),
        spec(
            FULFILLMENTS, "NetSuite Fulfillment to Jet Shipment Add", "Fulfillment",
            fulfillment_flow.FulfillmentsExport(c),
            fulfillment_flow.fulfillment_steps(c, s(FULFILLMENTS)),
            fulfillments.FIELDS,
            "Item fulfillments with tracking become Jet shipped messages, once each.",
        ),
        spec(
            JET_CANCELS, "Jet Cancellation to NetSuite Order Close", "Cancellation",
            cancel_flows.JetCancelRequestsExport(c),
            cancel_flows.jet_cancel_steps(c),
            cancellations.FIELDS_JET_TO_NS,
            "Cancels requested in Jet close the NetSuite order lines; Jet is told.",
        ),
        spec(
            NETSUITE_CANCELS, "NetSuite Cancellation to Jet Cancellation", "Cancellation",
            cancel_flows.ClosedLinesExport(c),
            (cancel_flows.SendClosedLinesToJet(c, s(NETSUITE_CANCELS)),),
            cancellations.FIELDS_NS_TO_JET,
            "Lines closed in NetSuite are sent to Jet as cancel quantities.",
        ),
        spec(
            INVENTORY, "NetSuite Inventory to Jet Inventory", "Inventory",
            stock_flows.ItemsExport(c),
            stock_flows.inventory_steps(c, s(INVENTORY), ctx.state, INVENTORY),
            inventory.INVENTORY_FIELDS,
            "Quantity available per fulfillment node, for items changed since the last run.",
        ),
        spec(
            PRICES, "NetSuite Price to Jet Price", "Inventory",
            stock_flows.ItemsExport(c),
            stock_flows.price_steps(c, s(PRICES)),
            inventory.PRICE_FIELDS,
            "Item prices, for items changed since the last run.",
            schedule="hourly",
        ),
        spec(
            RETURNS, "Jet Return to NetSuite Return Authorization and Refund", "Returns",
            return_flow.JetReturnsExport(c),
            return_flow.return_steps(c, items, s(RETURNS)),
            returns.FIELDS,
            "Jet returns become NetSuite return authorizations and refunds; then the return "
            "is completed in Jet.",
            schedule="hourly",
        ),
    ]  # fmt: skip
