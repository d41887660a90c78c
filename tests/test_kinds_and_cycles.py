"""A school system's tree of five levels (Sở → Phòng → trường tiểu học → điểm trường), through real SQLite, real
HTTP and a real SMTP sink: every report cycle with its deadline for each level in the notice and on the unit page;
a task addressed to several kinds carried down to every level that has one of them below; task headings in words
taken from the tree's own names, never "Các đơn vị và các đơn vị"."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import docx
import httpx
import pytest
from sqlmodel import select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import WorkCalendar, work_calendar
from cascade.delivery.mailer import send_outbox_batch
from cascade.dev.links import confirm_receipt
from cascade.dev.smtp_sink import SmtpSink
from cascade.directives.directivefile import parse_directive
from cascade.directives.store import store_directive
from cascade.dispatch.notices import create_assignments, enqueue_notices, notice_batches, outbox_batches
from cascade.documents.docx_writer import directive_docx
from cascade.documents.kind_names import name_stem
from cascade.org.orgtree import import_org, parse_org
from models import Directive, DirectiveTask
from tests.cascade_helpers import issued_by

CAL = WorkCalendar()
SIGNER = "signer: {title: TRƯỞNG PHÒNG, name: Nguyễn Văn B}"
ORG = f"""
units:
  - {{code: SO, name: Sở Giáo dục và Đào tạo tỉnh Đắk Lắk, kind: so_gddt, parent: null, email: so@t.example,
     symbol: SGDĐT, place: Đắk Lắk}}
  - {{code: PGD1, name: Phòng Giáo dục và Đào tạo huyện Krông Pắc, kind: phong_gddt, parent: SO,
     email: pgd1@t.example, symbol: PGDĐT, {SIGNER}}}
  - {{code: PGD2, name: Phòng Giáo dục và Đào tạo huyện Lắk, kind: phong_gddt, parent: SO, email: pgd2@t.example}}
  - {{code: TH1, name: Trường Tiểu học Ea Kênh, kind: primary_school, parent: PGD1, email: th1@t.example,
     symbol: THEK, {SIGNER}}}
  - {{code: TH2, name: Trường Tiểu học Y Jút, kind: primary_school, parent: PGD1, email: th2@t.example}}
  - {{code: DT1, name: Điểm trường buôn Ko Tam, kind: satellite_campus, parent: TH1, email: dt1@t.example}}
  - {{code: DT2, name: Điểm trường thôn Tân Tiến, kind: satellite_campus, parent: TH1, email: dt2@t.example}}
  - {{code: TV1, name: Thư viện Ea Kênh, kind: library, parent: TH1, email: tv1@t.example}}
"""
DIRECTIVE = """
number: 1234/KH-SGDĐT
type: KẾ HOẠCH
issuer: SO
issued_on: '2024-03-05'
place: Đắk Lắk
summary: Tổ chức Ngày Sách và Văn hóa đọc Việt Nam năm 2024
signer: {on_behalf: KT. GIÁM ĐỐC, title: PHÓ GIÁM ĐỐC, name: Nguyễn Thị Thủy Hằng}
body: |-
  I. MỤC ĐÍCH, YÊU CẦU

  1. Khơi dậy phong trào đọc sách trong học sinh.
report_due: '2024-06-14'
report_schedule: ['2024-04-26']
recipients:
  - {unit: PGD1, role: act}
  - {unit: PGD2, role: act}
tasks:
  - {to: [PGD1, PGD2], text: Xây dựng kế hoạch tổ chức Tuần lễ đọc sách.}
  - {to_kinds: [primary_school, satellite_campus], text: Tổ chức đọc sách song ngữ Việt – Ê Đê.}
  - {to_kinds: [library, reading_corner], text: Mở cửa thư viện cả ngày thứ Bảy.}
