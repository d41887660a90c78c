"""Names given as a group of one kind, in state, Party and Đoàn wording alike ("UBND các huyện Vị Xuyên, Bắc
Quang", "Các Sở: Y tế, …", "Ủy ban nhân dân các xã, thị trấn"), and the Nơi nhận lines that name no unit to
send to ("Bộ Y tế (b/c)" mapped to nothing, the issuer's own leaders): printed on the document, never dropped.

The tree is a Hà Giang one (tests/data/docimport/hagiang-2024.yaml: UBND tỉnh, its Sở, two UBND huyện with their
xã and thị trấn, Tỉnh đoàn, Huyện đoàn Vị Xuyên); the codes expected are read off that file by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.directives.directivefile import parse_directive
from cascade.directives.docimport import Resolver, UnitRef, load_units
from cascade.directives.store import store_directive
from cascade.documents.build import document_layout
from cascade.org.orgtree import import_org, parse_org

ORG = Path(__file__).with_name("data") / "docimport" / "hagiang-2024.yaml"


@pytest.fixture(scope="module")
def units() -> list[UnitRef]:
    return load_units(yaml.safe_load(ORG.read_text(encoding="utf-8")))


# (issuer, the line as a document writes it, the units it stands for)
GROUPS = {
    "xã and thị trấn, no names": ("UBND_HG", "Ủy ban nhân dân các xã, thị trấn",
                                  {"UBND_XA_DD", "UBND_XA_PL", "UBND_TT_VX"}),
    "the same under a district": ("UBND_VX", "UBND các xã, thị trấn", {"UBND_XA_DD", "UBND_XA_PL", "UBND_TT_VX"}),
    "Các Sở: names after a colon": ("UBND_HG", "Các Sở: Y tế, Giáo dục và Đào tạo, Tài chính",
                                    {"SYT", "SGDDT", "STC"}),
    "UBND các huyện, names": ("UBND_HG", "UBND các huyện Vị Xuyên, Bắc Quang", {"UBND_VX", "UBND_BQ"}),
    "names joined by và": ("SYT", "Ủy ban nhân dân các huyện Vị Xuyên và Bắc Quang", {"UBND_VX", "UBND_BQ"}),
    "a kind of several words": ("SGDDT", "Phòng Giáo dục và Đào tạo các huyện Vị Xuyên, Bắc Quang",
                                {"PGD_VX", "PGD_BQ"}),
    "GD&ĐT folded": ("SGDDT", "Phòng GD&ĐT các huyện Vị Xuyên, Bắc Quang", {"PGD_VX", "PGD_BQ"}),
    "GDĐT folded": ("UBND_HG", "Sở GDĐT", {"SGDDT"}),
    "a title before the kind": ("UBND_HG", "Giám đốc các sở: Nội vụ, Giáo dục và Đào tạo, Y tế, Tài chính",
                                {"SNV", "SGDDT", "SYT", "STC"}),
    "Chủ tịch UBND các huyện": ("UBND_HG", "Chủ tịch UBND các huyện Vị Xuyên, Bắc Quang", {"UBND_VX", "UBND_BQ"}),
    "Thủ trưởng các sở": ("UBND_HG", "Thủ trưởng các sở", {"SGDDT", "SYT", "SNV", "STC", "SLDTBXH"}),
    "another name first": ("UBND_HG", "Sở Y tế, UBND các huyện Vị Xuyên, Bắc Quang", {"SYT", "UBND_VX", "UBND_BQ"}),
    "Đoàn các xã": ("TD_HG", "Ban Thường vụ Đoàn các xã Đạo Đức, Phú Linh", {"DX_DD", "DX_PL"}),
    "people beside the units": ("UBND_HG", "Chủ tịch UBND các huyện Vị Xuyên, Bắc Quang và các ông (bà) có tên"
                                " tại Điều 1", {"UBND_VX", "UBND_BQ"}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(GROUPS))
def test_a_group_of_one_kind_stands_for_each_unit(case: str, units: list[UnitRef]) -> None:
    issuer, line, expected = GROUPS[case]
    codes, errors = Resolver(units, context=issuer).resolve_list(line)
    assert errors == []
    assert set(codes) == expected and len(codes) == len(expected)


# A level word with no names: the units so named directly under the issuer, else at the nearest single level below
# it that has some; never a department (a part of a unit), unless the words name the issuer's own departments.
LEVELS = {
    # No Phòng is a child of the UBND tỉnh: the two Phòng GD&ĐT under the Sở, not the Sở's own Phòng Giáo dục
    # Trung học (a department).
    "Các phòng, a level further down": ("UBND_HG", "Các phòng", {"PGD_VX", "PGD_BQ"}),
    # The Sở's own schools; Trường THCS thị trấn Vị Xuyên hears it from the Phòng above it.
    "Các trường, one level only": ("SGDDT", "Các trường", {"THPT_CHUYEN", "THPT_VX"}),
    # The Sở, not the UBND tỉnh's own Văn phòng.
    "Các sở, ban, ngành": ("UBND_HG", "Các sở, ban, ngành", {"SGDDT", "SYT", "SNV", "STC", "SLDTBXH"}),
    "Các phòng of a Sở": ("SGDDT", "Các phòng", {"PGD_VX", "PGD_BQ"}),
    "the issuer's departments: các ban": ("UBND_HG", "Các ban", {"UBND_VP"}),
    "the issuer's departments: các phòng, ban chuyên môn": ("SGDDT", "Các phòng, ban chuyên môn",
                                                           {"SGDDT_GDTRH", "SGDDT_VP"}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(LEVELS))
def test_a_level_word_stands_for_the_nearest_units_so_named(case: str, units: list[UnitRef]) -> None:
    issuer, line, expected = LEVELS[case]
    codes, errors = Resolver(units, context=issuer).resolve_list(line)
    assert errors == []
    assert set(codes) == expected and len(codes) == len(expected)


@pytest.mark.parametrize(("issuer", "line"), [("HD_VX", "Các trường"), ("TD_HG", "Các sở"), ("UBND_HG", "Các ngành")])
def test_a_level_word_that_names_no_unit_is_reported(issuer: str, line: str, units: list[UnitRef]) -> None:
    codes, errors = Resolver(units, context=issuer).resolve_list(line)
    assert codes == []
    assert len(errors) == 1 and errors[0].startswith(f"'{line}' matches no unit of the org tree")


def test_each_name_of_a_group_is_reported_alone(units: list[UnitRef]) -> None:
    codes, errors = Resolver(units, context="UBND_HG").resolve_list("UBND các huyện Vị Xuyên, Hoàng Su Phì, Bắc Quang")
    assert set(codes) == {"UBND_VX", "UBND_BQ"}
    assert len(errors) == 1 and errors[0].startswith("'UBND huyện Hoàng Su Phì' matches no unit of the org tree")


CHI_THI = """ỦY BAN NHÂN DÂN
TỈNH HÀ GIANG
Số: 07/CT-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Giang, ngày 10 tháng 5 năm 2024

