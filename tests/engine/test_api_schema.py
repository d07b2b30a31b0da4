"""schemathesis over the flow API's OpenAPI: no input, valid or not, gives a server error.

Driven through hypothesis directly, operation by operation, with a bounded number of examples
(schemathesis' own pytest plugin does not run on pytest 9 here). Half the cases address the real
integration and a real flow, so they reach past "not found".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from .web import OWNER, Site, api_headers, running_site, signed_in_owner

EXAMPLES = 2
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, dict[str, str]]]:
    home: Path = tmp_path_factory.mktemp("schema") / "home"
    with running_site(home) as s:
        signed_in_owner(s).close()
        s.engine.request_run("jet-order-to-netsuite-order")  # jobs and errors to find
        s.wait_idle()
        yield s, api_headers(s, *OWNER)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_input_gives_a_server_error(site: tuple[Site, dict[str, str]], mode: Any) -> None:
    s, headers = site
    schema = schemathesis.openapi.from_url(f"{s.url}/api/openapi.json")
    ops = [r.ok() for r in schema.get_all_operations()]
    ops = [op for op in ops if op.path.startswith("/api/v1/integrations/{integration_id}/")]
    assert len(ops) >= 10
    real = {
        "integration_id": s.integration_id,
        "flow_id": "jet-order-to-netsuite-order",
        "error_id": s.engine.stores.errors.find()[0].id,
        "job_id": s.engine.stores.jobs.find()[0].id,
    }
    failures: list[str] = []
    for op in ops:

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
            if hash(repr(case.body)) % 2 == 0:
                for name in params:
                    params[name] = real.get(name, params[name])
            case.call_and_validate(base_url=s.url, headers=headers, checks=[not_a_server_error])

        try:
            run()
        except Unsatisfiable:
            continue
        except Exception as exc:
            failures.append(f"{op.label}: {str(exc)[:600]}")
    s.wait_idle()
    assert not failures, "\n".join(failures)
