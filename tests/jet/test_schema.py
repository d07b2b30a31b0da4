"""schemathesis over the Jet sandbox's OpenAPI: no input, valid or not, gives a 5xx.

Driven through hypothesis directly, operation by operation, with a bounded number of examples
(schemathesis' pytest plugin does not run on pytest 9 here).
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

EXAMPLES = 3


@pytest.mark.parametrize(
    "mode",
    [GenerationMode.POSITIVE, pytest.param(GenerationMode.NEGATIVE, marks=pytest.mark.slow)],
)
def test_no_input_gives_a_server_error(jet_sandbox, mode):
    url = jet_sandbox.url
    body = {"user": jet_sandbox.api_user, "pass": jet_sandbox.secret}
    token = httpx2.post(f"{url}/api/token", json=body).json()["id_token"]
    key = (jet_sandbox.data_dir / "jet-admin.key").read_text().strip()
    headers = {"Authorization": f"Bearer {token}", "X-Sandbox-Admin-Key": key}
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    ops = [r.ok() for r in schema.get_all_operations()]
    ops = [op for op in ops if op.path.startswith(("/api/", "/admin/")) and "seed" not in op.path]
    assert len(ops) >= 25
    failures: list[str] = []
    for op in ops:

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case: Any) -> None:
            case.call_and_validate(base_url=url, headers=headers, checks=[not_a_server_error])

        try:
            run()
        except Unsatisfiable:
            continue
        except Exception as exc:
            failures.append(f"{op.label}: {str(exc)[:600]}")
    assert not failures, "\n".join(failures)
