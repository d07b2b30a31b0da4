"""Schemathesis over the integrator's OpenAPI (real HTTP, owner's token): no 5xx, bounded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from etail.httpserver import free_port

from .conftest import Integrator, api_token, browser_owner, start_integrator

AUTH: dict[str, str] = {}
REAL_HOSTS = ("production", "sandbox", "release_preview")
CONNECTION_WRITES = r"^/api/v1/connections/\{connection_id\}(/test|/ping)?$"


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Integrator, Any]]:
    srv, integ = start_integrator(tmp_path_factory.mktemp("fuzz") / "home", {})
    try:
        browser_owner(integ).close()
        AUTH.update(api_token(integ, "owner@example.com", "Owner-Pass-123"))
        schema = schemathesis.openapi.from_url(f"{integ.url}/api/openapi.json")
        yield integ, schema.exclude(path="/api/v1/auth/token", method="DELETE")  # keep session
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def api_schema(fuzzed: tuple[Integrator, Any]) -> schemathesis.BaseSchema:
    # Test and Save call the host named in the body: fuzzed apart, below, on a dead local port.
    return fuzzed[1].exclude(path_regex=CONNECTION_WRITES, method=["PUT", "POST"])


def test_api_never_answers_5xx(api_schema: schemathesis.BaseSchema) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def never_5xx(case: schemathesis.Case) -> None:
            response = case.call(headers=AUTH, timeout=10)
            assert response.status_code < 500, (case.method, case.path, response.text[:300])

        never_5xx()


def test_connection_test_and_save_never_answer_5xx(fuzzed: tuple[Integrator, Any]) -> None:
    """Test, Save and Re-check with fuzzed bodies. Hosts are forced to a closed local port (a
    Production body would call NetSuite's real hosts), so every call fails fast in the client
    and the route must still answer a Test result or a 4xx."""
    integ, schema = fuzzed
    dead = f"http://127.0.0.1:{free_port()}"
    operations = [
        result.ok()
        for result in schema.include(
            path_regex=CONNECTION_WRITES, method=["PUT", "POST"]
        ).get_all_operations()
    ]
    assert len(operations) == 3
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def never_5xx(case: schemathesis.Case) -> None:
            body = case.body if isinstance(case.body, dict) else {}
            jet = body.get("type", "jet" if "api_user" in body else "netsuite") == "jet"
            case.path_parameters = {"connection_id": integ.jet_id if jet else integ.netsuite_id}
            if isinstance(case.body, dict):
                case.body["base_url"] = dead + "/api" if jet else dead
                if not jet and body.get("environment") in REAL_HOSTS:
                    case.body["environment"] = "local"
            response = case.call(headers=AUTH, timeout=20)
            assert response.status_code < 500, (case.method, case.path, response.text[:300])

        never_5xx()
