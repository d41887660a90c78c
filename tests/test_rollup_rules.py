"""Figures roll up by their indicator's rule, everywhere they roll up: a Sở GD&ĐT tree of four levels where a
rate ("%", no `rollup` key) is averaged over the units that reported it, never added, a `rollup: none` figure is
listed per unit with no total, and counts are summed. Checked in the consolidated email (real SMTP sink), the
BÁO CÁO .docx of the Sở and of a Phòng (`cascade report`, read back with python-docx), the Phòng's report page
(real HTTP, its own figures sent through the form) and `cascade status --json`. The Phòng's BÁO CÁO counts its
own figures, as the Sở sees them; the Sở's counts and lists name the same units (those that owe the report),
the refused school apart. Every expected figure is worked out by hand in the comments."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
import httpx
import pytest
import yaml
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import work_calendar
from cascade.delivery.mailer import send_outbox_batch
from cascade.dev.links import forms_in
from cascade.dev.smtp_sink import SmtpSink
from cascade.directives.reportplan import effective_plan, ensure_cycles, parse_reporting, store_reporting
from cascade.dispatch.links import report_link
from cascade.dispatch.notices import outbox_batches
from cascade.org.orgtree import import_org, parse_org
from cascade.replies.reports import save_report
from models import Assignment, Directive, Unit
from models.report import ReportingPlan
from tests.cascade_helpers import plant_tree, status_units

ORG = """
units:
  - {code: UBND, name: Ủy ban nhân dân tỉnh Đắk Lắk, kind: people_committee, parent: null, email: ubnd@dl.example}
  - {code: SGD, name: Sở Giáo dục và Đào tạo tỉnh Đắk Lắk, kind: so_gddt, parent: UBND, email: sgd@dl.example,
     symbol: SGDĐT, place: Đắk Lắk}
  - {code: KHTC, name: Phòng Kế hoạch – Tài chính, kind: department, parent: SGD, email: khtc@dl.example}
  - {code: VP, name: Văn phòng Sở, kind: department, parent: SGD, email: vp@dl.example}
  - {code: PGD_BMT, name: Phòng GD&ĐT thành phố Buôn Ma Thuột, kind: phong_gddt, parent: SGD,
     email: bmt@dl.example, symbol: PGDĐT, place: Buôn Ma Thuột}
  - {code: PGD_KP, name: Phòng GD&ĐT huyện Krông Pắc, kind: phong_gddt, parent: SGD, email: kp@dl.example}
  - {code: THPT_CVA, name: Trường THPT Chu Văn An, kind: high_school, parent: SGD, email: cva@dl.example}
  - {code: THPT_BMT, name: Trường THPT Buôn Ma Thuột, kind: high_school, parent: SGD, email: thptbmt@dl.example}
  - {code: TH_HT, name: Trường Tiểu học Hòa Thắng, kind: primary_school, parent: PGD_BMT, email: ht@dl.example}
  - {code: THCS_NT, name: Trường THCS Nguyễn Trãi, kind: lower_secondary_school, parent: PGD_BMT,
     email: nt@dl.example}
  - {code: TH_EKN, name: Trường Tiểu học Ea Kênh, kind: primary_school, parent: PGD_KP, email: ekn@dl.example}
  - {code: DT_KOTAM, name: Điểm trường buôn Ko Tam, kind: satellite_campus, parent: TH_HT, email: kt@dl.example}
  - {code: DT_ALE, name: Điểm trường buôn Alê A, kind: satellite_campus, parent: TH_HT, email: ale@dl.example}
"""
INDICATORS = """
indicators:
  - {code: hoat_dong, name: Hoạt động hưởng ứng đã tổ chức, unit: hoạt động, type: int}
  - {code: sach, name: Đầu sách được bổ sung cho thư viện, unit: cuốn, type: int}
  - {code: ty_le_the, name: Tỷ lệ học sinh có thẻ thư viện, unit: "%", type: number}
  - {code: xep_hang, name: Xếp hạng thi đua của đơn vị, unit: hạng, type: int, rollup: none}
