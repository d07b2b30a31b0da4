"""One cap on requests in flight per NetSuite account, shared by every client in the process.

NetSuite governs concurrency per account, across SOAP, REST and RESTlets together
(NS:subsect_1559222360; netsuite-tba.md §3.5): base limit by service tier (5 for Standard and
for development accounts) plus 10 per SuiteCloud Plus licence. Staying under it avoids 429
``CONCURRENCY_LIMIT_EXCEEDED`` in the first place; retries only handle what slips through
(other integrations share the same account budget).

``asyncio.Semaphore`` is bound to one event loop, but clients of the same account may live in
different threads with their own loops (the job runner, the web app's "Test" button), so this
limiter keeps its count under a thread lock and wakes each waiter on its own loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from types import TracebackType
from typing import Protocol

from etail.errors import SettingsError

DEFAULT_CONCURRENCY = 5
"""NetSuite's smallest account limit (Standard tier, development and partner accounts)."""


class ConcurrencyLimiter(Protocol):
    """What ``NetSuiteClient`` holds every HTTP attempt inside: ``async with limiter: ...``.

    :class:`InFlightLimit` is the in-process one. A limiter shared by several processes (the
    Celery workers of one connection, DESIGN.md "Runtime shape") implements the same interface
    outside this package, so the client library stays free of any broker import.
    """

    @property
    def in_flight(self) -> int:
        """Requests this process has in flight through the limiter now."""
        ...

    async def __aenter__(self) -> object: ...

    async def __aexit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class InFlightLimit:
    """Counts requests in flight for one account (realm) and makes the extra ones wait, in order."""

    def __init__(self, realm: str, limit: int = DEFAULT_CONCURRENCY) -> None:
        self.realm = realm
        self._limit = _checked(limit)
        self._in_flight = 0
        self.peak = 0
        self._lock = threading.Lock()
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    def __repr__(self) -> str:
        return (
            f"InFlightLimit(realm={self.realm!r}, limit={self._limit}, in_flight={self._in_flight})"
        )

    @property
    def limit(self) -> int:
        return self._limit

    @limit.setter
    def limit(self, value: int) -> None:
        with self._lock:
            self._limit = _checked(value)
            self._wake()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def reset_peak(self) -> None:
        self.peak = self._in_flight

    async def acquire(self) -> None:
        """Wait for a free slot (first come, first served)."""
        with self._lock:
            if self._in_flight < self._limit and not self._waiters:
                self._take()
                return
            loop = asyncio.get_running_loop()
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append((loop, fut))
        try:
            await fut
        except asyncio.CancelledError:
            self._abandon(loop, fut)
            raise

    def release(self) -> None:
        with self._lock:
            self._in_flight -= 1
            self._wake()

    async def __aenter__(self) -> InFlightLimit:
        await self.acquire()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def _take(self) -> None:
        self._in_flight += 1
        self.peak = max(self.peak, self._in_flight)

    def _wake(self) -> None:
        # Called with the lock held: reserve a slot for each waiter that now fits and hand it
        # over on the waiter's own loop.
        while self._waiters and self._in_flight < self._limit:
            loop, fut = self._waiters.popleft()
            self._take()
            loop.call_soon_threadsafe(self._grant, fut)

    def _grant(self, fut: asyncio.Future[None]) -> None:
        # Runs on the waiter's loop. A waiter cancelled before the hand-over returns its slot.
        if fut.cancelled():
            self.release()
        else:
            fut.set_result(None)

    def _abandon(self, loop: asyncio.AbstractEventLoop, fut: asyncio.Future[None]) -> None:
        with self._lock:
            if (loop, fut) in self._waiters:
                self._waiters.remove((loop, fut))
                return
        if fut.done() and not fut.cancelled():
            self.release()  # the slot was granted, then the task was cancelled before using it
        # Otherwise a reservation is pending in _grant, which sees the cancellation and releases.


def _checked(limit: int) -> int:
    if limit < 1:
        raise SettingsError(
            f"concurrency must be at least 1, got {limit}",
            field="concurrency",
            hint="use the account's limit from Setup > Integration > Integration Management > "
            "Integration Governance (5 on Standard and development accounts)",
        )
    return limit


_registry: dict[str, InFlightLimit] = {}
_registry_lock = threading.Lock()


def limit_for(realm: str, limit: int | None = None) -> InFlightLimit:
    """The process-wide limiter of ``realm``; ``limit``, when given, becomes its new cap."""
    with _registry_lock:
        limiter = _registry.get(realm)
        if limiter is None:
            limiter = _registry[realm] = InFlightLimit(realm, limit or DEFAULT_CONCURRENCY)
            return limiter
    if limit is not None and limit != limiter.limit:
        limiter.limit = limit
    return limiter


__all__ = ["DEFAULT_CONCURRENCY", "ConcurrencyLimiter", "InFlightLimit", "limit_for"]
