"""Supervisor views behind the administrator's credential: directives, tree counts, overdue, history, export."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from cascade.export import to_csv, to_xlsx
from cascade.oversight import ack_overdue, level_counts, report_overdue, today_vn, unit_history, with_supervisors
from cascade.render import vn_date, vn_time
from cascade.status import directive_status
from models import ACKNOWLEDGED_STATES, Assignment, Directive, Unit
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


def _rows(session: Session, directive: Directive) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    status = directive_status(session, directive)
    issuer = session.get(Unit, directive.issuer_id)
    rows = with_supervisors(status["units"], issuer.name if issuer else "")
    for row in rows:  # shown the Vietnamese way, in Vietnam's time
        row["ack_due_vn"] = vn_date(date.fromisoformat(row["ack_due"]))
        at = row["acknowledged_at"]
        row["acknowledged_vn"] = vn_time(datetime.fromisoformat(at)) if at else ""
    return status, rows


@router.get("", response_class=HTMLResponse)
def directives(request: Request) -> HTMLResponse:
    """Every directive, the ones issued from files (the tops of cascades) first."""
    with Session(app_engine(request)) as session:
        counts: dict[int, dict[str, int]] = {}
        for directive_id, status, n in session.exec(
            select(Assignment.directive_id, Assignment.status, func.count()).group_by(
                col(Assignment.directive_id), col(Assignment.status)
            )
        ).all():
            counts.setdefault(directive_id, {})[status] = n
        found = session.exec(
            select(Directive, Unit)
            .join(Unit, col(Unit.id) == col(Directive.issuer_id))
            .order_by(col(Directive.parent_directive_id).is_not(None), col(Directive.issued_on).desc())
            .limit(500)
        ).all()
        items = []
        for directive, issuer in found:
            c = counts.get(directive.id or 0, {})
            total = sum(c.values())
            done = sum(n for s, n in c.items() if s in ACKNOWLEDGED_STATES)
            items.append({"directive": directive, "issuer": issuer, "total": total, "done": done})
    return page("web/admin/index.html", title="Theo dõi văn bản", items=items)


@router.get("/directives/{directive_id}", response_class=HTMLResponse)
def directive_view(directive_id: int, request: Request) -> HTMLResponse:
    today = today_vn()
    with Session(app_engine(request)) as session:
        directive = _directive(session, directive_id)
        issuer = session.get(Unit, directive.issuer_id)
        status, rows = _rows(session, directive)
    return page(
        "web/admin/directive.html",
        title=f"{directive.number} – theo dõi",
        directive=directive,
        issuer=issuer,
        status=status,
        rows=rows,
        levels=level_counts(rows),
        ack_late=ack_overdue(rows, today),
        report_late=report_overdue(rows, today),
        today=today,
    )


def _download(content: bytes, media_type: str, filename: str) -> Response:
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


def _export_name(directive: Directive, ext: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in directive.number)
    return f"trang-thai-{safe}.{ext}"


@router.get("/directives/{directive_id}/export.csv")
def export_csv(directive_id: int, request: Request) -> Response:
    with Session(app_engine(request)) as session:
        directive = _directive(session, directive_id)
        _, rows = _rows(session, directive)
    return _download(to_csv(rows), "text/csv; charset=utf-8", _export_name(directive, "csv"))


@router.get("/directives/{directive_id}/export.xlsx")
def export_xlsx(directive_id: int, request: Request) -> Response:
    with Session(app_engine(request)) as session:
        directive = _directive(session, directive_id)
        _, rows = _rows(session, directive)
    content = to_xlsx(rows, title=f"{directive.number} – {directive.summary}"[:250], today=today_vn())
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(content, media, _export_name(directive, "xlsx"))


@router.get("/units/{code}", response_class=HTMLResponse)
def unit_view(code: str, request: Request) -> HTMLResponse:
    """A unit's history: its assignments under every directive, then its audit log."""
    with Session(app_engine(request)) as session:
        unit = session.exec(select(Unit).where(Unit.code == code)).first()
        if unit is None:
            raise HTTPException(404, "Không tìm thấy đơn vị")
        history = unit_history(session, unit)
    return page("web/admin/unit.html", title=f"{unit.name} – lịch sử", **history)
