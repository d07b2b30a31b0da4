"""NetSuite-shaped error bodies, built in one place so every route fails the same way."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from etail.sandbox.netsuite.context import Channel

RFC2616_401 = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2"
LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)


def rest_invalid_login() -> dict[str, Any]:
    """REST web services' body for any TBA failure (netsuite-tba.md §3.1)."""
    return {
        "type": RFC2616_401,
        "title": "Unauthorized",
        "status": 401,
        "o:errorDetails": [{"detail": LOGIN_DETAIL, "o:errorCode": "INVALID_LOGIN"}],
    }


def restlet_invalid_login() -> dict[str, Any]:
    """RESTlets' JSON body for a failed token login (netsuite-tba.md §3.2)."""
    return {"error": {"code": "INVALID_LOGIN_ATTEMPT", "message": "Invalid login attempt."}}


def invalid_login_response(channel: Channel) -> JSONResponse:
    body = restlet_invalid_login() if channel == "restlet" else rest_invalid_login()
    return JSONResponse(body, status_code=401)


def rest_error(status: int, code: str, detail: str, title: str = "") -> JSONResponse:
    """Any other REST error (NS:section_156570709583)."""
    body = {
        "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
        "title": title or {403: "Forbidden", 404: "Not Found"}.get(status, "Bad Request"),
        "status": status,
        "o:errorDetails": [{"detail": detail, "o:errorCode": code}],
    }
    return JSONResponse(body, status_code=status)
