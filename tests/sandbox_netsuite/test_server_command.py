"""`etail sandbox netsuite`: the app it builds from its options, served over real HTTP.

uvicorn.run is replaced by a recorder so that the test serves the very app the command built
(with BackgroundServer on a free port) instead of starting a second process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest
import uvicorn
from typer.testing import CliRunner

from etail.cli import app
from etail.errors import SettingsError
from etail.httpserver import BackgroundServer
from etail.sandbox.netsuite.options import SandboxOptions
from etail.sandbox.netsuite.store import read_admin_key


def test_builds_and_serves_the_sandbox_with_its_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda served, **kw: runs.append({"app": served, **kw}))
    data = tmp_path / "ns"
    args = ["sandbox", "netsuite", "--port", "8111", "--data", str(data), "--latency-ms", "1",
            "--fault-kind", "429", "--seed", "7"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (
        "NetSuite sandbox on http://127.0.0.1:8111" in result.output and str(data) in result.output
    )
    (run,) = runs
    assert (run["host"], run["port"]) == ("127.0.0.1", 8111)
    assert run["app"].state.options == SandboxOptions(latency_ms=1, fault_kinds=("429",), seed=7)
    with BackgroundServer(run["app"]) as srv:
        unknown = httpx2.get(f"{srv.url}/rest/datacenterurls", params={"account": "999_SB9"})
        assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "INVALID_ACCOUNT"
        unsigned = httpx2.get(f"{srv.url}/services/rest/record/v1/customer")
        assert unsigned.status_code == 401
        assert unsigned.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
        key = read_admin_key(data)  # written 0600 in --data
        accounts = httpx2.get(f"{srv.url}/admin/api/accounts", headers={"X-Sandbox-Admin-Key": key})
        assert accounts.status_code == 200 and accounts.json() == []
    assert (data / "admin.key").stat().st_mode & 0o777 == 0o600


def test_the_data_folder_defaults_to_etail_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ETAIL_HOME", str(tmp_path))
    monkeypatch.setattr(uvicorn, "run", lambda served, **kw: None)
    result = CliRunner().invoke(app, ["sandbox", "netsuite"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sandbox-netsuite" / "netsuite.db").exists()


def test_a_bad_option_names_the_flag_and_the_value(tmp_path: Path) -> None:
    args = ["sandbox", "netsuite", "--data", str(tmp_path), "--fault-rate", "2"]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, SettingsError)  # main() prints it as one red line
    assert result.exception.field == "--fault-rate"
    assert "--fault-rate must be between 0 and 1, got 2.0" in str(result.exception)
