"""A directive's status exported (CSV, XLSX) and the directive itself as a .docx, for the people whose scope holds
its issuer (anyone else gets the 404 of an unknown directive); and the table rows the console's pages share."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.background import BackgroundTask

from cascade.documents.build import file_stem
from cascade.documents.docx_writer import directive_docx
from cascade.rendering.render import vn_date, vn_time
from cascade.status.export import csv_stream, to_csv, to_xlsx, write_xlsx
from cascade.status.oversight import today_vn
from cascade.status.page import TREE_LIMIT, export_chunks, late_rows
from cascade.status.summary import tree_size
from cascade.status.tree import tree_rows
from models import Directive
from web.admin_scope import directive_or_404
from web.auth import CurrentUser
from web.common import app_engine

router = APIRouter()  # included by web.admin's router, under /admin and its login
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def rows_of(session: Session, directive_id: int) -> list[dict[str, Any]]:
    """Every unit of a small directive's tree, depth first, with the unit that follows it up."""
    return shown(tree_rows(session, directive_id))


def late_of(session: Session, directive_id: int, today: date, status: str) -> list[dict[str, Any]]:
    """A small directive's units late to acknowledge ("overdue") or to report ("report_overdue")."""
    return shown(late_rows(session, directive_id=directive_id, today=today, status=status))


def shown(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:  # shown the Vietnamese way, in Vietnam's time
        row["ack_due_vn"] = vn_date(date.fromisoformat(row["ack_due"])) if row["ack_due"] else ""
        row["report_due_vn"] = vn_date(date.fromisoformat(row["report_due"])) if row["report_due"] else ""
        at = row["acknowledged_at"]
        row["acknowledged_vn"] = vn_time(datetime.fromisoformat(at)) if at else ""
    return rows


def _disposition(filename: str) -> dict[str, str]:
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"}


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers=_disposition(filename))


def _export_name(directive: Directive, ext: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in directive.number)
    return f"trang-thai-{safe}.{ext}"


def _sql_chunks(
    engine: Engine, directive_id: int, today: date, status: str | None = None
) -> Iterator[list[dict[str, Any]]]:
    """A big directive's rows in chunks, from a session of their own: a streamed response outlives the route's."""
    with Session(engine) as session:
        yield from export_chunks(session, directive_id=directive_id, today=today, status=status)


@router.get("/directives/{directive_id}/export.csv")
def export_csv(directive_id: int, request: Request, scope: CurrentUser) -> Response:
    """Up to TREE_LIMIT units the whole tree in its order (depth first: each unit, then the units of the
    directive it issued); above it streamed from SQL in chunks, in the paged view's order (level, the directive
    each unit got, role, unit code), so neither the rows nor the file are ever held whole."""
    engine = app_engine(request)
    with Session(engine) as session:
        directive = directive_or_404(session, scope, directive_id)
        name = _export_name(directive, "csv")
        if tree_size(session, directive_id=directive_id) <= TREE_LIMIT:
            return _download(to_csv(rows_of(session, directive_id)), "text/csv; charset=utf-8", name)
    chunks = _sql_chunks(engine, directive_id, today_vn())
    return StreamingResponse(csv_stream(chunks), media_type="text/csv; charset=utf-8", headers=_disposition(name))


@router.get("/directives/{directive_id}/export.xlsx")
def export_xlsx(directive_id: int, request: Request, scope: CurrentUser) -> Response:
    """The same rows as export.csv (and orders) on a first sheet, the units late acknowledging on a second;
    a big directive's workbook is written in openpyxl's write-only mode to a temporary file, then sent from it."""
    engine, today = app_engine(request), today_vn()
    with Session(engine) as session:
        directive = directive_or_404(session, scope, directive_id)
        name, title = _export_name(directive, "xlsx"), f"{directive.number} – {directive.summary}"[:250]
        if tree_size(session, directive_id=directive_id) <= TREE_LIMIT:
            rows, late = rows_of(session, directive_id), late_of(session, directive_id, today, "overdue")
            return _download(to_xlsx(rows, late, title=title), XLSX, name)
    handle, path = tempfile.mkstemp(prefix="cascade-export-", suffix=".xlsx")
    try:
        with os.fdopen(handle, "wb") as out:
            rows_chunks = _sql_chunks(engine, directive_id, today)
            late_chunks = _sql_chunks(engine, directive_id, today, "overdue")
            write_xlsx(out, title, rows_chunks, late_chunks)
    except BaseException:
        os.unlink(path)
        raise
    return FileResponse(path, media_type=XLSX, headers=_disposition(name), background=BackgroundTask(os.unlink, path))


@router.get("/directives/{directive_id}/document.docx")
def document_docx(directive_id: int, request: Request, scope: CurrentUser) -> Response:
    """The directive as a .docx laid out as Decree 30 lays it out (`cascade render` writes the same file)."""
    with Session(app_engine(request)) as session:
        directive = directive_or_404(session, scope, directive_id)
        data, name = directive_docx(session, directive), f"{file_stem(directive.number)}.docx"
    return _download(data, DOCX, name)
