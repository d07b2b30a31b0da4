"""Every name a public engine module exports exists, and the engine stays I/O-free."""

from __future__ import annotations

import importlib
import sys

import pytest

MODULES = [
    "etail.engine",
    "etail.engine.records",
    "etail.engine.ports",
    "etail.engine.flows",
    "etail.engine.runner",
    "etail.engine.jobs",
    "etail.engine.retries",
    "etail.engine.schedules",
    "etail.engine.service",
    "etail.engine.memory",
    "etail.engine.views",
    "etail.queue.inline",
    "etail.queue.celery",
    "etail.storage.flow_store",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__, name
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names missing attributes: {missing}"


def test_importing_the_engine_loads_no_io_library() -> None:
    code = (
        "import sys, etail.engine, etail.engine.memory, etail.engine.views;"
        "print(sorted(m for m in ('httpx2', 'fastapi', 'sqlalchemy', 'starlette', 'uvicorn')"
        " if m in sys.modules))"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
