"""Real headless Chromium (Debian's `chromium`, driven by Playwright; nothing downloads a browser).

1. `cascade demo --serve`: a clerk opens the local inbox, reads the email, follows its link on a phone-sized
   screen, confirms with the keyboard, switches to English, sends a report with figures and an attachment;
   the supervisor view shows it, after a sign-in through the login form with the account the demo printed.
2. The Prefect UI of a `prefect server start` started here shows the directive's flow run and its artifacts
   (SQLite run only: skipped when CASCADE_TEST_DATABASE_URL is set, so CI pays for it once).
Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect, sync_playwright
from rich.console import Console

from cascade.core.settings import Settings, get_settings, reset_settings
from tests.conftest import PG_URL, PROJECT, SAMPLE_DIRECTIVE, free_port

CHROMIUM = os.environ.get("CASCADE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = PROJECT / "test-artifacts"
# The demo prints its console account and random password (cascade/dev/demo.py).
DEMO_LOGIN = re.compile(r"sign in as (\S+@\S+) with the password\s+([A-Za-z0-9_-]{16})")
TIMEOUT_MS = 60_000
expect.set_options(timeout=TIMEOUT_MS)  # a shared 2-core machine: generous, never a timing assertion


@pytest.fixture
def pw() -> Iterator[Playwright]:
    """Playwright's sync API runs an event loop in this thread: start it only where no flow runs in-process."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (.ci/run does it)")
    with sync_playwright() as playwright:
        yield playwright


