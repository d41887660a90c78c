"""Supervisor views, exports and the English switch, over real HTTP on a real dispatch (SMTP sink, Prefect)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from openpyxl import load_workbook

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.links import confirm_receipt, links_in
from cascade.dev.smtp_sink import SmtpSink
from cascade.dev.webserver import BackgroundServer
from cascade.status.oversight import today_vn
from cascade.status.page import late_rows
from cascade.status.summary import level_counts
from cascade.status.tree import tree_rows
from flows.cascade_directive import cascade_directive
from tests.accounts_helpers import add_account, log_in
from tests.cascade_helpers import plant_tree, with_web
from tests.conftest import SAMPLE_DIRECTIVE
from tests.test_status_artifact import CODES, working_days_late
from web.app import create_app

pytestmark = pytest.mark.usefixtures("prefect_harness", "sample_org")
ADMIN = "quantri@laichau.example"  # an administrator of the province's federation, the sample's issuer


@pytest.fixture
def admin_web(settings: Settings) -> Iterator[str]:
    add_account(ADMIN, "admin", "LDLD_LC")
    app = create_app(with_web(settings, inbox_dir=None))
    with BackgroundServer(app, settings.web.public_host, settings.web.public_port):
        yield settings.web.public_url


def link_for(mailbox: SmtpSink, address: str, base: str) -> str:
    return next(links_in(m.text(), base)[0] for m in mailbox.messages if address in m.rcpt_tos)


def test_supervisor_sees_counts_overdue_history_and_exports(mailbox: SmtpSink, admin_web: str) -> None:
    cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    with httpx.Client(base_url=admin_web, timeout=30) as client:
        assert confirm_receipt(client, link_for(mailbox, "ldld.tamduong@laichau.example", admin_web)).status_code == 200
        closed = client.get("/admin")
        assert closed.status_code == 303 and closed.headers["location"] == "/admin/login?next=%2Fadmin"
        assert log_in(client, ADMIN, "sai mat khau 2021").status_code == 401
        assert client.get("/admin/directives/1/export.csv").status_code == 303
        assert log_in(client, ADMIN).status_code == 303
        index = client.get("/admin")
        # one of the 18 units asked to acknowledge (23 assigned, the drafting department not; less 5 superiors)
        assert index.status_code == 200 and "252/KH-LĐLĐ" in index.text and "1/18" in index.text
        page = client.get("/admin/directives/1")
        assert page.status_code == 200
        text = page.text
        assert "Quá hạn xác nhận (17)" in text  # ack due 21/05/2021, long past; one unit confirmed
        assert "Để báo cáo" in text and "Thực hiện" in text and "Để biết" in text  # roles in words
        visible = re.sub(r"<[^>]+>", " ", text)  # what a person reads: no unit code, no role value
        assert not CODES.search(visible), CODES.search(visible)
        assert 'data-unit="LDLD_TD"' in text and "Liên đoàn Lao động huyện Tam Đường" in text
        late_part = text.split('id="ack-late"')[1].split('id="report-late"')[0]
        assert "Tam Đường" not in late_part and "Mường Tè" in late_part
        assert "Tỉnh ủy Lai Châu" not in late_part and "Tổng Liên đoàn" not in late_part  # superiors: never late
        assert "Quá hạn báo cáo" in text
        history = client.get("/admin/units/LDLD_TD")
        assert history.status_code == 200 and "252/KH-LĐLĐ" in history.text
        assert "<td>Xác nhận đã nhận văn bản</td>" in history.text  # the event in words, never its raw value
        assert "<td>acknowledged</td>" not in history.text
        english = client.get("/admin/units/LDLD_TD?lang=en")
        assert "<td>Receipt confirmed</td>" in english.text
        assert client.get("/admin/units/NOPE").status_code == 404
        assert client.get("/admin/directives/999").status_code == 404

        exported = client.get("/admin/directives/1/export.csv")
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        assert "attachment" in exported.headers["content-disposition"]
        assert exported.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel keeps the diacritics
        lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert lines[0][:4] == ["Cấp", "Tên đơn vị", "Loại đơn vị", "Vai trò"] and len(lines) == 1 + 23
        by_name = {line[1]: line for line in lines[1:]}
        district, party = by_name["Liên đoàn Lao động huyện Tam Đường"], by_name["Tỉnh ủy Lai Châu"]
        assert district[3:7] == ["Thực hiện", "252/KH-LĐLĐ", "Đã tiếp nhận", "03"]
        assert party[2:4] == ["Cấp ủy", "Để báo cáo"] and party[5] == "Đã đến" and party[9] == ""  # never late
        assert by_name["Liên đoàn Lao động huyện Mường Tè"][9] == str(working_days_late(date(2021, 5, 21), today_vn()))
        assert "Ban Tuyên giáo - Nữ công LĐLĐ tỉnh" not in by_name  # the drafting department: no assignment
        assert not CODES.search(exported.content.decode("utf-8-sig"))

        xlsx = client.get("/admin/directives/1/export.xlsx")
        assert xlsx.status_code == 200
        book = load_workbook(io.BytesIO(xlsx.content))
        assert book.sheetnames == ["Trạng thái", "Quá hạn xác nhận"]
        # every unit assigned, and the 17 late ones (not the superiors)
        assert book["Trạng thái"].max_row == 1 + 23 and book["Quá hạn xác nhận"].max_row == 1 + 17
        names = {row[1] for row in book["Trạng thái"].iter_rows(min_row=2, values_only=True)}
        assert "Liên đoàn Lao động huyện Tam Đường" in names


def test_unit_page_switches_to_english_and_remembers_it(mailbox: SmtpSink, admin_web: str) -> None:
    cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    link = link_for(mailbox, "ldld.tamduong@laichau.example", admin_web)
    with httpx.Client(timeout=30) as client:
        vi = client.get(link)
        assert '<html lang="vi">' in vi.text and "Hạn xác nhận đã nhận" in vi.text and 'hreflang="en"' in vi.text
        en = client.get(link + "?lang=en")
        assert '<html lang="en">' in en.text and "Acknowledge receipt by" in en.text and "Confirm receipt" in en.text
        assert "cascade_lang=en" in en.headers["set-cookie"]
        assert "20 May 2021" in en.text and "252/KH-LĐLĐ" in en.text  # the document itself stays as issued
        again = client.get(link)  # the cookie keeps English
        assert '<html lang="en">' in again.text
        bad = client.get(link[:-3] + "xyz")
        assert bad.status_code == 403 and "Invalid link" in bad.text
        back = client.get(link + "?lang=vi")
        assert '<html lang="vi">' in back.text and "Xác nhận đã nhận" in back.text


def test_level_counts_and_supervisors_follow_the_tree(settings: Settings) -> None:
    with session_scope() as session:
        directive = plant_tree(
            session,
            "LDLD_LC",
            [
                {
                    "unit": "LDLD_PT",
                    "status": "acknowledged",
                    "below": [
                        {"unit": "LDLD_PT_CS1", "status": "arrived"},
                        {"unit": "LDLD_PT_CS2", "status": "acknowledged"},
                    ],
                },
                {
                    "unit": "LDLD_TD",
                    "status": "arrived",
                    "ack_due": date(2021, 6, 1),
                    "below": [{"unit": "LDLD_TD_CS1", "status": "refused"}],
                },
            ],
        )
        assert directive.id is not None
        directive_id = directive.id
    with session_scope() as session:
        rows = tree_rows(session, directive_id)
        levels = level_counts(session, directive_id=directive_id)
        late = late_rows(session, directive_id=directive_id, today=date(2021, 5, 25), status="overdue")
    root, pt, td = (
        "Liên đoàn Lao động tỉnh Lai Châu",
        "Liên đoàn Lao động huyện Phong Thổ",
        "Liên đoàn Lao động huyện Tam Đường",
    )
    assert [(r["unit"], r["supervisor"]) for r in rows] == [
        ("LDLD_PT", root),
        ("LDLD_PT_CS1", pt),
        ("LDLD_PT_CS2", pt),
        ("LDLD_TD", root),
        ("LDLD_TD_CS1", td),
    ]
    assert [(lv["level"], lv["total"], lv["acknowledged"], lv["percent"]) for lv in levels] == [
        (1, 2, 1, 50),
        (2, 3, 1, 33),
    ]
    assert levels[1]["counts"]["refused"] == 1 and levels[1]["counts"]["arrived"] == 1
    # due Friday 21/05/2021: on Tuesday 25/05 it is 2 working days late (4 calendar days); TD is not due yet, TD_CS1
    # refused
    assert [(r["unit"], r["days_late"]) for r in late] == [("LDLD_PT_CS1", 2)]
