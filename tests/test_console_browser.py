"""Issue 21's "done when", in real headless Chromium (Debian's, driven by Playwright) against uvicorn: a provincial
admin logs in through the form, uploads the seed plan as a .docx (made here with python-docx from the seed's
text, one paragraph per line: not by the project's own writer), corrects the draft (the report date the document
does not give, one recipient removed, one recipient's role changed), sees the notice as a unit will, launches
with a double click, and watches the live page reach the number of notices the mailbox received, without a
reload. No Prefect server is configured: the launch runs in the web process's background (web/launching.py).

The oracle is outside the code under test: the seed's own Nơi nhận (examples/252-KH-LDLD.yaml, written by hand
from the document) less the removed unit, and the aiosmtpd mailbox.

Screenshots go to test-artifacts/; with CASCADE_DOCS_SCREENSHOTS=1 also to docs/console-upload.png,
docs/console-draft.png, docs/console-preview.png and docs/console-live.png (the README shows them):
`CASCADE_DOCS_SCREENSHOTS=1 .venv/bin/pytest -q -p no:cacheprovider tests/test_console_browser.py`."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from uuid import UUID

import pytest
import yaml
from docx import Document
from playwright.sync_api import FloatRect, Page, expect
from prefect.client.orchestration import get_client
from sqlmodel import select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.smtp_sink import SmtpSink
from cascade.dev.topology import wait_until
from models import AuditEvent, AuditLog, DirectiveDraft, UserRole
from tests.accounts_helpers import PASSWORD, add_account
from tests.cascade_helpers import mail_by_unit
from tests.conftest import PROJECT, SAMPLE_DIRECTIVE
from tests.test_browser import TIMEOUT_MS, open_context, pw, shot  # noqa: F401 - pw is the fixture

SEED_TEXT = PROJECT / "tests" / "data" / "docimport" / "252-KH-LDLD.txt"
DOCS = PROJECT / "docs"
REMOVED = "LDLD_UBKT"  # Ủy ban Kiểm tra LĐLĐ tỉnh (để biết): taken off the Nơi nhận
RETYPED = ("LDLD_CSPL", "coordinate")  # Ban Chính sách - Pháp luật: from "để biết" to "để phối hợp thực hiện"
EMAIL = "vanthu.ldld@laichau.example"
# The flow run is created through Prefect's client (web/launching.py), here on the test harness's server.
pytestmark = pytest.mark.usefixtures("prefect_harness")
expect.set_options(timeout=TIMEOUT_MS)


PREFECT_UI = "http://prefect.laichau.example:4200"


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan's own day, so that its deadlines are ahead (nothing late yet); a Prefect UI to link to."""
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")
    monkeypatch.setenv("CASCADE_PREFECT_UI_URL", PREFECT_UI)


def seed_docx(folder: Path) -> Path:
    """The seed plan as Word would hold it: one paragraph per line of its text."""
    document = Document()
    for line in SEED_TEXT.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    path = folder / "252-KH-LDLD.docx"
    document.save(str(path))
    return path


def seed_recipients() -> tuple[list[str], str]:
    """The seed's Nơi nhận as written by hand from the document, and its drafting department (`report_to`), which
    is listed but gets no notice of its own plan."""
    data = yaml.safe_load(SAMPLE_DIRECTIVE.read_text(encoding="utf-8"))
    return [r["unit"] for r in data["recipients"]], data["report_to"]


