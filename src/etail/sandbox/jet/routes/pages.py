"""A read-only page for people watching a run: orders by status with their lines,
acknowledgement and shipments. It shows no secrets (orders carry none)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from etail.sandbox.jet import merchants, orders
from etail.sandbox.jet.deps import StoreDep
from etail.sandbox.jet.schemas import ORDER_STATUSES

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")


@router.get("/", response_class=HTMLResponse)
def order_page(
    request: Request,
    store: StoreDep,
    status: Annotated[str, Query()] = "ready",
    merchant_id: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> HTMLResponse:
    status = status if status in ORDER_STATUSES else "ready"
    return templates.TemplateResponse(
        request,
        "orders.html",
        {
            "statuses": ORDER_STATUSES,
            "status": status,
            "merchant_id": merchant_id or "",
            "merchants": merchants.list_merchants(store),
            "counts": orders.counts(store, merchant_id),
            "orders": orders.summaries(store, merchant_id, status, limit=limit),
            "limit": limit,
        },
    )
