"""Issue 18: errors that teach. Bad input is refused with every problem named (file, line, what was looked at,
what was expected), exit 2 and nothing written; `--partial` writes what could be read with a `# TODO:` on each
field to complete; `--map` names a unit the tree spells otherwise; a scanned PDF says it is one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.directives.docimport import Resolver, UnitRef, import_document, load_units
from tests.test_docimport_files import scanned_pdf

ROOT = Path(__file__).resolve().parents[1]
ORG = ROOT / "examples" / "laichau-2021.yaml"
FOUR_LEVELS = ROOT / "tests" / "data" / "tree-2021-four-levels.yaml"
SEED = ROOT / "tests" / "data" / "docimport" / "252-KH-LDLD.txt"


@pytest.fixture(scope="module")
def units() -> list[UnitRef]:
    return load_units(yaml.safe_load(ORG.read_text(encoding="utf-8")))


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["import-document", *map(str, args)])
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        # "Tổ chức" as Windows-1258 (cp1258) saves it, which is not UTF-8
        ("cp1258.txt", "Số: 1/KH-LĐLĐ\nKẾ HOẠCH\n".encode() + b"T\xf4\xd2 ch\xfa\xf2c", ":3 [file]: not UTF-8"),
        ("empty.txt", b"\n  \n", ":1 [file]: empty.txt is empty"),
        ("no-number.txt", "\n".join(ln for ln in seed_lines() if not ln.startswith("Số:")).encode(), ":1 [number]: no"),
        ("letter.txt", "\n".join(seed_lines()).replace("KẾ HOẠCH", "THƯ NGỎ").encode(), ":7 [type]: 'THƯ NGỎ' is not"),
        # files that are not what their name says, or no file at all: one line each, no traceback
        ("zero.docx", b"", ":1 [file]: zero.docx is empty"),
        ("truncated.docx", b"PK\x03\x04" + b"\x00" * 40, " [file]: truncated.docx is not a readable .docx"),
        ("renamed.pdf", b"PK\x03\x04" + b"\x00" * 40, " [file]: renamed.pdf is not a PDF"),
        ("notes.rtf", b"{\\rtf1 S\\'f4: 1/KH}", " [file]: notes.rtf: a .rtf file is not a type the importer reads"),
    ],
    ids=[
        "not-utf8",
        "empty",
        "no-number",
        "unknown-type",
        "zero-bytes",
        "damaged-docx",
        "renamed-pdf",
        "unknown-file-type",
    ],  # fmt: skip
)
def test_bad_input_is_refused_naming_file_and_line(name: str, content: bytes, expected: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, output = run(path, "--org", ORG, "--report-due", "2021-12-15")
    assert code == 2
    assert f"{path}{expected}" in output, output
    assert "nothing written" in output
    assert [p.name for p in tmp_path.iterdir()] == [name]
    assert "Traceback" not in output


def test_an_unknown_type_says_which_types_are_known(units: list[UnitRef], tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    path.write_text(SEED.read_text(encoding="utf-8").replace("KẾ HOẠCH", "THƯ NGỎ"), encoding="utf-8")
    problems = import_document(path, units, issuer="LDLD_LC").problems
    types = [p for p in problems if p.field == "type"]
    assert len(types) == 1 and "expected one of KẾ HOẠCH, CÔNG VĂN, CHỈ THỊ, QUYẾT ĐỊNH" in types[0].message


def broken_seed() -> str:
    """The seed with four fields unreadable: the number (a draft), the date, the signer's name, one recipient."""
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("Số: 252/KH-LĐLĐ", "Số: …/KH-LĐLĐ").replace("ngày 20 tháng 5 năm 2021", "ngày … tháng 5")
    text = text.replace("\nNguyễn Thị Thiện\n", "\n").replace("- Tổng LĐLĐ Việt Nam;", "- Sở Nội vụ tỉnh;")
    return text


