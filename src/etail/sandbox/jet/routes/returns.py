"""Returns and refunds under ``/api/returns`` and ``/api/refunds`` (celigo-jet.md §3.3)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from etail.sandbox.jet import refunds, returns
from etail.sandbox.jet.deps import CallerDep, StoreDep
from etail.sandbox.jet.schemas import JetErrors, RefundCreated, RefundRequest, ReturnCompletion

router = APIRouter(
    prefix="/api",
    tags=["returns", "refunds"],
    responses={400: {"model": JetErrors}, 401: {"model": JetErrors}, 404: {"model": JetErrors}},
)


@router.get("/returns/state/{return_id}", response_model=dict[str, Any])
def return_detail(return_id: str, caller: CallerDep, store: StoreDep) -> JSONResponse:
    return JSONResponse(returns.detail(store, caller.merchant_id, return_id))


@router.get("/returns/{status}", response_model=dict[str, list[str]])
def return_urls(status: str, caller: CallerDep, store: StoreDep) -> dict[str, list[str]]:
    """``status``: created, inprogress or ``completed by merchant`` (URL-encoded)."""
    return {"return_urls": returns.list_urls(store, caller.merchant_id, status)}


@router.put("/returns/{return_id}/complete", status_code=204)
def complete_return(
    return_id: str, body: ReturnCompletion, caller: CallerDep, store: StoreDep
) -> Response:
    returns.complete(store, caller.merchant_id, return_id, body)
    return Response(status_code=204)


@router.get("/refunds/state/{refund_id}", response_model=dict[str, Any])
def refund_state(refund_id: str, caller: CallerDep, store: StoreDep) -> JSONResponse:
    return JSONResponse(refunds.detail(store, caller.merchant_id, refund_id))


@router.get("/refunds/{status}", response_model=dict[str, list[str]])
def refund_urls(status: str, caller: CallerDep, store: StoreDep) -> dict[str, list[str]]:
    return {"refund_urls": refunds.list_urls(store, caller.merchant_id, status)}


@router.post("/refunds/{merchant_order_id}/{alt_refund_id}", response_model=RefundCreated)
def create_refund(
    merchant_order_id: str,
    alt_refund_id: str,
    body: RefundRequest,
    caller: CallerDep,
    store: StoreDep,
) -> JSONResponse:
    """201 with a new id; the same body again answers 200 with the same id."""
    refund_id, created = refunds.create(
        store, caller.merchant_id, merchant_order_id, alt_refund_id, body
    )
    return JSONResponse({"refund_authorization_id": refund_id}, status_code=201 if created else 200)
