"""Helpers shared by the integrator CLI commands (etail users|connections|audit|serve)."""

from __future__ import annotations

import getpass
import json
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


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True, default=str))