def test_every_unreadable_field_is_named_at_once(units: list[UnitRef], tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_text(broken_seed(), encoding="utf-8")
    lines = broken_seed().splitlines()
    problems = import_document(path, units, issuer="LDLD_LC", report_due=None).problems
    where = {p.field: p.line for p in problems}
    assert sorted(where) == ["issued_on", "number", "place", "recipients", "report_due", "signer"]
    assert where["number"] == lines.index("Số: …/KH-LĐLĐ") + 1
    assert where["recipients"] == lines.index("- Sở Nội vụ tỉnh;") + 1
    assert where["signer"] == lines.index("Nơi nhận:") + 1  # where the footer starts
    by_field = {p.field: p.message for p in problems}
    assert "expected 'Số: N/TYPE-ISSUER'" in by_field["number"]
    assert where["issued_on"] == where["place"] == lines.index("Lai Châu, ngày … tháng 5") + 1
    assert by_field["issued_on"] == (
        "'Lai Châu, ngày … tháng 5' is not a place and date; expected a line like 'Lai Châu, ngày 20 tháng 5 năm 2021'"
    )
    assert "expected the authority ('TM. BAN THƯỜNG VỤ'" in by_field["signer"]
    # the nearest names, accent-insensitive: the tree has the grassroots union of the Sở Nội vụ
    assert "nearest: CĐCS Sở Nội vụ tỉnh Lai Châu [CDVC_CS1]" in by_field["recipients"]


def test_partial_writes_what_was_read_with_a_todo_on_each_missing_field(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_text(broken_seed(), encoding="utf-8")
    code, output = run(path, "--org", ORG, "--issuer", "LDLD_LC", "--partial")
    assert code == 2 and "wrote what it could read" in output
    written = (tmp_path / "broken.directive.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(written)
    assert data["summary"].startswith("Đẩy mạnh công tác tuyên truyền") and data["issuer"] == "LDLD_LC"
    assert data["number"] is None and data["issued_on"] is None and data["signer"]["name"] is None
    assert len(data["tasks"]) == 8 and data["report_to"] == "LDLD_TGNC"
    for key in ("number", "issued_on", "place", "signer", "report_due", "recipients"):
        # the comment stands right above the key it is about
        assert re.search(rf"^# TODO: {key} [^\n]*\n(# TODO: [^\n]*\n)*{key}:", written, re.M), key
    assert "# TODO: recipients (line" in written and "Sở Nội vụ tỉnh" in written


def test_partial_writes_nothing_when_nothing_could_be_read(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf())
    code, output = run(path, "--org", ORG, "--partial")
    assert code == 2 and "nothing written" in output
    assert "scan.pdf has no text layer: it is a scan" in output and "Run OCR on it" in output
    assert [p.name for p in tmp_path.iterdir()] == ["scan.pdf"]


def test_map_names_a_unit_the_tree_spells_otherwise(tmp_path: Path) -> None:
    path = tmp_path / "252.txt"
    path.write_text(SEED.read_text(encoding="utf-8").replace("- Văn phòng Tỉnh ủy;", "- VP Tỉnh ủy Lai Châu cũ;"))
    code, output = run(path, "--org", ORG, "--report-due", "2021-12-15")
    assert code == 2 and "'VP Tỉnh ủy Lai Châu cũ' matches no unit" in output
    assert "nearest: Văn phòng Tỉnh ủy [VP_TU]" in output and "--map 'VP Tỉnh ủy Lai Châu cũ=CODE'" in output
    code, output = run(path, "--org", ORG, "--report-due", "2021-12-15", "--map", "VP Tỉnh ủy Lai Châu cũ=VP_TU")
    assert code == 0, output
    recipients = yaml.safe_load((tmp_path / "252.directive.yaml").read_text(encoding="utf-8"))["recipients"]
    assert {"unit": "VP_TU", "role": "superior"} in recipients


@pytest.mark.parametrize(
    ("entry", "expected"),
    [("LĐLĐ tỉnh", "is not NAME=CODE"), ("LĐLĐ tỉnh=NO_SUCH", "NO_SUCH is not a unit of the org tree")],
)
def test_a_bad_map_is_refused(entry: str, expected: str) -> None:
    code, output = run(SEED, "--org", ORG, "--report-due", "2021-12-15", "--map", entry)
    assert code == 2 and "[map]" in output and expected in output


def test_map_resolves_a_name_that_is_ambiguous_in_the_tree() -> None:
    """A national tree has 54 "LĐLĐ tỉnh": `--map "LĐLĐ tỉnh=LDLD_LC"` says which."""
    units = [
        UnitRef("TLD", "Tổng Liên đoàn Lao động Việt Nam", "confederation"),
        UnitRef("LDLD_LC", "Liên đoàn Lao động tỉnh Lai Châu", "federation", "TLD"),
        UnitRef("LDLD_DB", "Liên đoàn Lao động tỉnh Điện Biên", "federation", "TLD"),
    ]
    assert Resolver(units).resolve_one("LĐLĐ tỉnh")[1] == (
        "'LĐLĐ tỉnh' is ambiguous: it matches LDLD_LC, LDLD_DB; pass --map 'LĐLĐ tỉnh=CODE'"
    )
    assert Resolver(units, aliases={"lien doan lao dong tinh": ["LDLD_LC"]}).resolve_one("TT LĐLĐ tỉnh") == (
        ["LDLD_LC"],
        None,
    )


DISTRICT_LETTER = """LĐLĐ TỈNH LAI CHÂU\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
LĐLĐ HUYỆN TAM ĐƯỜNG\tĐộc lập - Tự do - Hạnh phúc
Số: 40/LĐLĐ-TGNC\tTam Đường, ngày 01 tháng 7 năm 2021
V/v báo cáo sơ kết 6 tháng đầu năm 2021
Kính gửi: Các CĐCS trực thuộc.
1. Đánh giá kết quả hoạt động 6 tháng đầu năm 2021.
2. Báo cáo về LĐLĐ huyện (qua Ban Tuyên giáo - Nữ công) trước ngày 10/7/2021.
Nơi nhận:
- Như trên;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Lý Văn Pao
"""


def test_report_routing_looks_for_the_department_under_the_issuer(tmp_path: Path) -> None:
    """The four-level tree has "Ban Tuyên giáo - Nữ công" under the province only: a district's report "qua Ban
    Tuyên giáo - Nữ công" is not sent to the province's department; the importer says the district has none."""
    units = load_units(yaml.safe_load(FOUR_LEVELS.read_text(encoding="utf-8")))
    path = tmp_path / "40.txt"
    path.write_text(DISTRICT_LETTER, encoding="utf-8")
    result = import_document(path, units)
    assert result.directive["issuer"] == "D_TD" and result.directive["report_to"] == "D_TD"
    assert [(p.field, p.line) for p in result.problems] == [("report_to", 7)]
    assert result.problems[0].message.startswith("'Ban Tuyên giáo - Nữ công' is no unit under D_TD")
    with_department = [*units, UnitRef("D_TD_TGNC", "Ban Tuyên giáo - Nữ công LĐLĐ huyện", "department", "D_TD")]
    routed = import_document(path, with_department)
    assert routed.problems == [] and routed.directive["report_to"] == "D_TD_TGNC"
    assert [t["to"] for t in routed.directive["tasks"]] == [["G_TD1", "G_TD2"], ["G_TD1", "G_TD2"]]


@pytest.mark.parametrize(
    ("name", "nearest"),
    [
        ("Lien doan Lao dong huyen Tam Duongg", "Liên đoàn Lao động huyện Tam Đường [LDLD_TD]"),
        ("CĐCS Trường THPT Bình Lu (cũ)", "CĐCS Trường THPT Bình Lư [LDLD_TD_CS1]"),
        ("Sở Y tế tỉnh", "Công đoàn ngành Y tế tỉnh Lai Châu [CDN_YT]"),
    ],
)
def test_an_unmatched_name_lists_the_three_nearest(units: list[UnitRef], name: str, nearest: str) -> None:
    _, error = Resolver(units, context="LDLD_LC").resolve_one(name)
    assert error is not None
    listed = re.search(r"\(nearest: (.*)\); pass --map", error)
    assert listed is not None and nearest in listed.group(1).split(", ")
    assert listed.group(1).count("[") == 3