def keep(page: Page, name: str, part: str | None = None, height: int | None = None) -> None:
    """A screenshot in test-artifacts/ (the whole page, one part of it, or its top `height` pixels), and in docs/
    when asked for."""
    path = PROJECT / "test-artifacts" / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    if part is not None:  # the page's own picture of the part: an element screenshot leaves a sandboxed frame blank
        page.locator(part).scroll_into_view_if_needed()
        box = page.locator(part).bounding_box()
        assert box is not None
        scrolled = page.evaluate("window.scrollY")
        clip = FloatRect(x=box["x"], y=box["y"] + scrolled, width=box["width"], height=box["height"])
        page.screenshot(path=str(path), full_page=True, clip=clip)
    elif height is not None:
        page.screenshot(path=str(path), full_page=True, clip=FloatRect(x=0, y=0, width=1280, height=height))
    else:
        shot(page, name)
    if os.environ.get("CASCADE_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(PROJECT / "test-artifacts" / f"{name}.png", DOCS / f"{name}.png")


def test_admin_uploads_corrects_previews_launches_and_watches_live(
    settings: Settings,
    sample_org: None,
    mailbox: SmtpSink,
    web: str,
    tmp_path: Path,
    pw,  # noqa: F811
) -> None:
    add_account(EMAIL, UserRole.admin, "LDLD_LC")
    listed, drafting = seed_recipients()
    expected = [code for code in listed if code != REMOVED]  # the rows of the corrected draft
    notified = [code for code in expected if code != drafting]  # the notices owed
    assert (len(expected), len(notified)) == (23, 22)
    docx = seed_docx(tmp_path)
    context = open_context(pw, viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{web}/admin/new")
        expect(page).to_have_url(re.compile(r"/admin/login\?next="))  # not signed in: the login form first
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.locator("h1")).to_have_text("Ban hành văn bản mới")
        page.locator("#document").set_input_files(str(docx))
        keep(page, "console-upload")
        page.get_by_role("button", name="Tải lên và xem trước").click()

        # The draft: read from the document; the one thing it does not say, the report date, is the problem.
        expect(page).to_have_url(re.compile(r"/admin/drafts/\d+$"))
        expect(page.get_by_label("Số, ký hiệu")).to_have_value("252/KH-LĐLĐ")
        expect(page.locator("#f-issuer")).to_have_text("Liên đoàn Lao động tỉnh Lai Châu")
        expect(page.locator("#problems li").first).to_contain_text("Hạn báo cáo")
        expect(page.locator('#problems li:not([data-field="report_due"])')).to_have_count(0)
        expect(page.locator("#launch-button")).to_be_disabled()
        rows = page.locator("table.recipients tbody tr")
        expect(rows).to_have_count(24)
        # A role in words, never a code: the superior is "để báo cáo".
        expect(page.locator('tr[data-unit="TU_LC"] select option:checked')).to_have_text("Để báo cáo")

        # The search finds a unit typed without diacritics, live (console.js), already listed.
        page.locator("#unit-q").fill("tam duong")
        hit = page.locator('#unit-hits li[data-unit="LDLD_TD"]')
        expect(hit).to_contain_text("Liên đoàn Lao động huyện Tam Đường")
        expect(hit).to_contain_text("đã có trong nơi nhận")

        # Corrections: the report date, one role, one recipient removed (each button saves the whole form).
        page.locator("#f-report_due").fill("2021-12-15")
        page.locator(f'tr[data-unit="{RETYPED[0]}"] select').select_option(RETYPED[1])
        page.locator(f'tr[data-unit="{REMOVED}"]').get_by_role("button", name="Bỏ").click()
        expect(page.locator(f'tr[data-unit="{REMOVED}"]')).to_have_count(0)
        expect(rows).to_have_count(len(expected))
        expect(page.locator(f'tr[data-unit="{RETYPED[0]}"] select')).to_have_value(RETYPED[1])
        expect(page.locator("#f-report_due")).to_have_value("2021-12-15")
        expect(page.locator("#problems .ok, #problems.ok, p.ok#problems-title")).to_be_visible()
        shown = sorted(page.locator("table.recipients tbody tr").evaluate_all("rs => rs.map(r => r.dataset.unit)"))
        assert shown == sorted(expected)

        # The notice as a unit will get it, in its sandboxed frame.
        expect(page.locator("#notice-subject")).to_contain_text("252/KH-LĐLĐ")
        frame = page.frame_locator("#notice-frame")
        expect(frame.locator("body")).to_contain_text("Đẩy mạnh công tác tuyên truyền")
        shot(page, "console-draft-whole")
        keep(page, "console-draft", height=1500)  # the fields and the first recipients
        keep(page, "console-preview", "#preview")  # the notice as a unit will get it

        # Launch with a double click: one launch.
        draft_id = int(re.search(r"/admin/drafts/(\d+)", page.url)[1])  # type: ignore[index]
        launch = page.locator("#launch-button")
        expect(launch).to_be_enabled()
        launch.dblclick()
        expect(page).to_have_url(re.compile(r"/admin/directives/\d+/live$"))
        page.evaluate("window.__same_page = true")  # a reload would lose it
        expect(page.locator('[data-total="units"]')).to_have_text(str(len(notified)))
        expect(page.locator('[data-total="sent"]')).to_have_text(str(len(notified)))
        expect(page.locator("#dispatch-state")).to_have_text("Đã gửi xong thông báo cho các đơn vị nhận.")
        expect(page.locator('#live-levels tr[data-level="1"] [data-figure="sent"]')).to_have_text(str(len(notified)))
        assert page.evaluate("window.__same_page === true")
        expect(page.locator("#live")).to_have_attribute("data-updated", re.compile(r"\d+"))  # by the events
        run_link = page.locator("#flow-run").get_attribute("href") or ""
        keep(page, "console-live")

        # The server launches once too: a second POST of the launch form lands on the same live page.
        live_url = page.url
        token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
        again = page.request.post(f"{web}/admin/drafts/{draft_id}/launch", form={"csrf_token": token or ""})
        assert again.ok and again.url == live_url
    finally:
        context.close()
    by_unit = wait_until(lambda: (m := mail_by_unit(mailbox)) and len(mailbox.messages) >= len(notified) and m,
                         "the notices")  # fmt: skip
    with session_scope() as session:
        launches = session.exec(select(AuditLog).where(AuditLog.event == AuditEvent.directive_launched)).all()
        assert [entry.actor for entry in launches] == [EMAIL]
        launched = session.exec(select(DirectiveDraft)).one()
    # The live page links to the flow run that carried it, one the Prefect server knows for this directive.
    assert launched.flow_run_id and run_link == f"{PREFECT_UI}/runs/flow-run/{launched.flow_run_id}"
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(UUID(launched.flow_run_id)).parameters == {"directive_id": launched.directive_id}
    time.sleep(1.0)  # let a second launch's sending, if there were one, reach the mailbox before counting
    assert len(mailbox.messages) == len(notified)
    assert sorted(by_unit) == sorted(notified)
    assert REMOVED not in mail_by_unit(mailbox)
