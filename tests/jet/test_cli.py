"""``etail jet ...`` and ``etail sandbox jet`` through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx2
from typer.testing import CliRunner

from etail.cli import app
from etail.httpserver import free_port

runner = CliRunner()


def test_seed_orders_and_catalog_on_a_data_folder(tmp_path):
    data = str(tmp_path / "jet")
    seeded = runner.invoke(app, ["jet", "seed", "--orders", "120", "--skus", "8", "--seed", "3",
                                 "--data", data, "--json"])  # fmt: skip
    assert seeded.exit_code == 0, seeded.output
    report = json.loads(seeded.output)
    assert report["orders"] == 120 and report["new_merchant"]["test_key"]["secret"]
    again = runner.invoke(app, ["jet", "seed", "--orders", "120", "--skus", "8", "--seed", "3",
                                "--data", data, "--json"])  # fmt: skip
    assert json.loads(again.output)["new_merchant"] is None
    listed = runner.invoke(app, ["jet", "orders", "--status", "ready", "--data", data, "--json"])
    assert listed.exit_code == 0
    answer = json.loads(listed.output)
    assert answer["counts"]["ready"] + answer["counts"]["complete"] == 120
    table = runner.invoke(app, ["jet", "catalog", "--data", data])
    assert "JS-000001" in table.output


def test_bad_status_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["jet", "orders", "--status", "lost", "--data", str(tmp_path)])
    assert result.exit_code != 0
    assert "status" in str(result.exception)


def test_merchant_create_over_the_admin_api(jet_sandbox):
    key = (jet_sandbox.data_dir / "jet-admin.key").read_text()
    made = runner.invoke(
        app,
        ["jet", "merchant", "create", "--name", "CLI shop", "--node", "cli-node:Main",
         "--url", jet_sandbox.url, "--admin-key", key, "--json"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    merchant = json.loads(made.output)
    assert merchant["fulfillment_nodes"][0] == {
        "fulfillment_node_id": "cli-node", "name": "Main", "zip_code": ""}  # fmt: skip
    listed = runner.invoke(
        app, ["jet", "merchant", "list", "--url", jet_sandbox.url, "--admin-key", key]
    )
    assert "CLI shop" in listed.output and merchant["test_key"]["secret"] not in listed.output


def test_sandbox_command_serves_jet_api(tmp_path):
    port = free_port()
    env = os.environ | {"ETAIL_HOME": str(tmp_path)}
    cmd = [
        sys.executable,
        "-c",
        "from etail.cli import main; main()",
        "sandbox",
        "jet",
        "--port",
        str(port),
        "--data",
        str(tmp_path / "jet"),
        "--token-lifetime",
        "60",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                resp = httpx2.post(
                    f"http://127.0.0.1:{port}/api/token", json={"user": "u", "pass": "p"}
                )
                break
            except httpx2.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("the sandbox did not start within 20 s")
        assert resp.status_code == 400 and resp.json()["errors"]
        assert (tmp_path / "jet" / "jet.db").exists()
    finally:
        proc.terminate()
        proc.wait(10)
