"""The directive as the document Decree 30/2020/NĐ-CP (Appendix I) lays out: the seed launched through the real
CLI on SQLite with a real SMTP sink, written by `cascade render` and read back with python-docx (heading table,
motto, number, place and date, title, body, signer, Nơi nhận, page and font); the same layout as the HTML and text
fragments every notice and unit page carries; a party body's heading; a Công văn; the admin page's download.
Every expected value is written out by hand."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import docx
import httpx
import pytest
import yaml
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from sqlmodel import select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.webserver import BackgroundServer
from cascade.documents.layout import render_document
from cascade.documents.wording import basis_type_word, doc_type_word, document_reference, implementing_sentence
from models import Directive
from tests.accounts_helpers import add_account, log_in
from tests.cascade_helpers import with_web
from tests.conftest import SAMPLE_DIRECTIVE
from web.app import create_app

pytestmark = pytest.mark.usefixtures("prefect_harness", "sample_org")
ADMIN = "van.thu@laichau.example"  # an administrator of the sample's issuer
SUMMARY = "Đẩy mạnh công tác tuyên truyền Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng"
SEED_ROLES = {"TU_LC": "superior", "TLD_VN": "superior", "VP_TU": "superior", "BDV_TU": "superior"}
SEED_ROLES |= {"BTG_TU": "superior"} | {f"LDLD_{d}": "info" for d in ("VP", "TC", "TGNC", "CSPL", "UBKT")}
SEED_RECIPIENTS = [
    "Nơi nhận:",
    "- Tỉnh ủy Lai Châu (để b/c);",
    "- Tổng Liên đoàn Lao động Việt Nam (để b/c);",
    "- Văn phòng Tỉnh ủy (để b/c);",
    "- Ban Dân vận Tỉnh ủy (để b/c);",
    "- Ban Tuyên giáo Tỉnh ủy (để b/c);",
    "- LĐLĐ các huyện, thành phố (8 đơn vị);",
    "- Công đoàn ngành Giáo dục tỉnh Lai Châu;",
    "- Công đoàn ngành Y tế tỉnh Lai Châu;",
    "- Công đoàn Viên chức tỉnh Lai Châu;",
    "- CĐCS Công ty Cổ phần Cấp nước Lai Châu;",
    "- CĐCS Công ty TNHH MTV Xổ số kiến thiết Lai Châu;",
    "- CĐCS Agribank Chi nhánh tỉnh Lai Châu;",
    "- Văn phòng LĐLĐ tỉnh (để biết);",
    "- Ban Tổ chức LĐLĐ tỉnh (để biết);",
    "- Ban Tuyên giáo - Nữ công LĐLĐ tỉnh (để biết);",
    "- Ban Chính sách - Pháp luật LĐLĐ tỉnh (để biết);",
    "- Ủy ban Kiểm tra LĐLĐ tỉnh (để biết);",
    "- Lưu: VT, TgNc.",
]
NO_RAW: tuple[str, ...] = (
    "Căn cứ",
    "V/v",
    "văn bản số",
    "LDLD_",
    "TU_LC",
    "TLD_VN",
    "CDCS_",
    "CDN_",
    "district_federation",
)
NO_RAW += ("grassroots_union", "superior", "((", "*")


def seed_file(tmp_path: Path) -> Path:
    """The seed with the protocol of its document, whatever the example file says today: Tỉnh ủy, its offices and
    Tổng LĐLĐ Việt Nam are reported to, the federation's departments informed, the archive is VT, TgNc."""
    data = yaml.safe_load(SAMPLE_DIRECTIVE.read_text(encoding="utf-8"))
    for recipient in data["recipients"]:
        recipient["role"] = SEED_ROLES.get(recipient["unit"], "act")
    data["archive"] = "VT, TgNc"
    return write_directive(tmp_path, data)


def write_directive(tmp_path: Path, data: dict[str, Any]) -> Path:
    out = tmp_path / f"{re.sub(r'[^A-Za-z0-9]+', '-', data['number'])}.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def launch(path: Path) -> None:
    result = CliRunner().invoke(app, ["launch", str(path)])
    assert result.exit_code == 0, result.output


