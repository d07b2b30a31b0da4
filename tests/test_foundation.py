"""The shared foundation: error tree, secrets at rest, CLI error handling, background server."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx2
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from etail import errors
from etail.cli import app
from etail.crypto import MASK, SecretBox, redact
from etail.httpserver import BackgroundServer


def test_error_tree_groups_by_what_the_caller_does() -> None:
    assert issubclass(errors.RateLimitedError, errors.TransientError)
    assert errors.RateLimitedError.retryable and errors.TransientError.retryable
    assert not errors.CredentialsError.retryable
    assert errors.CredentialsError.scope == "connection"
    assert errors.RecordRejectedError.scope == "record"
    assert issubclass(errors.CredentialsError, errors.ConfigError)
    exc = errors.RateLimitedError("slow down", retry_after=2.5, status=429)
    assert exc.retry_after == 2.5 and exc.status == 429


def test_secret_box_key_file_is_private_and_round_trips(tmp_path: Path) -> None:
    key = tmp_path / "k" / "secret.key"
    box = SecretBox.from_key_file(key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    token = box.encrypt("c29a677df7d5439a")
    assert "c29a677df7d5439a" not in token
    assert SecretBox.from_key_file(key).decrypt(token) == "c29a677df7d5439a"
    assert "secret" not in repr(box).lower().replace("secretbox", "")
    with pytest.raises(errors.SettingsError):
        SecretBox.from_key_file(tmp_path / "other.key").decrypt(token)


def test_redact_masks_every_secret() -> None:
    assert redact("tok=abcdef and abcdef", ["abcdef", ""]) == f"tok={MASK} and {MASK}"


def test_background_server_serves_on_a_real_port() -> None:
    api = FastAPI()

    @api.get("/ping")
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    with BackgroundServer(api) as srv:
        assert httpx2.get(f"{srv.url}/ping").json() == {"pong": "yes"}


def test_cli_root_lists_every_group() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("netsuite", "ns", "sandbox", "jet", "connections", "flows", "demo", "serve"):
        assert group in result.output


def test_cli_error_quoting_markup_is_shown_not_parsed(capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from etail.cli import main

    @app.command("boom-test", hidden=True)
    def boom() -> None:
        raise errors.SettingsError("role '[/x]' does not exist", field="role")

    argv = sys.argv
    sys.argv = ["etail", "boom-test"]
    try:
        with pytest.raises(SystemExit) as exit_info:
            main()
    finally:
        sys.argv = argv
    assert exit_info.value.code == errors.SettingsError.exit_code
    assert "role '[/x]' does not exist" in capsys.readouterr().err


def test_background_server_on_a_busy_port_names_the_port_and_the_fix() -> None:
    with BackgroundServer(FastAPI()) as first:
        with pytest.raises(errors.SettingsError) as info:
            BackgroundServer(FastAPI(), port=first.port).start()
    assert str(first.port) in str(info.value) and "ETAIL_PORT" in str(info.value)
