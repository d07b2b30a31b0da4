"""Admin pages (placeholder while the pages are written)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse

from etail.sandbox.netsuite.admin.errors import AdminError
from etail.sandbox.netsuite.store import Store

router = APIRouter(prefix="/app", include_in_schema=False)


def install(app: FastAPI, store: Store) -> None:
    return None


def admin_error_page(request: Request, exc: AdminError) -> Any:
    return HTMLResponse(str(exc), status_code=exc.status)
