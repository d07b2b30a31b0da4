"""The guide's integrator steps 1-10, clicked in Chromium against a NetSuite sandbox (A-D done)."""

from __future__ import annotations

import pytest

from etail.integrator.users import UserService
from etail.storage.audit import Actor
from etail.storage.connections import ConnectionRepository

from .conftest import OWNER, Tokens, steps_a_to_d

pytestmark = pytest.mark.e2e


def _owner(integrator) -> None:
    with integrator.session() as s:
        UserService(s).create_owner(OWNER[0], OWNER[1], "Olivia", actor=Actor(None, "t", "CLI"))


def _walk_steps_1_to_8(page, integrator, sandbox_url: str, tokens: Tokens, secret: str) -> None:
    # 1. Log into the integrator as the account owner.
    page.goto(f"{integrator.url}/")
    page.fill("input[name=email]", OWNER[0])
    page.fill("input[name=password]", OWNER[1])
    page.click("button:has-text('Sign in')")
    # 2. Home page: the Jet - NetSuite tile's Settings icon.
    tile = page.locator("article.tile", has_text="Jet - NetSuite")
    tile.get_by_role("link", name="Settings").click()
    # 3. Left menu: Connections.
    page.locator("nav.sidemenu").get_by_role("link", name="Connections").click()
    # 4. The NetSuite connection's Edit pencil.
    page.get_by_role("link", name="Edit NetSuite Connection").click()
    # 5. Authentication Type = Token.
    page.select_option("#auth_type", "token")
    # 6. Environment and Account ID (a local sandbox: its URL).
    page.select_option("#environment", "local")
    page.fill("#base_url", sandbox_url)
    page.fill("#account_id", tokens.realm)
    # 7. Token ID and Token Secret.
    page.fill("#token_id", tokens.token_id)
    page.fill("#token_secret", secret)
    # 8. iClient: eTail NetSuite.
    page.select_option("#iclient_id", label="eTail NetSuite")


def test_guide_steps_1_to_10_succeed(browser, integrator, netsuite_sandbox):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    _owner(integrator)
    page = browser.new_page()
    try:
        _walk_steps_1_to_8(page, integrator, netsuite_sandbox.url, tokens, tokens.token_secret)
        page.click("#test-button")  # 9. Test
        outcome = page.locator("#test-outcome")
        outcome.wait_for(timeout=15000)
        assert "Your connection is working great! Nice Job!" in outcome.inner_text()
        page.click("#save-button")  # 10. Save
        page.wait_for_url("**/connections?saved=*", timeout=15000)
        assert "Connection saved." in page.content()
        row = page.locator(f"tr[data-connection='{integrator.netsuite_id}']")
        assert "Online" in row.inner_text() and "Token" in row.inner_text()
        assert tokens.token_secret not in page.content()
    finally:
        page.close()
    with integrator.session() as s:
        cfg = ConnectionRepository(s, integrator.box).netsuite_config(integrator.netsuite_id)
        assert cfg.auth_type == "token" and cfg.token_secret == tokens.token_secret


def test_wrong_token_secret_shows_the_audit_trail_reason(browser, integrator, netsuite_sandbox):
    tokens = steps_a_to_d(integrator, netsuite_sandbox)
    _owner(integrator)
    page = browser.new_page()
    dialogs: list[str] = []

    def dismiss(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    try:
        _walk_steps_1_to_8(page, integrator, netsuite_sandbox.url, tokens, "0" * 64)
        page.click("#test-button")
        outcome = page.locator("#test-outcome")
        outcome.wait_for(timeout=15000)
        text = outcome.inner_text()
        assert "Your test was not successful" in text
        assert "InvalidSignature" in text and "Re-enter the Token Secret" in text
        page.click("#save-button")  # asks first; we answer Cancel
        page.wait_for_timeout(300)
        deadline = 50
        while not dialogs and deadline:
            page.wait_for_timeout(100)
            deadline -= 1
        assert dialogs and "Are you sure you want to save this connection?" in dialogs[0]
        assert "InvalidSignature" in dialogs[0]
        assert "/edit" in page.url  # still on the form: nothing saved
    finally:
        page.close()
    with integrator.session() as s:
        assert (
            ConnectionRepository(s, integrator.box)
            .netsuite_config(integrator.netsuite_id)
            .auth_type
            == "basic"
        )
