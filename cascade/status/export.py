"""A directive's status rows as CSV (UTF-8 with BOM, so Excel keeps the diacritics) and as XLSX: the file formats
only, the rows come from cascade/status/page.py.

to_csv/to_xlsx take the whole tree's rows (cascade/status/tree.py, a small directive) and the units late
acknowledging (page.py's late_rows); csv_stream/write_xlsx take them in chunks (page.py's export_chunks, a big
one) and hold one chunk at a time: the CSV as a stream of bytes, the XLSX in openpyxl's write-only mode, which
spills each sheet to a temporary file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from cascade.core.workdays import VN_TZ
from cascade.rendering.render import vn_date, vn_time

# What a person reads: units by name, kinds, roles and statuses in words, dates the Vietnamese way, lateness in
# working days; never a unit code, a kind or a role's raw value (those are in `cascade status --json`).
COLUMNS: list[tuple[str, str]] = [
    ("level", "Cấp"),
    ("name", "Tên đơn vị"),
    ("kind_label", "Loại đơn vị"),
    ("role_label", "Vai trò"),
    ("directive", "Văn bản"),
    ("status_label", "Trạng thái"),
    ("edxml", "Mã edXML"),
    ("ack_due", "Hạn xác nhận"),
    ("acknowledged_at", "Đã xác nhận lúc"),
    ("days_late", "Quá hạn xác nhận (ngày làm việc)"),
    ("report_due", "Hạn báo cáo"),
    ("implementing_directive", "Văn bản triển khai"),
    ("supervisor", "Đơn vị đôn đốc"),
    ("recall_refusal", "Lý do không đồng ý thu hồi"),  # a recalled directive's unit that refused (edXML 16)
]
OVERDUE_COLUMNS = [("days_late", "Số ngày làm việc quá hạn"), *(c for c in COLUMNS if c[0] != "days_late")]


def _day(iso: str) -> str:
    return vn_date(date.fromisoformat(iso))


def _moment(iso: str) -> str:
    return vn_time(datetime.fromisoformat(iso))


# The rows carry ISO dates (as `cascade status --json` prints them); a cell shows them as 21/05/2021.
SHOWN: dict[str, Callable[[str], str]] = {"ack_due": _day, "report_due": _day, "acknowledged_at": _moment}


# A text cell beginning with one of these is a formula to a spreadsheet (a unit named "=HYPERLINK(…)").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula, kept as text: prefixed with an apostrophe (OWASP's advice
    for CSV injection); numbers and dates are left as they are."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def cell(row: dict[str, Any], key: str) -> Any:
    """A row's value as its cell shows it: empty when missing, dates the Vietnamese way, formulas inert."""
    value = row.get(key)
    if value is None or (key == "days_late" and value == 0):  # not late: an empty cell, not a column of zeros
        return ""
    return inert(SHOWN[key](value) if key in SHOWN else value)


def table(
    rows: list[dict[str, Any]],
    columns: list[tuple[str, str]] = COLUMNS,
    value: Callable[[dict[str, Any], str], Any] = cell,
) -> list[list[Any]]:
    """Header line then one line per row, in the given column order (`value`'s of each: cell's by default)."""
    lines: list[list[Any]] = [[label for _, label in columns]]
    for row in rows:
        lines.append([value(row, key) for key, _ in columns])
    return lines


# A spreadsheet's dates are dates, shown the Vietnamese way, so that a column sorts and filters by day.
SHEET_FORMATS = {"ack_due": "dd/mm/yyyy", "report_due": "dd/mm/yyyy", "acknowledged_at": "hh:mm dd/mm/yyyy"}


def sheet_cell(row: dict[str, Any], key: str) -> Any:
    """A row's value as a spreadsheet holds it: cell's text, but a date as a date and a moment as Vietnam's
    local time (a spreadsheet has no time zones)."""
    value = row.get(key)
    if value and key in ("ack_due", "report_due"):
        return date.fromisoformat(value)
    if value and key == "acknowledged_at":
        return datetime.fromisoformat(value).astimezone(VN_TZ).replace(tzinfo=None)
    return cell(row, key)


