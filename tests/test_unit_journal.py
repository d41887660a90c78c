"""The journal of the console's unit page (its audit log) reads as sentences a clerk understands: who acted in
words (the system, the automatic reminders, the unit through its link with its IP address, a command-line
administrator), units by name, figures by their indicators' names in Vietnamese numbers, never a Python value, a
code or an English word of the program. Real HTTP (uvicorn), real mail and Prefect's harness, real SQLite."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.smtp_sink import SmtpSink
from cascade.status.journal import plainly
from cascade.status.tree import find_directive
from flows.monitor import monitor_deadlines
from models import AuditEvent, Unit, UserRole, record_audit
from tests.accounts_helpers import add_account, bearer
from tests.lifecycle_helpers import at, four_levels
from tests.test_roles import tree
from tests.test_status_artifact import CODES

__all__ = ["tree"]  # the fixture, shared with tests/test_roles.py
# What the journal showed before it was read out: Python values, detail keys and the program's own words.
RAW = re.compile(r"[{}\[\]']|\b(?:link from|system|monitor|cli|user_agent|source|register|totals|missing)\b")


def journal_of(client: httpx.Client, code: str) -> list[str]:
    """The journal's lines of the unit's page, each its cells' text after the time joined by " | "."""
    page = client.get(f"/admin/units/{code}")
    assert page.status_code == 200, page.text[:500]
    section = page.text.split('<h2 id="audit">', 1)[1]
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", section, re.S)
    cells = [[html.unescape(re.sub(r"<[^>]+>", "", c).strip()) for c in r.split("</td><td>")] for r in rows]
    return [" | ".join(line[1:]) for line in cells]


@pytest.mark.usefixtures("prefect_harness")
def test_a_units_journal_reads_as_sentences(settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path) -> None:
    four_levels(mailbox, web, tmp_path)
    monitor_deadlines(now=at(date(2021, 5, 24), 8))  # VP_TU never confirmed: reminded, its parent told
    result = CliRunner().invoke(app, ["recall", "01/LĐLĐ", "--issuer", "LDLD", "--reason", "Ghi sai hạn báo cáo."])
    assert result.exit_code == 0, result.output
    admin = add_account("vanphong@tu.example", UserRole.admin, "TU")
    with httpx.Client(base_url=web, timeout=30, headers=bearer(admin)) as client:
        federation, office = journal_of(client, "LDLD"), journal_of(client, "VP_TU")
    for line in federation + office:
        assert not RAW.search(line) and not CODES.search(line), line
    said = "\n".join(federation)
    assert "Xác nhận đã nhận văn bản | đơn vị xác nhận qua liên kết (IP 127.0.0.1) |" in said
    assert "Ban hành văn bản triển khai | hệ thống | Văn bản số 01/LĐLĐ (công văn do hệ thống ban hành, số lấy từ " \
        "sổ văn bản đi) gửi 3 đơn vị trực thuộc" in said  # fmt: skip
    assert "Thu hồi văn bản | quản trị viên (dòng lệnh) | Văn bản số 01/LĐLĐ. Lý do: Ghi sai hạn báo cáo." in said
    assert office == [
        "Nhắc, báo đơn vị cấp trên | nhắc việc tự động | Việc xác nhận đã nhận văn bản, hạn 18/05/2021; thư gửi "
        "vp@t.example, tu@t.example"
    ]


def test_consolidated_figures_are_named_by_their_indicators(settings: Settings, web: str, tree: int) -> None:
    with session_scope() as session:
        directive = find_directive(session, "21/KH-LĐLĐ", "TINH")
        unit = session.exec(select(Unit).where(Unit.code == "TINH")).one()
        totals = {"conferences": 1234, "unknown_code": 12.5}  # an indicator since removed: its code stays
        record_audit(session, AuditEvent.report_consolidated, unit=unit, actor="monitor", directive_id=directive.id,
                     detail={"cycle": 1, "totals": totals, "missing": ["NGANH", "H1"]})  # fmt: skip
    admin = add_account("vanphong@tinh.example", UserRole.admin, "TINH")
    with httpx.Client(base_url=web, timeout=30, headers=bearer(admin)) as client:
        [line] = [line for line in journal_of(client, "TINH") if line.startswith("Tổng hợp báo cáo")]
    assert line.endswith(
        "| nhắc việc tự động | Kỳ 1: Hội nghị đã tổ chức: 1.234 cuộc; unknown_code: 12,5. "
        "Chưa báo cáo: Công đoàn ngành Y tế thử, LĐLĐ huyện Một"
    ), line


def test_a_detail_no_sentence_knows_is_read_out_plainly(settings: Settings, tree: int) -> None:
    from cascade.status.journal import Names

    with session_scope() as session:
        names = Names(session, [])
        names.units = {"H1": "LĐLĐ huyện Một"}
        said = plainly({"due": "2024-03-05", "late": True, "to": ["H1"], "count": 1234, "note": None}, names)
    assert said == "hạn: 05/03/2024; sau hạn: có; gửi tới: LĐLĐ huyện Một; số lượng: 1.234; note: không có"
