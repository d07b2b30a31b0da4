"""The per-account in-flight limiter: order, cancellation, a new limit, threads with own loops."""

from __future__ import annotations

import asyncio
import threading

import pytest

from etail.errors import SettingsError
from etail.netsuite import InFlightLimit, RetryPolicy, limit_for, parse_retry_after


async def test_waiters_are_served_in_order_and_the_limit_holds() -> None:
    limit = InFlightLimit("L1", 2)
    order: list[int] = []

    async def work(n: int) -> None:
        async with limit:
            order.append(n)
            assert limit.in_flight <= 2
            await asyncio.sleep(0.001)

    await asyncio.gather(*(work(n) for n in range(10)))
    assert order == list(range(10))
    assert limit.peak == 2 and limit.in_flight == 0


async def test_a_cancelled_waiter_gives_its_slot_back() -> None:
    limit = InFlightLimit("L2", 1)
    await limit.acquire()
    waiter = asyncio.create_task(limit.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    limit.release()
    assert limit.in_flight == 0
    await asyncio.wait_for(limit.acquire(), 1)  # nothing leaked: the slot is free
    limit.release()


async def test_cancelled_after_hand_over_releases_too() -> None:
    limit = InFlightLimit("L3", 1)
    await limit.acquire()
    waiter = asyncio.create_task(limit.acquire())
    await asyncio.sleep(0)
    limit.release()  # hands the slot to the waiter...
    waiter.cancel()  # ...which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.sleep(0)
    assert limit.in_flight == 0


async def test_raising_the_limit_wakes_waiters() -> None:
    limit = InFlightLimit("L4", 1)
    await limit.acquire()
    waiter = asyncio.create_task(limit.acquire())
    await asyncio.sleep(0)
    assert not waiter.done()
    limit.limit = 2
    await asyncio.wait_for(waiter, 1)
    assert limit.in_flight == 2


def test_shared_by_threads_each_with_its_own_loop() -> None:
    limit = limit_for("THREADS_1", 3)
    active = 0
    peak = 0
    guard = threading.Lock()

    async def work() -> None:
        nonlocal active, peak
        async with limit:
            with guard:
                active += 1
                peak = max(peak, active)
            await asyncio.sleep(0.002)
            with guard:
                active -= 1

    async def many() -> None:
        await asyncio.gather(*(work() for _ in range(15)))

    threads = [threading.Thread(target=asyncio.run, args=(many(),)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert not any(t.is_alive() for t in threads)
    assert peak == 3 and limit.in_flight == 0


def test_limit_must_be_positive() -> None:
    with pytest.raises(SettingsError) as info:
        InFlightLimit("L5", 0)
    assert info.value.field == "concurrency"


def test_limit_for_is_one_per_realm_and_settable() -> None:
    a = limit_for("REG_1", 4)
    assert limit_for("REG_1") is a and a.limit == 4
    limit_for("REG_1", 9)
    assert a.limit == 9
    assert limit_for("REG_2") is not a


def test_retry_after_parsing() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now=784111777 - 30) == 30.0


def test_backoff_bounds() -> None:
    policy = RetryPolicy(base=1.0, cap=8.0)
    for n in range(8):
        ceiling = min(8.0, 2.0**n)
        assert ceiling / 2 <= policy.backoff(n) <= ceiling
    assert policy.delay(0, retry_after=30) == 30
