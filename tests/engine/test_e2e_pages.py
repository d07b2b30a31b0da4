"""The flow pages in a real Chromium: run a flow, watch the dashboard, retry and resolve errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .web import OWNER, Site, running_site

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with running_site(tmp_path / "home") as s:
        yield s


def test_run_a_flow_then_retry_and_resolve_its_errors(site: Site, browser: Any) -> None:
    page = browser.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{site.url}/setup")
        page.fill("input[name=name]", "Olivia Owner")
        page.fill("input[name=email]", OWNER[0])
        page.fill("input[name=password]", OWNER[1])
        page.click("button:has-text('Create owner')")

        page.goto(f"{site.url}{site.path('flows')}")
        row = page.locator("tr[data-flow='jet-order-to-netsuite-order']")
        assert row.locator("td").nth(2).inner_text().strip() == "Never"
        row.locator("button:has-text('Run')").click()
        page.wait_for_url("**/dashboard**")
        page.locator("text=run requested").wait_for()
        site.wait_idle()
        page.reload()
        completed = page.locator("#completed tbody tr").first
        assert "Completed" in completed.inner_text()
        assert page.locator("svg.chart rect.errors").count() == 1

        page.goto(f"{site.url}{site.path('flows')}")
        page.locator("a[aria-label='2 open errors']").click()
        assert page.locator("#errors tbody tr").count() == 2
        site.broken["on"] = False
        page.locator("#errors tbody tr").first.locator("input[type=checkbox]").check()
        page.click("button:has-text('Retry selected')")
        page.locator("text=Retry of 1 error(s) queued").wait_for()
        site.wait_idle()
        page.reload()
        assert page.locator("#errors tbody tr").count() == 1
        page.click("button:has-text('Resolve all')")
        page.locator("text=Resolved 1 error(s)").wait_for()
        assert "No open errors" in page.content()
        page.click("a:has-text('Resolved errors')")
        assert page.locator("#errors tbody tr").count() == 2

        page.goto(f"{site.url}{site.path('flows')}")
        toggle = page.locator("tr[data-flow='jet-order-to-netsuite-order'] button.switch")
        assert toggle.inner_text() == "Off"
        toggle.click()
        page.locator("text=is On").wait_for()
        assert site.engine.config("jet-order-to-netsuite-order").enabled
    finally:
        page.close()
