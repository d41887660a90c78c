"""A district with no signer on record completes its held Công văn in real headless Chromium (Debian's, driven by
Playwright) on a phone-sized screen: from its page to the form, the number prefilled from its register, the signer
typed in; only then does the Công văn reach its grassroots unions."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from cascade.core.settings import Settings
from cascade.dev.links import links_in
from cascade.dev.smtp_sink import SmtpSink
from flows.dispatch_pending import dispatch_pending
from tests.cascade_helpers import click, mail_by_unit, numbers_by_unit
from tests.test_browser import CHROMIUM, TIMEOUT_MS, open_context, shot
from tests.test_pass_on_cong_van import TAM_DUONG_UNITS, issued_by, launch_seed, tree_without_signer

pytestmark = pytest.mark.usefixtures("prefect_harness")
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")


def test_a_clerk_gives_number_and_signer_in_chromium(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (.ci/run does it)")
    launch_seed(tree_without_signer(tmp_path, "LDLD_TD"))  # the flows run before Playwright's loop starts
    click(mailbox, web, "LDLD_TD")
    link = links_in(mail_by_unit(mailbox)["LDLD_TD"][0].text(), web)[0]
    with sync_playwright() as pw:
        context = open_context(pw, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(link)
        expect(page.locator(".deadline").filter(has_text="chưa có người ký")).to_be_visible()
        page.get_by_role("link", name="Ghi số văn bản và người ký").click()
        expect(page.get_by_label("Số văn bản (theo sổ văn bản đi của đơn vị)")).to_have_value("41")
        expect(page.get_by_text("Lưu người ký này cho các văn bản sau của đơn vị")).to_be_visible()
        page.get_by_label("Chức vụ người ký", exact=True).fill("CHỦ TỊCH")
        page.get_by_role("button", name="Ban hành và gửi").click()  # no name yet: the browser stops it
        assert issued_by("LDLD_TD") == []
        page.get_by_label("Họ và tên người ký", exact=True).fill("Tẩn Thị Mai")
        shot(page, "pass-on-completion-form")
        page.get_by_role("button", name="Ban hành và gửi").click()
        expect(page.get_by_role("status")).to_contain_text("Công văn số 41/LĐLĐ")
        expect(page.get_by_text("Người ký: CHỦ TỊCH Tẩn Thị Mai")).to_be_visible()
        context.close()
    dispatch_pending()
    got = numbers_by_unit(mailbox)
    assert [got.get(code) for code in TAM_DUONG_UNITS] == [["41/LĐLĐ"]] * 3
    assert "Tẩn Thị Mai" in mail_by_unit(mailbox)["LDLD_TD_CS3"][0].text()
