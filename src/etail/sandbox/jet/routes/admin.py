"""Admin JSON API for setup without a UI (header ``X-Sandbox-Admin-Key``, constant-time check).

Jet's own partner portal created merchants, keys and nodes, and Runway placed test orders; these
endpoints stand in for both.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from etail.sandbox.jet import catalog, merchants, orders, refunds, returns, runway
from etail.sandbox.jet.deps import OptionsDep, StoreDep, require_admin
from etail.sandbox.jet.problems import JetProblem
from etail.sandbox.jet.schemas import JetErrors
from etail.sandbox.jet.seed import seed

router = APIRouter(
    prefix="/admin",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    responses={400: {"model": JetErrors}, 401: {"model": JetErrors}, 404: {"model": JetErrors}},
)

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class NodeIn(Strict):
    fulfillment_node_id: Id
    name: Annotated[str, Field(min_length=1, max_length=200)] = "Fulfillment node"
    zip_code: Annotated[str, Field(max_length=16)] = ""


class MerchantIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    merchant_id: Id | None = None
    fulfillment_nodes: list[NodeIn] = Field(default_factory=list, max_length=50)
    api_user: Id | None = None
    secret: Annotated[str, Field(min_length=16, max_length=200)] | None = None


class SeedIn(Strict):
    orders: Annotated[int, Field(ge=0, le=1_000_000)]
    skus: Annotated[int, Field(ge=0, le=100_000)]
    seed: int
    merchant_id: Id = "jet-sandbox-merchant"
    now: float | None = None


class LineIn(Strict):
    merchant_sku: Annotated[str, Field(min_length=1, max_length=128)]
    quantity: Annotated[int, Field(ge=1, le=1000)] = 1
    price: Annotated[float, Field(gt=0)] | None = None
    title: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class OrderIn(Strict):
    lines: list[LineIn] = Field(min_length=1, max_length=50)
    buyer_name: Annotated[str, Field(min_length=1, max_length=200)] = "Riley Tester"
    fulfillment_node: str | None = None
    merchant_order_id: Id | None = None
    directed_cancel: bool = False


class ReturnLineIn(Strict):
    order_item_id: str
    quantity: Annotated[int, Field(ge=1)] = 1
    reason: str = returns.RETURN_REASONS[0]


class ReturnIn(Strict):
    items: list[ReturnLineIn] | None = None


class RefundStatusIn(Strict):
    refund_status: str


def _key(key: merchants.ApiKey) -> dict[str, str]:
    return {"kind": key.kind, "api_user": key.api_user, "secret": key.secret}


def _merchant_out(m: merchants.NewMerchant) -> dict[str, Any]:
    """The only answer that carries the secrets: Jet showed new API keys once."""
    return {
        "merchant_id": m.merchant_id,
        "name": m.name,
        "fulfillment_nodes": [
            {"fulfillment_node_id": n.node_id, "name": n.name, "zip_code": n.zip_code}
            for n in m.fulfillment_nodes
        ],
        "test_key": _key(m.test_key),
        "live_key": _key(m.live_key),
    }


@router.post("/merchants", status_code=201)
def create_merchant(body: MerchantIn, store: StoreDep) -> dict[str, Any]:
    made = merchants.create_merchant(
        store,
        name=body.name,
        merchant_id=body.merchant_id,
        fulfillment_nodes=[
            merchants.NodeSpec(n.fulfillment_node_id, n.name, n.zip_code)
            for n in body.fulfillment_nodes
        ],
        api_user=body.api_user,
        secret=body.secret,
    )
    return _merchant_out(made)


@router.get("/merchants")
def list_merchants(store: StoreDep) -> dict[str, Any]:
    return {"merchants": merchants.list_merchants(store)}


@router.post("/seed")
def run_seed(body: SeedIn, store: StoreDep, options: OptionsDep) -> dict[str, Any]:
    report = seed(
        store,
        orders=body.orders,
        skus=body.skus,
        seed=body.seed,
        merchant_id=body.merchant_id,
        now=body.now,
        ready_delay_s=options.ready_delay_s,
    )
    out: dict[str, Any] = report.summary()
    out["new_merchant"] = _merchant_out(report.new_merchant) if report.new_merchant else None
    return out


@router.get("/merchants/{merchant_id}/catalog")
def merchant_catalog(merchant_id: str, store: StoreDep) -> dict[str, Any]:
    if not merchants.merchant_exists(store, merchant_id):
        raise JetProblem(404, f"merchant '{merchant_id}' was not found")
    return {"catalog": catalog.catalog(store, merchant_id)}


@router.post("/merchants/{merchant_id}/orders", status_code=201)
def create_order(
    merchant_id: str, body: OrderIn, store: StoreDep, options: OptionsDep
) -> dict[str, str]:
    spec = runway.RunwayOrder(
        lines=[runway.RunwayLine(i.merchant_sku, i.quantity, i.price, i.title) for i in body.lines],
        buyer_name=body.buyer_name,
        fulfillment_node=body.fulfillment_node,
        merchant_order_id=body.merchant_order_id,
        directed_cancel=body.directed_cancel,
    )
    order_id = runway.create_order(store, merchant_id, spec, options.ready_delay_s)
    return {"merchant_order_id": order_id}


@router.get("/orders")
def list_orders(
    store: StoreDep,
    merchant_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """Orders in full, newest first, with counts per status."""
    found = orders.summaries(store, merchant_id, status, limit=max(1, min(limit, 1000)))
    return {"orders": found, "counts": orders.counts(store, merchant_id)}


@router.post("/orders/{merchant_order_id}/directed-cancel", status_code=204)
def directed_cancel(merchant_order_id: str, store: StoreDep) -> Response:
    """Jet asks the merchant to cancel the order (sets ``jet_requested_directed_cancel``)."""
    orders.set_directed_cancel(store, merchant_order_id)
    return Response(status_code=204)


@router.post("/orders/{merchant_order_id}/returns", status_code=201)
def open_return(merchant_order_id: str, body: ReturnIn, store: StoreDep) -> dict[str, str]:
    lines = [(i.order_item_id, i.quantity, i.reason) for i in body.items] if body.items else None
    return_id = returns.open_return(store, merchant_order_id, lines)
    return {"merchant_return_authorization_id": return_id}


@router.put("/refunds/{refund_id}/status", status_code=204)
def refund_status(refund_id: str, body: RefundStatusIn, store: StoreDep) -> Response:
    refunds.set_status(store, refund_id, body.refund_status)
    return Response(status_code=204)
