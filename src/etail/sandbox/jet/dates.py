"""Jet's date formats (celigo-jet.md §3.1): order dates are Zulu strings with seven fractional
digits (the .NET "o" format Jet's servers wrote); the token's ``expires_on`` has whole seconds."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime


def jet_date(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    whole = math.floor(epoch)
    micro = min(999_999, int((epoch - whole) * 1_000_000))
    # time.strftime over gmtime is several times cheaper than datetime formatting (the seed
    # writes five dates per order).
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(whole))}.{micro:06d}0Z"


def expires_on(epoch: float) -> str:
    # Rounded down, so a client trusting this string never uses a token the server has expired.
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(field: str, value: str) -> datetime:
    """Parse an ISO-8601 date as Jet's clients sent it (up to 7 fractional digits, Z or offset)."""
    text = value.strip()
    if "." in text:  # Python reads at most 6 fractional digits: drop the 7th (100 ns).
        head, _, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        tail = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{tail}"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{field}: '{value}' is not an ISO-8601 date; "
            "send e.g. 2026-11-29T18:00:00.0000000-00:00"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
