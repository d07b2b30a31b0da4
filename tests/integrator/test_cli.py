"""CLI twins: users, connections list|show|edit|test, audit, each with --json."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from etail.cli import app as cli

from .conftest import steps_a_to_d

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_users_commands(integrator, monkeypatch):
    monkeypatch.setenv("ETAIL_HOME", str(integrator.settings.home))
    code, out = run(
        "users",
        "create-owner",
        "--email",
        "boss@example.com",
        "--json",
        env={"ETAIL_OWNER_PASSWORD": "Boss-Pass-1234"},
    )
    assert code == 0 and json.loads(out)["role"] == "owner"
    code, out = run(
        "users",
        "create-owner",
        "--email",
        "two@example.com",
        env={"ETAIL_OWNER_PASSWORD": "Boss-Pass-1234"},
    )
    assert code != 0
    code, out = run("users", "invite", "ann@example.com", "--role", "manage", "--json")
    assert code == 0 and "/invitations/" in json.loads(out)["link"]
    bad = runner.invoke(
        cli, ["users", "invite", "t@example.com", "--role", "tile", "--grant", "nope=manage"]
    )
    assert bad.exit_code != 0 and "no integration with id 'nope'" in str(bad.exception)
    code, out = run("users", "list", "--json")
    listed = json.loads(out)
    assert [u["email"] for u in listed["users"]] == ["boss@example.com"]
    assert listed["invitations"][0]["email"] == "ann@example.com"
    code, out = run("audit", "--json", "--resource-type", "invitation")
    entries = json.loads(out)
    assert entries[0]["source"] == "CLI" and entries[0]["user"].startswith("cli:")


def test_connections_edit_test_show(integrator, netsuite_sandbox, monkeypatch):
    monkeypatch.setenv("ETAIL_HOME", str(integrator.settings.home))
    monkeypatch.setenv("ETAIL_NS_ADMIN_KEY", netsuite_sandbox.admin_key)
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    code, out = run("connections", "list", "--json")
    assert code == 0
    names = {c["name"]: c for c in json.loads(out)}
    assert names["NetSuite Connection"]["config"]["auth_type"] == "basic"
    base = [
        "connections",
        "edit",
        "NetSuite Connection",
        "--auth-type",
        "token",
        "--environment",
        "local",
        "--base-url",
        netsuite_sandbox.url,
        "--account-id",
        tokens.realm.lower().replace("_", "-"),
        "--json",
    ]
    code, out = run(
        *base, env={"ETAIL_NS_TOKEN_ID": tokens.token_id, "ETAIL_NS_TOKEN_SECRET": "9" * 64}
    )
    assert code == 1 and json.loads(out)["saved"] is False
    assert json.loads(out)["test"]["detail"] == "InvalidSignature"
    code, out = run(
        *base,
        env={"ETAIL_NS_TOKEN_ID": tokens.token_id, "ETAIL_NS_TOKEN_SECRET": tokens.token_secret},
    )
    assert code == 0, out
    assert json.loads(out)["saved"] is True
    code, out = run("connections", "show", integrator.netsuite_id, "--json")
    shown = json.loads(out)
    assert shown["config"]["account_id"] == tokens.realm
    assert shown["config"]["token_secret"] == "******" and tokens.token_secret not in out
    code, out = run("connections", "test", "NetSuite Connection")
    assert code == 0 and "working great" in out
    code, out = run("connections", "show", "nope")
    assert code != 0


def test_keypair_and_oauth2_edit(integrator, netsuite_sandbox, monkeypatch, tmp_path):
    from .conftest import APP

    monkeypatch.setenv("ETAIL_HOME", str(integrator.settings.home))
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    code, out = run(
        "connections", "keypair", "--out", str(tmp_path), "--algorithm", "ES256", "--json"
    )
    assert code == 0, out
    made = json.loads(out)
    assert (tmp_path / "etail-m2m.key").stat().st_mode & 0o777 == 0o600
    admin = netsuite_sandbox.admin
    admin.set_oauth2_feature(tokens.realm, True)
    admin.set_permissions(tokens.realm, tokens.role_id, {"loginUsingOAuth2AccessTokens": "full"})
    admin.configure_oauth2_client(tokens.realm, APP, scopes=["rest_webservices", "restlets"])
    cert = admin.register_m2m_certificate(
        tokens.realm,
        APP,
        "jane@example.com",
        tokens.role_id,
        (tmp_path / "etail-m2m.crt").read_text(),
    )
    assert cert["certificate_id"] == made["certificate_id"]  # NetSuite shows the same ID
    code, out = run(
        "connections",
        "edit",
        "NetSuite Connection",
        "--auth-type",
        "oauth2",
        "--environment",
        "local",
        "--base-url",
        netsuite_sandbox.url,
        "--account-id",
        tokens.realm,
        "--certificate-id",
        made["certificate_id"],
        "--private-key-file",
        str(tmp_path / "etail-m2m.key"),
        "--json",
    )
    assert code == 0 and json.loads(out)["saved"] is True, out
    code, out = run("connections", "show", "NetSuite Connection", "--json")
    assert json.loads(out)["config"]["auth_type"] == "oauth2" and "PRIVATE KEY" not in out