"""
DUE = datetime(2021, 6, 30).date()
OWES = {"status": "in_progress", "report_due": DUE}
TREE: list[dict[str, Any]] = [
    {"unit": "KHTC", "role": "coordinate", **OWES},  # phối hợp, named by a task: owes a report
    {"unit": "VP", "role": "info", "status": "arrived"},  # để biết: owes none
    {"unit": "THPT_BMT", "status": "refused", "report_due": DUE},  # refused the plan: counted nowhere
    {"unit": "THPT_CVA", **OWES},
    {"unit": "PGD_KP", **OWES, "below": [{"unit": "TH_EKN", **OWES}]},
    {
        "unit": "PGD_BMT",
        **OWES,
        "below": [
            {"unit": "THCS_NT", **OWES},
            {"unit": "TH_HT", **OWES, "below": [{"unit": "DT_KOTAM", **OWES}, {"unit": "DT_ALE", **OWES}]},
        ],
    },
]
# hoat_dong, sach, ty_le_the, xep_hang: the units' own figures (DT_ALE, TH_EKN, PGD_KP and KHTC send nothing)
FIGURES = {
    "DT_KOTAM": ("1", "30", "40", "3"),
    "TH_HT": ("3", "200", "70", "1"),
    "THCS_NT": ("4", "350", "85,4", "1"),
    "THPT_CVA": ("2", "100", "90", "2"),
}
BMT_OWN = ("1", "1500", "50", "2")  # sent by the Phòng itself, through its report page
CODES = ("hoat_dong", "sach", "ty_le_the", "xep_hang")


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-06-01T08:00:00+07:00")  # within the cycle (due 30/6/2021)


def assignment_of(session: Session, code: str) -> Assignment:
    query = select(Assignment).join(Unit, col(Unit.id) == col(Assignment.unit_id)).where(Unit.code == code)
    return session.exec(query).one()


def plant(settings: Settings, tmp_path: Path) -> int:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    with session_scope() as session:
        import_org(session, parse_org(tmp_path / "org.yaml"), source="org.yaml")
        top = plant_tree(session, "SGD", TREE, number="1234/KH-SGDĐT")
        assert top.id is not None
        problems: list[str] = []
        store_reporting(session, top.id, parse_reporting(yaml.safe_load(INDICATORS), lambda m, e: problems.append(m)))
        assert problems == []
        for code, figures in FIGURES.items():
            a = assignment_of(session, code)
            directive = session.get(Directive, a.directive_id)
            assert directive is not None
            cycle = ensure_cycles(session, directive, work_calendar(settings))[0]
            save_report(
                session, settings, a, cycle, effective_plan(session, directive).indicators, text="Đã tổ chức.",
                raw_figures=dict(zip(CODES, figures, strict=True)), uploads=[], submit=True,
                now=datetime(2021, 6, 10, 3, tzinfo=UTC),
            )  # fmt: skip
        return top.id


def docx_report(tmp_path: Path, number: str, issuer: str) -> Any:
    out = tmp_path / f"{issuer}.docx"
    result = CliRunner().invoke(app, ["report", number, "--issuer", issuer, "--cycle", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return docx.Document(str(out))


def table(document: Any, index: int) -> dict[str, list[str]]:
    """A table of the BÁO CÁO by its second column (the indicator, or the unit)."""
    return {row.cells[1].text: [c.text for c in row.cells[2:]] for row in document.tables[index].rows[1:]}


def test_figures_roll_up_by_their_rule_and_a_middle_unit_reports_what_its_superior_sees(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    top_id = plant(settings, tmp_path)

    # The Phòng sends its own figures through its report page, which shows what goes up before and after.
    with session_scope() as session:
        link = report_link(settings, assignment_of(session, "PGD_BMT"))
    assert link is not None
    with httpx.Client(timeout=30) as client:
        page = client.get(link).text
        # the units below, each with its subtree: Hòa Thắng averages its own 70 with Ko Tam's 40 = 55
        assert "<td>Trường Tiểu học Hòa Thắng</td><td>Đã báo cáo</td><td>4</td><td>230</td><td>55</td>" in page
        # Cộng: 3 + 1 + 4 = 8 activities; 200 + 30 + 350 = 580 books; (70 + 40 + 85,4) / 3 = 65,13%
        assert "<th>Cộng</th><th></th><th>8</th><th>580</th><th>65,13 (bình quân của 3 đơn vị)</th>" in page
        assert "<th>Không cộng (xem số liệu từng đơn vị)</th>" in page and "195,4" not in page
        form = next(f for f in forms_in(page) if f["method"] == "post")
        fields = {"csrf_token": form["fields"]["csrf_token"], "cycle": "1", "action": "submit"}  # type: ignore[index]
        fields |= {"text": "Phòng đã tổ chức.", **{f"fig_{c}": v for c, v in zip(CODES, BMT_OWN, strict=True)}}
        sent = client.post(link, data=fields).text
    assert "Đã gửi báo cáo" in sent
    # sent up: 1 + 8 = 9; 1.500 + 580 = 2.080; (50 + 70 + 40 + 85,4) / 4 = 61,35; its own rank, 2
    sent_up = "<th>Tổng hợp gửi lên cấp trên</th><th>Gồm số liệu đơn vị đã gửi</th>"
    assert sent_up + "<th>9</th><th>2.080</th><th>61,35</th><th>2</th>" in sent

    # The Sở's BÁO CÁO: counts summed, the rate averaged over the 5 units that gave it, the rank not totalled.
    so = docx_report(tmp_path, "1234/KH-SGDĐT", "SGD")
    assert table(so, 1) == {
        "Hoạt động hưởng ứng đã tổ chức": ["hoạt động", "11"],  # 9 (Phòng BMT and below) + 2 (THPT Chu Văn An)
        "Đầu sách được bổ sung cho thư viện": ["cuốn", "2.180"],  # 2.080 + 100
        # (50 + 70 + 40 + 85,4 + 90) / 5 = 335,4 / 5 = 67,08; never the sum 335,4
        "Tỷ lệ học sinh có thẻ thư viện": ["%", "67,08 (bình quân của 5 đơn vị)"],
        "Xếp hạng thi đua của đơn vị": ["hạng", "Không cộng (xem số liệu từng đơn vị)"],
    }
    per_unit = table(so, 2)
    assert per_unit == {  # the units that owe the report at the first level: the refused school is not one
        "Phòng Kế hoạch – Tài chính": ["–"] * 4,
        "Phòng GD&ĐT thành phố Buôn Ma Thuột": ["9", "2.080", "61,35", "2"],
        "Phòng GD&ĐT huyện Krông Pắc": ["–"] * 4,
        "Trường THPT Chu Văn An": ["2", "100", "90", "2"],
    }
    paragraphs = [p.text for p in so.paragraphs]
    text = "\n".join(paragraphs)
    # 4 units report to the Sở directly (Chu Văn An and Phòng BMT have, KH-TC and Phòng Krông Pắc have not); with
    # the levels below, 9 owe it and 5 sent it (Phòng BMT, Hòa Thắng, Ko Tam, Nguyễn Trãi, Chu Văn An)
    assert (
        "Theo Kế hoạch số 1234/KH-SGDĐT ngày 20/5/2021, 4 đơn vị báo cáo kết quả trực tiếp về Sở Giáo dục và Đào tạo "
        "tỉnh Đắk Lắk; đến ngày 01/6/2021, 2 đơn vị đã báo cáo, 2 đơn vị chưa báo cáo. Tính cả các đơn vị cấp dưới, "
        "5/9 đơn vị đã báo cáo; hạn báo cáo kỳ 1 là ngày 30/6/2021."
    ) in paragraphs
    assert "1 đơn vị từ chối tiếp nhận văn bản, không tính vào số phải báo cáo: Trường THPT Buôn Ma Thuột." in text
    done = paragraphs.index("1. Đơn vị đã báo cáo: 5 đơn vị")
    missing = paragraphs.index("2. Đơn vị chưa báo cáo: 4 đơn vị")
    not_reported = {p.strip("-;. ") for p in paragraphs[missing + 1 : missing + 5]}
    assert not_reported == {"Phòng Kế hoạch – Tài chính", "Phòng GD&ĐT huyện Krông Pắc", "Trường Tiểu học Ea Kênh",
                            "Điểm trường buôn Alê A"}  # fmt: skip
    assert len(paragraphs[done + 1 : missing]) == 5 and "Trường THPT Buôn Ma Thuột;" not in paragraphs

    # The Phòng's BÁO CÁO carries its own figures and gives the totals the Sở sees of it.
    bmt = docx_report(tmp_path, "1234/KH-SGDĐT-PGD_BMT", "PGD_BMT")
    totals = [result for _, result in table(bmt, 1).values()]
    # what the Sở's table gives the Phòng (9, 2.080, 61,35), not 8 / 580 / 65,13 without its own figures
    assert totals == ["9", "2.080", "61,35 (bình quân của 4 đơn vị)", "Không cộng (xem số liệu từng đơn vị)"]
    assert [t.split(" ")[0] for t in totals[:3]] == per_unit["Phòng GD&ĐT thành phố Buôn Ma Thuột"][:3]
    assert table(bmt, 2) == {
        "Phòng GD&ĐT thành phố Buôn Ma Thuột (số liệu của đơn vị)": ["1", "1.500", "50", "2"],
        "Trường THCS Nguyễn Trãi": ["4", "350", "85,4", "1"],
        "Trường Tiểu học Hòa Thắng": ["4", "230", "55", "1"],
    }

    # `cascade status --json`: what each unit sends up, by the same rules
    units = status_units("1234/KH-SGDĐT", "SGD")
    assert units["PGD_BMT"]["report_cycles"][0]["rolled_up"] == {
        "hoat_dong": 9, "sach": 2080, "ty_le_the": 61.35, "xep_hang": 2
    }  # fmt: skip
    assert units["TH_HT"]["report_cycles"][0]["rolled_up"]["ty_le_the"] == 55

    # The consolidated email once the deadline has passed (the monitor's step), through the real SMTP sink.
    from cascade.chasing.consolidate import consolidate_due

    with session_scope() as session:
        published = consolidate_due(session, datetime(2021, 7, 1, 1, tzinfo=UTC), work_calendar(settings), [top_id])
    assert [p["totals"] for p in published] == [{"hoat_dong": 11, "sach": 2180, "ty_le_the": 67.08}]
    with session_scope() as session:
        for batch in list(outbox_batches(session, None, 100)):
            send_outbox_batch(session, settings, batch)
    mail = next(m for m in mailbox.messages if "sgd@dl.example" in m.rcpt_tos)
    body = mail.text()
    assert "| Tỷ lệ học sinh có thẻ thư viện | % | 67,08 (bình quân của 5 đơn vị) |" in body
    assert "| Xếp hạng thi đua của đơn vị | hạng | Không cộng (xem số liệu từng đơn vị) |" in body
    assert "| Đầu sách được bổ sung cho thư viện | cuốn | 2.180 |" in body and "335,4" not in body
    assert "67,08 (bình quân của 5 đơn vị)" in mail.html() and "Trường THPT Buôn Ma Thuột" in body
    assert published[0]["markdown"] == body.rstrip("\n") or published[0]["markdown"].strip() == body.strip()


def test_a_bad_rollup_is_named_and_nothing_is_stored(settings: Settings, sample_org: None, tmp_path: Path) -> None:
    from tests.test_bad_input import directive_text

    path = tmp_path / "d.yaml"
    bad = "[{code: ty_le, name: Tỷ lệ đoàn viên tham gia, unit: '%', type: number, rollup: average}]"
    path.write_text(directive_text(indicators=bad), encoding="utf-8")
    result = CliRunner().invoke(app, ["launch", str(path)])
    assert result.exit_code == 2, result.output
    message = "indicator 'ty_le': rollup 'average' must be sum, mean or none"
    assert f"[indicators[1]]: {message}" in result.stderr
    from cascade.console.wording import in_vietnamese  # the console says it in Vietnamese

    assert in_vietnamese(message).startswith("Chỉ tiêu ty_le: cách tổng hợp 'average' không hợp lệ (sum: cộng dồn")
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Directive)).one() == 0
        assert session.exec(select(func.count()).select_from(ReportingPlan)).one() == 0


def post_report(link: str, figures: dict[str, str]) -> httpx.Response:
    with httpx.Client(timeout=30) as client:
        form = next(f for f in forms_in(client.get(link).text) if f["method"] == "post")
        fields = {"csrf_token": form["fields"]["csrf_token"], "cycle": "1", "action": "submit"}  # type: ignore[index]
        return client.post(link, data={**fields, "text": "Đã tổ chức.", **figures})


def test_a_unit_with_units_below_may_leave_a_rate_of_its_own_blank(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    plant(settings, tmp_path)
    with session_scope() as session:
        phong, school = (report_link(settings, assignment_of(session, c)) for c in ("PGD_BMT", "THPT_CVA"))
    assert phong is not None and school is not None
    page = httpx.get(phong).text
    assert "Tỷ lệ học sinh có thẻ thư viện (%), riêng đơn vị (để trống nếu đơn vị không có số liệu riêng)" in page
    assert "Đầu sách được bổ sung cho thư viện (cuốn), riêng đơn vị</label>" in page  # a count is always asked
    # a count left blank is refused, for the Phòng as for anyone; a rate left blank by a school too
    refused = post_report(phong, {"fig_hoat_dong": "1", "fig_sach": "", "fig_ty_le_the": "", "fig_xep_hang": ""})
    assert refused.status_code == 400 and "Chưa nhập số liệu “Đầu sách được bổ sung cho thư viện”" in refused.text
    refused = post_report(school, {"fig_hoat_dong": "2", "fig_sach": "100", "fig_ty_le_the": "", "fig_xep_hang": "2"})
    assert refused.status_code == 400 and "Chưa nhập số liệu “Tỷ lệ học sinh có thẻ thư viện”" in refused.text
    sent = post_report(phong, {"fig_hoat_dong": "1", "fig_sach": "1500", "fig_ty_le_the": "", "fig_xep_hang": ""})
    assert sent.status_code == 200 and "Đã gửi báo cáo" in sent.text
    units = status_units("1234/KH-SGDĐT", "SGD")
    # the Phòng's rate is its schools' alone: (70 + 40 + 85,4) / 3 = 65,13, not pulled down by a 0 of its own
    assert units["PGD_BMT"]["report_cycles"][0]["rolled_up"] == {"hoat_dong": 9, "sach": 2080, "ty_le_the": 65.13}
    so = docx_report(tmp_path, "1234/KH-SGDĐT", "SGD")
    # the Sở: (70 + 40 + 85,4 + 90) / 4 = 71,35 over the four units that gave a rate
    assert table(so, 1)["Tỷ lệ học sinh có thẻ thư viện"] == ["%", "71,35 (bình quân của 4 đơn vị)"]


@pytest.mark.parametrize(
    ("indicator", "rule"),
    [
        ({"code": "a", "name": "Tỷ lệ học sinh có thẻ thư viện", "unit": "%"}, "mean"),
        ({"code": "a", "name": "Số trẻ suy dinh dưỡng", "unit": "‰"}, "mean"),
        ({"code": "a", "name": "TỶ LỆ ĐOÀN VIÊN", "unit": ""}, "mean"),  # named a rate, no unit
        ({"code": "a", "name": "Điểm trung bình môn Ngữ văn", "unit": "điểm"}, "mean"),
        ({"code": "a", "name": "Số trường có tỷ lệ trên 90%", "unit": "trường"}, "sum"),  # a count of schools
        ({"code": "a", "name": "Hội nghị đã tổ chức", "unit": "cuộc"}, "sum"),
        ({"code": "a", "name": "Tỷ lệ hoàn thành", "unit": "%", "rollup": "sum"}, "sum"),  # the file decides
        ({"code": "a", "name": "Số cuộc", "unit": "cuộc", "rollup": "none"}, "none"),
    ],
)
def test_how_an_indicator_rolls_up_without_and_with_its_rollup_key(indicator: dict[str, str], rule: str) -> None:
    from cascade.directives.indicators import rollup_rule

    assert rollup_rule(indicator) == rule
