"""Read a local NetSuite sandbox's Login Audit Trail through its admin API (for Test failures)."""

from __future__ import annotations

from datetime import datetime


async def latest_failure_detail(
    base_url: str, admin_key: str, realm: str, since: datetime
) -> str | None:
    """The Detail of the newest failed login for ``realm`` at or after ``since``, if any."""
    # Filled in against etail.sandbox.netsuite.adminclient once its audit call lands.
    return None
