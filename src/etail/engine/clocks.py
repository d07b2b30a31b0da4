"""The real clock and sleeper (the in-memory ones are in :mod:`etail.engine.memory`)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class AsyncioSleeper:
    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


__all__ = ["AsyncioSleeper", "SystemClock"]
