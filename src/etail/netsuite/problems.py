"""NetSuite error bodies parsed into the ``etail.errors`` tree (netsuite-tba.md §3).

REST web services answer RFC 7807-like bodies with ``o:errorDetails[]`` (``o:errorCode``,
``detail``, ``o:errorPath``; NS:section_156570709583). RESTlets answer
``{"error": {"code", "message"}}`` or the same as XML or text (NS:section_4634920277).
Which class is raised says what the caller should do: fix the connection, retry, or skip the record.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TypedDict

import httpx2

from etail.errors import (
    CredentialsError,
    ExternalServiceError,
    PermissionDeniedError,
    RateLimitedError,
    RecordNotFoundError,
    RecordRejectedError,
    TransientError,
    UnexpectedResponseError,
)

LOGIN_AUDIT_TRAIL = "Setup > Users/Roles > User Management > View Login Audit Trail"

# Every TBA failure is the same generic 401 (netsuite-tba.md §1.8); these are the usual causes,
# most likely first (§6.2 items 2, 3, 6, 9, 10 and the Login Audit Trail table §3.4).
INVALID_LOGIN_CAUSES: tuple[str, ...] = (
    "The account ID is spelled differently from NetSuite's: the realm is upper case with an "
    "underscore (1234567_SB1) while hosts use lower case with a hyphen (1234567-sb1).",
    "A consumer key/secret or token ID/secret was copied incompletely, or belongs to another "
    "account: tokens are per account and a sandbox refresh deletes them.",
    "The access token is revoked or inactive, or its integration record is Blocked "
    "(token_rejected, consumer_key_refused).",
    "The token's role cannot log in with tokens: it lacks 'Log in using Access Tokens' or "
    "'User Access Tokens', or 'REST Web Services'; or the user or role is inactive "
    "(permission_denied).",
    "This machine's clock is more than 5 minutes off NetSuite's (InvalidTimestamp).",
    "Token-based Authentication is not enabled: Setup > Company > Enable Features > SuiteCloud "
    "> Manage Authentication (FeatureDisabled).",
)

# Concurrency refusals differ by channel (netsuite-tba.md §6.2 item 11): REST 429
# CONCURRENCY_LIMIT_EXCEEDED, RESTlet 400 SSS_REQUEST_LIMIT_EXCEEDED, SOAP WS_REQUEST_BLOCKED.
RATE_LIMIT_CODES = frozenset(
    {"CONCURRENCY_LIMIT_EXCEEDED", "SSS_REQUEST_LIMIT_EXCEEDED", "WS_REQUEST_BLOCKED"}
)
_REJECTED_STATUSES = frozenset({400, 409, 410, 412, 422})
RESTLET_PATH = "/app/site/hosting/restlet.nl"
_BODY_LIMIT = 4000


@dataclass(frozen=True, slots=True)
class Problem:
    """What NetSuite said, whatever shape it said it in."""

    code: str | None
    detail: str | None
    error_path: str | None
    body: object


def parse_problem(response: httpx2.Response) -> Problem:
    """Extract code, detail and error path from a REST or RESTlet error response."""
    text = response.text[:_BODY_LIMIT]
    try:
        body: object = json.loads(text)
    except ValueError:
        return _text_problem(text)
    if isinstance(body, dict):
        return _json_problem(body)
    return Problem(None, None, None, body)


def _json_problem(body: dict[str, object]) -> Problem:
    details = body.get("o:errorDetails")
    if isinstance(details, list) and details and all(isinstance(d, dict) for d in details):
        first = details[0]
        texts = [str(d["detail"]) for d in details if d.get("detail")]
        return Problem(
            _str(first.get("o:errorCode")) or _str(body.get("o:errorCode")),
            " / ".join(texts) or _str(body.get("title")),
            _str(first.get("o:errorPath")),
            body,
        )
    error = body.get("error")
    if isinstance(error, dict):
        return Problem(_str(error.get("code")), _str(error.get("message")), None, body)
    return Problem(_str(body.get("o:errorCode")), _str(body.get("title")), None, body)


def _text_problem(text: str) -> Problem:
    # RESTlet XML (<error><code>…</code><message>…</message></error>) and text/plain
    # ("error code: …\nerror message: …") variants, NS:section_4634920277.
    code = re.search(r"<code>([^<]*)</code>|error code:\s*(\S+)", text)
    message = re.search(r"<message>([^<]*)</message>|error message:\s*(.+)", text)
    return Problem(
        _first_group(code),
        _first_group(message) or (text.strip()[:300] or None),
        None,
        text or None,
    )


def _first_group(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    return next((g.strip() for g in match.groups() if g), None)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class _Common(TypedDict):
    status: int
    code: str | None
    body: object


def error_from_response(
    response: httpx2.Response, *, realm: str, retry_after: float | None = None
) -> ExternalServiceError:
    """The exception for an error ``response``; the caller decides whether to raise or retry."""
    problem = parse_problem(response)
    status = response.status_code
    what = f"{response.request.method} {response.request.url.path}"
    said = f"{status} {problem.code or response.reason_phrase}" + (
        f": {problem.detail}" if problem.detail else ""
    )
    common = _Common(status=status, code=problem.code, body=problem.body)
    if status == 429 or problem.code in RATE_LIMIT_CODES:
        return RateLimitedError(
            f"NetSuite refused {what}: too many requests in flight for account {realm} ({said})",
            retry_after=retry_after,
            hint="lower the connection's concurrency or raise the account's limit at Setup > "
            "Integration > Integration Management > Integration Governance",
            **common,
        )
    if status == 401 or _restlet_login_refusal(response, problem):
        return CredentialsError(
            f"NetSuite refused the login for account {realm} ({said})",
            hint="NetSuite shows the real reason only in its Login Audit Trail: "
            f"{LOGIN_AUDIT_TRAIL}"
            " (add the Detail column); run `etail netsuite doctor` for the usual causes",
            **common,
        )
    if status == 403:
        return PermissionDeniedError(
            f"NetSuite denied {what} for account {realm} ({said})",
            hint="give the token's role the permission named above (Setup > Users/Roles > "
            "Manage Roles), then try again",
            **common,
        )
    if status == 404:
        return RecordNotFoundError(
            f"NetSuite found nothing at {what} ({said})", error_path=problem.error_path, **common
        )
    if status in _REJECTED_STATUSES:
        return RecordRejectedError(
            f"NetSuite rejected {what} ({said})"
            + (f" at {problem.error_path}" if problem.error_path else ""),
            error_path=problem.error_path,
            **common,
        )
    if status >= 500:
        return TransientError(f"NetSuite failed on {what} ({said}); try again later", **common)
    return UnexpectedResponseError(f"NetSuite answered {what} with {said}", **common)


def _restlet_login_refusal(response: httpx2.Response, problem: Problem) -> bool:
    # RESTlets answer a header NetSuite cannot accept (bad syntax, signature method, version or a
    # timestamp off by more than 5 minutes) with 400 INVALID_REQUEST, not 401
    # (NS:section_4634920277, netsuite-tba.md §3.2): a connection problem, not a bad record.
    return (
        response.status_code == 400
        and problem.code == "INVALID_REQUEST"
        and response.request.url.path.endswith(RESTLET_PATH)
    )


__all__ = [
    "INVALID_LOGIN_CAUSES",
    "LOGIN_AUDIT_TRAIL",
    "RATE_LIMIT_CODES",
    "RESTLET_PATH",
    "Problem",
    "error_from_response",
    "parse_problem",
]
