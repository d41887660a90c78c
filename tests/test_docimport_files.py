"""The corpus's .docx and .pdf documents, as built here: `python -m tests.test_docimport_files` writes them to
tests/data/documents/, and the tests check that the committed files still hold this text.

The .docx are laid out as Word users lay them out: the heading in a borderless table (one row, the issuer
and number and "V/v" left, the motto and date right; or two rows), the body as paragraphs, the footer
(Nơi nhận beside the signer) in a second table. The .pdf is written by hand (no PDF library is needed): one
Type0 font whose ToUnicode map gives the text layer, each line placed where a word processor puts it, the
two columns of the heading and footer side by side, long paragraphs wrapped as a PDF wraps them. It embeds no
glyphs: it is a text layer to import, not a page to print.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import docx
import pypdf
import pytest
from docx.document import Document

DOCUMENTS = Path(__file__).with_name("data") / "documents"

CV_45_HEAD_LEFT = [
    "TỔNG LĐLĐ VIỆT NAM",
    "LĐLĐ TỈNH LAI CHÂU",
    "Số: 45/LĐLĐ-TGNC",
    "V/v tuyên truyền kỷ niệm 92 năm Ngày thành lập",
    "Công đoàn Việt Nam (28/7/1929 - 28/7/2021)",
]
CV_45_HEAD_RIGHT = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Lai Châu, ngày 02 tháng 7 năm 2021",
]
CV_45_BODY = [
    "Kính gửi:",
    "- LĐLĐ các huyện, thành phố;",
    "- Công đoàn ngành, Công đoàn Viên chức tỉnh;",
    "- CĐCS trực thuộc LĐLĐ tỉnh.",
    "Thực hiện Hướng dẫn số 38/HD-TLĐ ngày 18/6/2021 của Tổng Liên đoàn Lao động Việt Nam về tuyên truyền kỷ"
    " niệm 92 năm Ngày thành lập Công đoàn Việt Nam, Ban Thường vụ LĐLĐ tỉnh đề nghị các đơn vị triển khai thực"
    " hiện một số nội dung sau:",
    "1. Tuyên truyền về lịch sử, truyền thống vẻ vang của giai cấp công nhân và tổ chức Công đoàn Việt Nam;"
    " những đóng góp của tổ chức công đoàn trong sự nghiệp xây dựng và bảo vệ Tổ quốc.",
    "2. Tổ chức treo băng rôn, khẩu hiệu tại trụ sở cơ quan, đơn vị, doanh nghiệp; đăng tải tin, bài trên trang"
    " thông tin điện tử, mạng xã hội của đơn vị. Nội dung khẩu hiệu:",
    "- Nhiệt liệt chào mừng 92 năm Ngày thành lập Công đoàn Việt Nam (28/7/1929 - 28/7/2021)!",
    "- Công đoàn Việt Nam vì quyền, lợi ích hợp pháp, chính đáng của đoàn viên và người lao động!",
    "3. Lồng ghép các hoạt động kỷ niệm với công tác phòng, chống dịch Covid-19; không tổ chức tập trung đông người.",
    "4. Báo cáo kết quả thực hiện về LĐLĐ tỉnh (qua Ban Tuyên giáo - Nữ công) trước ngày 05/8/2021.",
    "Nhận được Công văn này, Ban Thường vụ LĐLĐ tỉnh đề nghị các đơn vị quan tâm, triển khai thực hiện./.",
]
CV_45_FOOT_LEFT = ["Nơi nhận:", "- Như trên;", "- Thường trực LĐLĐ tỉnh;", "- Lưu: VT, TGNC."]
CV_45_FOOT_RIGHT = ["TM. BAN THƯỜNG VỤ", "PHÓ CHỦ TỊCH", "", "", "Lò Thị Hà"]

HD_09_HEAD = [
    ["LĐLĐ TỈNH LAI CHÂU\nCÔNG ĐOÀN NGÀNH GIÁO DỤC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"],
    ["Số: 09/HD-CĐN", "Lai Châu, ngày 20 tháng 9 năm 2021"],
]
HD_09_BODY = [
    "HƯỚNG DẪN",
    "Tổ chức Hội nghị cán bộ, công chức, viên chức và Hội nghị người lao động",
    "năm học 2021 - 2022 trong các cơ sở giáo dục",
    "Căn cứ Nghị định số 04/2015/NĐ-CP ngày 09/01/2015 của Chính phủ về thực hiện dân chủ trong hoạt động của cơ"
    " quan hành chính nhà nước và đơn vị sự nghiệp công lập;",
    "Căn cứ Thông tư số 11/2020/TT-BGDĐT ngày 19/5/2020 của Bộ Giáo dục và Đào tạo hướng dẫn thực hiện dân chủ"
    " trong hoạt động của cơ sở giáo dục công lập;",
    "Ban Thường vụ Công đoàn ngành Giáo dục hướng dẫn tổ chức Hội nghị cán bộ, công chức, viên chức (CBCCVC) năm"
    " học 2021 - 2022 như sau:",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "- Phát huy quyền làm chủ của CBCCVC, người lao động; góp phần thực hiện thắng lợi nhiệm vụ năm học.",
    "- Hội nghị được tổ chức dân chủ, đúng quy trình, không hình thức; hoàn thành trước ngày 31/10/2021.",
    "II. NỘI DUNG HỘI NGHỊ",
    "1. Kiểm điểm việc thực hiện nghị quyết Hội nghị năm học 2020 - 2021; thảo luận, biểu quyết chỉ tiêu, nhiệm"
    " vụ năm học 2021 - 2022.",
    "2. Sửa đổi, bổ sung quy chế chi tiêu nội bộ, quy chế dân chủ của đơn vị; bầu Ban Thanh tra nhân dân.",
    "III. TỔ CHỨC THỰC HIỆN",
    "1. Công đoàn ngành",
    "- Phối hợp với Sở Giáo dục và Đào tạo chỉ đạo, hướng dẫn, kiểm tra việc tổ chức Hội nghị tại các đơn vị.",
    "2. Công đoàn cơ sở",
    "- Chủ động phối hợp với thủ trưởng đơn vị xây dựng kế hoạch, tổ chức Hội nghị đúng thời gian quy định.",
    "- Báo cáo kết quả tổ chức Hội nghị về Công đoàn ngành chậm nhất ngày 30/11/2021 (kèm theo biên bản, nghị"
    " quyết Hội nghị).",
]
HD_09_FOOT_LEFT = ["Nơi nhận:", "- LĐLĐ tỉnh (b/c);", "- Sở GD&ĐT (p/h);", "- Các CĐCS (t/h);", "- Lưu: VT."]
HD_09_FOOT_RIGHT = ["Q. CHỦ TỊCH", "", "(Đã ký)", "", "Lò Thị Bích"]

# (left column, right column) per heading and footer row; the body as paragraphs, wrapped to 95 characters.
CV_318_HEAD = [
    ("TỔNG LĐLĐ VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("LĐLĐ TỈNH LAI CHÂU", "Độc lập - Tự do - Hạnh phúc"),
    ("Số: 318/LĐLĐ-CSPL", "Lai Châu, ngày 06 tháng 12 năm 2021"),
    ("V/v kiểm tra việc thực hiện chế độ tiền lương,", ""),
    ("thưởng Tết Nguyên đán Nhâm Dần năm 2022", ""),
]
CV_318_BODY = [
    "Kính gửi: LĐLĐ các huyện, thành phố.",
    "Thực hiện Công văn số 2350/TLĐ-CSPL ngày 26/11/2021 của Tổng Liên đoàn Lao động Việt Nam về việc theo dõi,"
    " nắm tình hình tiền lương, thưởng Tết năm 2022, Ban Thường vụ LĐLĐ tỉnh đề nghị LĐLĐ các huyện, thành phố"
    " thực hiện một số nội dung sau:",
    "1. Chỉ đạo công đoàn cơ sở trong các doanh nghiệp nắm tình hình tiền lương, thưởng Tết Nguyên đán Nhâm Dần"
    " năm 2022 của người lao động; kịp thời kiến nghị doanh nghiệp trả lương, thưởng đầy đủ, đúng hạn.",
    "2. Phối hợp với Phòng Lao động - Thương binh và Xã hội cấp huyện kiểm tra việc thực hiện chế độ tiền lương,"
    " thưởng Tết tại một số doanh nghiệp có đông lao động.",
    "3. Tổng hợp, báo cáo kết quả về LĐLĐ tỉnh (qua Ban Chính sách - Pháp luật) trước 16 giờ 00 ngày 24/12/2021"
    " (theo đề cương gửi kèm).",
    "Đề nghị các đơn vị quan tâm, triển khai thực hiện./.",
]
CV_318_FOOT = [
    ("Nơi nhận:", "KT. CHỦ TỊCH"),
    ("- Như trên;", "PHÓ CHỦ TỊCH"),
    ("- TT LĐLĐ tỉnh;", ""),
    ("- Lưu: VT, CSPL.", ""),
    ("", "Vũ Văn Long"),
]


def _borderless_table(document: Document, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text


def build_cv_45(path: Path) -> None:
    """Công văn 45/LĐLĐ-TGNC: the usual one-row heading table, the date right of the "V/v" lines."""
    document = docx.Document()
    _borderless_table(document, [["\n".join(CV_45_HEAD_LEFT), "\n".join(CV_45_HEAD_RIGHT)]])
    for text in CV_45_BODY:
        document.add_paragraph(text)
    _borderless_table(document, [["\n".join(CV_45_FOOT_LEFT), "\n".join(CV_45_FOOT_RIGHT)]])
    document.save(str(path))


def build_hd_09(path: Path) -> None:
    """Hướng dẫn 09/HD-CĐN: a two-row heading table (names and motto, then number and date)."""
    document = docx.Document()
    _borderless_table(document, HD_09_HEAD)
    for text in HD_09_BODY:
        paragraph = document.add_paragraph()
        paragraph.add_run(text).bold = text.isupper()
    _borderless_table(document, [["\n".join(HD_09_FOOT_LEFT), "\n".join(HD_09_FOOT_RIGHT)]])
    document.save(str(path))


def make_pdf(pages: list[list[tuple[float, float, str]]]) -> bytes:
    """A PDF whose pages hold these (x, y, text) lines, in points from the bottom left of an A4 page."""
    chars = sorted({c for page in pages for _, _, text in page for c in text})
    cid = {c: i + 1 for i, c in enumerate(chars)}
    cmap = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    pairs = [f"<{cid[c]:04X}> <{c.encode('utf-16-be').hex().upper()}>" for c in chars]
    for i in range(0, len(pairs), 100):
        cmap += [f"{len(pairs[i : i + 100])} beginbfchar", *pairs[i : i + 100], "endbfchar"]
    cmap.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes) -> bytes:
        return f"<< /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"

    to_unicode = add(stream("\n".join(cmap).encode()))
    system = "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
    cidfont = add(f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TimesNewRoman {system} /DW 500 >>".encode())
    font = add(
        f"<< /Type /Font /Subtype /Type0 /BaseFont /TimesNewRoman /Encoding /Identity-H /DescendantFonts"
        f" [{cidfont} 0 R] /ToUnicode {to_unicode} 0 R >>".encode()
    )
    pages_id = len(objects) + 2 * len(pages) + 1
    kids = []
    for page in pages:
        ops = ["BT", "/F1 12 Tf"]
        ops += [f"1 0 0 1 {x} {y} Tm <{''.join(f'{cid[c]:04X}' for c in text)}> Tj" for x, y, text in page]
        content = add(stream("\n".join([*ops, "ET"]).encode()))
        resources = f"/Resources << /Font << /F1 {font} 0 R >> >>"
        kids.append(
            add(
                f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 595 842] {resources} /Contents {content} 0 R"
                " >>".encode()
            )
        )
    add(f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode())
    catalog = add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode())
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def cv_318_rows() -> list[list[tuple[float, str]]]:
    """The lines of Công văn 318/LĐLĐ-CSPL top to bottom, each a row of (x, text): two cells side by side in
    the heading and the footer, the body's paragraphs wrapped."""
    rows: list[list[tuple[float, str]]] = []
    for left, right in CV_318_HEAD:
        rows.append([(60.0, left)] + ([(330.0, right)] if right else []))
    for paragraph in CV_318_BODY:
        rows += [[(85.0, line)] for line in textwrap.wrap(paragraph, 95)]
    for left, right in CV_318_FOOT:
        rows.append(([(60.0, left)] if left else []) + ([(330.0, right)] if right else []))
    return rows


