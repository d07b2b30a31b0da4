"""Orders under ``/api/orders`` (celigo-jet.md §3.2)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from etail.sandbox.jet import orders
from etail.sandbox.jet.deps import CallerDep, StoreDep
from etail.sandbox.jet.problems import bad_field
from etail.sandbox.jet.schemas import Acknowledgement, JetErrors, OrderUrls, ShipRequest, TagRequest

router = APIRouter(
    prefix="/api/orders",
    tags=["orders"],
    responses={400: {"model": JetErrors}, 401: {"model": JetErrors}, 404: {"model": JetErrors}},
)


def _flag(name: str, value: str | None) -> bool | None:
    if value is None:
        return None
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise bad_field(name, f"'{value}' must be true or false")


@router.get("/directedCancel", response_model=OrderUrls)
def directed_cancel(caller: CallerDep, store: StoreDep) -> dict[str, list[str]]:
    """Orders Jet asked to cancel (deprecated by Jet in Feb 2017)."""
    return {"order_urls": orders.directed_cancel_urls(store, caller.merchant_id)}


@router.get("/withoutShipmentDetail/{merchant_order_id}", response_model=dict[str, Any])
def order_detail(merchant_order_id: str, caller: CallerDep, store: StoreDep) -> JSONResponse:
    return JSONResponse(orders.detail(store, caller.merchant_id, merchant_order_id))


@router.get("/{status}", response_model=OrderUrls)
def order_urls(
    status: str,
    caller: CallerDep,
    store: StoreDep,
    fulfillment_node: str | None = None,
    is_cancelled: Annotated[str | None, Query(alias="isCancelled")] = None,
) -> dict[str, list[str]]:
    """Up to 1000 order URLs in ``status``, oldest first."""
    urls = orders.list_urls(
        store,
        caller.merchant_id,
        status,
        node=fulfillment_node,
        is_cancelled=_flag("isCancelled", is_cancelled),
    )
    return {"order_urls": urls}


@router.get("/{status}/{tag}/{include}", response_model=OrderUrls)
def tagged_urls(
    status: str, tag: str, include: str, caller: CallerDep, store: StoreDep
) -> dict[str, list[str]]:
    """Orders in ``status`` with (``include=true``) or without (``false``) the tag."""
    flag = _flag("include", include)
    urls = orders.list_urls(store, caller.merchant_id, status, tag=tag, include=flag)
    return {"order_urls": urls}


@router.put("/{merchant_order_id}/acknowledge", status_code=204)
def acknowledge(
    merchant_order_id: str, body: Acknowledgement, caller: CallerDep, store: StoreDep
) -> Response:
    orders.acknowledge(store, caller.merchant_id, merchant_order_id, body)
    return Response(status_code=204)


@router.put("/{merchant_order_id}/shipped", status_code=204)
def shipped(
    merchant_order_id: str, body: ShipRequest, caller: CallerDep, store: StoreDep
) -> Response:
    orders.ship(store, caller.merchant_id, merchant_order_id, body)
    return Response(status_code=204)


@router.put("/{merchant_order_id}/tag", status_code=204)
def tag(merchant_order_id: str, body: TagRequest, caller: CallerDep, store: StoreDep) -> Response:
    orders.set_tag(store, caller.merchant_id, merchant_order_id, body.tag)
    return Response(status_code=204)
