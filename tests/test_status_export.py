"""CSV and XLSX exports of a big directive, streamed from SQL in chunks (cascade/status/page.py export_chunks,
cascade/status/export.py csv_stream / write_xlsx), and the small ones unchanged. Over real HTTP on a real SQLite file
(or PostgreSQL with CASCADE_TEST_DATABASE_URL), with the 608-unit directive of tests/test_status_paging.py."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import web.admin_exports
from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.rendering.render import STATUS_LABELS
from cascade.status.export import COLUMNS, OVERDUE_COLUMNS, table, to_xlsx, write_xlsx
from cascade.status.oversight import today_vn
from cascade.status.page import TREE_LIMIT, export_chunks
from cascade.status.summary import summarise
from cascade.status.tree import directive_status
from models import Directive
from tests.test_status_artifact import CODES, late_units, supervised, two_level_sample
from tests.test_status_paging import admin_web, big  # noqa: F401  (fixtures)

HEADER = [label for _, label in COLUMNS]
BOM = b"\xef\xbb\xbf"


def no_tree(*_: Any) -> Any:
    raise AssertionError("a big directive's export built the whole status tree")


def csv_lines(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv; charset=utf-8")
    assert response.content.startswith(BOM) and not response.content[3:].startswith(BOM)
    return list(csv.reader(io.StringIO(response.content[3:].decode("utf-8"), newline="")))


def old_to_csv(rows: list[dict[str, Any]]) -> bytes:
    """to_csv as it was before the exports streamed: the reference for the small directives' bytes."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(table(rows))
    return buffer.getvalue().encode("utf-8-sig")


def sheet_values(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(content))
    return {
        name: [tuple(None if v == "" else v for v in line) for line in book[name].iter_rows(values_only=True)]
        for name in book.sheetnames
    }


def tree_rows(directive_id: int) -> list[dict[str, Any]]:
    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        issuer = "Liên đoàn Lao động tỉnh Lai Châu"
        return supervised(directive_status(session, directive)["units"], issuer)


