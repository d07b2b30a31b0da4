"""schemathesis over the sandbox's OpenAPI (admin API and /rest/*): no input gives a 5xx.

Driven through hypothesis directly, operation by operation, positive and negative data, with a
bounded number of examples (schemathesis' own pytest plugin does not run on pytest 9 here).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from etail.httpserver import BackgroundServer
from etail.sandbox.netsuite.adminclient import AdminClient
from etail.sandbox.netsuite.app import create_app
from etail.sandbox.netsuite.store import read_admin_key

from .conftest import steps_a_to_d

REALM = "5550001_SB1"
EXAMPLES = 6


@pytest.fixture(scope="module")
def ns_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    data = tmp_path_factory.mktemp("ns-schema")
    with BackgroundServer(create_app(data)) as srv:
        key = read_admin_key(data)
        with AdminClient(srv.url, key) as admin:
            steps_a_to_d(admin, REALM)  # real objects, so requests reach past "not found"
        yield srv.url, key


def operations(url: str) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    ops = [result.ok() for result in schema.get_all_operations()]
    # Ours: the admin API and /rest/*; the record routes have their own suite.
    ops = [op for op in ops if op.path.startswith(("/admin/api", "/rest/"))]
    assert len(ops) >= 20, "the admin API should be in the OpenAPI document"
    return ops


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_input_gives_a_server_error(ns_server: tuple[str, str], mode: GenerationMode) -> None:
    url, key = ns_server
    failures: list[str] = []
    for op in operations(url):

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            params = case.path_parameters or {}
            if "account_id" in params and case.body is not None and len(repr(case.body)) % 2:
                params["account_id"] = REALM  # half the cases reach a real account
            case.call_and_validate(
                base_url=url, headers={"X-Sandbox-Admin-Key": key}, checks=[not_a_server_error]
            )

        try:
            run()
        except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
            continue
        except Exception as exc:  # collect every failing operation, then report them all
            failures.append(f"{op.label}: {str(exc)[:600]}")
    assert not failures, "\n".join(failures)


def test_every_admin_operation_needs_the_admin_key(ns_server: tuple[str, str]) -> None:
    url, key = ns_server
    doc = httpx2.get(f"{url}/openapi.json").json()
    checked = 0
    for path, ops in doc["paths"].items():
        if not path.startswith("/admin/api"):
            continue
        concrete = re.sub(r"\{[^}]+\}", "x", path).replace("/accounts/x", f"/accounts/{REALM}")
        for method in ops:
            for headers in ({}, {"X-Sandbox-Admin-Key": "wrong"}):
                resp = httpx2.request(method, f"{url}{concrete}", headers=headers, json={})
                assert resp.status_code == 401, (method, path, resp.status_code)
                assert resp.json()["error"]["field"] == "X-Sandbox-Admin-Key"
            checked += 1
    assert checked >= 25
