"""Run-time options of the Jet sandbox: token lifetime, ready delay, rate limit, faults."""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Literal

from etail.sandbox.jet.problems import JetProblem

FaultKind = Literal["5xx", "429", "timeout"]
FAULT_KINDS: tuple[str, ...] = ("5xx", "429", "timeout")


@dataclass(frozen=True)
class JetOptions:
    token_lifetime_s: int = 3600
    ready_delay_s: float = 0.0
    rate_limit_per_s: float | None = None
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = ("5xx",)
    seed: int | None = None
    fault_delay_s: float = 5.0  # how long a "timeout" fault holds the request before its 504

    def __post_init__(self) -> None:
        if self.token_lifetime_s < 1:
            raise ValueError("token_lifetime_s must be at least 1 second")
        if self.ready_delay_s < 0:
            raise ValueError("ready_delay_s must be 0 or more")
        if self.rate_limit_per_s is not None and self.rate_limit_per_s <= 0:
            raise ValueError("rate_limit_per_s must be above 0, or None for no limit")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        unknown = set(self.fault_kinds) - set(FAULT_KINDS)
        if unknown or not self.fault_kinds:
            raise ValueError(f"fault_kinds must be some of {', '.join(FAULT_KINDS)}")


class RateLimiter:
    """A token bucket over all ``/api`` calls; a refused call gets Jet's 429 (§3.1)."""

    def __init__(self, per_s: float) -> None:
        self.per_s = per_s
        self.capacity = max(1.0, per_s)
        self.tokens = self.capacity
        self.last = time.monotonic()

    def check(self) -> JetProblem | None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.per_s)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        wait = max(1, math.ceil((1.0 - self.tokens) / self.per_s))
        return JetProblem(
            429,
            "Too many requests: slow down and retry after the Retry-After seconds",
            headers={"Retry-After": str(wait)},
        )


class FaultInjector:
    """Fails a share of calls on purpose, like the NetSuite sandbox's fault injection."""

    def __init__(self, options: JetOptions) -> None:
        self.rate = options.fault_rate
        self.kinds = options.fault_kinds
        self.rng = random.Random(options.seed)

    def draw(self) -> str | None:
        if self.rate <= 0 or self.rng.random() >= self.rate:
            return None
        return self.rng.choice(self.kinds)


def fault_problem(kind: str) -> JetProblem:
    if kind == "429":
        return JetProblem(429, "Too many requests (injected fault)", headers={"Retry-After": "1"})
    if kind == "timeout":
        return JetProblem(504, "Gateway timeout (injected fault)")
    return JetProblem(503, "Service unavailable (injected fault); retry later")