def test_big_csv_streams_one_row_per_unit_with_sql_statuses(
    big: dict[str, Any],  # noqa: F811
    admin_web: httpx.Client,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(web.admin_exports, "tree_rows", no_tree)
    codes = big["codes"]
    assert len(codes) == 608 > TREE_LIMIT
    with admin_web.stream("GET", f"/admin/directives/{big['id']}/export.csv") as response:
        assert "content-length" not in response.headers  # streamed, not built whole
        assert response.headers["transfer-encoding"] == "chunked"
        assert "attachment" in response.headers["content-disposition"]
        response.read()
    lines = csv_lines(response)
    assert lines[0] == HEADER and len(lines) == 1 + 608
    rows = [dict(zip(HEADER, line, strict=True)) for line in lines[1:]]
    names = [big["names"][c] for c in codes]
    assert [r["Tên đơn vị"] for r in rows] == names  # one level, one role: unit code order, once each
    status = [big["status"][c] for c in codes]  # each row's unit's status, by position
    assert [r["Trạng thái"] for r in rows] == [STATUS_LABELS[s] for s in status]
    with session_scope() as session:
        counts = summarise(session, big["id"], today_vn(), limit=0, named=0).counts
    assert Counter(r["Trạng thái"] for r in rows) == {STATUS_LABELS[s]: n for s, n in counts.items()}
    assert sum(counts.values()) == 608 and counts["refused"] == 13
    assert {r["Cấp"] for r in rows} == {"1"} and {r["Văn bản"] for r in rows} == {big["number"]}
    assert all(r["Đơn vị đôn đốc"] == "Tổng Liên đoàn Lao động Việt Nam" for r in rows)
    assert any("đoàn" in r["Tên đơn vị"] for r in rows)  # the diacritics survive the round trip
    acknowledged = [r for r, s in zip(rows, status, strict=True) if s == "acknowledged"]
    # 03:00 UTC is 10:00 in Vietnam, written the Vietnamese way
    assert acknowledged and all(r["Đã xác nhận lúc"] == "10:00 16/09/2025" for r in acknowledged)
    assert all(r["Mã edXML"] == "" or len(r["Mã edXML"]) == 2 for r in rows)
    assert {r["Vai trò"] for r in rows} == {"Thực hiện"} and {r["Loại đơn vị"] for r in rows} == {
        "Liên đoàn Lao động tỉnh, thành phố",
        "Công đoàn ngành",
        "Công đoàn cơ sở",
    }
    late = {c for c in big["overdue"]}
    for r, code in zip(rows, codes, strict=True):  # late to acknowledge, in working days; not late: empty
        assert (r["Quá hạn xác nhận (ngày làm việc)"] != "") == (code in late), code
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", r["Hạn xác nhận"]) and not CODES.search(",".join(r.values()))


def test_big_xlsx_is_written_in_write_only_mode_with_both_sheets(
    big: dict[str, Any],  # noqa: F811
    admin_web: httpx.Client,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(web.admin_exports, "tree_rows", no_tree)
    response = admin_web.get(f"/admin/directives/{big['id']}/export.xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "trang-thai-" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Trạng thái", "Quá hạn xác nhận"]
    assert book.properties.title and book.properties.title.startswith(big["number"])
    sheet, late = book["Trạng thái"], book["Quá hạn xác nhận"]
    assert sheet.max_row == 1 + 608 and late.max_row == 1 + len(big["overdue"]) == 407
    assert [c.value for c in sheet[1]] == HEADER and sheet[1][0].font.b and sheet.freeze_panes == "A2"
    assert [c.value for c in late[1]] == [label for _, label in OVERDUE_COLUMNS]
    found = [(line[1], line[5]) for line in sheet.iter_rows(min_row=2, values_only=True)]
    assert found == [(big["names"][c], STATUS_LABELS[big["status"][c]]) for c in big["codes"]]
    overdue = list(late.iter_rows(min_row=2, values_only=True))
    # most overdue first; all due the same day: by code
    assert [line[2] for line in overdue] == [big["names"][c] for c in big["overdue"]]
    assert all(isinstance(line[0], int) and line[0] > 0 for line in overdue)
    assert 8 <= (sheet.column_dimensions["C"].width or 0) <= 60


def test_export_chunks_cover_every_level_as_the_tree_does(settings: Settings, sample_org: None) -> None:
    """Every row of the two-level sample (24 units and the district's plan below) in chunks of 5: the same
    cells as the tree's rows, in the paged view's order."""
    directive_id = two_level_sample()
    full = tree_rows(directive_id)
    assert any(r["level"] == 2 for r in full)
    with session_scope() as session:
        chunks = list(export_chunks(session, directive_id=directive_id, today=today_vn(), chunk=5))
    assert [len(c) for c in chunks[:-1]] == [5] * (len(chunks) - 1) and 0 < len(chunks[-1]) <= 5
    streamed = [row for chunk in chunks for row in chunk]
    assert sorted(table(streamed)[1:], key=repr) == sorted(table(full)[1:], key=repr)
    assert [r["level"] for r in streamed] == sorted(r["level"] for r in streamed)


def test_small_exports_keep_the_tree_bytes_and_streaming_gives_the_same_cells(
    settings: Settings,
    sample_org: None,
    admin_web: httpx.Client,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    directive_id = two_level_sample()
    full, today = tree_rows(directive_id), today_vn()
    url = f"/admin/directives/{directive_id}/export"
    small_csv, small_xlsx = admin_web.get(url + ".csv"), admin_web.get(url + ".xlsx")
    assert small_csv.content == old_to_csv(full)  # byte for byte, in the tree's order
    assert small_csv.headers["content-length"] == str(len(small_csv.content))
    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        title = f"{directive.number} – {directive.summary}"[:250]
    assert sheet_values(small_xlsx.content) == sheet_values(to_xlsx(full, late_units(full, today), title=title))

    monkeypatch.setattr(web.admin_exports, "TREE_LIMIT", 0)  # the streamed path for the same directive
    monkeypatch.setattr(web.admin_exports, "tree_rows", no_tree)
    lines = csv_lines(admin_web.get(url + ".csv"))
    assert lines[0] == HEADER
    assert sorted(lines[1:]) == sorted([str(v) for v in line] for line in table(full)[1:])
    assert any(line[0] == "2" for line in lines[1:]) and "Liên đoàn Lao động huyện Tam Đường" in {
        line[12] for line in lines[1:]
    }
    streamed, before = sheet_values(admin_web.get(url + ".xlsx").content), sheet_values(small_xlsx.content)
    assert streamed.keys() == before.keys()
    assert streamed["Trạng thái"][0] == before["Trạng thái"][0]
    assert sorted(streamed["Trạng thái"][1:], key=repr) == sorted(before["Trạng thái"][1:], key=repr)
    assert streamed["Quá hạn xác nhận"] == before["Quá hạn xác nhận"]  # same order: most overdue first
    # 15 of the province's recipients (23 assigned, less 3 acknowledged and the 5 superiors, never late) and the
    # 3 grassroots unions of the district's plan
    assert len(before["Quá hạn xác nhận"]) == 1 + len(late_units(full, today)) == 1 + 18


def test_status_json_refuses_a_big_directive_and_points_to_the_export(
    big: dict[str, Any],  # noqa: F811
) -> None:
    result = CliRunner().invoke(app, ["status", big["number"], "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "608 units" in result.stderr and f"/admin/directives/{big['id']}/export.csv" in result.stderr
    assert "--limit" in result.stderr


@pytest.mark.usefixtures("sample_org")
def test_status_json_of_a_small_directive_still_lists_every_unit(settings: Settings) -> None:
    directive_id = two_level_sample()
    result = CliRunner().invoke(app, ["status", "252/KH-LĐLĐ", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["units"]) == len(tree_rows(directive_id)) and data["number"] == "252/KH-LĐLĐ"
    assert date.fromisoformat(data["issued_on"])


def test_a_spreadsheet_holds_dates_as_dates_in_both_writers(tmp_path: Path) -> None:
    row = {"name": "LĐLĐ huyện Tam Đường", "ack_due": "2021-05-21", "report_due": "2021-12-15",
           "acknowledged_at": "2021-05-20T02:30:00+00:00"}  # fmt: skip
    unconfirmed = {"name": "CĐCS Trường THCS Nậm Hàng", "ack_due": "2021-05-21", "acknowledged_at": None}
    streamed = tmp_path / "streamed.xlsx"
    write_xlsx(str(streamed), "t", [[row], [unconfirmed]], [[]])  # the second chunk written as the first
    for content in (to_xlsx([row, unconfirmed], [], title="t"), streamed.read_bytes()):
        sheet = load_workbook(io.BytesIO(content))["Trạng thái"]
        header = [c.value for c in sheet[1]]
        later = [sheet.cell(3, 1 + header.index(label)) for label in ("Hạn xác nhận", "Đã xác nhận lúc")]
        assert [c.value for c in later] == [datetime(2021, 5, 21), None] and later[0].number_format == "dd/mm/yyyy"
        header = [c.value for c in sheet[1]]
        cells = {label: sheet.cell(2, 1 + header.index(label)) for label in ("Hạn xác nhận", "Hạn báo cáo",
                                                                              "Đã xác nhận lúc")}  # fmt: skip
        assert {label: c.value for label, c in cells.items()} == {
            "Hạn xác nhận": datetime(2021, 5, 21), "Hạn báo cáo": datetime(2021, 12, 15),
            "Đã xác nhận lúc": datetime(2021, 5, 20, 9, 30),  # Vietnam's time, UTC+7
        }  # fmt: skip
        assert [c.number_format for c in cells.values()] == ["dd/mm/yyyy", "dd/mm/yyyy", "hh:mm dd/mm/yyyy"]
