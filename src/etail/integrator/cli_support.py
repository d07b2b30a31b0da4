"""Helpers shared by the integrator CLI commands (etail users|connections|audit|serve)."""

from __future__ import annotations

import getpass
import json
import os
from typing import Any

from rich.console import Console

from etail.integrator.database import IntegratorDb, open_db
from etail.settings import get_settings
from etail.storage.audit import Actor

out = Console()


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
