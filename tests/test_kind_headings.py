"""A kind's words taken from its units' names, through a real database (SQLite, or PostgreSQL when the run has
one) and a real .docx: the words every active unit of the kind in the whole tree is called by, up to where a
proper name begins; never a place-name prefix some of them share ("Các trường Tiểu học Hòa", "Các xã Ea")."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from sqlmodel import select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.directives.directivefile import parse_directive
from cascade.directives.store import store_directive
from cascade.documents.docx_writer import directive_docx
from cascade.documents.kind_names import kind_names
from cascade.org.orgtree import import_org, parse_org
from models import Directive, Unit

BUONS = ["Ko Tam", "Ea Sar", "Cư Kty", "Hra Ea", "Ea Mta", "Drai Si"]


def unit(code: str, name: str, kind: str, parent: str | None = "PGD") -> str:
    where = f"parent: {parent or 'null'}, email: {code.lower()}@t.example"
    return f"  - {{code: {code}, name: {name}, kind: {kind}, {where}}}\n"


ORG = (
    "units:\n"
    + unit("PGD", "Phòng Giáo dục và Đào tạo huyện Krông Pắc", "phong_gddt", None)
    + "".join(unit(f"TH{i}", f"Trường Tiểu học Hòa {w}", "primary_school") for i, w in enumerate(["Thắng", "Phú"]))
    + "".join(unit(f"X{i}", f"Xã Ea {w}", "commune") for i, w in enumerate(["Kênh", "Tu", "Na"]))
    + "".join(
        unit(f"UB{i}", name, "commune_committee")
        for i, name in enumerate(["Ủy ban nhân dân xã Ea Kênh", "ỦY BAN NHÂN DÂN XÃ EA TU"])
    )  # fmt: skip
    # six satellite campuses in buôn, a seventh in a thôn: the kind is "Điểm trường", not "Điểm trường buôn"
    + "".join(unit(f"DT{i}", f"Điểm trường buôn {b}", "satellite_campus") for i, b in enumerate(BUONS))
    + unit("DT9", "Điểm trường thôn Tân Tiến", "satellite_campus")
    + unit("OLD", "Thư viện Krông Pắc", "satellite_campus")  # dissolved below: its name no longer counts
)


@pytest.fixture
def tree(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    with session_scope() as session:
        import_org(session, parse_org(tmp_path / "org.yaml"), source="org.yaml")
        old = session.exec(select(Unit).where(Unit.code == "OLD")).one()
        old.active = False
        session.add(old)


@pytest.mark.usefixtures("tree")
def test_a_kinds_words_stop_where_its_units_proper_names_begin() -> None:
    with session_scope() as session:
        words = kind_names(session, ["primary_school", "commune", "commune_committee", "satellite_campus"])
    assert words == {
        "primary_school": "Các trường Tiểu học",
        "commune": "Các xã",
        # the same words whatever their case, on SQLite as on PostgreSQL (neither database's LIKE does Vietnamese)
        "commune_committee": "Các ủy ban nhân dân xã",
        "satellite_campus": "Các điểm trường",
    }


@pytest.mark.usefixtures("tree")
def test_a_task_heading_names_the_kind_as_the_whole_tree_calls_it(tmp_path: Path) -> None:
    to = ", ".join(f"DT{i}" for i in range(len(BUONS)))
    recipients = "".join(f"  - {{unit: DT{i}, role: act}}\n" for i in range(len(BUONS)))
    (tmp_path / "d.yaml").write_text(
        f"""
number: 12/KH-PGDĐT
type: KẾ HOẠCH
issuer: PGD
issued_on: '2024-03-05'
place: Krông Pắc
report_due: '2024-06-14'
summary: Tổ chức Ngày Sách và Văn hóa đọc Việt Nam năm 2024
signer: {{title: TRƯỞNG PHÒNG, name: Nguyễn Văn B}}
body: |-
  I. MỤC ĐÍCH, YÊU CẦU

  1. Khơi dậy phong trào đọc sách trong học sinh.
recipients:
{recipients}tasks:
  - {{to: [{to}], text: Tổ chức đọc sách song ngữ Việt – Ê Đê.}}
""",
        encoding="utf-8",
    )
    with session_scope() as session:
        directive = store_directive(session, parse_directive(tmp_path / "d.yaml"))[0]
        assert isinstance(directive, Directive)
        written = [p.text for p in docx.Document(io.BytesIO(directive_docx(session, directive))).paragraphs]
    # the six grouped campuses all sit in a buôn; the tree's seventh does not, so "buôn" is no word of the kind
    assert "1. Các điểm trường" in written
    assert not any("điểm trường buôn" in text for text in written)
