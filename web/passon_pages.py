"""Refusing a directive, and writing one's own implementing directive (author mode), behind the unit's link."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from cascade.core.workdays import WorkCalendar, local_date, work_calendar
from cascade.dispatch.tokens import Purpose
from cascade.replies.passon import Draft, default_report_due, issue_implementing_directive, subordinates
from cascade.replies.refusal import refuse
from models import Assignment, CascadeMode, Directive, Status, utcnow
from web.common import app_engine, app_settings, client_ip, error_page, page, resolve_link
from web.csrf import verify_csrf
from web.unit_pages import unit_view

router = APIRouter()
MAX_TEXT = 20_000


@router.post("/u/{token}/refuse", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def refuse_post(token: str, request: Request, reason: Annotated[str, Form(max_length=2000)] = "") -> HTMLResponse:
    """edXML 02: not addressed to us. A reason is required; the issuer is told."""
    assignment_id = resolve_link(request, token, Purpose.ack)
    if isinstance(assignment_id, HTMLResponse):
        return assignment_id
    with Session(app_engine(request), expire_on_commit=False) as session:
        if session.get(Assignment, assignment_id) is None:
            return error_page("unknown")
        if not reason.strip():
            view = unit_view(session, assignment_id)
            return page("web/unit.html", status_code=422, token=token, refuse_error=True, **(view or {}))
        result = refuse(session, assignment_id, reason=reason.strip(), remote_addr=client_ip(request))
        session.commit()
        view = unit_view(session, assignment_id)
    assert view is not None
    return page("web/refused.html", token=token, recorded=result.recorded, **view)


def _author_view(session: Session, assignment_id: int, calendar: WorkCalendar) -> dict[str, Any] | None:
    view = unit_view(session, assignment_id)
    if view is None:
        return None
    assignment = view["assignment"]
    assert isinstance(assignment, Assignment)
    parent = session.get(Directive, assignment.directive_id)
    assert parent is not None
    today = local_date(utcnow())
    view.update(
        children=subordinates(session, assignment.unit_id),
        default_due=default_report_due(parent, assignment, today, calendar),
        can_author=assignment.mode == CascadeMode.author
        and assignment.status == Status.acknowledged
        and assignment.implementing_directive_id is None,
    )
    return view


@router.get("/u/{token}/author", response_class=HTMLResponse)
def author_form(token: str, request: Request) -> HTMLResponse:
    """The form of the unit's own implementing directive, prefilled; changes nothing."""
    assignment_id = resolve_link(request, token, Purpose.ack)
    if isinstance(assignment_id, HTMLResponse):
        return assignment_id
    with Session(app_engine(request), expire_on_commit=False) as session:
        view = _author_view(session, assignment_id, work_calendar(app_settings(request)))
    if view is None:
        return error_page("unknown")
    return page("web/author.html", token=token, errors=[], form={}, **view)


@router.post("/u/{token}/author", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def author_post(
    token: str,
    request: Request,
    summary: Annotated[str, Form(max_length=MAX_TEXT)] = "",
    body: Annotated[str, Form(max_length=MAX_TEXT)] = "",
    report_due: Annotated[str, Form(max_length=20)] = "",
    tasks: Annotated[str, Form(max_length=MAX_TEXT)] = "",
) -> HTMLResponse:
    """Issue the unit's own implementing directive to the units under it (dispatched by `dispatch-pending`)."""
    assignment_id = resolve_link(request, token, Purpose.ack)
    if isinstance(assignment_id, HTMLResponse):
        return assignment_id
    form = {"summary": summary, "body": body, "report_due": report_due, "tasks": tasks}
    with Session(app_engine(request), expire_on_commit=False) as session:
        view = _author_view(session, assignment_id, work_calendar(app_settings(request)))
        if view is None:
            return error_page("unknown")
        if not view["can_author"]:
            return page("web/author.html", status_code=409, token=token, errors=["already"], form=form, **view)
        errors, due = [], None
        try:
            due = date.fromisoformat(report_due) if report_due.strip() else None
        except ValueError:
            errors.append("report_due")
        assignment = view["assignment"]
        assert isinstance(assignment, Assignment)
        today = local_date(utcnow())
        if due is not None and (due < today or (assignment.report_due and due > assignment.report_due)):
            errors.append("report_due_range")
        task_lines = tuple(line.strip() for line in tasks.splitlines() if line.strip())
        if not task_lines:
            errors.append("tasks")
        if errors:
            return page("web/author.html", status_code=422, token=token, errors=errors, form=form, **view)
        draft = Draft(summary=summary.strip() or None, body=body.strip() or None, report_due=due, tasks=task_lines)
        calendar = work_calendar(app_settings(request))
        directive = issue_implementing_directive(
            session, assignment, issued_on=today, source="author", calendar=calendar, draft=draft
        )
        session.commit()
        view = unit_view(session, assignment_id)
    assert view is not None
    return page("web/authored.html", token=token, issued=directive, **view)