CHỈ THỊ
Về việc phòng, chống đuối nước trẻ em trên địa bàn tỉnh

Để chủ động phòng, chống đuối nước trẻ em, Chủ tịch Ủy ban nhân dân tỉnh chỉ thị:
1. Sở Giáo dục và Đào tạo: tổ chức dạy bơi an toàn cho học sinh.
2. Ủy ban nhân dân các huyện Vị Xuyên, Bắc Quang: chỉ đạo Ủy ban nhân dân các xã, thị trấn rà soát ao, hồ.
3. Các Sở, ngành báo cáo kết quả về Ủy ban nhân dân tỉnh trước ngày 30/8/2024.

Nơi nhận:
- Bộ Y tế (b/c);
- TT Tỉnh ủy (b/c);
- Chủ tịch, các PCT UBND tỉnh;
- Các Sở: Y tế, Giáo dục và Đào tạo;
- UBND các huyện Vị Xuyên, Bắc Quang;
- Lưu: VT, KGVX.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Nguyễn Văn Sơn
"""


def test_lines_sent_to_no_unit_are_printed_in_the_noi_nhan(settings: object, tmp_path: Path) -> None:
    """`--map 'Bộ Y tế=-'`: printed only; the issuer's own leaders are printed without being told; both are in the
    rendered Nơi nhận, in the document's words, and neither is a recipient."""
    document = tmp_path / "07-CT-UBND.txt"
    document.write_text(CHI_THI, encoding="utf-8")
    out = tmp_path / "07.yaml"
    runner = CliRunner()
    refused = runner.invoke(app, ["import-document", str(document), "--org", str(ORG), "--out", str(out)])
    assert refused.exit_code == 2 and "'Bộ Y tế' matches no unit" in refused.stderr and not out.exists()
    args = ["import-document", str(document), "--org", str(ORG), "--out", str(out), "--map", "Bộ Y tế=-"]
    imported = runner.invoke(app, args)
    assert imported.exit_code == 0, imported.stderr
    assert "2 Nơi nhận lines printed only" in imported.stderr
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert written["printed"] == ["Bộ Y tế (b/c)", "Chủ tịch, các PCT UBND tỉnh"]
    assert {(r["unit"], r["role"]) for r in written["recipients"]} == {
        ("SGDDT", "act"), ("UBND_VX", "act"), ("UBND_BQ", "act"), ("SYT", "act"), ("TU_HG", "superior"),
    }  # fmt: skip
    assert [(t["to"]) for t in written["tasks"]][:2] == [["SGDDT"], ["UBND_VX", "UBND_BQ"]]
    with session_scope() as session:
        import_org(session, parse_org(ORG), source=str(ORG))
    with session_scope() as session:
        directive, _ = store_directive(session, parse_directive(out))
        lines = document_layout(session, directive).recipients
    assert "- Bộ Y tế (b/c);" in lines and "- Chủ tịch, các PCT UBND tỉnh;" in lines
    assert lines.index("- Bộ Y tế (b/c);") > lines.index("- Tỉnh ủy Hà Giang (để b/c);")
    assert lines[-1] == "- Lưu: VT, KGVX."


