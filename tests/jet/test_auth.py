"""Token, authcheck, bearer scheme, expiry and renewal (celigo-jet.md §3.1)."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from etail.errors import CredentialsError
from etail.jet import JetClient


async def test_token_and_authcheck(jet_sandbox):
    async with jet_sandbox.client() as jet:
        token = await jet.token()
        assert token.token_type == "Bearer"
        assert token.expires_on.tzinfo is not None
        assert await jet.authcheck() is True


@pytest.mark.parametrize("path", ["/api/token", "/api/Token"])  # AERO wrote /Token (§3.1)
def test_token_answer_has_jet_fields_and_whole_second_expiry(jet_sandbox, path):
    resp = httpx2.post(
        f"{jet_sandbox.url}{path}",
        json={"user": jet_sandbox.api_user, "pass": jet_sandbox.secret},
    )
    body = resp.json()
    assert resp.status_code == 200
    assert set(body) == {"id_token", "token_type", "expires_on"}
    assert body["expires_on"].endswith("Z") and len(body["expires_on"]) == 20


async def test_wrong_secret_is_a_credentials_error_without_the_secret(jet_sandbox):
    wrong = "not-the-secret-" + "x" * 20
    async with JetClient(jet_sandbox.url, jet_sandbox.api_user, wrong) as jet:
        with pytest.raises(CredentialsError) as info:
            await jet.authcheck()
    assert wrong not in str(info.value) and jet_sandbox.secret not in str(info.value)
    assert "API user or secret" in str(info.value)


def test_client_repr_masks_the_secret(jet_sandbox):
    jet = jet_sandbox.client()
    assert jet_sandbox.secret not in repr(jet) and "******" in repr(jet)


@pytest.mark.parametrize("body, field", [({"user": "u"}, "pass"), ({"pass": "p"}, "user")])
def test_token_body_missing_field_is_400_naming_it(jet_sandbox, body, field):
    resp = httpx2.post(f"{jet_sandbox.url}/api/token", json=body)
    assert resp.status_code == 400
    assert resp.json()["errors"][0].startswith(f"{field}:")


def _token(sb) -> str:
    body = {"user": sb.api_user, "pass": sb.secret}
    return str(httpx2.post(f"{sb.url}/api/token", json=body).json()["id_token"])


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_scheme_word_in_any_case(jet_sandbox, scheme):
    resp = httpx2.get(
        f"{jet_sandbox.url}/api/authcheck",
        headers={"Authorization": f"{scheme} {_token(jet_sandbox)}"},
    )
    assert resp.status_code == 200
    assert resp.json() == "This message is authorized."


@pytest.mark.parametrize(
    "header",
    [None, "Basic abc", "Bearer", "Bearer not-a-token"],
    ids=["none", "basic", "empty", "bogus"],
)
def test_bad_authorization_is_401_in_jet_shape(jet_sandbox, header):
    headers = {"Authorization": header} if header else {}
    resp = httpx2.get(f"{jet_sandbox.url}/api/orders/ready", headers=headers)
    assert resp.status_code == 401
    assert isinstance(resp.json()["errors"], list) and resp.json()["errors"]


def test_expired_token_gets_401(sandbox_factory):
    with sandbox_factory(token_lifetime_s=1) as sb:
        token = _token(sb)
        url = f"{sb.url}/api/authcheck"
        assert httpx2.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        import time

        time.sleep(1.1)
        resp = httpx2.get(url, headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 401
        assert "expired" in resp.json()["errors"][0]


async def test_client_renews_token_before_expiry(sandbox_factory):
    with sandbox_factory(token_lifetime_s=2) as sb:
        async with sb.client() as jet:
            await jet.authcheck()
            first = (await jet.token()).id_token
            await asyncio.sleep(1.7)  # inside the last quarter of the 2 s lifetime
            await jet.authcheck()
            assert jet.token_fetches == 2
            assert (await jet.token()).id_token != first


async def test_client_renews_token_on_401(jet_sandbox):
    async with jet_sandbox.client() as jet:
        await jet.authcheck()
        # The server forgets tokens it never issued: make ours one of those.
        jet._token = jet._token.model_copy(update={"id_token": "revoked-token"})
        assert await jet.authcheck() is True
        assert jet.token_fetches == 2


async def test_persistent_401_is_a_credentials_error(jet_sandbox, monkeypatch):
    async with jet_sandbox.client() as jet:
        await jet.authcheck()
        real_fetch = jet._fetch_token

        async def bogus():
            token = await real_fetch()
            return token.model_copy(update={"id_token": "never-valid"})

        monkeypatch.setattr(jet, "_fetch_token", bogus)
        jet._token = None
        with pytest.raises(CredentialsError):
            await jet.order_ids("ready")


async def test_concurrent_401s_renew_the_token_once(jet_sandbox):
    async with jet_sandbox.client() as jet:
        await jet.authcheck()
        jet._token = jet._token.model_copy(update={"id_token": "revoked-token"})
        assert all(await asyncio.gather(*(jet.authcheck() for _ in range(5))))
        assert jet.token_fetches == 2
