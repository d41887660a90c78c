"""Every problem the importer writes (in English, for the command line) reads in Vietnamese on the console's draft
page: the messages come from the importer itself, run on documents that go wrong in every way it names (and a
representative of each message no document here reaches), and none keeps an English word once the document's own
words, quoted, are set aside."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from cascade.console.wording import in_vietnamese
from cascade.directives.docimport import Resolver, import_lines, load_units
from cascade.directives.docimport.problems import DocumentReadError
from cascade.directives.docimport.text import document_lines
from tests.test_docimport_files import scanned_pdf

ORG = Path(__file__).with_name("data") / "docimport" / "hagiang-2024.yaml"
UNITS = load_units(yaml.safe_load(ORG.read_text(encoding="utf-8")))
# English words of the importer's messages; a Vietnamese sentence has none of them outside its quotes.
ENGLISH = set(
    "the is not no of or and but it has with under after before expected pass line lines file names name matches"
    " match unit units group document date valid readable type importer reads read save empty text nobody several"
    " ambiguous stands none tasks point heading summary number place signer issuer tree org write meant day"
    " supported layer scan knows known list there which cannot".split()
)
QUOTED = re.compile(r"“[^”]*”|'[^']*'|\S+\.(?:docx|pdf|rtf|txt|md|odt|doc)\b")

GOOD = """ỦY BAN NHÂN DÂN
TỈNH HÀ GIANG
Số: 05/CT-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Hà Giang, ngày 08 tháng 4 năm 2024
CHỈ THỊ
Về việc phòng, chống dịch bệnh
Thực hiện Kế hoạch số 88/KH-UBND ngày 20/02/2024 của Ủy ban nhân dân tỉnh Hà Giang.
1. Sở Y tế: giám sát dịch bệnh.
2. Các đơn vị báo cáo kết quả về Ủy ban nhân dân tỉnh trước ngày 30/9/2024.
Nơi nhận:
- UBND các huyện Vị Xuyên, Bắc Quang;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Nguyễn Văn Sơn"""

# Each a change to GOOD that the importer reports.
BROKEN = {
    "no number line": ("Số: 05/CT-UBND\n", ""),
    "a number line without a number": ("Số: 05/CT-UBND", "Số: năm"),
    "an issue date that does not exist": ("ngày 08 tháng 4", "ngày 31 tháng 2"),
    "a date line without its day": ("Hà Giang, ngày 08 tháng 4 năm 2024", "Hà Giang, ngày … tháng 4"),
    "no date at all": ("Hà Giang, ngày 08 tháng 4 năm 2024\n", ""),
    "no type line": ("CHỈ THỊ\nVề việc phòng, chống dịch bệnh\n", ""),
    "an unknown type": ("CHỈ THỊ\nVề việc phòng", "BIÊN BẢN\nPhòng"),
    "no summary": ("CHỈ THỊ\nVề việc phòng, chống dịch bệnh\nThực hiện Kế hoạch số 88/KH-UBND ngày 20/02/2024 của"
                   " Ủy ban nhân dân tỉnh Hà Giang.\n", "CHỈ THỊ\n"),
    "a basis date that does not exist": ("ngày 20/02/2024", "ngày 31/02/2024"),
    "a report date that does not exist": ("trước ngày 30/9/2024", "trước ngày 31/9/2024"),
    "no report date": ("trước ngày 30/9/2024", "theo quy định"),
    "no signer": ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nNguyễn Văn Sơn", ""),
    "no recipients at all": ("Nơi nhận:\n- UBND các huyện Vị Xuyên, Bắc Quang;\n- Lưu: VT.\n", ""),
    "an unknown name": ("- UBND các huyện Vị Xuyên, Bắc Quang;", "- Bộ Y tế (b/c);"),
    "a name of several units": ("- UBND các huyện Vị Xuyên, Bắc Quang;", "- Ủy ban nhân dân huyện;"),
    "Như trên without Kính gửi": ("- UBND các huyện Vị Xuyên, Bắc Quang;", "- Như trên;"),
    "Như Điều 3 in a chỉ thị": ("- UBND các huyện Vị Xuyên, Bắc Quang;", "- Như Điều 3;"),
    "a point for nobody": ("1. Sở Y tế: giám sát dịch bệnh.\n2. Các đơn vị báo cáo kết quả về Ủy ban nhân dân tỉnh"
                           " trước ngày 30/9/2024.\nNơi nhận:\n- UBND các huyện Vị Xuyên, Bắc Quang;",
                           "1. Giám sát dịch bệnh.\n2. Báo cáo kết quả về Ủy ban nhân dân tỉnh trước ngày 30/9/2024."
                           "\nNơi nhận:\n- TT Tỉnh ủy (b/c);"),
    "a report to an unknown department": ("về Ủy ban nhân dân tỉnh trước", "về Ủy ban nhân dân tỉnh (qua Ban Y) trước"),
}  # fmt: skip
# Nothing tells which UBND issued it: the symbol is every UBND's, and no line names the issuer.
NO_ISSUER = (
    GOOD.replace("ỦY BAN NHÂN DÂN\nTỈNH HÀ GIANG\n", "")
    .replace("về Ủy ban nhân dân tỉnh", "về đơn vị")
    .replace(" của Ủy ban nhân dân tỉnh Hà Giang", "")
)
# Messages no broken document above reaches, as the importer writes them.
REPRESENTATIVES = [
    "group 'Trường THPT' is ambiguous: it matches THPT_CHUYEN, THPT_VX; pass --map 'Trường THPT=CODE'",
    "'Văn phòng' is ambiguous under SGDDT: it matches SGDDT_VP, SGDDT_GDTRH",
    "'LĐLĐ các huyện' stands for district_federation units, none is under UBND_HG (Nơi nhận)",
    "group '' names no unit",
    "group 'Sở Y tế' has no tasks under it",
    "'Sở' names several units",
    "--issuer NOPE is not a unit of the org tree",
    "not resolved, as the issuer is not known (see issuer); pass --issuer CODE",
    "no organisation tree imported yet: run `cascade org import FILE` or pass --org FILE",
    "cannot read /tmp/vb.txt: Permission denied",
    "vb.pdf is not a readable .pdf (EOF marker not found)",
]


def import_messages(text: str, issuer: str | None = None) -> list[str]:
    return [p.message for p in import_lines(text.split("\n"), UNITS, issuer=issuer).problems]


def read_messages() -> list[str]:
    """What reading each bad file says (cascade/directives/docimport/text.py, pdf.py)."""
    bad = {
        "vb.txt": "Sô: 1".encode("latin-1") + b"\xff\x00",
        "trong.txt": b"",
        "hong.docx": b"PK\x03\x04 not a zip",
        "khac.pdf": b"PK\x03\x04" + b"\x00" * 100,
        "quet.pdf": scanned_pdf(),
        "cu.doc": b"\xd0\xcf\x11\xe0",
        "ghichu.rtf": b"{\\rtf1 Kh\\'f4ng}",
    }
    messages = []
    for name, data in bad.items():
        with pytest.raises(DocumentReadError) as caught:
            document_lines(name, data)
        messages.append(caught.value.message)
    return messages


def messages() -> list[str]:
    found = [m for old, new in BROKEN.values() for m in import_messages(GOOD.replace(old, new, 1))]
    found += import_messages(GOOD, issuer="NOPE") + import_messages(NO_ISSUER)
    found += [f"group {e}" for e in Resolver(UNITS, context="UBND_HG").resolve_list("Sở Hoàng Su Phì")[1]]
    return list(dict.fromkeys(found + read_messages() + REPRESENTATIVES))


def english_left(vietnamese: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]+", QUOTED.sub(" ", vietnamese)) if w.lower() in ENGLISH}


def test_every_broken_document_says_what_it_is_meant_to() -> None:
    """Each change to the good document gives a problem, so the messages below are the importer's own."""
    assert import_messages(GOOD) == []
    for case, (old, new) in BROKEN.items():
        assert old in GOOD, case
        assert import_messages(GOOD.replace(old, new, 1)), case
    assert any("does not tell the issuer" in m for m in import_messages(NO_ISSUER))


@pytest.mark.parametrize("message", messages())
def test_every_importer_message_reads_in_vietnamese(message: str) -> None:
    said = in_vietnamese(message)
    assert said != " ".join(message.split()), f"no rule for: {message}"
    assert not english_left(said), f"{message!r} → {said!r}"
    assert "--" not in said and "CODE" not in said  # no command-line options on a page
