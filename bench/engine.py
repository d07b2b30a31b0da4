"""The engine alone, measured side by side in one run (plain Python, no timing asserts).

1. Concurrency budget: a step that takes ``L`` seconds, ``N`` records in flight; records per
   second over the ideal ``N / L`` (target ≥ 0.9), with in-memory and SQLite stores.
2. Overhead: records per second with a step that does nothing, in-memory versus SQLite stores,
   next to a bare semaphore over the same step (what the engine costs per record).
3. Memory: peak RSS of a fresh process running 10,000 and then 50,000 records through SQLite
   stores (target: within 20%: the export is read lazily and only counters are kept).

Run: ``python -m bench.engine`` (or through ``python -m bench``).
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from etail.engine import FlowRegistry, FlowService, FlowSpec, Outcome, Page, Record, Stores
from etail.engine.memory import (
    MemoryErrorStore,
    MemoryFlowConfigStore,
    MemoryJobStore,
    MemoryStateStore,
)
from etail.engine.ports import ExportRequest


class CountingExport:
    """``n`` records made on the fly, 20 to a page (nothing held in memory)."""

    def __init__(self, n: int) -> None:
        self.n = n

    async def pages(self, request: ExportRequest) -> AsyncIterator[Page]:
        for index, start in enumerate(range(0, self.n, 20)):
            stop = min(start + 20, self.n)
            yield Page.of(
                (Record(str(i), {"n": i, "sku": f"SKU-{i % 97}"}) for i in range(start, stop)),
                index,
            )


class Step:
    name = "push"

    def __init__(self, latency: float) -> None:
        self.latency = latency

    async def process(self, record: Record) -> Outcome:
        if self.latency:
            await asyncio.sleep(self.latency)
        return Outcome.success(record.key)


def memory_stores() -> Stores:
    return Stores(MemoryJobStore(), MemoryErrorStore(), MemoryStateStore(), MemoryFlowConfigStore())


def sqlite_stores(folder: Path) -> Stores:
    from etail.storage.db import make_engine, upgrade
    from etail.storage.flow_store import sql_stores

    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    return sql_stores(make_engine(url))


def run(stores: Stores, n: int, latency: float, concurrency: int) -> float:
    """Records per second of one run."""
    flow = FlowSpec(
        id="bench",
        name="bench",
        export=CountingExport(n),
        imports=(Step(latency),),
        concurrency=concurrency,
        delta=False,
    )
    engine = FlowService(FlowRegistry([flow]), stores)
    job = engine.request_run("bench")
    start = time.perf_counter()
    done = asyncio.run(engine.execute(job.id))
    elapsed = time.perf_counter() - start
    assert done.counters.success == n, done
    return n / elapsed


def bare_bounded(n: int, latency: float, width: int) -> float:
    """The same work with a bare semaphore: what asyncio's timers allow at best."""
    step = Step(latency)

    async def go() -> None:
        gate = asyncio.Semaphore(width)

        async def one(i: int) -> None:
            async with gate:
                await step.process(Record(str(i), {}))

        await asyncio.gather(*(one(i) for i in range(n)))

    start = time.perf_counter()
    asyncio.run(go())
    return n / (time.perf_counter() - start)


def best(measure: Callable[[], float], times: int = 3) -> float:
    return max(measure() for _ in range(times))


def peak_rss_mb(n: int) -> float:
    """Peak RSS of a fresh interpreter running ``n`` records through SQLite stores."""
    code = (
        "import sys, tempfile, resource; from pathlib import Path; sys.path.insert(0, '.');"
        "from bench.engine import run, sqlite_stores;"
        f"d = tempfile.mkdtemp(); run(sqlite_stores(Path(d)), {n}, 0.0, 5);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    latency, width, n = 0.02, 5, 1000
    ideal = width / latency
    bounded = bare_bounded(n, latency, width)
    with tempfile.TemporaryDirectory() as d:
        mem = run(memory_stores(), n, latency, width)
        sql = run(sqlite_stores(Path(d)), n, latency, width)
    print(
        f"1. concurrency budget: {width} in flight, {latency * 1000:.0f} ms per record,"
        f" ideal {ideal:.0f}/s"
    )
    print(f"   bare semaphore: {bounded:7.1f} records/s  = {bounded / ideal:.3f} of ideal")
    print(f"   memory stores: {mem:8.1f} records/s  = {mem / ideal:.3f} of ideal (target >= 0.9)")
    print(f"   SQLite stores: {sql:8.1f} records/s  = {sql / ideal:.3f} of ideal (target >= 0.9)")

    n = 5000
    bare = best(lambda: bare_bounded(n, 0.0, width))
    with tempfile.TemporaryDirectory() as d:
        stores = sqlite_stores(Path(d))
        mem = best(lambda: run(memory_stores(), n, 0.0, width))
        sql = best(lambda: run(stores, n, 0.0, width))
    print(f"2. overhead, {n} records, step does nothing, best of 3:")
    print(f"   bare semaphore:      {bare:9.0f} records/s")
    print(f"   engine, memory:      {mem:9.0f} records/s  = {mem / bare:.3f} of bare")
    print(f"   engine, SQLite:      {sql:9.0f} records/s  = {sql / bare:.3f} of bare")

    small, large = peak_rss_mb(10_000), peak_rss_mb(50_000)
    print("3. memory, SQLite stores, fresh process each:")
    print(f"   10,000 records: {small:6.1f} MB peak RSS")
    print(
        f"   50,000 records: {large:6.1f} MB peak RSS  = {large / small:.3f} of 10,000"
        " (target <= 1.2)"
    )
    print(f"   (this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB)")


if __name__ == "__main__":
    main()