def _width(value: Any) -> int:
    return 16 if isinstance(value, datetime) else 10 if isinstance(value, date) else len(str(value))


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(csv_stream([rows]))


def csv_stream(chunks: Iterable[list[dict[str, Any]]]) -> Iterator[bytes]:
    """The BOM and the header line at once, then each chunk's lines: CRLF, UTF-8, the bytes to_csv wrote."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")  # what "utf-8-sig" put first
    writer.writerow([label for _, label in COLUMNS])
    yield buffer.getvalue().encode("utf-8")  # before the first query answers: the download starts at once
    for chunk in chunks:
        if not chunk:
            continue
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(table(chunk)[1:])
        yield buffer.getvalue().encode("utf-8")


def _sheet(
    workbook: Workbook, title: str, columns: list[tuple[str, str]], rows: list[dict[str, Any]], first: bool = False
) -> None:
    lines = table(rows, columns, sheet_cell)
    sheet = workbook.active if first else workbook.create_sheet()
    assert sheet is not None
    sheet.title = title
    for line in lines:
        sheet.append(line)
    for column, (key, _) in enumerate(columns, start=1):
        if key in SHEET_FORMATS:
            for (found,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                found.number_format = SHEET_FORMATS[key]
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    sheet.freeze_panes = "A2"
    for index, _ in enumerate(lines[0], start=1):
        width = max(_width(line[index - 1]) for line in lines)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)


def to_xlsx(rows: list[dict[str, Any]], overdue: list[dict[str, Any]], title: str) -> bytes:
    """Two sheets: every unit's status, and the units late acknowledging (rows with `days_late`, most overdue
    first)."""
    workbook = Workbook()
    _sheet(workbook, "Trạng thái", COLUMNS, rows, first=True)
    _sheet(workbook, "Quá hạn xác nhận", OVERDUE_COLUMNS, overdue)
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _stream_sheet(
    workbook: Workbook, title: str, columns: list[tuple[str, str]], chunks: Iterable[list[dict[str, Any]]]
) -> int:
    """A write-only sheet styled as _sheet does: bold grey header, frozen first row, widths from the header and
    the first chunk (write-only mode wants them before the first row). Returns how many rows it wrote."""
    sheet = workbook.create_sheet(title)
    parts = iter(chunks)
    first = next(parts, [])
    lines = table(first, columns, sheet_cell)
    for index, _ in enumerate(columns, start=1):
        width = max(_width(line[index - 1]) for line in lines)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    header_fill, bold = PatternFill("solid", fgColor="DDDDDD"), Font(bold=True)
    header = []
    for label in lines[0]:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font, cell.fill = bold, header_fill
        header.append(cell)
    sheet.append(header)
    formats = [SHEET_FORMATS.get(key) for key, _ in columns]

    def dated(line: list[Any]) -> list[Any]:  # write-only mode takes a date's format on a cell of its own
        out: list[Any] = []
        for value, number_format in zip(line, formats, strict=True):
            if number_format and isinstance(value, date):
                value = WriteOnlyCell(sheet, value=value)
                value.number_format = number_format
            out.append(value)
        return out

    written = 0
    for line in lines[1:]:
        sheet.append(dated(line))
        written += 1
    for chunk in parts:
        for line in table(chunk, columns, sheet_cell)[1:]:
            sheet.append(dated(line))
            written += 1
    return written


def write_xlsx(
    target: str | IO[bytes],
    title: str,
    rows: Iterable[list[dict[str, Any]]],
    overdue: Iterable[list[dict[str, Any]]],
) -> None:
    """to_xlsx's two sheets in write-only mode, from chunks of rows: every unit's status, and the units late
    acknowledging (rows with `days_late`, most overdue first, as cascade/status/page.py orders ?status=overdue).
    Memory holds one chunk; openpyxl keeps each sheet in a temporary file until the workbook is saved."""
    workbook = Workbook(write_only=True)
    _stream_sheet(workbook, "Trạng thái", COLUMNS, rows)
    _stream_sheet(workbook, "Quá hạn xác nhận", OVERDUE_COLUMNS, overdue)
    workbook.properties.title = title
    workbook.save(target)
