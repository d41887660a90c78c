"""In real Chromium (Debian's, driven by Playwright as in tests/test_browser.py): a unit opens the link of its
notice, reads the whole plan on its page and downloads the signed original, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.settings import Settings
from cascade.dev.links import links_in
from cascade.dev.smtp_sink import SmtpSink
from tests.cascade_helpers import mail_by_unit
from tests.originals_helpers import PDF_NAME, body_paragraphs, seed_file, tiny_pdf
from tests.test_browser import CHROMIUM, open_context, shot

pytestmark = pytest.mark.usefixtures("prefect_harness", "sample_org")


def test_a_unit_reads_the_whole_plan_and_downloads_the_original(
    settings: Settings, mailbox: SmtpSink, tmp_path: Path, web: str
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (.ci/run does it)")
    pdf = tiny_pdf()
    path = seed_file(tmp_path, PDF_NAME, pdf)
    result = CliRunner().invoke(app, ["launch", str(path)])  # the flow has run before the browser starts
    assert result.exit_code == 0, result.output
    link = links_in(mail_by_unit(mailbox)["LDLD_SH"][0].text(), web)[0]
    paragraphs = body_paragraphs(path)
    with sync_playwright() as pw:  # only now: the flow has run (Playwright's sync API holds this thread's loop)
        context = open_context(pw, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                               accept_downloads=True)  # fmt: skip
        try:
            read_and_download(context.new_page(), link, paragraphs, pdf, tmp_path)
        finally:
            context.close()


def read_and_download(page: Page, link: str, paragraphs: list[str], pdf: bytes, tmp_path: Path) -> None:
    page.goto(link)
    expect(page.locator("h1")).to_have_text("KẾ HOẠCH")
    document = page.locator(".doc").first
    for paragraph in (paragraphs[0], paragraphs[len(paragraphs) // 2], paragraphs[-1]):
        expect(document).to_contain_text(paragraph[:120])  # the whole plan, its last section too
    expect(page.get_by_role("button", name="Xác nhận đã nhận")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "original-unit-page")
    download_link = page.get_by_role("link", name="Tải bản gốc có chữ ký")
    expect(download_link).to_be_visible()
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert download.suggested_filename == PDF_NAME
    assert saved.read_bytes() == pdf
    expect(page.get_by_role("button", name="Xác nhận đã nhận")).to_be_visible()  # downloading confirmed nothing
