"""NetSuite's token endpoints family under ``/rest/``: tokeninfo and data-center URL discovery."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from etail.sandbox.netsuite.context import Caller
from etail.sandbox.netsuite.deps import SessionDep, tba_restlet_caller
from etail.sandbox.netsuite.models import AccessToken, Account

router = APIRouter(tags=["netsuite"])


@router.get("/rest/tokeninfo")
def tokeninfo(
    caller: Annotated[Caller, Depends(tba_restlet_caller)],
    s: SessionDep,
) -> dict[str, Any]:
    """Who the token is (NS:chapter_157017286140; restlets domain, TBA only as documented)."""
    tok = s.get(AccessToken, caller.token_id)
    account = s.scalar(select(Account).where(Account.account_id == caller.account_id))
    assert tok is not None and account is not None  # the verifier just loaded both
    return {
        "companyId": account.account_id,
        "companyName": account.company_name,
        "entityId": str(tok.employee_id),
        "entityName": tok.employee.name,
        "userEmail": tok.employee.email,
        "roleId": str(tok.role_id),
        "roleName": tok.role.name,
        "tokenName": tok.name,
        "applicationName": tok.integration.name,
        "applicationId": tok.integration.application_id,
    }


@router.get("/rest/datacenterurls", response_model=None)
def datacenterurls(
    request: Request,
    s: SessionDep,
    account: Annotated[str, Query(min_length=1, max_length=40)],
) -> dict[str, str] | JSONResponse:
    """URL discovery, no authentication (NS:chapter_157011836591).

    Real NetSuite answers three account-specific domains; the sandbox serves all three itself,
    so every domain is this server's base URL as the client addressed it.
    """
    if s.scalar(select(Account.id).where(Account.account_id == account)) is None:
        body = {"error": {"code": "INVALID_ACCOUNT", "message": f"Invalid account: {account}"}}
        return JSONResponse(body, status_code=400)
    base = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    return {"webservicesDomain": base, "restDomain": base, "systemDomain": base}
