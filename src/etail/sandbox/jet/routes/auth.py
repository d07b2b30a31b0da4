"""``POST /api/token`` and ``GET /api/authcheck`` (celigo-jet.md §3.1)."""

from __future__ import annotations

from fastapi import APIRouter

from etail.sandbox.jet.dates import expires_on
from etail.sandbox.jet.deps import CallerDep, OptionsDep, StoreDep
from etail.sandbox.jet.merchants import issue_token
from etail.sandbox.jet.schemas import JetErrors, TokenRequest, TokenResponse

router = APIRouter(prefix="/api", tags=["auth"], responses={400: {"model": JetErrors}})
AUTHORIZED = "This message is authorized."


@router.post("/token", response_model=TokenResponse)
@router.post("/Token", response_model=TokenResponse, include_in_schema=False)
def token(body: TokenRequest, store: StoreDep, options: OptionsDep) -> TokenResponse:
    """Trade the API user and secret for a bearer token valid until ``expires_on``.

    ``/Token`` is how AERO's Java client spelled the path against Jet (celigo-jet.md §3.1).
    """
    value, expires_at = issue_token(store, body.user, body.pass_, options.token_lifetime_s)
    return TokenResponse(
        id_token=value,
        token_type="Bearer",  # noqa: S106 - the scheme name, not a secret
        expires_on=expires_on(expires_at),
    )


@router.get("/authcheck", response_model=str, responses={401: {"model": JetErrors}})
def authcheck(_: CallerDep) -> str:
    """Jet answered a valid token with this JSON string (AERO ``JetAPIAuth``)."""
    return AUTHORIZED
