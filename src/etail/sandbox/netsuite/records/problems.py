"""NetSuite-shaped error answers of the web services (netsuite-tba.md §3.1 and §3.2).

REST answers an RFC 7807-like body with ``o:errorDetails`` (NS:section_156570709583); RESTlets
answer ``{"error": {"code", "message"}}`` (NS:section_4634920277). Every record, SuiteQL and
RESTlet route raises ``Problem`` and the route class turns it into one of these bodies.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import JSONResponse

_TYPES = {
    400: ("https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1", "Bad Request"),
    403: ("https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.4", "Forbidden"),
    404: ("https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.5", "Not Found"),
    405: (
        "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.6",
        "Method Not Allowed",
    ),
    415: (
        "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.16",
        "Unsupported Media Type",
    ),
    # NetSuite's concurrency answer really is titled "Bad Request" with status 429 (§3.1).
    429: ("https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html", "Bad Request"),
    500: (
        "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.1",
        "Internal Server Error",
    ),
    504: (
        "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.5",
        "Gateway Timeout",
    ),
}

REST_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=error"


class Problem(Exception):
    """One NetSuite error: HTTP status, ``o:errorCode``, detail and where it applies."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        error_path: str | None = None,
        query_param: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.error_path = error_path
        self.query_param = query_param

    def rest_body(self, url_path: str | None = None) -> dict[str, Any]:
        return rest_error_body(
            self.status,
            self.code,
            self.detail,
            error_path=self.error_path,
            query_param=self.query_param,
            url_path=url_path,
        )

    def rest_response(self, url_path: str | None = None) -> JSONResponse:
        return JSONResponse(
            self.rest_body(url_path), status_code=self.status, media_type=REST_MEDIA_TYPE
        )

    def restlet_response(self) -> JSONResponse:
        return JSONResponse(restlet_error_body(self.code, self.detail), status_code=self.status)


def rest_error_body(
    status: int,
    code: str,
    detail: str,
    *,
    error_path: str | None = None,
    query_param: str | None = None,
    url_path: str | None = None,
) -> dict[str, Any]:
    kind, title = _TYPES.get(status, _TYPES[400])
    item: dict[str, Any] = {"detail": detail, "o:errorCode": code}
    if error_path is not None:
        item["o:errorPath"] = error_path
    if query_param is not None:
        item["o:errorQueryParam"] = query_param
    if url_path is not None:
        item["o:errorUrl"] = url_path
    body: dict[str, Any] = {"type": kind, "title": title, "status": status}
    if status == 429:
        body["o:errorCode"] = "USER_ERROR"
    body["o:errorDetails"] = [item]
    return body


def restlet_error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


# Constructors for the errors the sandbox answers most, with NetSuite's own wording.


def invalid_content(detail: str, path: str) -> Problem:
    return Problem(400, "INVALID_CONTENT", detail, error_path=path)


def invalid_parameter(detail: str, param: str) -> Problem:
    return Problem(400, "INVALID_PARAMETER", detail, query_param=param)


def nonexistent_id(rtype: str, ref: str) -> Problem:
    return Problem(
        404,
        "NONEXISTENT_ID",
        f"The record instance does not exist. Provide a valid record instance ID "
        f"(no {rtype} with ID {ref!r} in this account).",
    )


def insufficient_permission(what: str) -> Problem:
    return Problem(
        403,
        "INSUFFICIENT_PERMISSION",
        f"Permission Violation: You need the '{what}' permission to access this page. "
        "Please contact your account administrator.",
    )


def unexpected_error() -> Problem:
    return Problem(
        500, "UNEXPECTED_ERROR", f"An unexpected error occurred. Error ID: {uuid.uuid4().hex[:20]}"
    )
