"""Helpers shared by the integrator CLI commands (etail users|connections|audit|serve)."""

from __future__ import annotations

import asyncio
import getpass
import json
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from rich.console import Console

from etail.integrator.database import IntegratorDb, open_db
from etail.settings import get_settings
from etail.storage.audit import Actor

out = Console()
T = TypeVar("T")


def run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run an async call from sync code, even when this thread already runs an event loop
    (a CLI invoked from a test, a notebook): then the call gets its own thread and loop."""

    async def main() -> T:
        return await factory()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def database() -> IntegratorDb:
    return open_db(get_settings())


def cli_actor() -> Actor:
    """The CLI acts as the operating-system user (recorded with source CLI)."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Actor(None, f"cli:{who}", "CLI")


def sandbox_admin_keys() -> dict[str, str]:
    """The NetSuite sandbox admin key from ETAIL_NS_ADMIN_KEY, for any local sandbox URL.

    With it, a failed Test shows the sandbox's Login Audit Trail Detail.
    """
    key = os.environ.get("ETAIL_NS_ADMIN_KEY", "")
    return {"*": key} if key else {}


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True, default=str))
