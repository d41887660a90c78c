"""Supervisor views behind the administrator's credential: directives, tree counts, overdue, history, export."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.background import BackgroundTask

from cascade.documents.build import file_stem
from cascade.documents.docx_writer import directive_docx
from cascade.rendering.render import vn_date, vn_time
from cascade.status.export import csv_stream, to_csv, to_xlsx, write_xlsx
from cascade.status.oversight import today_vn, unit_history
from cascade.status.page import TREE_LIMIT, export_chunks, late_rows, status_page
from cascade.status.summary import FILTERS, acknowledged_shares, count_rows, level_counts, summarise, tree_size
from cascade.status.tree import tree_rows
from models import Directive, Unit
from web.auth import require_admin
from web.common import app_engine, page

router = APIRouter(prefix="/admin", dependencies=[Depends(require_admin)])


def admin_path(directive_id: int) -> str:
    """Where a directive's supervisor view lives (the Prefect artifact links here)."""
    return f"/admin/directives/{directive_id}"


def _directive(session: Session, directive_id: int) -> Directive:
    # Ids are INTEGER columns: a larger number cannot exist, and the driver would raise on it (found by fuzzing).
    directive = session.get(Directive, directive_id) if 0 < directive_id < 2**31 else None
    if directive is None:
        raise HTTPException(404, "Không tìm thấy văn bản")
    return directive


def _rows(session: Session, directive_id: int) -> list[dict[str, Any]]:
    """Every unit of a small directive's tree, depth first, with the unit that follows it up."""
    return _shown(tree_rows(session, directive_id))


def _late(session: Session, directive_id: int, today: date, status: str) -> list[dict[str, Any]]:
    """A small directive's units late to acknowledge ("overdue") or to report ("report_overdue")."""
    return _shown(late_rows(session, directive_id=directive_id, today=today, status=status))