def build_cv_318(path: Path) -> None:
    pages: list[list[tuple[float, float, str]]] = [[]]
    y = 800.0
    for row in cv_318_rows():
        y -= 15
        if y < 60:
            pages.append([])
            y = 785.0
        pages[-1].extend((x, y, text) for x, text in row)
    path.write_bytes(make_pdf(pages))


def scanned_pdf() -> bytes:
    """A page with no text layer, as a scanner makes it (here blank: what matters is that no text is there)."""
    return make_pdf([[]])


BUILDERS = {
    "02-cv-ldld-tgnc.docx": build_cv_45,
    "08-hd-cdn-gd-hoinghi.docx": build_hd_09,
    "14-cv-ldld-cspl.pdf": build_cv_318,
}


def _docx_text(path: Path) -> list[str]:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return [p.text for p in document.paragraphs] + cells


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_committed_file_is_what_the_builder_writes(name: str, tmp_path: Path) -> None:
    committed, fresh = DOCUMENTS / name, tmp_path / name
    BUILDERS[name](fresh)
    if name.endswith(".pdf"):
        assert committed.read_bytes() == fresh.read_bytes()
    else:  # a .docx zip carries its creation time: compare the text
        assert _docx_text(committed) == _docx_text(fresh)


def test_the_pdf_has_a_text_layer_with_diacritics() -> None:
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(DOCUMENTS / "14-cv-ldld-cspl.pdf").pages)
    assert "Thưởng Tết" not in text and "thưởng Tết Nguyên đán Nhâm Dần năm 2022" in text


if __name__ == "__main__":
    for file_name, build in BUILDERS.items():
        build(DOCUMENTS / file_name)
        print("wrote", DOCUMENTS / file_name)
