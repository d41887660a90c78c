"""A unit's pages behind its signed link: GET/HEAD show and change nothing; only POSTs change state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from cascade.dispatch.links import report_link
from cascade.dispatch.notices import notice_context, unit_tasks
from cascade.dispatch.tokens import Purpose
from cascade.replies.acknowledge import acknowledge
from models import Acknowledgement, Assignment, Unit
from web.common import app_engine, client_ip, error_page, log, page, resolve_link
from web.csrf import verify_csrf

router = APIRouter()


def unit_view(session: Session, assignment_id: int) -> dict[str, Any] | None:
    """What a unit's page shows: the directive as a document, the unit's own tasks and deadlines."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        return None
    unit = session.get(Unit, assignment.unit_id)
    ctx = notice_context(session, assignment.directive_id)
    assert unit is not None
    tasks = unit_tasks(ctx, assignment, unit)
    ack = session.exec(select(Acknowledgement).where(col(Acknowledgement.assignment_id) == assignment_id)).first()
    return dict(
        assignment=assignment,
        unit=unit,
        directive=ctx.directive,
        issuer=ctx.issuer,
        tasks=tasks,
        report_to=ctx.report_to,
        ack=ack,
    )


@router.api_route("/u/{token}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def unit_page(token: str, request: Request) -> HTMLResponse:
    """Shows the directive and a confirm button; changes nothing (mail scanners fetch links)."""
    assignment_id = resolve_link(request, token, Purpose.ack)
    if isinstance(assignment_id, HTMLResponse):
        return assignment_id
    with Session(app_engine(request)) as session:
        view = unit_view(session, assignment_id)
    if view is None:
        return error_page("unknown")
    link = report_link(request.app.state.settings, view["assignment"])
    return page("web/unit.html", token=token, report_link=link, **view)


@router.post("/u/{token}/ack", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def acknowledge_post(token: str, request: Request) -> HTMLResponse:
    """Only this POST records the acknowledgement, once. The answer is a short page linking back to the unit's
    page: re-rendering the whole document here cost more than recording the acknowledgement itself."""
    assignment_id = resolve_link(request, token, Purpose.ack)
    if isinstance(assignment_id, HTMLResponse):
        return assignment_id
    with Session(app_engine(request)) as session:
        result = acknowledge(
            session, assignment_id, remote_addr=client_ip(request), user_agent=request.headers.get("user-agent")
        )
        if result is None:
            return error_page("unknown")
        session.commit()
        if result.refused:  # rare: this page still shows the document with why nothing was recorded
            view = unit_view(session, assignment_id)
            assert view is not None
            return page("web/refused.html", status_code=409, token=token, recorded=False, **view)
    thanks: dict[str, Any] = dict(token=token, number=result.number, unit_name=result.unit_name, at=result.at)
    if not result.recorded:
        # A replayed POST: nothing more is recorded; 409 tells a client the state did not change.
        log.warning("replayed acknowledgement of assignment %s from %s", assignment_id, client_ip(request) or "?")
        return page("web/acknowledged.html", status_code=409, already=True, author_due=None, **thanks)
    return page("web/acknowledged.html", already=False, author_due=result.author_due, **thanks)