def _shown(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:  # shown the Vietnamese way, in Vietnam's time
        row["ack_due_vn"] = vn_date(date.fromisoformat(row["ack_due"]))
        row["report_due_vn"] = vn_date(date.fromisoformat(row["report_due"])) if row["report_due"] else ""
        at = row["acknowledged_at"]
        row["acknowledged_vn"] = vn_time(datetime.fromisoformat(at)) if at else ""
    return rows


@router.get("", response_class=HTMLResponse)
def directives(request: Request) -> HTMLResponse:
    """Every directive, the ones issued from files (the tops of cascades) first."""
    with Session(app_engine(request)) as session:
        found = session.exec(
            select(Directive, Unit)
            .join(Unit, col(Unit.id) == col(Directive.issuer_id))
            .order_by(col(Directive.parent_directive_id).is_not(None), col(Directive.issued_on).desc())
            .limit(500)
        ).all()
        shares = acknowledged_shares(session, [d.id for d, _ in found if d.id is not None])
        items = []
        for directive, issuer in found:
            total, done = shares.get(directive.id or 0, (0, 0))
            items.append({"directive": directive, "issuer": issuer, "total": total, "done": done})
    return page("web/admin/index.html", title="Theo dõi văn bản", items=items)


@router.get("/directives/{directive_id}", response_class=HTMLResponse)
def directive_view(
    directive_id: int,
    request: Request,
    page_number: Annotated[int, Query(alias="page", ge=1, le=10**6)] = 1,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """The whole tree up to TREE_LIMIT units (cascade/status/page.py says why); above it, or with a
    ?status= filter, figures from SQL and one page of PAGE_SIZE units (?page=N)."""
    today = today_vn()
    if status and status not in FILTERS:
        raise HTTPException(400, "Bộ lọc trạng thái không hợp lệ")
    with Session(app_engine(request)) as session:
        directive = _directive(session, directive_id)
        issuer = session.get(Unit, directive.issuer_id)
        if status or tree_size(session, directive_id=directive_id) > TREE_LIMIT:
            context = _paged(session, directive_id, today, status or None, page_number)
            title = f"{directive.number} – theo dõi"
            return page("web/admin/directive_paged.html", title=title, directive=directive, issuer=issuer, **context)
        rows, levels = _rows(session, directive_id), level_counts(session, directive_id=directive_id)
        ack_late = _late(session, directive_id, today, "overdue")
        report_late = _late(session, directive_id, today, "report_overdue")
    return page(
        "web/admin/directive.html",
        title=f"{directive.number} – theo dõi",
        directive=directive,
        issuer=issuer,
        rows=rows,
        levels=levels,
        ack_late=ack_late,
        report_late=report_late,
        today=today,
    )


def _paged(session: Session, directive_id: int, today: date, status: str | None, number: int) -> dict[str, Any]:
    """The paged view's figures (GROUP BY queries) and one page of rows: nothing grows with the tree."""
    summary = summarise(session, directive_id, today, limit=0, named=0)
    levels = level_counts(session, directive_id=directive_id)
    shown = status_page(session, directive_id=directive_id, today=today, status=status, page=number)
    _shown(shown.rows)
    counts = summary.counts
    report_late = count_rows(session, directive_id=directive_id, today=today, status="report_overdue")
    figures = {
        "overdue": summary.overdue,
        "unacknowledged": summary.unacknowledged,
        "report_overdue": report_late,
        **counts,
    }
    base = admin_path(directive_id)
    return {
        "today": today,
        "summary": summary,
        "levels": levels,
        "tree_total": sum(line["total"] for line in levels),
        "report_late": report_late,
        "pg": shown,
        "filters": FILTERS,
        "filter_links": [
            {"key": k, "label": label, "count": figures[k]} for k, label in FILTERS.items() if k in figures
        ],
        "base": base,
        "page_href": f"{base}?status={status}&page=" if status else f"{base}?page=",
    }


def _disposition(filename: str) -> dict[str, str]:
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"}


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers=_disposition(filename))


def _export_name(directive: Directive, ext: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in directive.number)
    return f"trang-thai-{safe}.{ext}"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sql_chunks(
    engine: Engine, directive_id: int, today: date, status: str | None = None
) -> Iterator[list[dict[str, Any]]]:
    """A big directive's rows in chunks, from a session of their own: a streamed response outlives the route's."""
    with Session(engine) as session:
        yield from export_chunks(session, directive_id=directive_id, today=today, status=status)


@router.get("/directives/{directive_id}/export.csv")
def export_csv(directive_id: int, request: Request) -> Response:
    """Up to TREE_LIMIT units the whole tree in its order (depth first: each unit, then the units of the
    directive it issued); above it streamed from SQL in chunks, in the paged view's order (level, the directive
    each unit got, role, unit code), so neither the rows nor the file are ever held whole."""
    engine = app_engine(request)
    with Session(engine) as session:
        directive = _directive(session, directive_id)
        name = _export_name(directive, "csv")
        if tree_size(session, directive_id=directive_id) <= TREE_LIMIT:
            return _download(to_csv(_rows(session, directive_id)), "text/csv; charset=utf-8", name)
    chunks = _sql_chunks(engine, directive_id, today_vn())
    return StreamingResponse(csv_stream(chunks), media_type="text/csv; charset=utf-8", headers=_disposition(name))


@router.get("/directives/{directive_id}/export.xlsx")
def export_xlsx(directive_id: int, request: Request) -> Response:
    """The same rows as export.csv (and orders) on a first sheet, the units late acknowledging on a second;
    a big directive's workbook is written in openpyxl's write-only mode to a temporary file, then sent from it."""
    engine, today = app_engine(request), today_vn()
    with Session(engine) as session:
        directive = _directive(session, directive_id)
        name, title = _export_name(directive, "xlsx"), f"{directive.number} – {directive.summary}"[:250]
        if tree_size(session, directive_id=directive_id) <= TREE_LIMIT:
            rows, late = _rows(session, directive_id), _late(session, directive_id, today, "overdue")
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


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/directives/{directive_id}/document.docx")
def document_docx(directive_id: int, request: Request) -> Response:
    """The directive as a .docx laid out as Decree 30 lays it out (`cascade render` writes the same file)."""
    with Session(app_engine(request)) as session:
        directive = _directive(session, directive_id)
        data, name = directive_docx(session, directive), f"{file_stem(directive.number)}.docx"
    return _download(data, DOCX, name)


@router.get("/units/{code}", response_class=HTMLResponse)
def unit_view(code: str, request: Request) -> HTMLResponse:
    """A unit's history: its assignments under every directive, then its audit log."""
    with Session(app_engine(request)) as session:
        unit = session.exec(select(Unit).where(Unit.code == code)).first()
        if unit is None:
            raise HTTPException(404, "Không tìm thấy đơn vị")
        history = unit_history(session, unit)
    return page("web/admin/unit.html", title=f"{unit.name} – lịch sử", **history)
