"""Finding a unit by name as a clerk types it: without diacritics, in any case, and an apostrophe in a name
(Ea H'Leo, Cư M'gar, names of the Central Highlands) typed or left out."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cascade.org.orgtree import import_org, parse_org
from cascade.org.unit_search import search_units

TREE = {
    "units": [
        {"code": "SGD", "name": "Sở Giáo dục và Đào tạo tỉnh Đắk Lắk", "kind": "department_of_education",
         "parent": None, "email": "sgd@daklak.example"},
        {"code": "PGD_EH", "name": "Phòng Giáo dục và Đào tạo huyện Ea H'Leo", "kind": "district_office",
         "parent": "SGD", "email": "pgd-eh@daklak.example"},
        {"code": "PGD_CM", "name": "Phòng Giáo dục và Đào tạo huyện Cư M\u2019gar", "kind": "district_office",
         "parent": "SGD", "email": "pgd-cm@daklak.example"},
        {"code": "PGD_BMT", "name": "Phòng Giáo dục và Đào tạo thành phố Buôn Ma Thuột", "kind": "district_office",
         "parent": "SGD", "email": "pgd-bmt@daklak.example"},
    ]
}  # fmt: skip


@pytest.mark.parametrize(
    ("query", "code"),
    [("ea hleo", "PGD_EH"), ("Ea H'Leo", "PGD_EH"), ("EA H\u2019LEO", "PGD_EH"), ("cu mgar", "PGD_CM"),
     ("cư m'gar", "PGD_CM"), ("buon ma thuot", "PGD_BMT")],
)  # fmt: skip
def test_a_name_is_found_however_its_apostrophe_is_typed(engine: Engine, tmp_path: Path, query: str, code: str) -> None:
    tree = tmp_path / "daklak.yaml"
    tree.write_text(yaml.safe_dump(TREE, allow_unicode=True), encoding="utf-8")
    with Session(engine) as session:
        import_org(session, parse_org(tree), source=str(tree))
        session.commit()
        assert [hit.code for hit in search_units(session, query)] == [code]
