"""A directive's status rows as CSV (UTF-8 with BOM, so Excel keeps the diacritics) and as XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from cascade.oversight import ack_overdue

COLUMNS: list[tuple[str, str]] = [
    ("level", "Cấp"),
    ("unit", "Mã đơn vị"),
    ("name", "Tên đơn vị"),
    ("kind", "Loại"),
    ("role", "Vai trò"),
    ("directive", "Văn bản"),
    ("status_label", "Trạng thái"),
    ("edxml", "Mã edXML"),
    ("ack_due", "Hạn xác nhận"),
    ("acknowledged_at", "Đã xác nhận lúc"),
    ("report_due", "Hạn báo cáo"),
    ("implementing_directive", "Văn bản triển khai"),
    ("supervisor", "Đơn vị đôn đốc"),
]
OVERDUE_COLUMNS = [("days_late", "Số ngày quá hạn"), *COLUMNS]


def table(rows: list[dict[str, Any]], columns: list[tuple[str, str]] = COLUMNS) -> list[list[Any]]:
    """Header line then one line per row, in the given column order (missing values empty)."""
    lines: list[list[Any]] = [[label for _, label in columns]]
    for row in rows:
        lines.append([row.get(key) if row.get(key) is not None else "" for key, _ in columns])
    return lines


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(table(rows))
    return buffer.getvalue().encode("utf-8-sig")


def _sheet(workbook: Workbook, title: str, lines: list[list[Any]], first: bool = False) -> None:
    sheet = workbook.active if first else workbook.create_sheet()
    assert sheet is not None
    sheet.title = title
    for line in lines:
        sheet.append(line)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    sheet.freeze_panes = "A2"
    for index, _ in enumerate(lines[0], start=1):
        width = max(len(str(line[index - 1])) for line in lines)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)


def to_xlsx(rows: list[dict[str, Any]], title: str, today: date) -> bytes:
    """Two sheets: every unit's status, and the units late acknowledging."""
    workbook = Workbook()
    _sheet(workbook, "Trạng thái", table(rows), first=True)
    _sheet(workbook, "Quá hạn xác nhận", table(ack_overdue(rows, today), OVERDUE_COLUMNS))
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
