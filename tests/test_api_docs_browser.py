"""/api/docs in real headless Chromium under the app's Content-Security-Policy: Swagger UI starts from the
server's own files (no CDN, no inline script), lists the API's operations, and a call made through its
"Authorize" with a personal token reaches the API. Any CSP violation the page causes fails the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from cascade.core.settings import Settings
from tests.accounts_helpers import add_account
from tests.api_helpers import served
from tests.test_browser import open_context, pw  # noqa: F401 - the Playwright fixture


@pytest.fixture
def base(settings: Settings, sample_org: None) -> Iterator[str]:
    with served(settings) as url:
        yield url


@pytest.mark.filterwarnings("ignore:Duplicate Operation ID")
def test_swagger_ui_runs_under_the_csp(pw, base: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    token = add_account("admin@ldld.laichau.example", "admin", "LDLD_LC")
    context = open_context(pw)
    try:
        page = context.new_page()
        violations: list[str] = []
        outside: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
        page.goto(f"{base}/api/docs")
        expect(page.locator("#operations-tag-directives")).to_be_visible()
        expect(page.locator("#operations-tag-units")).to_be_visible()
        expect(
            page.locator("#operations-directives-launch_directive_api_directives__draft_id__launch_post")
        ).to_be_visible()
        # Authorize with a personal token, then try GET /api/units/{code}
        page.locator("button.authorize").click()
        page.locator(".modal-ux input[type=text]").fill(token)
        page.locator(".modal-ux button.authorize").click()
        page.locator(".modal-ux button.btn-done").click()
        operation = page.locator("#operations-units-unit_api_units__code__get")
        operation.locator(".opblock-summary").click()
        operation.locator("button.try-out__btn").click()
        operation.locator("input[placeholder='code']").fill("LDLD_TD")
        operation.locator("button.execute").click()
        expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
        expect(operation.locator(".live-responses-table")).to_contain_text("Liên đoàn Lao động huyện Tam Đường")
        assert violations == [] and outside == []
    finally:
        context.close()
