"""Retry policy as data: when a failed call is tried again, and after how long.

Transient failures (``etail.errors`` classes with ``retryable = True``: timeouts, 5xx, 429) are
retried inside the run with exponential backoff and jitter, honouring a server's ``retry_after``
(NetSuite's 429 and concurrency-limit answers). When the in-run attempts are used up, the record
becomes an open error with a ``retry_at`` time: Celigo's "Intermittent" errors get an automatic
retry later (celigo-jet.md §1.8), which the scheduler tick runs. Nothing here sleeps.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from etail.engine.records import ErrorInfo
from etail.errors import EtailError, RateLimitedError


class RetryAction(StrEnum):
    RETRY_NOW = "retry_now"  # wait ``delay`` seconds, then try again in this run
    GIVE_UP = "give_up"  # the record becomes an error


@dataclass(frozen=True, slots=True)
class RetryDecision:
    action: RetryAction
    delay: float = 0.0

    @property
    def retry(self) -> bool:
        return self.action is RetryAction.RETRY_NOW


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter.

    ``max_attempts`` counts every call of a step for one record in one run (first try included).
    The delay before attempt ``n + 1`` is ``min(cap, base * 2**(n-1))``, reduced by up to
    ``jitter`` of itself at random so that many workers do not retry in step; a server's
    ``retry_after`` is a floor. ``auto_retries`` later runs, ``auto_retry_base`` apart and
    doubling, are scheduled for errors that stay transient.
    """

    max_attempts: int = 4
    base: float = 0.25
    cap: float = 10.0
    jitter: float = 0.5
    auto_retries: int = 3
    auto_retry_base: timedelta = timedelta(minutes=5)
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")

    def decide(self, error: BaseException | ErrorInfo, attempt: int) -> RetryDecision:
        """What to do after ``attempt`` (1-based) failed with ``error`` (raised or returned)."""
        if not _retryable(error) or attempt >= self.max_attempts:
            return RetryDecision(RetryAction.GIVE_UP)
        return RetryDecision(RetryAction.RETRY_NOW, self.delay(attempt, error))

    def delay(self, attempt: int, error: BaseException | ErrorInfo | None = None) -> float:
        raw = min(self.cap, self.base * 2.0 ** (attempt - 1))
        wait = raw - raw * self.jitter * self.rng.random()
        after = getattr(error, "retry_after", None) if isinstance(error, RateLimitedError) else None
        if after is not None:
            wait = max(wait, min(float(after), self.cap))
        return wait

    def next_auto_retry(
        self, error_retryable: bool, retry_count: int, now: datetime
    ) -> datetime | None:
        """When an open error should be retried automatically, or ``None`` for never."""
        if not error_retryable or retry_count >= self.auto_retries:
            return None
        return now + self.auto_retry_base * float(2**retry_count)


def _retryable(error: BaseException | ErrorInfo) -> bool:
    if isinstance(error, ErrorInfo):
        return error.retryable
    return isinstance(error, EtailError) and error.retryable


NO_RETRY = RetryPolicy(max_attempts=1, auto_retries=0)

__all__ = ["NO_RETRY", "RetryAction", "RetryDecision", "RetryPolicy"]
