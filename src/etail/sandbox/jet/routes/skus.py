"""Merchant SKUs under ``/api/merchant-skus`` (celigo-jet.md §3.4)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from etail.sandbox.jet import catalog
from etail.sandbox.jet.deps import CallerDep, StoreDep
from etail.sandbox.jet.schemas import (
    ArchiveRequest,
    InventoryRequest,
    JetErrors,
    PriceRequest,
    Product,
)

router = APIRouter(
    prefix="/api/merchant-skus",
    tags=["merchant-skus"],
    responses={400: {"model": JetErrors}, 401: {"model": JetErrors}, 404: {"model": JetErrors}},
)


@router.get("", response_model=dict[str, list[str]])
def list_skus(
    caller: CallerDep,
    store: StoreDep,
    offset: Annotated[int, Query()] = 0,
    limit: Annotated[int, Query()] = 100,
) -> dict[str, list[str]]:
    return {"sku_urls": catalog.list_skus(store, caller.merchant_id, offset, limit)}


@router.put("/{sku}", status_code=204)
def put_sku(sku: str, body: Product, caller: CallerDep, store: StoreDep) -> Response:
    catalog.put_product(store, caller.merchant_id, sku, body)
    return Response(status_code=204)


@router.get("/{sku}", response_model=dict[str, Any])
def get_sku(sku: str, caller: CallerDep, store: StoreDep) -> JSONResponse:
    return JSONResponse(catalog.get_product(store, caller.merchant_id, sku))


@router.put("/{sku}/price", status_code=204)
def put_price(sku: str, body: PriceRequest, caller: CallerDep, store: StoreDep) -> Response:
    catalog.put_price(store, caller.merchant_id, sku, body)
    return Response(status_code=204)


@router.get("/{sku}/price", response_model=dict[str, Any])
def get_price(sku: str, caller: CallerDep, store: StoreDep) -> JSONResponse:
    return JSONResponse(catalog.get_price(store, caller.merchant_id, sku))


@router.patch("/{sku}/inventory", status_code=204)
def patch_inventory(
    sku: str, body: InventoryRequest, caller: CallerDep, store: StoreDep
) -> Response:
    """Update the nodes named; the others keep their quantity."""
    catalog.put_inventory(store, caller.merchant_id, sku, body, merge=True)
    return Response(status_code=204)


@router.put("/{sku}/inventory", status_code=204)
def put_inventory(sku: str, body: InventoryRequest, caller: CallerDep, store: StoreDep) -> Response:
    """Replace the node list (the older verb Jet's clients used)."""
    catalog.put_inventory(store, caller.merchant_id, sku, body, merge=False)
    return Response(status_code=204)


@router.get("/{sku}/inventory", response_model=dict[str, Any])
def get_inventory(sku: str, caller: CallerDep, store: StoreDep) -> JSONResponse:
    return JSONResponse(catalog.get_inventory(store, caller.merchant_id, sku))


@router.put("/{sku}/status/archive", status_code=204)
def archive(sku: str, body: ArchiveRequest, caller: CallerDep, store: StoreDep) -> Response:
    catalog.archive(store, caller.merchant_id, sku, body.is_archived)
    return Response(status_code=204)
