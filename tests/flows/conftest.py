"""Fixtures of the flow tests: one world per module (see helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .helpers import Env, close_env, make_env


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    e = make_env(tmp_path_factory.mktemp("flows-home"), orders=0)
    yield e
    close_env(e)
