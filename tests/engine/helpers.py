"""Shared builders for the engine tests: in-memory stores, a fake clock, simple flows."""

from __future__ import annotations

import random
from typing import Any

from etail.engine import FlowRegistry, FlowService, FlowSpec, RetryPolicy, Stores
from etail.engine.memory import (
    CollectingQueue,
    FakeClock,
    MemoryErrorStore,
    MemoryFlowConfigStore,
    MemoryJobStore,
    MemoryStateStore,
    RecordingSleeper,
)


def memory_stores() -> Stores:
    return Stores(
        jobs=MemoryJobStore(),
        errors=MemoryErrorStore(),
        state=MemoryStateStore(),
        configs=MemoryFlowConfigStore(),
    )


def service(*flows: FlowSpec, stores: Stores | None = None, **kw: Any) -> FlowService:
    clock = kw.pop("clock", None) or FakeClock()
    return FlowService(
        FlowRegistry(flows),
        stores or memory_stores(),
        queue=kw.pop("queue", None) or CollectingQueue(),
        clock=clock,
        sleeper=kw.pop("sleeper", None) or RecordingSleeper(clock),
        policy=kw.pop("policy", None) or RetryPolicy(rng=random.Random(7)),
        **kw,
    )
