"""`etail sandbox netsuite` as a real process: it serves on its port until stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from etail.httpserver import free_port
from etail.sandbox.netsuite.store import read_admin_key

ETAIL = [sys.executable, "-c", "from etail.cli import main; main()"]


def run_etail(*args: str, home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "ETAIL_HOME": str(home)}
    return subprocess.Popen(
        [*ETAIL, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_until_up(url: str, proc: subprocess.Popen[str], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        try:
            httpx2.get(f"{url}/rest/datacenterurls?account=1", timeout=1)
            return
        except httpx2.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url} within {seconds} s")


def test_serves_netsuite_paths_and_the_admin_api_until_stopped(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "ns"
    proc = run_etail(
        "sandbox", "netsuite", "--port", str(port), "--data", str(data), "--latency-ms", "1",
        home=tmp_path,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc)
        unknown = httpx2.get(f"{url}/rest/datacenterurls", params={"account": "999_SB9"})
        assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "INVALID_ACCOUNT"
        unsigned = httpx2.get(f"{url}/services/rest/record/v1/customer")
        assert unsigned.status_code == 401
        assert unsigned.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
        key = read_admin_key(data)  # written 0600 in --data by the server
        accounts = httpx2.get(f"{url}/admin/api/accounts", headers={"X-Sandbox-Admin-Key": key})
        assert accounts.status_code == 200 and accounts.json() == []
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    assert f"NetSuite sandbox on {url}" in out and str(data) in out


def test_a_bad_option_is_one_line_naming_the_flag(tmp_path: Path) -> None:
    proc = run_etail("sandbox", "netsuite", "--fault-rate", "2", home=tmp_path)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert "--fault-rate" in err and "Traceback" not in err
