"""``etail netsuite sign|doctor`` through the root CLI; doctor against real loopback servers."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from typer.testing import CliRunner

from etail.cli import app
from etail.httpserver import BackgroundServer, free_port
from etail.netsuite import TBACredentials, diagnose

ENV = {
    "ETAIL_NS_CONSUMER_KEY": "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4",
    "ETAIL_NS_CONSUMER_SECRET": "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5",
    "ETAIL_NS_TOKEN_ID": "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc",
    "ETAIL_NS_TOKEN_SECRET": "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295",
}
SECRETS = (ENV["ETAIL_NS_CONSUMER_SECRET"], ENV["ETAIL_NS_TOKEN_SECRET"])
VECTOR_1 = [
    "netsuite",
    "sign",
    "--json",
    "--account",
    "123456",
    "--nonce",
    "fjaLirsIcCGVZWzBX0pg",
    "--timestamp",
    "1508242306",
    "--method",
    "GET",
    "--url",
    "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40",
]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ETAIL_NS_ACCOUNT", raising=False)
    return ENV


def test_sign_json_prints_vector_1(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, VECTOR_1)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"base_string", "signature", "authorization"}
    assert data["signature"] == "B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY="
    assert data["authorization"].startswith('OAuth realm="123456", ')


def test_sign_restlet_vector_2_and_account_from_env(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ETAIL_NS_ACCOUNT", "123456")
    url = "https://123456.restlets.api.netsuite.com/app/site/hosting/restlet.nl?script=6&deploy=1&customParam=someValue&testParam=someOtherValue"
    args = [
        "netsuite",
        "sign",
        "--json",
        "--nonce",
        "fjaLirsIcCGVZWzBX0pg",
        "--timestamp",
        "1508242306",
        "--method",
        "POST",
        "--url",
        url,
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["signature"] == "+KK4SKNgz4ZiILGLwOMtfYlgcXSy1eis8ldE9X90azQ="


def test_sign_human_output_shows_all_three_parts(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, [a for a in VECTOR_1 if a != "--json"])
    assert result.exit_code == 0
    for part in (
        "base_string",
        "GET&https%3A%2F%2F123456",
        "B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY=",
        "OAuth realm=",
    ):
        assert part in result.stdout
    assert not any(s in result.stdout for s in SECRETS)


def test_sign_without_secrets_names_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, VECTOR_1)
    assert result.exit_code == 2
    assert "ETAIL_NS_CONSUMER_KEY" in result.stderr and "Traceback" not in result.output


def test_sign_with_misspelled_account_shows_the_right_spelling(env: dict[str, str]) -> None:
    args = list(VECTOR_1)
    args[args.index("123456")] = "1234567-sb1"
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "1234567_SB1" in result.stderr


def test_input_that_looks_like_rich_markup_is_shown_not_crashed_on(env: dict[str, str]) -> None:
    # "[/x]" is a Rich closing tag; printed unescaped it raised MarkupError (a traceback).
    args = list(VECTOR_1)
    args[args.index("123456")] = "[/x]"
    signed = CliRunner().invoke(app, args)
    assert signed.exit_code == 2 and isinstance(signed.exception, SystemExit), signed.output
    assert "'[/x]'" in signed.stderr
    doctor = CliRunner().invoke(app, ["netsuite", "doctor", "--account", "[/x]"])
    assert doctor.exit_code == 1 and isinstance(doctor.exception, SystemExit)
    assert "[/x]" in doctor.stdout and "login check failed" in doctor.stdout


def test_doctor_against_an_unreachable_port(env: dict[str, str]) -> None:
    port = free_port()  # nothing listens there
    result = CliRunner().invoke(
        app,
        [
            "netsuite",
            "doctor",
            "--account",
            "1234567_SB1",
            "--base-url",
            f"http://127.0.0.1:{port}",
            "--timeout",
            "3",
        ],
    )
    assert result.exit_code == 1
    assert "cannot reach" in result.stdout and "Nothing answered" in result.stdout
    assert "Traceback" not in result.output


def fake_netsuite(tokeninfo_status: int) -> FastAPI:
    api = FastAPI()

    @api.get("/")
    def root() -> dict[str, str]:
        return {"service": "fake"}

    @api.get("/rest/tokeninfo")
    def tokeninfo(request: Request) -> JSONResponse:
        assert request.headers["Authorization"].startswith('OAuth realm="1234567_SB1"')
        if tokeninfo_status == 200:
            return JSONResponse({"entityName": "Integration User", "roleName": "eTail Clone"})
        return JSONResponse(
            {
                "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2",
                "title": "Unauthorized",
                "status": 401,
                "o:errorDetails": [
                    {"detail": "Invalid login attempt.", "o:errorCode": "INVALID_LOGIN"}
                ],
            },
            status_code=401,
        )

    return api


def test_doctor_explains_invalid_login_from_a_loopback_server(env: dict[str, str]) -> None:
    with BackgroundServer(fake_netsuite(401)) as server:
        result = CliRunner().invoke(
            app,
            [
                "netsuite",
                "doctor",
                "--account",
                "1234567_SB1",
                "--base-url",
                server.url,
                "--environment",
                "sandbox",
            ],
        )
    assert result.exit_code == 1
    out = result.stdout
    assert "401 INVALID_LOGIN" in out
    assert "Usual causes, most likely first" in out
    assert "View Login Audit Trail" in out
    assert "Traceback" not in result.output
    assert not any(s in out for s in SECRETS)


def test_doctor_passes_against_a_server_that_accepts(env: dict[str, str]) -> None:
    with BackgroundServer(fake_netsuite(200)) as server:
        result = CliRunner().invoke(
            app, ["netsuite", "doctor", "--account", "1234567_SB1", "--base-url", server.url]
        )
    assert result.exit_code == 0, result.stdout
    assert "roleName=eTail Clone" in result.stdout
    assert "all checks passed" in result.stdout


def test_doctor_flags_clock_skew() -> None:
    creds = TBACredentials(*(ENV[k] for k in ENV))
    with BackgroundServer(fake_netsuite(200)) as server:
        import asyncio

        report = asyncio.run(
            diagnose("1234567_SB1", creds, base_url=server.url, clock=lambda: time.time() + 900)
        )
    clock = next(c for c in report.checks if c.name == "clock")
    assert clock.status == "fail" and "ahead of" in clock.detail
    assert not report.ok
    assert any("InvalidTimestamp" in line for line in report.advice)


def test_doctor_reports_bad_environment_value(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        app, ["netsuite", "doctor", "--account", "1234567", "--environment", "staging"]
    )
    assert result.exit_code == 2 and "environment" in result.stderr


async def test_doctor_against_the_netsuite_sandbox_passes_then_explains_a_revoked_token(
    tmp_path: Path,
) -> None:
    # The client's doctor and the sandbox share no code: a pass here is the two sides agreeing.
    from etail.sandbox.netsuite.adminclient import AdminClient, run_steps_a_to_d
    from etail.sandbox.netsuite.app import create_app
    from etail.sandbox.netsuite.store import read_admin_key

    ck, cs = secrets.token_hex(32), secrets.token_hex(32)
    with BackgroundServer(create_app(tmp_path)) as server:
        with AdminClient(server.url, read_admin_key(tmp_path)) as admin:
            admin.create_account("3141592_SB1", admin_password="correct horse battery")
            guide = run_steps_a_to_d(admin, "3141592_SB1", consumer_key=ck, consumer_secret=cs)
            creds = TBACredentials(ck, cs, guide.token_id, guide.token_secret)
            ok = await diagnose("3141592_SB1", creds, base_url=server.url)
            assert ok.ok, ok.checks
            assert "roleName=" in ok.checks[-1].detail
            token = admin.tokens("3141592_SB1")[0]
            admin.token_action("3141592_SB1", token["id"], "revoke")
            refused = await diagnose("3141592_SB1", creds, base_url=server.url)
            trail = admin.audit("3141592_SB1", limit=1)
    call = refused.checks[-1]
    assert (call.name, call.status) == ("signed call", "fail") and "401" in call.detail
    assert any("revoked or inactive" in line for line in refused.advice)
    assert (trail[0]["status"], trail[0]["detail"]) == ("Failure", "token_rejected")


def fake_netsuite_without_tokeninfo(customer_status: int) -> FastAPI:
    api = FastAPI()

    @api.get("/services/rest/record/v1/customer")
    def customers(limit: int) -> JSONResponse:
        if customer_status == 403:
            body = {"o:errorDetails": [{"o:errorCode": "INSUFFICIENT_PERMISSION", "detail": "no"}]}
            return JSONResponse(body, status_code=403)
        return JSONResponse({"items": [], "hasMore": False, "count": 0})

    return api


@pytest.mark.parametrize(("status", "ok"), [(200, True), (403, False)])
async def test_doctor_falls_back_to_a_record_read_where_tokeninfo_is_not_served(
    status: int, ok: bool
) -> None:
    creds = TBACredentials(*(ENV[k] for k in ENV))
    with BackgroundServer(fake_netsuite_without_tokeninfo(status)) as server:
        report = await diagnose("1234567_SB1", creds, base_url=server.url)
    call = report.checks[-1]
    assert report.ok is ok
    if ok:
        assert "GET customer?limit=1 accepted the signature" in call.detail
    else:
        assert call.detail.startswith("logged in, but") and "INSUFFICIENT_PERMISSION" in call.detail
        assert any("Manage Roles" in line for line in report.advice)