def render_docx(tmp_path: Path, number: str, issuer: str) -> DocxDocument:
    out = tmp_path / "rendered.docx"
    result = CliRunner().invoke(app, ["render", number, "--issuer", issuer, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return docx.Document(str(out))


def lines(cell: _Cell) -> list[str]:
    return [p.text for p in cell.paragraphs]


def find(document: DocxDocument, text: str) -> Paragraph:
    found = [p for p in document.paragraphs if p.text == text]
    assert len(found) == 1, (text, [p.text for p in document.paragraphs])
    return found[0]


def bold(p: Paragraph) -> bool:
    return all(r.bold for r in p.runs if r.text.strip())


def all_text(document: DocxDocument) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_wording_as_a_clerk_writes_it() -> None:
    assert doc_type_word("KẾ HOẠCH") == "Kế hoạch" and doc_type_word("công văn") == "Công văn"
    assert [basis_type_word(n) for n in ("31-KH/TU", "05-CT/TW", "12/NQ-TU", "3/QĐ-LĐLĐ", "7/TB-LĐLĐ")] == [
        "Kế hoạch", "Chỉ thị", "Nghị quyết", "Quyết định", "Thông báo",
    ]  # fmt: skip
    assert [basis_type_word(n) for n in ("9/HD-LĐLĐ", "15/LĐLĐ-TGNC", "05-CV/ĐU")] == ["Hướng dẫn"] + ["Công văn"] * 2
    assert implementing_sentence("31-KH/TU", date(2021, 5, 17), "Tỉnh ủy Lai Châu") == (
        "Thực hiện Kế hoạch số 31-KH/TU ngày 17/5/2021 của Tỉnh ủy Lai Châu"
    )
    assert document_reference("KẾ HOẠCH", "252/KH-LĐLĐ", date(2021, 5, 20), "Liên đoàn Lao động tỉnh Lai Châu") == (
        "Kế hoạch số 252/KH-LĐLĐ ngày 20/5/2021 của Liên đoàn Lao động tỉnh Lai Châu"
    )
    assert (
        document_reference("CÔNG VĂN", "15/LĐLĐ-TGNC", date(2026, 2, 5), None)
        == "Công văn số 15/LĐLĐ-TGNC ngày 05/02/2026"
    )


def test_the_seed_as_a_docx_reads_as_the_decree_lays_it_out(settings: Settings, tmp_path: Path) -> None:
    launch(seed_file(tmp_path))
    document = render_docx(tmp_path, "252/KH-LĐLĐ", "LDLD_LC")

    section = document.sections[0]
    sizes = (section.page_width, section.page_height)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) if m is not None else None for m in sizes] == [210, 297]  # A4
    assert [round(m.mm) if m is not None else None for m in margins] == [20, 20, 30, 15]
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    for fonts in document.element.body.iter(qn("w:rFonts")):  # every script's face, Vietnamese letters included
        assert {fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")} == {"Times New Roman"}

    heading = document.tables[0]
    left, right = heading.rows[0].cells
    assert lines(left) == ["TỔNG LĐLĐ VIỆT NAM", "LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU", "", "Số: 252/KH-LĐLĐ"]
    assert bold(left.paragraphs[1]) and not bold(left.paragraphs[0])
    assert lines(right) == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "", "Lai Châu, ngày 20 tháng 5 năm 2021",
    ]  # fmt: skip
    assert bold(right.paragraphs[0]) and bold(right.paragraphs[1]) and right.paragraphs[3].runs[0].italic
    borders = heading._tbl.tblPr.find(qn("w:tblBorders"))
    assert {edge.get(qn("w:val")) for edge in borders} == {"nil"}  # a table with no lines

    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[:2] == ["KẾ HOẠCH", SUMMARY]
    title, summary = document.paragraphs[0], document.paragraphs[1]
    assert bold(title) and bold(summary) and title.alignment == summary.alignment == 1  # centred
    opening = find(
        document,
        "Thực hiện Kế hoạch số 31-KH/TU ngày 17/5/2021 của Tỉnh ủy Lai Châu, Liên đoàn Lao động tỉnh Lai Châu "
        "ban hành Kế hoạch với các nội dung sau:",
    )
    assert opening.alignment == 3 and 10 < opening.paragraph_format.first_line_indent.mm < 14  # justified, indented
    for text in ("I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "II. THỜI GIAN, NỘI DUNG, HÌNH THỨC TUYÊN TRUYỀN"):
        assert bold(find(document, text)), text
    sub = next(p for p in document.paragraphs if p.text.startswith("1.1. Trước và trong ngày bầu cử"))
    assert bold(sub) and all(r.italic for r in sub.runs)
    item = next(p for p in document.paragraphs if p.text.startswith("- Tiếp tục tạo sự thống nhất"))
    assert not any(r.bold for r in item.runs) and item.alignment == 3
    web_item = next(
        p for p in document.paragraphs if p.text.startswith("- Trang thông tin điện tử Công đoàn Lai Châu:")
    )
    assert [r.text for r in web_item.runs if r.italic] == ["Trang thông tin điện tử Công đoàn Lai Châu"]
    # the tasks, after the body, as section III (the body ends at II), grouped by the units they address
    at = paragraphs.index("III. TỔ CHỨC THỰC HIỆN")
    assert bold(document.paragraphs[at])
    assert paragraphs[at + 1] == "1. Liên đoàn Lao động tỉnh Lai Châu" and bold(document.paragraphs[at + 1])
    assert paragraphs[at + 2].startswith("- Xây dựng kế hoạch, chỉ đạo công đoàn các cấp trong tỉnh")
    assert paragraphs[at + 6] == (
        "2. LĐLĐ các huyện, thành phố, Công đoàn ngành Giáo dục tỉnh Lai Châu, Công đoàn ngành Y tế tỉnh Lai Châu, "
        "Công đoàn Viên chức tỉnh Lai Châu, CĐCS Công ty Cổ phần Cấp nước Lai Châu, CĐCS Công ty TNHH MTV Xổ số "
        "kiến thiết Lai Châu và CĐCS Agribank Chi nhánh tỉnh Lai Châu"
    )
    assert paragraphs[at + 7].startswith("- Bám sát các nội dung Kế hoạch của LĐLĐ tỉnh")
    assert paragraphs[at + 11] == (
        "Đề nghị các đơn vị nghiêm túc triển khai thực hiện và báo cáo kết quả về Liên đoàn Lao động tỉnh Lai Châu "
        "(qua Ban Tuyên giáo - Nữ công LĐLĐ tỉnh) trước ngày 15/12/2021./."
    )

    closing = document.tables[-1]
    recipients, signer = closing.rows[0].cells
    assert lines(recipients) == SEED_RECIPIENTS
    assert recipients.paragraphs[0].runs[0].font.size == Pt(12) and recipients.paragraphs[0].runs[0].italic
    assert {r.font.size for p in recipients.paragraphs[1:] for r in p.runs} == {Pt(11)}
    assert lines(signer) == ["TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", "", "", "", "", "Nguyễn Thị Thiện"]
    assert bold(signer.paragraphs[0]) and bold(signer.paragraphs[-1])
    text = all_text(document)
    assert [raw for raw in NO_RAW if raw in text] == []


def test_the_page_and_email_fragments_say_the_same_for_every_recipient(settings: Settings, tmp_path: Path) -> None:
    launch(seed_file(tmp_path))
    with session_scope() as session:
        directive = session.exec(select(Directive).where(Directive.number == "252/KH-LĐLĐ")).one()
        first, again = render_document(session, directive), render_document(session, directive)
    assert first == again  # rendered once per directive, shared by every notice
    text = first.text.splitlines()
    expected_order = [
        "TỔNG LĐLĐ VIỆT NAM", "LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU", "Số: 252/KH-LĐLĐ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Lai Châu, ngày 20 tháng 5 năm 2021",
        "KẾ HOẠCH", SUMMARY,
        "I. MỤC ĐÍCH, YÊU CẦU", "III. TỔ CHỨC THỰC HIỆN", "TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", "Nguyễn Thị Thiện",
        *SEED_RECIPIENTS,
    ]  # fmt: skip
    positions = [text.index(line) for line in expected_order]
    assert positions == sorted(positions) and text[-1] == "- Lưu: VT, TgNc."
    assert [raw for raw in NO_RAW if raw in first.text] == []
    html = first.html
    assert "<style" not in html and "<script" not in html and "<html" not in html  # a fragment with inline styles
    assert re.search(r'<p style="font-weight:bold[^"]*">I\. MỤC ĐÍCH, YÊU CẦU</p>', html)
    assert re.search(r"<h1[^>]*>KẾ HOẠCH</h1>", html) and "text-align:justify" in html
    assert '<td style="width:42%' in html and "Lai Châu, ngày 20 tháng 5 năm 2021" in html
    assert (
        "<div>- Tỉnh ủy Lai Châu (để b/c);</div>" in html
        and "<em>Trang thông tin điện tử Công đoàn Lai Châu</em>" in html
    )


def party_plan() -> dict[str, Any]:
    return {
        "number": "31-KH/TU",
        "type": "KẾ HOẠCH",
        "issuer": "TU_LC",
        "issued_on": "2026-03-09",
        "place": "Lai Châu",
        "summary": "Đẩy mạnh công tác tuyên truyền sau Đại hội đại biểu toàn quốc lần thứ XIV của Đảng",
        "signer": {"on_behalf": "T/M BAN THƯỜNG VỤ", "title": "PHÓ BÍ THƯ THƯỜNG TRỰC", "name": "Vũ Văn Hoàn"},
        "report_due": "2026-12-31",
        "archive": "Văn phòng Tỉnh ủy",
        "body": "I. MỤC ĐÍCH, YÊU CẦU\n\nTạo sự thống nhất trong nhận thức và hành động.",
        "recipients": [{"unit": "LDLD_LC", "role": "act"}, {"unit": "VP_TU", "role": "info"}],
        "tasks": [
            {"to": ["LDLD_LC"], "text": "Xây dựng kế hoạch tuyên truyền trong công nhân, viên chức, lao động."},
            {"to_kinds": ["grassroots_union"], "text": "Tổ chức sinh hoạt chuyên đề đến đoàn viên."},
        ],
    }


def test_a_party_body_heads_its_document_with_the_party_and_pads_the_day(settings: Settings, tmp_path: Path) -> None:
    launch(write_directive(tmp_path, party_plan()))
    document = render_docx(tmp_path, "31-KH/TU", "TU_LC")
    left, right = document.tables[0].rows[0].cells
    assert lines(left) == ["TỈNH ỦY LAI CHÂU", "*", "Số 31-KH/TU"]  # no body above it in the tree; no colon
    assert lines(right) == ["ĐẢNG CỘNG SẢN VIỆT NAM", "Lai Châu, ngày 09 tháng 3 năm 2026"]
    assert right.paragraphs[0].runs[0].underline and bold(right.paragraphs[0])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in all_text(document)
    paragraphs = [p.text for p in document.paragraphs]
    at = paragraphs.index("II. TỔ CHỨC THỰC HIỆN")
    assert paragraphs[at : at + 5] == [
        "II. TỔ CHỨC THỰC HIỆN",
        "1. Liên đoàn Lao động tỉnh Lai Châu",
        "- Xây dựng kế hoạch tuyên truyền trong công nhân, viên chức, lao động.",
        "2. Các CĐCS",
        "- Tổ chức sinh hoạt chuyên đề đến đoàn viên.",
    ]
    recipients, signer = document.tables[-1].rows[0].cells
    assert lines(recipients) == [
        "Nơi nhận:", "- Liên đoàn Lao động tỉnh Lai Châu;", "- Văn phòng Tỉnh ủy (để biết);",
        "- Lưu: Văn phòng Tỉnh ủy.",
    ]  # fmt: skip
    assert lines(signer)[:2] == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ THƯỜNG TRỰC"] and lines(signer)[-1] == "Vũ Văn Hoàn"


def cong_van() -> dict[str, Any]:
    return {
        "number": "15/LĐLĐ-TGNC",
        "type": "Công văn",
        "issuer": "LDLD_LC",
        "issued_on": "2026-02-05",
        "place": "Lai Châu",
        "summary": "V/v tổ chức tuyên truyền kỷ niệm Ngày thành lập Đảng",
        "signer": {"on_behalf": "KT. CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH", "name": "Lò Thị Ngọc"},
        "report_due": "2026-03-31",
        "body": "Liên đoàn Lao động tỉnh đề nghị các đơn vị tổ chức tuyên truyền phù hợp với điều kiện thực tế.",
        "recipients": [
            {"unit": "LDLD_TD", "role": "act"},
            {"unit": "LDLD_PT", "role": "act"},
            {"unit": "TU_LC", "role": "superior"},
            {"unit": "LDLD_TGNC", "role": "coordinate"},
        ],
    }


def test_a_cong_van_has_its_subject_under_its_number_and_no_title(settings: Settings, tmp_path: Path) -> None:
    launch(write_directive(tmp_path, cong_van()))
    document = render_docx(tmp_path, "15/LĐLĐ-TGNC", "LDLD_LC")
    left, right = document.tables[0].rows[0].cells
    assert lines(left) == [
        "TỔNG LĐLĐ VIỆT NAM", "LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU", "", "Số: 15/LĐLĐ-TGNC",
        "V/v tổ chức tuyên truyền kỷ niệm Ngày thành lập Đảng",
    ]  # fmt: skip
    assert lines(right)[-1] == "Lai Châu, ngày 05 tháng 02 năm 2026"
    paragraphs = [p.text for p in document.paragraphs]
    assert "CÔNG VĂN" not in paragraphs and "Công văn" not in paragraphs  # no title line
    assert paragraphs[:3] == [
        "Kính gửi: - Liên đoàn Lao động huyện Tam Đường;",
        "- Liên đoàn Lao động huyện Phong Thổ.",
        "Liên đoàn Lao động tỉnh đề nghị các đơn vị tổ chức tuyên truyền phù hợp với điều kiện thực tế./.",
    ]
    recipients, signer = document.tables[-1].rows[0].cells
    assert lines(recipients) == [
        "Nơi nhận:", "- Như trên;", "- Tỉnh ủy Lai Châu (để b/c);", "- Ban Tuyên giáo - Nữ công LĐLĐ tỉnh (p/h);",
        "- Lưu: VT.",
    ]  # fmt: skip
    assert lines(signer)[:2] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    with session_scope() as session:
        directive = session.exec(select(Directive).where(Directive.number == "15/LĐLĐ-TGNC")).one()
        rendered = render_document(session, directive)
    assert "Số: 15/LĐLĐ-TGNC\nV/v tổ chức tuyên truyền" in rendered.text and "<h1" not in rendered.html


def test_an_unknown_directive_or_a_wrong_file_is_refused_and_nothing_written(
    settings: Settings, tmp_path: Path
) -> None:
    launch(seed_file(tmp_path))
    out = tmp_path / "x.docx"
    for args, says in (
        (["999/KH-LĐLĐ", "--issuer", "LDLD_LC"], "no directive numbered '999/KH-LĐLĐ' from LDLD_LC"),
        (["252/KH-LĐLĐ", "--issuer", "LDLD_TD"], "no directive numbered '252/KH-LĐLĐ' from LDLD_TD"),
    ):
        result = CliRunner().invoke(app, ["render", *args, "--out", str(out)])
        assert result.exit_code == 2 and says in result.output and "cascade render" in result.output
    wrong = CliRunner().invoke(app, ["render", "252/KH-LĐLĐ", "--issuer", "LDLD_LC", "--out", str(tmp_path / "x.pdf")])
    assert wrong.exit_code == 2 and "--out must name a .docx file" in wrong.output
    assert list(tmp_path.glob("x.*")) == []


@pytest.fixture
def admin_web(settings: Settings) -> Any:
    application = create_app(with_web(settings, inbox_dir=None))
    with BackgroundServer(application, settings.web.public_host, settings.web.public_port):
        yield settings.web.public_url


def test_the_admin_page_offers_the_same_docx(settings: Settings, tmp_path: Path, admin_web: str) -> None:
    launch(seed_file(tmp_path))
    with session_scope() as session:
        directive_id = session.exec(select(Directive.id).where(Directive.number == "252/KH-LĐLĐ")).one()
    url = f"/admin/directives/{directive_id}/document.docx"
    add_account(ADMIN, "admin", "LDLD_LC")
    with httpx.Client(base_url=admin_web, timeout=30) as client:
        closed = client.get(url)
        assert closed.status_code == 303 and closed.headers["location"].startswith("/admin/login?next=")
        assert log_in(client, ADMIN).status_code == 303
        assert f'href="{url}"' in client.get(f"/admin/directives/{directive_id}").text
        response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''252-KH-L%C4%90L%C4%90.docx" in response.headers["content-disposition"]
    (tmp_path / "download.docx").write_bytes(response.content)
    downloaded = docx.Document(str(tmp_path / "download.docx"))
    cli = render_docx(tmp_path, "252/KH-LĐLĐ", "LDLD_LC")
    assert all_text(downloaded) == all_text(cli) and "Số: 252/KH-LĐLĐ" in all_text(downloaded)


def test_a_youth_union_body_heads_its_document_with_the_youth_union(settings: Settings, tmp_path: Path) -> None:
    # Hướng dẫn 29-HD/TWĐTN-VP: "ĐOÀN TNCS HỒ CHÍ MINH" underlined where the state writes its motto, "***" under
    # the issuer; its number is written as the Party's ("15-TB/TĐTN") but keeps the colon.
    tree = tmp_path / "youth.yaml"
    tree.write_text(
        yaml.safe_dump(
            {"units": [
                {"code": "TDTN_LC", "name": "Ban Chấp hành Tỉnh đoàn Lai Châu", "kind": "youth_union",
                 "parent": None, "email": "tinhdoan@laichau.example", "symbol": "TĐTN",
                 "header": "BCH Đoàn tỉnh Lai Châu"},
                {"code": "DX_BG", "name": "Đoàn xã Bản Giang", "kind": "youth_base", "parent": "TDTN_LC",
                 "email": "doan-bg@laichau.example"},
            ]},
            allow_unicode=True,
        ),
        encoding="utf-8",
    )  # fmt: skip
    result = CliRunner().invoke(app, ["org", "import", str(tree)])
    assert result.exit_code == 0, result.output
    plan = {**party_plan(), "number": "15-KH/TĐTN", "issuer": "TDTN_LC", "archive": "VP",
            "recipients": [{"unit": "DX_BG", "role": "act"}], "tasks": []}  # fmt: skip
    launch(write_directive(tmp_path, plan))
    document = render_docx(tmp_path, "15-KH/TĐTN", "TDTN_LC")
    left, right = document.tables[0].rows[0].cells
    assert lines(left) == ["BCH ĐOÀN TỈNH LAI CHÂU", "BAN CHẤP HÀNH TỈNH ĐOÀN LAI CHÂU", "***", "Số: 15-KH/TĐTN"]
    assert lines(right) == ["ĐOÀN TNCS HỒ CHÍ MINH", "Lai Châu, ngày 09 tháng 3 năm 2026"]
    assert right.paragraphs[0].runs[0].underline and bold(right.paragraphs[0])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in all_text(document)


def test_a_table_in_the_body_is_set_as_a_table_everywhere(settings: Settings, tmp_path: Path) -> None:
    plan = cong_van()
    plan["body"] = "\n".join([
        "Liên đoàn Lao động tỉnh đề nghị các đơn vị tổ chức các hoạt động sau:",
        "",
        "| STT | Hoạt động | Đơn vị chủ trì | Số buổi |",
        "|---|---|---|---|",
        "| 1 | Tọa đàm *Đảng với Công đoàn* | LĐLĐ huyện Tam Đường | 2 |",
        "| 2 | Thi tìm hiểu trực tuyến | LĐLĐ huyện Phong Thổ | 1.250 |",
        "",
        "Các đơn vị báo cáo kết quả trước ngày 31/3/2026.",
    ])  # fmt: skip
    launch(write_directive(tmp_path, plan))
    document = render_docx(tmp_path, "15/LĐLĐ-TGNC", "LDLD_LC")
    tables = [t for t in document.tables if len(t.columns) == 4]
    assert len(tables) == 1
    assert [[c.text for c in row.cells] for row in tables[0].rows] == [
        ["STT", "Hoạt động", "Đơn vị chủ trì", "Số buổi"],
        ["1", "Tọa đàm Đảng với Công đoàn", "LĐLĐ huyện Tam Đường", "2"],
        ["2", "Thi tìm hiểu trực tuyến", "LĐLĐ huyện Phong Thổ", "1.250"],
    ]
    assert not any(p.text.startswith("|") for p in document.paragraphs)
    with session_scope() as session:
        directive = session.exec(select(Directive).where(Directive.number == "15/LĐLĐ-TGNC")).one()
        rendered = render_document(session, directive)
    assert "STT | Hoạt động | Đơn vị chủ trì | Số buổi\n1 | Tọa đàm" in rendered.text
    assert re.search(r"<th[^>]*>Đơn vị chủ trì</th>", rendered.html)
    assert re.search(r'<td style="[^"]*text-align:right">1.250</td>', rendered.html)  # figures set right
    assert "|---" not in rendered.text and "|---" not in rendered.html


def test_a_decision_states_its_authority_and_grounds_before_its_articles(settings: Settings, tmp_path: Path) -> None:
    plan = {**party_plan(), "number": "230/QĐ-LĐLĐ", "type": "QUYẾT ĐỊNH", "issuer": "LDLD_LC",
            "summary": "Về việc tổ chức Hội thi an toàn, vệ sinh viên giỏi năm 2022",
            "basis": "18/KH-TLĐ", "basis_issued_on": "2022-01-24", "basis_issuer": "Tổng Liên đoàn Lao động Việt Nam",
            "signer": {"on_behalf": "TM. BAN THƯỜNG VỤ", "title": "CHỦ TỊCH", "name": "Nguyễn Thị Thiện"},
            "tasks": [], "recipients": [{"unit": "LDLD_TD", "role": "act"}]}  # fmt: skip
    plan["body"] = "\n\n".join([
        "BAN THƯỜNG VỤ LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU",
        "Căn cứ Kế hoạch số 18/KH-TLĐ ngày 24/01/2022 của Tổng Liên đoàn Lao động Việt Nam;",
        "Xét đề nghị của Ban Chính sách - Pháp luật,",
        "QUYẾT ĐỊNH:",
        "Điều 1. Tổ chức Hội thi an toàn, vệ sinh viên giỏi năm 2022.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
    ])  # fmt: skip
    launch(write_directive(tmp_path, plan))
    document = render_docx(tmp_path, "230/QĐ-LĐLĐ", "LDLD_LC")
    texts = [p.text for p in document.paragraphs]
    at = texts.index("BAN THƯỜNG VỤ LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU")
    assert texts[at : at + 5] == [
        "BAN THƯỜNG VỤ LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU",
        "Căn cứ Kế hoạch số 18/KH-TLĐ ngày 24/01/2022 của Tổng Liên đoàn Lao động Việt Nam;",
        "Xét đề nghị của Ban Chính sách - Pháp luật,",
        "QUYẾT ĐỊNH:",
        "Điều 1. Tổ chức Hội thi an toàn, vệ sinh viên giỏi năm 2022.",
    ]
    authority, grounds, proposal, decides = (find(document, t) for t in texts[at : at + 4])
    for centred in (authority, decides):
        assert bold(centred) and centred.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(r.italic for p in (grounds, proposal) for r in p.runs if r.text.strip())
    # the decision says its own grounds: no "Thực hiện Kế hoạch số 18/KH-TLĐ …, … ban hành Quyết định" is made up
    assert not any(t.startswith("Thực hiện") for t in texts)
