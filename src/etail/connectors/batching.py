"""Coalesce many single-key reads into one NetSuite call.

NetSuite's concurrency budget, not our CPU, bounds a sync (netsuite-tba.md §3.5): every call
spent reading a sales order's document number is a call not spent creating the next order. The
order flow therefore reads ``tranId`` for the orders in flight together, one SuiteQL query per
batch: a record asks for its key, waits at most ``max_wait`` seconds for others to join, and the
batch is sent when full or when the wait ends - or at once when ``eager()`` says NetSuite has
a free slot anyway (waiting would then only add latency, as in a small run).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

Fetch = Callable[[Sequence[str]], Awaitable[dict[str, str]]]


class Coalescer:
    """``await coalescer.get(key)`` -> value, fetched together with other waiting keys."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        max_batch: int = 100,
        max_wait: float = 0.05,
        eager: Callable[[], bool] | None = None,
    ) -> None:
        self._fetch = fetch
        self._eager = eager
        self._max_batch = max_batch
        self._max_wait = max_wait
        self._pending: dict[str, list[asyncio.Future[str | None]]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.batches = 0

    async def get(self, key: str) -> str | None:
        """The value of ``key`` (``None`` when the fetch did not return it)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str | None] = loop.create_future()
        self._pending.setdefault(key, []).append(future)
        if len(self._pending) >= self._max_batch or (self._eager is not None and self._eager()):
            self._flush_soon()
        elif self._timer is None:
            self._timer = loop.call_later(self._max_wait, self._flush_soon)
        return await future

    def _flush_soon(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, {}
        if batch:
            task = asyncio.get_running_loop().create_task(self._flush(batch))
            self._tasks.add(task)  # keep a reference until done (asyncio holds only weak ones)
            task.add_done_callback(self._tasks.discard)

    async def _flush(self, batch: dict[str, list[asyncio.Future[str | None]]]) -> None:
        self.batches += 1
        try:
            values = await self._fetch(list(batch))
        except BaseException as exc:
            for futures in batch.values():
                for f in futures:
                    if not f.done():
                        f.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for key, futures in batch.items():
            for f in futures:
                if not f.done():
                    f.set_result(values.get(key))
