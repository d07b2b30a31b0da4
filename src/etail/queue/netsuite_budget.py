"""A NetSuite concurrency budget shared by every process of a connection, kept in Redis.

NetSuite counts requests in flight per account, across every channel and client
(NS:subsect_1559222360, netsuite-tba.md §3.5); one over the limit is refused at once with 429
``CONCURRENCY_LIMIT_EXCEEDED``. With several Celery workers (DESIGN.md "Runtime shape") each
process's :class:`~etail.netsuite.limits.InFlightLimit` only sees its own requests, so together
they would overshoot. :class:`SharedBudget` is the same async context manager
(``etail.netsuite.limits.ConcurrencyLimiter``), counted in Redis:

* a sorted set per account holds one *lease* per request in flight, scored by its expiry time;
* acquiring runs one Lua script (atomic in Redis): drop expired leases, add ours if fewer than
  ``limit`` remain; a process that dies mid-request leaks nothing for longer than ``lease_s``;
* releasing removes our lease; waiters poll with a short jittered backoff.

A local :class:`InFlightLimit` of the same size sits in front, so a process never has more than
``limit`` requests polling Redis however many records its flows keep in flight.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from contextvars import ContextVar
from types import TracebackType
from typing import Any

import redis

from etail.errors import SettingsError
from etail.netsuite.limits import InFlightLimit

KEY_PREFIX = "etail:netsuite-budget:"
LEASE_S = 120.0  # longer than any one NetSuite attempt (the client's timeout is 30 s)
POLL_MIN_S, POLL_MAX_S = 0.005, 0.05

# KEYS[1] the lease set; ARGV: now, limit, lease id, expiry. Redis runs a script atomically.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil((tonumber(ARGV[4]) - tonumber(ARGV[1])) * 1000))
  return 1
end
return 0
"""


class SharedBudget:
    """At most ``limit`` NetSuite requests in flight for ``account`` across every process
    using the same Redis and key (pass it as ``NetSuiteClient(..., limiter=...)``).

    Usable from several threads and event loops: Redis calls run in worker threads over one
    thread-safe connection pool, and the local stage is an :class:`InFlightLimit`.
    """

    def __init__(
        self,
        client: redis.Redis,
        account: str,
        limit: int,
        *,
        lease_s: float = LEASE_S,
    ) -> None:
        if lease_s <= 0:
            raise SettingsError(f"lease_s must be positive, got {lease_s}", field="lease_s")
        self._redis = client
        self.key = KEY_PREFIX + account
        self._local = InFlightLimit(account, limit)  # also checks limit >= 1
        self.lease_s = lease_s
        self._acquire_script: Any = client.register_script(_ACQUIRE)

    @classmethod
    def from_url(cls, url: str, account: str, limit: int, **kw: Any) -> SharedBudget:
        return cls(redis.Redis.from_url(url), account, limit, **kw)

    def __repr__(self) -> str:
        return f"SharedBudget(key={self.key!r}, limit={self.limit}, in_flight={self.in_flight})"

    @property
    def limit(self) -> int:
        return self._local.limit

    @property
    def in_flight(self) -> int:
        """This process's requests in flight (the account-wide count is :meth:`leases`)."""
        return self._local.in_flight

    def leases(self) -> int:
        """Unexpired leases of every process (for the doctor and tests)."""
        count: int = self._redis.zcount(self.key, time.time(), "+inf")
        return count

    async def acquire(self) -> str:
        """Wait for a slot in this process, then for a lease in Redis; the lease id."""
        await self._local.acquire()
        try:
            return await self._lease()
        except BaseException:
            self._local.release()
            raise

    async def release(self, lease: str) -> None:
        try:
            await asyncio.to_thread(self._redis.zrem, self.key, lease)
        finally:
            self._local.release()

    async def _lease(self) -> str:
        lease = secrets.token_hex(8)
        delay = POLL_MIN_S
        while True:
            now = time.time()
            args = [now, self.limit, lease, now + self.lease_s]
            got = await asyncio.to_thread(self._acquire_script, keys=[self.key], args=args)
            if got == 1:
                return lease
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, POLL_MAX_S)

    async def __aenter__(self) -> _Slot:
        # One budget serves every task: the lease travels from enter to exit in a context
        # variable, which each asyncio task has its own copy of.
        slot = _Slot(self)
        await slot.__aenter__()
        _current.set(slot)
        return slot

    async def __aexit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        slot = _current.get()
        _current.set(None)
        if slot is not None:
            await slot.__aexit__(et, ev, tb)


class _Slot:
    """One request's hold on the budget."""

    def __init__(self, budget: SharedBudget) -> None:
        self.budget = budget
        self.lease: str | None = None

    async def __aenter__(self) -> _Slot:
        self.lease = await self.budget.acquire()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.lease is not None:
            lease, self.lease = self.lease, None
            await self.budget.release(lease)


_current: ContextVar[_Slot | None] = ContextVar("etail_netsuite_budget_slot", default=None)

__all__ = ["KEY_PREFIX", "LEASE_S", "SharedBudget"]