def test_a_printed_field_that_is_not_lines_of_text_is_refused(settings: object, tmp_path: Path) -> None:
    document = tmp_path / "07-CT-UBND.txt"
    document.write_text(CHI_THI, encoding="utf-8")
    out = tmp_path / "07.yaml"
    args = ["import-document", str(document), "--org", str(ORG), "--out", str(out), "--map", "Bộ Y tế=-"]
    assert CliRunner().invoke(app, args).exit_code == 0
    out.write_text(out.read_text(encoding="utf-8").replace("- Bộ Y tế (b/c)", "- {unit: BYT}"), encoding="utf-8")
    with pytest.raises(Exception, match="`printed` must be a list of lines of text"):
        parse_directive(out)


DIRECTIVE_POINTS = """ỦY BAN NHÂN DÂN
TỈNH HÀ GIANG
Số: 05/CT-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Giang, ngày 08 tháng 4 năm 2024

CHỈ THỊ
Về việc tăng cường công tác phòng, chống dịch bệnh sốt xuất huyết

Để chủ động phòng, chống dịch bệnh, Chủ tịch Ủy ban nhân dân tỉnh chỉ thị:

1. Sở Tài chính: tham mưu bố trí kinh phí phòng, chống dịch theo quy định.
2. Giao Sở Y tế tổng hợp, báo cáo kết quả thực hiện Chỉ thị về Ủy ban nhân dân tỉnh trước ngày 30/9/2024.
Yêu cầu Sở Y tế báo cáo kết quả thực hiện Chỉ thị này hằng tháng.
3. Giao Sở Tài chính, Sở Y tế phối hợp kiểm tra việc thực hiện.
4. Các đơn vị tăng cường tuyên truyền phòng, chống dịch.

Ủy ban nhân dân tỉnh yêu cầu Thủ trưởng các sở, ban, ngành nghiêm túc thực hiện Chỉ thị này./.

Nơi nhận:
- Các Sở: Y tế, Giáo dục và Đào tạo, Tài chính;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Nguyễn Văn Sơn
"""


def test_a_point_that_gives_work_to_a_unit_is_its_and_the_close_is_no_task(tmp_path: Path) -> None:
    path = tmp_path / "05-CT-UBND.txt"
    path.write_text(DIRECTIVE_POINTS, encoding="utf-8")
    out = tmp_path / "05.yaml"
    result = CliRunner().invoke(app, ["import-document", str(path), "--org", str(ORG), "--out", str(out)])
    assert result.exit_code == 0, result.output
    tasks = yaml.safe_load(out.read_text(encoding="utf-8"))["tasks"]
    assert [(t["to"], t["text"][:30]) for t in tasks] == [
        (["STC"], "tham mưu bố trí kinh phí phòng"),
        (["SYT"], "Giao Sở Y tế tổng hợp, báo cáo"),  # "Giao X …": for X, not for every unit addressed
        (["STC", "SYT"], "Giao Sở Tài chính, Sở Y tế phố"),
        (["SYT", "SGDDT", "STC"], "Các đơn vị tăng cường tuyên tr"),
    ]
    assert tasks[1]["text"].endswith("Yêu cầu Sở Y tế báo cáo kết quả thực hiện Chỉ thị này hằng tháng.")  # a sentence
    assert "yêu cầu" not in tasks[-1]["text"]  # the closing request is the document's, no task's
