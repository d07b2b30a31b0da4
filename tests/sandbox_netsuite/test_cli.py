"""Steps A-D through `etail ns ...`, then a client from outside the project over real HTTP."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import requests
from requests_oauthlib import OAuth1
from typer.testing import CliRunner

from etail.cli.ns import app
from etail.httpserver import BackgroundServer
from etail.sandbox.netsuite.app import create_app
from etail.sandbox.netsuite.store import read_admin_key

from .conftest import APP, BUNDLE_ROLE

runner = CliRunner()
REALM = "7654321_SB1"


def ns(*args: str, data: Path | None = None, url: str | None = None, key: str = "") -> Any:
    where = ["--url", url, "--admin-key", key] if url else ["--data", str(data)]
    result = runner.invoke(app, [*args, *where, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def fails(*args: str, data: Path) -> str:
    result = runner.invoke(app, [*args, "--data", str(data)])
    assert result.exit_code != 0
    return str(result.exception) + result.output


def test_steps_a_to_d_by_cli_then_requests_oauthlib_gets_200(tmp_path: Path) -> None:
    data = tmp_path / "ns"
    ck, cs = secrets.token_hex(32), secrets.token_hex(32)
    acct = ns("account", "create", REALM, "--tier", "premium", "--plus", "1", data=data)
    assert acct["account"]["concurrency_limit"] == 25  # premium 15 + 1 licence x 10
    assert acct["account"]["features"]["tba"] is False
    assert acct["generated_password"]  # shown once because none was given
    ns("bundle", "install", "-a", REALM, "--consumer-key", ck, "--consumer-secret", cs, data=data)
    ns("feature", "enable", "tba", "-a", REALM, data=data)  # A
    role = ns("role", "clone", BUNDLE_ROLE, "--name", "eTail Jet Role", "-a", REALM, data=data)  # B
    assert role["locked"] is False and role["permissions"]["salesOrder"] == "full"
    ns("user", "create", "-a", REALM, "--name", "Sam Sync", "--email", "sam@example.com", data=data)
    user = ns("user", "add-role", "sam@example.com", "eTail Jet Role", "-a", REALM, data=data)  # C
    assert [r["name"] for r in user["roles"]] == ["eTail Jet Role"]
    new = ns(  # D
        "token",
        "create",
        "-a",
        REALM,
        "--application",
        APP,
        "--user",
        "sam@example.com",
        "--role",
        "eTail Jet Role",
        data=data,
    )
    assert new["token"]["name"] == f"{APP} - Sam Sync - eTail Jet Role"
    assert "only displayed once" in new["note"]
    listed = ns("token", "list", "-a", REALM, data=data)
    assert new["token_id"] not in json.dumps(listed) and new["token_secret"] not in json.dumps(
        listed
    )

    with BackgroundServer(create_app(data)) as srv:
        auth = OAuth1(
            ck,
            cs,
            new["token_id"],
            new["token_secret"],
            signature_method="HMAC-SHA256",
            realm=REALM,
        )
        resp = requests.get(f"{srv.url}/rest/tokeninfo", auth=auth, timeout=10)
        assert resp.status_code == 200, resp.text
        assert resp.json()["roleName"] == "eTail Jet Role"
        customers = requests.get(f"{srv.url}/services/rest/record/v1/customer", auth=auth)
        assert customers.status_code == 200, customers.text
        suiteql = requests.post(
            f"{srv.url}/services/rest/query/v1/suiteql?limit=5&offset=0",
            headers={"Prefer": "transient"},
            json={"q": "SELECT id, companyname FROM customer"},
            auth=auth,
        )
        assert suiteql.status_code == 200, suiteql.text
        # --url mode against the running server, key from the data folder's admin.key
        key = read_admin_key(data)
        ns("token", "revoke", str(new["token"]["id"]), "-a", REALM, url=srv.url, key=key)
        again = requests.get(f"{srv.url}/rest/tokeninfo", auth=auth, timeout=10)
        assert again.status_code == 401
        trail = ns("audit", "-a", REALM, url=srv.url, key=key)
        assert [(r["status"], r["detail"]) for r in trail[:2]] == [
            ("Failure", "token_rejected"),
            ("Success", ""),
        ]


def test_cli_errors_name_the_field_and_fix(tmp_path: Path) -> None:
    data = tmp_path / "ns"
    assert "account_id" in fails("account", "create", "1234567-sb1", data=data)
    ns("account", "create", REALM, data=data)
    out = fails("role", "set", "Administrator", "-a", REALM, "--perm", "customer=full", data=data)
    assert "locked" in out and "Customize" in out
    out = fails("bundle", "install", "-a", REALM, "--consumer-key", "nothex",
                "--consumer-secret", "x" * 64, data=data)  # fmt: skip
    assert "consumer_key" in out


def test_url_mode_refuses_a_wrong_admin_key(tmp_path: Path) -> None:
    data = tmp_path / "ns"
    with BackgroundServer(create_app(data)) as srv:
        result = runner.invoke(
            app, ["account", "list", "--url", srv.url, "--admin-key", "wrong", "--json"]
        )
        assert result.exit_code != 0
        assert "admin key" in str(result.exception)


def test_every_admin_command_with_json(tmp_path: Path) -> None:
    data = tmp_path / "ns"
    with BackgroundServer(create_app(data)) as srv:  # --url mode: one app for every command
        _every_admin_command(data, {"url": srv.url, "key": read_admin_key(data)})


def _every_admin_command(data: Path, at: dict[str, str]) -> None:
    ck, cs = secrets.token_hex(32), secrets.token_hex(32)
    ns("account", "create", REALM, "--tier", "enterprise", **at)
    assert [a["account_id"] for a in ns("account", "list", **at)] == [REALM]
    assert ns("account", "show", REALM, **at)["concurrency_limit"] == 20
    ns("bundle", "install", "-a", REALM, "--consumer-key", ck, "--consumer-secret", cs, **at)
    assert ns("feature", "disable", "soap", "-a", REALM, **at)["features"]["soap"] is False
    names = [r["name"] for r in ns("role", "list", "-a", REALM, **at)]
    assert names == ["Administrator", BUNDLE_ROLE]
    shown = ns("role", "show", BUNDLE_ROLE, "-a", REALM, **at)
    assert shown["locked"] is True and shown["permissions"]["inventoryItem"] == "view"
    ns("role", "clone", BUNDLE_ROLE, "--name", "Copy", "--perm", "inventoryItem=full",
       "-a", REALM, **at)  # fmt: skip
    role = ns("role", "set", "Copy", "--perm", "customer=full", "-a", REALM, **at)
    assert role["permissions"]["customer"] == "full"
    ns("user", "create", "-a", REALM, "--name", "Kim", "--email", "kim@example.com",
       "--role", "Copy", "--role", BUNDLE_ROLE, **at)  # fmt: skip
    user = ns("user", "remove-role", "kim@example.com", BUNDLE_ROLE, "-a", REALM, **at)
    assert [r["name"] for r in user["roles"]] == ["Copy"]
    assert ns("user", "deactivate", "kim@example.com", "-a", REALM, **at)["inactive"] is True
    assert ns("user", "activate", "kim@example.com", "-a", REALM, **at)["inactive"] is False
    assert len(ns("user", "list", "-a", REALM, **at)) == 2  # with the Administrator
    new = ns("integration", "create", "Other App", "-a", REALM, **at)
    assert len(new["consumer_key"]) == len(new["consumer_secret"]) == 64
    assert ns("integration", "block", "Other App", "-a", REALM, **at)["state"] == "blocked"
    assert ns("integration", "enable", "Other App", "-a", REALM, **at)["state"] == "enabled"
    listed = json.dumps(ns("integration", "list", "-a", REALM, **at))
    assert new["consumer_key"] not in listed and new["consumer_secret"] not in listed
    tok = ns("token", "create", "-a", REALM, "--application", "Other App", "--user",
             "kim@example.com", "--role", "Copy", "--name", "mine", **at)["token"]  # fmt: skip
    assert tok["name"] == "mine"
    assert ns("token", "inactivate", "mine", "-a", REALM, **at)["status"] == "Inactive"
    assert ns("token", "activate", str(tok["id"]), "-a", REALM, **at)["status"] == "Active"
    assert ns("token", "revoke", "mine", "-a", REALM, **at)["status"] == "Revoked"
    out = fails("token", "activate", "mine", "-a", REALM, data=data)  # and --data mode
    assert "revoked" in out


def test_names_with_a_slash_work_wherever_a_name_is_accepted(tmp_path: Path) -> None:
    # "%2F" is decoded before routing, so such a name used to answer a bare 404.
    data = tmp_path / "ns"
    with BackgroundServer(create_app(data)) as srv:
        _slashed_names(data, {"url": srv.url, "key": read_admin_key(data)})


def _slashed_names(data: Path, at: dict[str, str]) -> None:
    ns("account", "create", REALM, **at)
    ns("bundle", "install", "-a", REALM, "--consumer-key", secrets.token_hex(32),
       "--consumer-secret", secrets.token_hex(32), **at)  # fmt: skip
    ns("role", "clone", BUNDLE_ROLE, "--name", "Sales/Ops", "-a", REALM, **at)
    assert ns("role", "show", "Sales/Ops", "-a", REALM, **at)["name"] == "Sales/Ops"
    role = ns("role", "set", "Sales/Ops", "--perm", "customer=full", "-a", REALM, **at)
    assert role["permissions"]["customer"] == "full"
    ns("user", "create", "-a", REALM, "--name", "Lee", "--email", "lee@example.com",
       "--role", "Sales/Ops", **at)  # fmt: skip
    ns("integration", "create", "A/B App", "-a", REALM, **at)
    assert ns("integration", "block", "A/B App", "-a", REALM, **at)["state"] == "blocked"
    ns("integration", "enable", "A/B App", "-a", REALM, **at)
    ns("token", "create", "-a", REALM, "--application", "A/B App", "--user", "lee@example.com",
       "--role", "Sales/Ops", **at)  # fmt: skip
    name = "A/B App - Lee - Sales/Ops"
    assert ns("token", "inactivate", name, "-a", REALM, **at)["status"] == "Inactive"
    user = ns("user", "remove-role", "lee@example.com", "Sales/Ops", "-a", REALM, **at)
    assert user["roles"] == []
    out = fails("role", "show", "No/Such", "-a", REALM, data=data)
    assert "'No/Such' does not exist" in out


def test_run_steps_a_to_d_helper_is_repeatable(tmp_path: Path) -> None:
    from etail.sandbox.netsuite.adminclient import AdminClient, run_steps_a_to_d

    ck, cs = secrets.token_hex(32), secrets.token_hex(32)
    with AdminClient.in_process(tmp_path / "ns") as admin:
        first = run_steps_a_to_d(admin, REALM, consumer_key=ck, consumer_secret=cs)
        second = run_steps_a_to_d(admin, REALM, consumer_key=ck, consumer_secret=cs)
        assert (first.role_id, first.employee_id) == (second.role_id, second.employee_id)
        assert first.token_id != second.token_id and first.token_secret not in repr(first)
        assert len(admin.tokens(REALM)) == 2


def test_m2m_commands(tmp_path: Path) -> None:
    from .test_oauth2_wiring import self_signed_pem

    data = tmp_path / "ns"
    ck, cs = secrets.token_hex(32), secrets.token_hex(32)
    ns("account", "create", REALM, data=data)
    ns("bundle", "install", "-a", REALM, "--consumer-key", ck, "--consumer-secret", cs, data=data)
    ns("user", "create", "-a", REALM, "--name", "M2M User", "--email", "m2m@example.com",
       "--role", BUNDLE_ROLE, data=data)  # fmt: skip
    assert ns("m2m", "feature", "on", "-a", REALM, data=data) == {"enabled": True}
    grant = ns("m2m", "grant", APP, "-a", REALM, "--scope", "rest_webservices", data=data)
    assert grant["client_credentials"] is True and grant["scopes"] == ["rest_webservices"]
    pem = tmp_path / "cert.pem"
    pem.write_text(self_signed_pem())
    cert = ns("m2m", "create", "-a", REALM, "--application", APP, "--user", "m2m@example.com",
              "--role", BUNDLE_ROLE, "--certificate", str(pem), data=data)  # fmt: skip
    listed = ns("m2m", "list", "-a", REALM, data=data)
    assert [c["certificate_id"] for c in listed] == [cert["certificate_id"]]
    # A certificate ID is base64url and starts with "-" one time in 64: after "--" it is never
    # read as an option (this test failed now and then before it said so).
    result = runner.invoke(
        app, ["m2m", "revoke", "-a", REALM, "--data", str(data), "--", cert["certificate_id"]]
    )
    assert result.exit_code == 0 and "Successfully revoked" in result.output
    dashed = runner.invoke(app, ["m2m", "revoke", "-a", REALM, "--data", str(data), "--", "-aX"])
    assert dashed.exit_code != 0 and "No such option" not in dashed.output
    assert "-aX" in str(dashed.exception)


def test_audit_table_shows_the_whole_detail_and_survives_markup(tmp_path: Path) -> None:
    data = tmp_path / "ns"
    ns("account", "create", REALM, "--company", "[/x] Corp", data=data)
    shown = runner.invoke(app, ["account", "show", REALM, "--data", str(data)])
    assert shown.exit_code == 0, shown.output
    assert "[/x]" in shown.output
    with BackgroundServer(create_app(data)) as srv:
        realm = f'OAuth realm="{REALM}", oauth_consumer_key="k"'
        requests.get(f"{srv.url}/rest/tokeninfo", headers={"Authorization": realm}, timeout=10)
    table = runner.invoke(app, ["audit", "-a", REALM, "--data", str(data)])  # 80 columns
    assert table.exit_code == 0, table.output
    assert "MissingTokenPassportRequiredFields" in table.output
