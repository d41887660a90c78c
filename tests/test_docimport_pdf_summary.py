"""A PDF's text has no blank line after the summary (trích yếu): the summary ends where the body begins, by the
body's first words ("Ngày 27/12/2024, …") or, when they say nothing, by the layout (the body back at the left
margin under a centred summary); a summary of two centred lines stays whole."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cascade.directives.docimport import UnitRef, import_document, load_units
from tests.test_docimport_files import make_pdf

ORG = Path(__file__).with_name("data") / "docimport" / "hagiang-2024.yaml"
SUMMARY = ["Kết luận của Giám đốc Sở Y tế tại buổi làm việc về công tác tiêm chủng", "mở rộng năm 2024"]


def centred(text: str) -> tuple[float, str]:
    return 297.5 - 3 * len(text), text  # make_pdf's glyphs are 6 points wide


def notice(opening: list[str]) -> list[tuple[float, str]]:
    """Thông báo 318/TB-SYT as a PDF lays it out: heading at the left, type and summary centred, body at the margin."""
    return [
        (60.0, "ỦY BAN NHÂN DÂN TỈNH HÀ GIANG"), (60.0, "SỞ Y TẾ"), (60.0, "Số: 318/TB-SYT"),
        centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), centred("Độc lập - Tự do - Hạnh phúc"),
        centred("Hà Giang, ngày 02 tháng 01 năm 2025"), centred("THÔNG BÁO"),
        *(centred(line) for line in SUMMARY),
        *((40.0, line) for line in opening),
        (40.0, "1. Ủy ban nhân dân huyện Vị Xuyên: rà soát đối tượng tiêm chủng."),
        (40.0, "Các đơn vị báo cáo kết quả về Sở Y tế trước ngày 31/3/2025./."),
        (40.0, "Nơi nhận:"), (40.0, "- UBND huyện Vị Xuyên;"), (40.0, "- Lưu: VT."),
        (330.0, "KT. GIÁM ĐỐC"), (330.0, "PHÓ GIÁM ĐỐC"), (330.0, "Lò Thị Hương Giang"),
    ]  # fmt: skip


OPENINGS = {
    "a dated first sentence": ["Ngày 27/12/2024, đồng chí Giám đốc Sở Y tế chủ trì buổi làm việc về tiêm", "chủng."],
    "a first line that ends with a colon": ["Sau buổi làm việc, Giám đốc Sở kết luận như sau:"],
    "only the layout tells": ["Buổi làm việc có đại diện các phòng chức năng của Sở", "và các huyện tham dự."],
}


@pytest.mark.parametrize("case", list(OPENINGS))
def test_the_summary_stops_where_the_body_begins(case: str, tmp_path: Path) -> None:
    units: list[UnitRef] = load_units(yaml.safe_load(ORG.read_text(encoding="utf-8")))
    rows = notice(OPENINGS[case])
    path = tmp_path / "318-TB-SYT.pdf"
    path.write_bytes(make_pdf([[(x, 800.0 - 15 * i, text) for i, (x, text) in enumerate(rows)]]))
    result = import_document(path, units)
    assert result.directive["summary"] == " ".join(SUMMARY), result.problems
    assert result.directive["body"].startswith(OPENINGS[case][0])
