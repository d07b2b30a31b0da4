"""Jet error answers turned into ``etail.errors`` classes (celigo-jet.md §3.1).

Jet answered ``{"errors": ["..."]}`` (sometimes ``{"error": "..."}``). The message we raise names
method, path, status and Jet's messages, never a header, so no token or secret can leak into it.
A 400 message that starts with a field path (``order_items[0].order_item_id: ...``) fills
``RecordRejectedError.error_path``.
"""

from __future__ import annotations

import re
import time
from email.utils import parsedate_to_datetime

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

_FIELD = re.compile(r"^([A-Za-z_][\w.\[\]/]*): ")


def messages_of(resp: httpx2.Response) -> list[str]:
    """The ``errors`` list of a Jet answer (or ``error``), else an empty list."""
    try:
        body = resp.json()
    except ValueError:
        return []
    if isinstance(body, dict):
        errors = body.get("errors", body.get("error"))
        if isinstance(errors, list):
            return [str(e) for e in errors]
        if errors is not None:
            return [str(errors)]
    return []


def retry_after(resp: httpx2.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def error_for(method: str, path: str, resp: httpx2.Response) -> ExternalServiceError:
    """The ``etail.errors`` class for a Jet answer with status 400 or more."""
    status = resp.status_code
    messages = messages_of(resp)
    detail = "; ".join(messages) or resp.reason_phrase or "no detail"
    text = f"Jet {method} /{path.lstrip('/')} answered {status}: {detail}"
    if status == 401:
        return CredentialsError(
            text, status=status, body=messages, hint="check the Jet API user and secret"
        )
    if status == 403:
        return PermissionDeniedError(text, status=status, body=messages)
    if status == 404:
        return RecordNotFoundError(text, status=status, body=messages)
    if status == 429:
        return RateLimitedError(text, retry_after=retry_after(resp), status=status, body=messages)
    if status >= 500:
        return TransientError(text, status=status, body=messages)
    match = _FIELD.match(messages[0]) if messages else None
    return RecordRejectedError(
        text, error_path=match.group(1) if match else None, status=status, body=messages
    )


def unexpected(method: str, path: str, what: str) -> UnexpectedResponseError:
    return UnexpectedResponseError(f"Jet {method} /{path.lstrip('/')} answered {what}")
