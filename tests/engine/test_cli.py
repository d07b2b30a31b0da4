"""``etail flows|jobs|errors`` over the integrator database, with in-memory flows."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from etail.cli import app
from etail.engine import FlowRegistry, FlowService, FlowSpec, Record
from etail.engine.memory import FunctionImport, ListExport, MemoryTarget, records
from etail.errors import FlowError, RecordRejectedError, SettingsError
from etail.settings import Settings
from etail.storage.db import make_engine
from etail.storage.flow_store import sql_stores

BROKEN = {"on": True}
TARGET = MemoryTarget()


@dataclass
class FakeServices:
    flows: FlowRegistry
    engine: FlowService
    db: Any

    def close(self) -> None:
        self.db.dispose()


def build(settings: Settings, *, queue: Any = None, db_engine: Any = None) -> FakeServices:
    db = make_engine(settings.integrator_db_url)

    async def check(rec: Record) -> None:
        if BROKEN["on"] and rec.key == "2":
            raise RecordRejectedError("SKU-2 is not a NetSuite item", error_path="items[0].sku")

    flows = FlowRegistry(
        [
            FlowSpec(
                id="orders",
                name="Jet Order to NetSuite Order Add",
                group="Order",
                export=ListExport(records(4)),
                imports=(FunctionImport("check", check), TARGET),
                settings={"default_customer": None},
            ),
            FlowSpec(id="prices", name="Prices", export=ListExport([]), imports=(MemoryTarget(),)),
        ]
    )
    return FakeServices(flows, FlowService(flows, sql_stores(db), queue=queue), db)


@pytest.fixture(autouse=True)
def fake_bootstrap(
    monkeypatch: pytest.MonkeyPatch, _etail_home: Path, migrated_sqlite: Path
) -> None:
    import etail.bootstrap

    _etail_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(migrated_sqlite, _etail_home / "integrator.db")  # already migrated

    BROKEN["on"] = True
    TARGET.rows.clear()
    monkeypatch.setattr(etail.bootstrap, "build_services", build, raising=False)


def cli(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "220"})
    assert result.exit_code == code, (result.output, result.exception)
    return result


def as_json(*args: str) -> Any:
    return json.loads(cli(*args, "--json").output)


def test_run_list_retry_resolve_round_trip() -> None:
    flows = as_json("flows", "list")
    assert [f["id"] for f in flows] == ["orders", "prices"]
    assert flows[0]["last_job"] is None

    out = cli("flows", "run", "orders").output
    assert "Jet Order to NetSuite Order Add" in out and "completed" in out

    [job] = as_json("jobs")
    assert job["status"] == "completed"
    assert job["counters"]["success"] == 3 and job["counters"]["errors"] == 1
    [err] = as_json("errors", "list", "--flow", "orders")
    assert (err["key"], err["step"], err["field"]) == ("2", "check", "items[0].sku")
    detail = as_json("errors", "show", err["id"])
    assert detail["data"] == {"n": 2}
    assert "SKU-2 is not a NetSuite item" in cli("errors", "list").output

    BROKEN["on"] = False
    [retry] = as_json("errors", "retry", "--flow", "orders", "--no-progress")
    assert retry["kind"] == "retry" and retry["counters"]["success"] == 1
    assert as_json("errors", "list") == []
    [resolved] = as_json("errors", "list", "--resolved")
    assert resolved["resolved_by"] == "cli"
    assert sorted(TARGET.rows) == ["1", "2", "3", "4"]
    assert as_json("flows", "list")[0]["last_job"]["kind"] == "retry"


def test_resolve_by_id_and_by_flow() -> None:
    cli("flows", "run", "orders", "--no-progress")
    [err] = as_json("errors", "list")
    assert "resolved 1 error(s)" in cli("errors", "resolve", err["id"]).output
    cli("flows", "run", "orders", "--no-progress")
    assert "resolved 1 error(s)" in cli("errors", "resolve", "--flow", "orders").output
    result = CliRunner().invoke(app, ["errors", "resolve"])
    assert isinstance(result.exception, SettingsError)


def test_on_demand_keys_and_json_runs() -> None:
    [job] = as_json("flows", "run", "orders", "--keys", "1,3")
    assert job["counters"]["exported"] == 2 and job["status"] == "completed"


def test_enable_disable_schedule_and_show() -> None:
    assert "On" in cli("flows", "enable", "orders", "--schedule", "hourly").output
    [orders, _] = as_json("flows", "list")
    assert orders["enabled"] and orders["schedule_label"] == "Every hour"
    assert orders["next_run_at"] is not None
    cli("flows", "schedule", "orders", "0 6 * * *", "--timezone", "Europe/Paris")
    view = as_json("flows", "show", "orders")
    assert view["schedule_label"] == "cron 0 6 * * * (Europe/Paris)"
    assert view["settings"] == {"default_customer": None}
    cli("flows", "disable", "orders")
    assert as_json("flows", "show", "orders")["enabled"] is False
    assert "Mapping" in cli("flows", "show", "orders").output


def test_bad_input_gets_clear_errors() -> None:
    result = CliRunner().invoke(app, ["flows", "enable", "orders", "--schedule", "often"])
    assert isinstance(result.exception, SettingsError) and "schedule" in str(result.exception)
    result = CliRunner().invoke(app, ["flows", "run", "nope"])
    assert isinstance(result.exception, FlowError) and "known flows: orders, prices" in str(
        result.exception
    )
    result = CliRunner().invoke(app, ["jobs", "--status", "sleeping"])
    assert isinstance(result.exception, SettingsError)


def test_jobs_show_cancel_and_tick() -> None:
    [job] = as_json("flows", "run", "prices")
    assert as_json("jobs", "show", job["id"])["status"] == "completed"
    result = CliRunner().invoke(app, ["jobs", "cancel", job["id"]])
    assert "already ended" in str(result.exception)
    assert "nothing due" in cli("jobs", "tick").output
