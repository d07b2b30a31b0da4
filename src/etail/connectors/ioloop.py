"""One event loop, in its own thread, that owns the integration's HTTP clients.

Flows are run from several places (the CLI's ``asyncio.run``, the in-process runner's thread,
a Celery worker, tests), each with its own event loop, while HTTP clients, their connection
pools and our batching state belong to the loop that created them. So the steps and exports of
the Jet - NetSuite flows run their bodies on this one loop (:class:`Bridged` wraps them), the
clients live as long as the services, and :meth:`IOLoop.close` shuts everything down cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from etail.engine.ports import Export, ExportRequest, Import
from etail.engine.records import Outcome, Page, Record

T = TypeVar("T")


class IOLoop:
    """A daemon thread running an event loop; coroutines are sent to it and awaited from any
    other loop or thread."""

    def __init__(self, name: str = "etail-io") -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()
        self._ready.wait(5)
        self.closed = False

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._ready.set)
        self._loop.run_forever()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the I/O loop and await it from the caller's loop."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            return await coro
        return await asyncio.wrap_future(self.submit(coro))

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the I/O loop from synchronous code and wait for its result."""
        return self.submit(coro).result(timeout)

    def close(self, cleanup: Callable[[], Awaitable[None]] | None = None) -> None:
        """Run ``cleanup`` (close clients) on the loop, then stop and close the loop."""
        if self.closed:
            return
        self.closed = True
        if cleanup is not None:

            async def _cleanup() -> None:
                await cleanup()

            # Closing must not fail the caller's shutdown.
            with contextlib.suppress(Exception):
                self.run(_cleanup(), timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        if not self._thread.is_alive():
            self._loop.close()


class Bridged:
    """An import step whose body runs on the I/O loop."""

    def __init__(self, step: Import, io: IOLoop) -> None:
        self.step = step
        self.io = io
        self.name = step.name

    async def process(self, record: Record) -> Outcome:
        return await self.io.call(self.step.process(record))


class BridgedExport:
    """An export whose page generator runs on the I/O loop, one page at a time."""

    def __init__(self, export: Export, io: IOLoop) -> None:
        self.export = export
        self.io = io

    async def pages(self, request: ExportRequest) -> AsyncIterator[Page]:
        pages = self.export.pages(request)
        done = object()

        async def step() -> Any:
            try:
                return await pages.__anext__()
            except StopAsyncIteration:
                return done

        try:
            while (page := await self.io.call(step())) is not done:
                yield page
        finally:
            closer = getattr(pages, "aclose", None)
            if closer is not None:
                await self.io.call(closer())
