"""The console's reading views, each within the signed-in person's scope: the directives their unit's subtree
issued, a directive's tree counts and late units (paged when big), a unit's history. The exports are in
web/admin_exports.py; anything out of scope is the 404 of an unknown id (web/admin_scope.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from cascade.accounts.scope import Scope, scoped
from cascade.status.journal import journal
from cascade.status.oversight import today_vn, unit_history
from cascade.status.page import TREE_LIMIT, status_page
from cascade.status.summary import FILTERS, acknowledged_shares, count_rows, level_counts, summarise, tree_size
from models import Directive, Unit
from web import admin_exports
from web.admin_exports import late_of, rows_of, shown
from web.admin_scope import directive_or_404, openable_directives, openable_units, unit_or_404
from web.auth import CurrentUser, require_user
from web.common import app_engine, page

router = APIRouter(prefix="/admin", dependencies=[Depends(require_user)])


def admin_path(directive_id: int) -> str:
    """Where a directive's supervisor view lives (the Prefect artifact links here)."""
    return f"/admin/directives/{directive_id}"


@router.get("", response_class=HTMLResponse)
def directives(request: Request, scope: CurrentUser) -> HTMLResponse:
    """The directives issued in the person's scope, the ones issued from files (the tops of cascades) first."""
    with Session(app_engine(request)) as session:
        statement = (
            select(Directive, Unit)
            .join(Unit, col(Unit.id) == col(Directive.issuer_id))
            .order_by(col(Directive.parent_directive_id).is_not(None), col(Directive.issued_on).desc())
            .limit(500)
        )
        found = session.exec(scoped(statement, scope, Directive.issuer_id)).all()  # type: ignore[call-overload]
        shares = acknowledged_shares(session, [d.id for d, _ in found if d.id is not None])
        items = []
        for directive, issuer in found:
            total, done = shares.get(directive.id or 0, (0, 0))
            items.append({"directive": directive, "issuer": issuer, "total": total, "done": done})
    return page("web/admin/index.html", title="Theo dõi văn bản", me=scope, items=items)


@router.get("/directives/{directive_id}", response_class=HTMLResponse)
def directive_view(
    directive_id: int,
    request: Request,
    scope: CurrentUser,
    page_number: Annotated[int, Query(alias="page", ge=1, le=10**6)] = 1,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """The whole tree up to TREE_LIMIT units (cascade/status/page.py says why); above it, or with a
    ?status= filter, figures from SQL and one page of PAGE_SIZE units (?page=N)."""
    today = today_vn()
    with Session(app_engine(request)) as session:
        directive = directive_or_404(session, scope, directive_id)  # out of scope: 404 before anything else
        if status and status not in FILTERS:
            raise HTTPException(400, "Bộ lọc trạng thái không hợp lệ")
        issuer = session.get(Unit, directive.issuer_id)
        head: dict[str, Any] = {
            "me": scope,
            "directive": directive,
            "issuer": issuer,
            "title": f"{directive.number} – theo dõi",
            "recall_started": request.query_params.get("recall") == "started",
        }
        if status or tree_size(session, directive_id=directive_id) > TREE_LIMIT:
            context = _paged(session, scope, directive_id, today, status or None, page_number)
            return page("web/admin/directive_paged.html", **head, **context)
        rows, levels = rows_of(session, directive_id), level_counts(session, directive_id=directive_id)
        ack_late = late_of(session, directive_id, today, "overdue")
        report_late = late_of(session, directive_id, today, "report_overdue")
        units = openable_units(session, scope, [r["unit"] for r in rows])
    return page(
        "web/admin/directive.html",
        **head,
        rows=rows,
        levels=levels,
        ack_late=ack_late,
        report_late=report_late,
        today=today,
        open_units=units,
    )


def _paged(
    session: Session, scope: Scope, directive_id: int, today: date, status: str | None, number: int
) -> dict[str, Any]:
    """The paged view's figures (GROUP BY queries) and one page of rows: nothing grows with the tree."""
    summary = summarise(session, directive_id, today, limit=0, named=0)
    levels = level_counts(session, directive_id=directive_id)
    shown_page = status_page(session, directive_id=directive_id, today=today, status=status, page=number)
    shown(shown_page.rows)
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
        "pg": shown_page,
        "filters": FILTERS,
        "filter_links": [
            {"key": k, "label": label, "count": figures[k]} for k, label in FILTERS.items() if k in figures
        ],
        "base": base,
        "page_href": f"{base}?status={status}&page=" if status else f"{base}?page=",
        "open_units": openable_units(session, scope, [r["unit"] for r in shown_page.rows]),
    }


@router.get("/units/{code}", response_class=HTMLResponse)
def unit_view(code: str, request: Request, scope: CurrentUser) -> HTMLResponse:
    """A unit's history: its assignments under every directive, then its audit log."""
    with Session(app_engine(request)) as session:
        unit = unit_or_404(session, scope, code)
        history = unit_history(session, unit)
        history["audit"] = journal(session, history["audit"])  # each entry as a sentence, names for codes
        parent = history["parent"]
        parent_open = parent is not None and openable_units(session, scope, [parent.code]) in (None, {parent.code})
        ids = [item["directive"].id for item in history["assignments"]]
        open_directives = openable_directives(session, scope, ids)
    return page(
        "web/admin/unit.html",
        title=f"{unit.name} – lịch sử",
        me=scope,
        parent_open=parent_open,
        open_directives=open_directives,
        **history,
    )


router.include_router(admin_exports.router)