def open_context(pw: Playwright, **options: object) -> BrowserContext:
    """A fresh profile every time (a new --user-data-dir), Debian's Chromium, no network beyond localhost."""
    context = pw.chromium.launch_persistent_context(
        tempfile.mkdtemp(prefix="cascade-chromium-"),
        executable_path=CHROMIUM,
        headless=True,
        args=ARGS,
        **options,  # type: ignore[arg-type]
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def shot(page: Page, name: str) -> bytes:
    SHOTS.mkdir(exist_ok=True)
    return page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def clerk_and_supervisor(pw: Playwright, base: str, login: tuple[str, str]) -> None:
    phone = open_context(pw, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = phone.new_page()
        page.goto(f"{base}/inbox")
        expect(page.locator("h1")).to_have_text("Hộp thư thử nghiệm")
        shot(page, "01-inbox")
        row = page.locator("tr", has_text="Liên đoàn Lao động huyện Tam Đường")
        row.get_by_role("link").first.click()
        expect(page.locator("h1")).to_contain_text("252/KH-LĐLĐ")
        shot(page, "02-email")
        page.get_by_role("link", name="Xác nhận đã nhận").click()
        # the unit page: the directive as a document, in Vietnamese, fits a phone's width
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.locator("h1")).to_have_text("KẾ HOẠCH")
        expect(page.locator(".doc").first).to_contain_text("Số: 252/KH-LĐLĐ")
        expect(page.locator(".doc").first).to_contain_text("Lai Châu, ngày 20 tháng 5 năm 2021")
        expect(page.get_by_role("heading", name="Nhiệm vụ của đơn vị")).to_be_visible()
        expect(page.locator(".deadline").first).to_contain_text("Hạn xác nhận đã nhận: 21/05/2021")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        shot(page, "03-unit-page-phone")
        button = page.get_by_role("button", name="Xác nhận đã nhận")
        button.focus()
        page.keyboard.press("Enter")  # keyboard only
        expect(page.get_by_role("status")).to_contain_text("Cảm ơn. Liên đoàn Lao động huyện Tam Đường đã xác nhận")
        shot(page, "04-thank-you")
        # the same link in English, remembered by a cookie
        page.goto(page.url.rsplit("/ack", 1)[0] + "?lang=en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("status")).to_contain_text("Your unit confirmed receipt")
        expect(page.locator(".deadline").first).to_contain_text("Acknowledge receipt by")
        shot(page, "05-unit-page-english")
        report_step(page, base)
    finally:
        phone.close()
    supervisor = open_context(pw, viewport={"width": 1280, "height": 900})
    try:
        page = supervisor.new_page()
        page.goto(f"{base}/admin")  # no session: the login form, which comes back here
        expect(page.locator("h1")).to_have_text("Đăng nhập")
        page.get_by_label("Email").fill(login[0])
        page.get_by_label("Mật khẩu").fill(login[1])
        shot(page, "06b-console-login")
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.locator("[data-signed-in]")).to_contain_text("Liên đoàn Lao động tỉnh Lai Châu")
        page.get_by_role("link", name="252/KH-LĐLĐ").click()
        row = page.locator('tr[data-unit="LDLD_TD"]')
        expect(row).to_be_visible()
        expect(row.locator(".badge")).not_to_have_text("Đã đến")  # acknowledged, then reported
        expect(page.locator("#levels + .table-wrap")).to_contain_text("23")  # 24 recipients, not the drafting dept.
        shot(page, "07-supervisor")
        row.get_by_role("link").first.click()
        expect(page.locator("h1")).to_have_text("Liên đoàn Lao động huyện Tam Đường")
        expect(page.locator("#audit + .table-wrap")).to_contain_text("Xác nhận đã nhận văn bản")
        shot(page, "08-unit-history")
        page.get_by_role("button", name="Đăng xuất").click()
        expect(page.locator("h1")).to_have_text("Đăng nhập")
        page.goto(f"{base}/admin")  # signed out: the console is closed again
        expect(page.locator("h1")).to_have_text("Đăng nhập")
    finally:
        supervisor.close()


def report_step(page: Page, base: str) -> None:
    """Back in the inbox, the clerk follows the report link and sends figures and an attachment."""
    attachment = Path(tempfile.mkdtemp()) / "anh-hoi-nghi.png"
    attachment.write_bytes(shot(page, "05-unit-page-english"))  # a real PNG to attach
    page.goto(f"{base}/inbox?lang=vi")
    page.locator("tr", has_text="Liên đoàn Lao động huyện Tam Đường").get_by_role("link", name="Gửi báo cáo").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_label("Hội nghị chuyên đề").fill("3")
    page.get_by_label("Lượt đoàn viên").fill("120")
    page.get_by_label("Tin, bài đã đăng").fill("7")
    page.get_by_label("Pa nô, áp phích").fill("15")
    page.get_by_label("Nội dung báo cáo").fill("Đã tổ chức 3 hội nghị chuyên đề quán triệt Nghị quyết.")
    page.get_by_label("Tệp đính kèm").set_input_files(str(attachment))
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã gửi báo cáo")
    expect(page.get_by_role("link", name="anh-hoi-nghi.png")).to_be_visible()
    shot(page, "06-report-sent")


@pytest.mark.usefixtures("prefect_harness")
def test_clerk_confirms_and_reports_from_the_inbox_and_the_supervisor_sees_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cascade.cli.status import print_status
    from cascade.dev.demo import run_demo

    for var in ("CASCADE_DATABASE_URL", "CASCADE_SMTP_PORT", "CASCADE_PUBLIC_URL", "CASCADE_CLOCK_START"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CASCADE_SECRET_KEY", "browser-test-key-0123456789")
    monkeypatch.setenv("CASCADE_UPLOAD_DIR", str(tmp_path / "uploads"))
    out = io.StringIO()
    seen: dict[str, str] = {}

    def person() -> None:  # runs while the demo serves; returning ends the demo
        settings = get_settings()
        seen["base"] = settings.web.public_url
        printed = DEMO_LOGIN.search(out.getvalue())
        assert printed, out.getvalue()
        seen["login"] = printed[1]
        with sync_playwright() as pw:  # only now: the demo's flow has run (it needs this thread's event loop)
            clerk_and_supervisor(pw, settings.web.public_url, (printed[1], printed[2]))

    try:
        run_demo(
            workdir=tmp_path / "demo",
            ack_share=0.25,
            console=Console(file=out, width=200),
            show_status=print_status,
            serve=True,
            until=person,
        )
    finally:
        reset_settings()
    text = out.getvalue()
    assert f"{seen['base']}/inbox" in text and f"{seen['base']}/admin/directives/1" in text
    assert f"{seen['base']}/admin/login" in text and seen["login"] == "admin@ldld-laichau.demo"
    assert "need not be changed" in text  # the demo says its account's password is not forced to change
    assert "Liên đoàn Lao động huyện Tam Đường Thực hiện" in text  # the status tree was printed before serving
    with pytest.raises(httpx.HTTPError):  # and everything it started has stopped
        httpx.get(f"{seen['base']}/healthz", timeout=5)


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[str]:
    """`prefect server start` on a free port with its own PREFECT_HOME; stopped at the end."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_UI_API_URL": f"{url}/api",  # the UI's own calls, else it assumes port 4200
    }
    env.pop("PREFECT_API_URL", None)
    log = (tmp_path / "prefect-server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while True:  # readiness poll, not a timing assertion
            assert server.poll() is None, (tmp_path / "prefect-server.log").read_text()[-2000:]
            try:
                if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "prefect server did not start"
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.mark.skipif(bool(PG_URL), reason="the Prefect UI test runs once, on the SQLite pass of CI")
@pytest.mark.usefixtures("sample_org")
def test_prefect_ui_shows_the_run_and_its_status_artifact(
    pw: Playwright, settings: Settings, prefect_server: str
) -> None:
    env = {**os.environ, "PREFECT_API_URL": f"{prefect_server}/api", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    launched = subprocess.run(
        [sys.executable, "-m", "cascade.cli.main", "launch", str(SAMPLE_DIRECTIVE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert launched.returncode == 0, launched.stdout + launched.stderr
    assert "23 emails sent" in launched.stdout  # every recipient but the drafting department
    context = open_context(pw, viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{prefect_server}/runs")
        run = page.get_by_text("252/KH-LĐLĐ · Liên đoàn Lao động tỉnh Lai Châu").first
        expect(run).to_be_visible()
        run.click()
        expect(page.get_by_text("Completed").first).to_be_visible()
        shot(page, "09-prefect-run")
        page.get_by_text("Artifacts", exact=True).first.click()
        expect(page.get_by_text("directive-1-status", exact=True).first).to_be_visible()
        shot(page, "10-prefect-run-artifacts")
        page.get_by_text("directive-1-status-summary", exact=True).first.click()
        link = page.get_by_role("link", name="Mở trang theo dõi (cây đơn vị, quá hạn, xuất Excel)")
        expect(link).to_have_attribute("href", f"{settings.web.public_url}/admin/directives/1")
        shot(page, "11-prefect-summary-artifact")
    finally:
        context.close()
