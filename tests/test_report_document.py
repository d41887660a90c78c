"""The consolidated results as a real BÁO CÁO: the seed launched through the CLI, three units report their figures
through their own report links over real HTTP (real SMTP sink, SQLite, uvicorn, Prefect), then `cascade report`
writes the .docx, read back with python-docx. Every expected value is written out by hand."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import httpx
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from cascade.chasing.consolidate import consolidated, render_consolidated
from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import WorkCalendar
from cascade.dev.links import forms_in
from cascade.dev.smtp_sink import SmtpSink
from cascade.directives.reportplan import ensure_cycles
from models import Directive
from tests.cascade_helpers import mail_by_unit
from tests.test_document_layout import all_text, launch, lines, seed_file

pytestmark = pytest.mark.usefixtures("prefect_harness", "sample_org")
INDICATORS = [
    ("Hội nghị chuyên đề, buổi sinh hoạt đã tổ chức", "cuộc"),
    ("Lượt đoàn viên, CNVCLĐ tham gia", "lượt người"),
    ("Tin, bài đã đăng (trang thông tin điện tử, mạng xã hội)", "tin bài"),
    ("Pa nô, áp phích, băng rôn", "cái"),
]
REPORTS = {  # conferences, participants, posts, banners
    "LDLD_TD": ("12", "1234567", "40", "5"),
    "LDLD_PT": ("3", "250", "7", "0"),
    "CDN_GD": ("8", "1500", "21", "9"),
}
REPORTED = {"Liên đoàn Lao động huyện Tam Đường", "Liên đoàn Lao động huyện Phong Thổ"}
REPORTED |= {"Công đoàn ngành Giáo dục tỉnh Lai Châu"}
NOT_REPORTED = {f"Liên đoàn Lao động {p}" for p in ("thành phố Lai Châu", "huyện Sìn Hồ", "huyện Mường Tè")}
NOT_REPORTED |= {f"Liên đoàn Lao động huyện {p}" for p in ("Nậm Nhùn", "Tân Uyên", "Than Uyên")}
NOT_REPORTED |= {"Công đoàn ngành Y tế tỉnh Lai Châu", "Công đoàn Viên chức tỉnh Lai Châu"}
NOT_REPORTED |= {"CĐCS Công ty Cổ phần Cấp nước Lai Châu", "CĐCS Công ty TNHH MTV Xổ số kiến thiết Lai Châu"}
NOT_REPORTED |= {"CĐCS Agribank Chi nhánh tỉnh Lai Châu"}


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # The units report within the plan's time (its report is due 15/12/2021).
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")


def submit_report(mailbox: SmtpSink, web: str, code: str, figures: tuple[str, ...]) -> None:
    """The unit opens the report link of its notice and submits its figures, as a person at a browser would."""
    text = mail_by_unit(mailbox)[code][-1].text()
    link = re.findall(re.escape(web) + r"/r/[A-Za-z0-9_\-.]+", text)[0]
    with httpx.Client(timeout=30) as client:
        form = next(f for f in forms_in(client.get(link).text) if f["method"] == "post")
        fields = {"csrf_token": form["fields"]["csrf_token"], "cycle": "1", "action": "submit"}  # type: ignore[index]
        names = ("fig_conferences", "fig_participants", "fig_posts", "fig_banners")
        fields |= {"text": "Đã triển khai.", **dict(zip(names, figures, strict=True))}
        sent = client.post(link, data=fields)
    assert sent.status_code == 200 and "Đã gửi báo cáo" in sent.text, sent.text[-2000:]


def test_the_bao_cao_carries_the_figures_the_units_reported(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    launch(seed_file(tmp_path))
    for code, figures in REPORTS.items():
        submit_report(mailbox, web, code, figures)
    out = tmp_path / "bao-cao.docx"
    result = CliRunner().invoke(app, ["report", "252/KH-LĐLĐ", "--issuer", "LDLD_LC", "--out", str(out)])
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))

    left, right = document.tables[0].rows[0].cells
    assert lines(left) == ["TỔNG LĐLĐ VIỆT NAM", "LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU", "", "Số:     /BC-LĐLĐ"]
    motto = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert lines(right) == [*motto, "", "Lai Châu, ngày     tháng     năm 2021"]
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[:2] == ["BÁO CÁO", "Kết quả thực hiện Kế hoạch số 31-KH/TU ngày 17/5/2021 của Tỉnh ủy Lai Châu"]
    assert all(r.bold for r in document.paragraphs[0].runs)
    assert "Kính gửi: Tỉnh ủy Lai Châu" in paragraphs
    assert (
        "Thực hiện Kế hoạch số 31-KH/TU ngày 17/5/2021 của Tỉnh ủy Lai Châu, Liên đoàn Lao động tỉnh Lai Châu đã ban "
        "hành Kế hoạch số 252/KH-LĐLĐ ngày 20/5/2021 và chỉ đạo các đơn vị triển khai thực hiện. Liên đoàn Lao động "
        "tỉnh Lai Châu báo cáo kết quả như sau:"
    ) in paragraphs

    totals = [[c.text for c in row.cells] for row in document.tables[1].rows]
    assert totals == [
        ["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả"],
        ["1", *INDICATORS[0], "23"],  # 12 + 3 + 8
        ["2", *INDICATORS[1], "1.236.317"],  # 1,234,567 + 250 + 1,500
        ["3", *INDICATORS[2], "68"],  # 40 + 7 + 21
        ["4", *INDICATORS[3], "14"],  # 5 + 0 + 9
    ]
    per_unit = {row.cells[1].text: [c.text for c in row.cells[2:]] for row in document.tables[2].rows[1:]}
    assert [c.text for c in document.tables[2].rows[0].cells] == ["STT", "Đơn vị", *(name for name, _ in INDICATORS)]
    assert per_unit["Liên đoàn Lao động huyện Tam Đường"] == ["12", "1.234.567", "40", "5"]
    assert per_unit["Liên đoàn Lao động huyện Phong Thổ"] == ["3", "250", "7", "0"]
    assert per_unit["Công đoàn ngành Giáo dục tỉnh Lai Châu"] == ["8", "1.500", "21", "9"]
    assert set(per_unit) == REPORTED | NOT_REPORTED
    assert {name: figures for name, figures in per_unit.items() if name in NOT_REPORTED} == {
        name: ["–"] * 4 for name in NOT_REPORTED
    }

    done = paragraphs.index("1. Đơn vị đã báo cáo: 3 đơn vị")
    missing = paragraphs.index("2. Đơn vị chưa báo cáo: 11 đơn vị")
    assert {p.lstrip("- ").rstrip(";.") for p in paragraphs[done + 1 : missing]} == REPORTED
    listed = paragraphs[missing + 1 : missing + 12]
    assert {p.lstrip("- ").rstrip(";.") for p in listed} == NOT_REPORTED and listed[-1].endswith(".")
    assert paragraphs[missing + 12] == (
        "Trên đây là báo cáo kết quả thực hiện Kế hoạch số 31-KH/TU của Liên đoàn Lao động tỉnh Lai Châu./."
    )
    recipients, signer = document.tables[-1].rows[0].cells
    assert lines(recipients) == ["Nơi nhận:", "- Như trên;", "- Lưu: VT, TgNc."]
    assert {text.strip() for text in lines(signer)} == {""}  # left for the issuer to sign
    text = all_text(document)
    assert [raw for raw in ("LDLD_", "CDN_", "TU_LC", "e+0", "1234567", "((") if raw in text] == []

    # the consolidated email writes the same figures the Vietnamese way
    with session_scope() as session:
        directive = session.exec(select(Directive).where(Directive.number == "252/KH-LĐLĐ")).one()
        cycle = ensure_cycles(session, directive, WorkCalendar())[0]
        markdown = render_consolidated(consolidated(session, directive, cycle))["markdown"]
    assert "| Lượt đoàn viên, CNVCLĐ tham gia | lượt người | 1.236.317 |" in markdown


def test_a_report_on_a_cycle_the_directive_has_not_is_refused(settings: Settings, tmp_path: Path) -> None:
    launch(seed_file(tmp_path))
    out = tmp_path / "r.docx"
    args = ["report", "252/KH-LĐLĐ", "--issuer", "LDLD_LC", "--out", str(out), "--cycle", "4"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "252/KH-LĐLĐ has report cycles 1 to 1, not 4" in result.output
    unknown = CliRunner().invoke(app, ["report", "9/KH-LĐLĐ", "--issuer", "LDLD_LC", "--out", str(out)])
    assert unknown.exit_code == 2 and "no directive numbered '9/KH-LĐLĐ' from LDLD_LC" in unknown.output
    assert not out.exists()
