"""Run-time options of the NetSuite sandbox: latency and fault injection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["5xx", "429", "timeout"]


@dataclass(frozen=True)
class SandboxOptions:
    latency_ms: int = 0
    fault_rate: float = 0.0
    fault_kinds: tuple[FaultKind, ...] = ("5xx",)
    seed: int | None = None
