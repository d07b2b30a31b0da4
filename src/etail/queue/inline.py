"""The in-process runner of the embedded default: a worker thread and a scheduler tick.

``InlineQueue`` implements the engine's ``JobQueue`` port. Submitted job ids run on an event loop
in one background thread (jobs of different flows side by side; one job per flow at a time is
the store's rule), and every ``tick_every`` seconds the scheduler tick runs due schedules and
automatic retries. Without ``start()`` nothing runs in the background: the CLI and tests call
``run_pending()`` to run what was submitted, in their own thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)

Execute = Callable[[str], Coroutine[Any, Any, Any]]
Tick = Callable[[], Any]


class InlineQueue:
    """Runs job ids in-process. ``bind`` it to ``FlowService.execute`` and ``FlowService.tick``."""

    def __init__(self, *, tick_every: float = 30.0) -> None:
        self.tick_every = tick_every
        self._execute: Execute | None = None
        self._tick: Tick | None = None
        self._pending: deque[str] = deque()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._idle = threading.Condition(self._lock)
        self._ready = threading.Event()
        self._grace = 10.0

    def bind(self, execute: Execute, tick: Tick | None = None) -> InlineQueue:
        self._execute, self._tick = execute, tick
        return self

    # -- the JobQueue port -------------------------------------------------------------------

    def submit(self, job_id: str) -> None:
        with self._lock:
            loop = self._loop
            if loop is None:
                if job_id not in self._pending:  # a waiting job is re-submitted when its turn comes
                    self._pending.append(job_id)
                return
        loop.call_soon_threadsafe(self._spawn, job_id)

    # -- foreground use (CLI, tests) -----------------------------------------------------------

    def run_pending(self, limit: int = 1000) -> list[str]:
        """Run submitted ids one after the other in this thread (bounded by ``limit``)."""
        execute = self._require()
        done: list[str] = []
        while len(done) < limit:
            with self._lock:
                if not self._pending:
                    break
                job_id = self._pending.popleft()
            asyncio.run(execute(job_id))
            done.append(job_id)
        return done

    def pending(self) -> list[str]:
        with self._lock:
            return list(self._pending)

    # -- background use (``etail serve``) ------------------------------------------------------

    def start(self) -> InlineQueue:
        self._require()
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._thread_main, name="etail-runner", daemon=True)
        self._thread.start()
        self._ready.wait(5.0)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the tick; let running jobs finish up to ``timeout``, then cancel them."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or self._stopping is None:
            return
        self._grace = timeout
        loop.call_soon_threadsafe(self._stopping.set)
        thread.join(timeout + 5.0)
        self._thread = None

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no job runs or waits in this queue (tests, graceful shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._tasks and not self._pending, timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _require(self) -> Execute:
        if self._execute is None:
            raise RuntimeError("InlineQueue.bind(service.execute, service.tick) first")
        return self._execute

    def _thread_main(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        with self._lock:
            self._loop = asyncio.get_running_loop()
            pending, self._pending = list(self._pending), deque()
        self._ready.set()
        for job_id in pending:
            self._spawn(job_id)
        try:
            await self._tick_until_stopped()
        finally:
            await self._drain(self._grace)
            with self._lock:
                self._loop = None

    async def _tick_until_stopped(self) -> None:
        assert self._stopping is not None
        while not self._stopping.is_set():
            if self._tick is not None:
                try:
                    self._tick()
                except Exception:  # a failing tick must not stop the runner
                    log.exception("scheduler tick failed")
            try:
                await asyncio.wait_for(self._stopping.wait(), self.tick_every)
            except TimeoutError:
                continue

    async def _drain(self, timeout: float) -> None:
        tasks = set(self._tasks)
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=timeout)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    def _spawn(self, job_id: str) -> None:
        execute = self._require()
        task = asyncio.get_running_loop().create_task(self._run(execute, job_id))
        with self._lock:
            self._tasks.add(task)
        task.add_done_callback(self._finished)

    async def _run(self, execute: Execute, job_id: str) -> None:
        try:
            await execute(job_id)
        except Exception:
            log.exception("job %s failed in the runner", job_id)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        with self._idle:
            self._tasks.discard(task)
            self._idle.notify_all()


__all__ = ["InlineQueue"]
