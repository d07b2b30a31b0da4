"""When to retry a NetSuite call inside one client call, and how long to wait.

NetSuite's advice for concurrency refusals is to back off with increasing delays and to
de-synchronise threads (NS:bridgehead_1509974866), so delays grow exponentially with "equal
jitter" (half fixed, half random). A ``Retry-After`` from the server is a floor. Waits longer
than ``max_wait`` are not slept through: the error goes up with its ``retry_after`` so that the
job layer reschedules instead of holding a worker.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from etail.errors import ExternalServiceError, RateLimitedError, TransientError


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry budget and backoff bounds for one call (all times in seconds)."""

    max_retries: int = 4
    base: float = 0.5
    cap: float = 20.0
    max_wait: float = 120.0

    def backoff(self, retries_done: int, rng: random.Random | None = None) -> float:
        """``base·2ⁿ`` capped at ``cap``, with the upper half randomised."""
        ceiling = min(self.cap, self.base * 2.0**retries_done)
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)

    def delay(self, retries_done: int, retry_after: float | None = None) -> float:
        """How long to wait before retry number ``retries_done + 1``."""
        wait = self.backoff(retries_done)
        return wait if retry_after is None else max(wait, retry_after)

    def should_retry(
        self, error: ExternalServiceError, retries_done: int, *, resendable: bool
    ) -> bool:
        """Retry transient failures while budget remains and the request may be sent again.

        ``resendable`` is false for a non-idempotent request (POST create, PATCH) that may have
        reached NetSuite: sending it again could create a second record. A concurrency refusal
        (the request was never processed) is always resendable.
        """
        if not isinstance(error, TransientError) or retries_done >= self.max_retries:
            return False
        if isinstance(error, RateLimitedError):
            return error.retry_after is None or error.retry_after <= self.max_wait
        return resendable


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


__all__ = ["RetryPolicy", "parse_retry_after"]