"""


def dispatch(settings: Settings, directive_id: int) -> None:
    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        create_assignments(session, directive, work_calendar(settings))
        for batch in notice_batches(session, directive_id, 100):
            enqueue_notices(session, settings, directive_id, batch)
    with session_scope() as session:
        for batch in list(outbox_batches(session, None, 100)):
            send_outbox_batch(session, settings, batch)


def notice_of(mailbox: SmtpSink, address: str) -> str:
    (message,) = mailbox.handler.to(address)
    return " ".join(message.text().split())


def own_tasks(notice: str) -> str:
    """The notice's list of the unit's own tasks (the documents it carries name everyone's)."""
    return notice.split("Nhiệm vụ của đơn vị:")[1].split("Hạn xác nhận")[0]


def link_in(text: str, kind: str) -> str:
    return re.findall(r"http://[^\s]+/" + kind + r"/[A-Za-z0-9_\-.]+", text)[0]


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", "2024-03-05T08:30:00+07:00")


def test_cycles_kinds_and_headings_down_five_levels(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "d.yaml").write_text(DIRECTIVE, encoding="utf-8")
    with session_scope() as session:
        import_org(session, parse_org(tmp_path / "org.yaml"), source="org.yaml")
        top_id = store_directive(session, parse_directive(tmp_path / "d.yaml"))[0].id
    assert top_id is not None
    dispatch(settings, top_id)

    # Level 2: the Sở's two cycles, as the Sở set them (26/04 a Friday, 14/06 a Friday).
    phong = notice_of(mailbox, "pgd1@t.example")
    assert "Hạn báo cáo kết quả (2 kỳ), gửi về Sở Giáo dục và Đào tạo tỉnh Đắk Lắk:" in phong
    assert "- Kỳ 1: 26/04/2024 - Kỳ 2 (kỳ cuối): 14/06/2024" in phong
    # The plan's section on tasks, in the notice and in the .docx: each group headed in words, none twice.
    assert "2. Các trường Tiểu học và các điểm trường - Tổ chức đọc sách song ngữ Việt – Ê Đê." in phong
    assert "3. Các đơn vị trực thuộc - Mở cửa thư viện cả ngày thứ Bảy." in phong
    assert "các đơn vị và các đơn vị" not in phong.lower()
    with session_scope() as session:
        top = session.get(Directive, top_id)
        assert top is not None
        written = [p.text for p in docx.Document(io.BytesIO(directive_docx(session, top))).paragraphs]
    assert "2. Các trường Tiểu học và các điểm trường" in written and "3. Các đơn vị trực thuộc" in written

    with httpx.Client() as client:
        unit_page = client.get(link_in(phong, "u")).text
        assert "Hạn báo cáo kết quả (2 kỳ)" in unit_page
        assert (
            "Kỳ 1: <strong>26/04/2024</strong>" in unit_page and "(kỳ cuối): <strong>14/06/2024</strong>" in unit_page
        )
        assert "2. Các trường Tiểu học và các điểm trường" in unit_page
        report_page = client.get(link_in(phong, "r")).text
        assert "Kỳ 1: <strong>26/04/2024</strong>" in report_page

        assert confirm_receipt(client, link_in(phong, "u")).status_code == 200  # PGD1 passes it on (forward)
        dispatch(settings, issued_by("PGD1"))
        school = notice_of(mailbox, "th1@t.example")
        # Level 3: the Phòng's own deadlines, three working days (lead_days) before the Sở's.
        first, last = CAL.add_working_days(date(2024, 4, 26), -3), CAL.add_working_days(date(2024, 6, 14), -3)
        assert f"- Kỳ 1: {first:%d/%m/%Y} - Kỳ 2 (kỳ cuối): {last:%d/%m/%Y}" in school
        assert "Tổ chức đọc sách song ngữ Việt – Ê Đê." in own_tasks(school)  # the primary school's own task

        assert confirm_receipt(client, link_in(school, "u")).status_code == 200  # TH1 passes it on in turn
    dispatch(settings, issued_by("TH1"))
    with session_scope() as session:
        school_tasks = session.exec(
            select(DirectiveTask.text, DirectiveTask.to_kinds).where(DirectiveTask.directive_id == issued_by("TH1"))
        ).all()
    # A primary school is of one of the task's kinds and has satellite campuses below: it carries the task out
    # and passes it on; the library task reaches the library below the school.
    assert ("Tổ chức đọc sách song ngữ Việt – Ê Đê.", ["primary_school", "satellite_campus"]) in school_tasks
    assert ("Mở cửa thư viện cả ngày thứ Bảy.", ["library", "reading_corner"]) in school_tasks
    campus = notice_of(mailbox, "dt1@t.example")
    assert "1. Tổ chức đọc sách song ngữ Việt – Ê Đê." in own_tasks(campus)
    assert "Mở cửa thư viện" not in own_tasks(campus)  # a satellite campus is not a library
    assert "Mở cửa thư viện cả ngày thứ Bảy." in own_tasks(notice_of(mailbox, "tv1@t.example"))
    # Level 4's own cycles: three more working days earlier.
    assert f"- Kỳ 1: {CAL.add_working_days(first, -3):%d/%m/%Y}" in campus


@pytest.mark.parametrize(
    ("names", "stem"),
    [
        (["Trường Tiểu học Ea Kênh", "Trường Tiểu học Y Jút"], "Trường Tiểu học"),
        (["Điểm trường buôn Ko Tam", "Điểm trường thôn Tân Tiến"], "Điểm trường"),
        (["Trường Tiểu học Ea Kênh"], None),  # one unit's name is not a kind's
        (["Trường Tiểu học", "Trường Tiểu học Y Jút"], None),  # a name that is all stem
        (["Thư viện Ea Kênh", "Trường Tiểu học Y Jút"], None),
        # the kind's words stop where a proper name begins, however many words the names share
        (["Trường Tiểu học Hòa Thắng", "Trường Tiểu học Hòa Phú"], "Trường Tiểu học"),
        (["Xã Ea Kênh", "Xã Ea Tu", "Xã Ea Na"], "Xã"),
        (["Trường THCS Nguyễn Du", "Trường THCS Nguyễn Trãi"], "Trường THCS"),
        (["Điểm trường Ko Tam", "Điểm trường Ko Tam 2"], "Điểm trường"),
        (["Trường Mầm non Hoa Sen", "Trường Mầm non Họa Mi"], "Trường Mầm non"),
        (["Trường Tiểu học số 1", "Trường Tiểu học số 2"], "Trường Tiểu học"),
        (
            ["Phòng Giáo dục và Đào tạo huyện Krông Pắc", "Phòng Giáo dục và Đào tạo huyện Lắk"],
            "Phòng Giáo dục và Đào tạo huyện",
        ),  # fmt: skip
        (["Trạm Y tế xã Cư Yang", "Trạm Y tế xã Cư Bông"], "Trạm Y tế xã"),
        (["Đoàn xã Ea Kênh", "Đoàn xã Krông Búk"], "Đoàn xã"),
        (["Trường Tiểu học Hòa Thắng", "TRƯỜNG TIỂU HỌC HÒA PHÚ"], "Trường Tiểu học"),  # compared case-blind
        (["TRƯỜNG TIỂU HỌC HÒA THẮNG", "TRƯỜNG TIỂU HỌC HÒA PHÚ"], None),  # capitals hide where the name starts
    ],
)
def test_the_words_a_kind_takes_from_its_units_names(names: list[str], stem: str | None) -> None:
    assert name_stem(names) == stem
