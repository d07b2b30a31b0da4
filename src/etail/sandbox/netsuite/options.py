"""Run-time options of the NetSuite sandbox: latency and fault injection.

``latency_ms`` is held inside the concurrency slot (so it counts against the account's limit, as
slow NetSuite answers do). ``fault_rate`` is the share of governed requests answered with a fault
of one of ``fault_kinds`` instead of running: ``5xx`` (500 UNEXPECTED_ERROR), ``429``
(CONCURRENCY_LIMIT_EXCEEDED) or ``timeout`` (a stall of ``stall_ms``, then 504). ``seed`` makes
the fault sequence reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from etail.errors import SettingsError

FaultKind = Literal["5xx", "429", "timeout"]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)
MAX_LATENCY_MS = 60_000
MAX_STALL_MS = 120_000


@dataclass(frozen=True)
class SandboxOptions:
    latency_ms: int = 0
    fault_rate: float = 0.0
    fault_kinds: tuple[FaultKind, ...] = ("5xx",)
    seed: int | None = None
    stall_ms: int = 5_000

    def __post_init__(self) -> None:
        # Messages name the command-line flag: that is where a person typed the value.
        if not 0 <= self.latency_ms <= MAX_LATENCY_MS:
            raise SettingsError(
                f"--latency-ms must be 0..{MAX_LATENCY_MS}, got {self.latency_ms}",
                field="--latency-ms",
            )
        if not 0.0 <= self.fault_rate <= 1.0:
            raise SettingsError(
                f"--fault-rate must be between 0 and 1, got {self.fault_rate}",
                field="--fault-rate",
                hint="e.g. --fault-rate 0.05 fails one request in twenty",
            )
        if not self.fault_kinds or any(k not in FAULT_KINDS for k in self.fault_kinds):
            raise SettingsError(
                f"--fault-kind must be among {', '.join(FAULT_KINDS)}, got "
                f"{', '.join(self.fault_kinds) or 'none'}",
                field="--fault-kind",
            )
        if not 0 <= self.stall_ms <= MAX_STALL_MS:
            raise SettingsError(
                f"--stall-ms must be 0..{MAX_STALL_MS}, got {self.stall_ms}", field="--stall-ms"
            )
