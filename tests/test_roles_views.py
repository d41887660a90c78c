"""A unit that is informed and never chased (a superior, "để báo cáo": not in models.CHASED_ROLES) is shown no
acknowledgement deadline and no unit that chases it, wherever a person or a program reads the directive's units:
`cascade status`, the supervisor view's tree, the CSV and XLSX exports, the unit's page and /api/units. The units
beside it keep theirs. Real SQLite file, real SMTP server, the web app over real HTTP (uvicorn)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import httpx
from openpyxl import load_workbook
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.settings import Settings
from cascade.dev.smtp_sink import SmtpSink
from models import UserRole
from tests.accounts_helpers import add_account, bearer
from tests.test_roles import run_weeks, tree

__all__ = ["tree"]  # the fixture, shared with tests/test_roles.py

ISSUER = "LĐLĐ tỉnh thử"  # the unit that chases the directive's recipients
ACK_DUE = "05/03/2024"  # the next working day after the issue date
DATE = re.compile(r"\d{2}/\d{2}/\d{4}")


def tree_row(html: str, code: str) -> str:
    """The supervisor view's tree row of a unit, as text (its cells joined)."""
    found = re.search(rf'<tr data-unit="{code}">(.*?)</tr>', html, re.S)
    assert found, code
    return " ".join(re.sub(r"<[^>]+>", " ", found[1]).split())


def test_a_superior_is_shown_no_acknowledgement_deadline_nor_a_unit_chasing_it(
    settings: Settings, mailbox: SmtpSink, web: str, tree: int
) -> None:
    run_weeks(settings, mailbox, tree, date(2024, 3, 4))
    printed = CliRunner().invoke(app, ["status", "21/KH-LĐLĐ"])
    assert printed.exit_code == 0, printed.output
    lines = {line.split(" · ")[0].lstrip("├└─│ "): line for line in printed.output.splitlines() if " · " in line}
    assert f"hạn {ACK_DUE}" in lines["LĐLĐ huyện Một Thực hiện"]
    assert f"hạn {ACK_DUE}" in lines["Văn phòng LĐLĐ tỉnh thử Để biết"]  # informed, yet chased: its deadline
    assert "hạn" not in lines["Tổng Liên đoàn Lao động thử Để báo cáo"]  # has not confirmed, owes nothing
    assert not DATE.search(lines["Tổng Liên đoàn Lao động thử Để báo cáo"])

    admin = add_account("vanphong@tinh.example", UserRole.admin, "TINH")
    superior = add_account("vanphong@tu.example", UserRole.admin, "TU")
    with httpx.Client(base_url=web, timeout=30, headers=bearer(admin)) as client:
        view = client.get(f"/admin/directives/{tree}").text
        assert ACK_DUE in tree_row(view, "H1") and ACK_DUE in tree_row(view, "TINH_VP")
        assert not DATE.search(tree_row(view, "TW"))
        assert ACK_DUE not in tree_row(view, "TU")  # TU confirmed on 04/03: that moment only
        exported = client.get(f"/admin/directives/{tree}/export.csv").content.decode("utf-8-sig")
        workbook = load_workbook(io.BytesIO(client.get(f"/admin/directives/{tree}/export.xlsx").content))
    by_name = {r["Tên đơn vị"]: r for r in csv.DictReader(io.StringIO(exported))}
    sheet = list(workbook.worksheets[0].iter_rows(values_only=True))
    in_sheet = {r[sheet[0].index("Tên đơn vị")]: dict(zip(sheet[0], r, strict=True)) for r in sheet[1:]}
    # the spreadsheet holds a deadline as a date (it sorts and filters by day), shown as the CSV writes it
    assert in_sheet["LĐLĐ huyện Một"]["Hạn xác nhận"] == datetime(2024, 3, 5)
    assert workbook.worksheets[0].cell(2 + list(in_sheet).index("LĐLĐ huyện Một"), 1 + sheet[0].index(
        "Hạn xác nhận")).number_format == "dd/mm/yyyy"  # fmt: skip
    for row in in_sheet.values():
        row.update((k, v.strftime("%d/%m/%Y")) for k, v in list(row.items()) if isinstance(v, datetime))
    for rows in (by_name, in_sheet):
        assert (rows["LĐLĐ huyện Một"]["Hạn xác nhận"], rows["LĐLĐ huyện Một"]["Đơn vị đôn đốc"]) == (ACK_DUE, ISSUER)
        for name in ("Tỉnh ủy thử", "Tổng Liên đoàn Lao động thử"):
            assert (rows[name]["Hạn xác nhận"] or "", rows[name]["Đơn vị đôn đốc"] or "") == ("", ""), name

    with httpx.Client(base_url=web, timeout=30, headers=bearer(superior)) as client:
        page = client.get("/admin/units/TU").text
        assignments = page.split('id="assignments"')[1].split('id="audit"')[0]
        assert "21/KH-LĐLĐ" in assignments and ACK_DUE not in assignments
        [held] = client.get("/api/units/TU").json()["assignments"]
        assert (held["role"], held["ack_due"], held["ack_due_vn"]) == ("superior", None, "")
