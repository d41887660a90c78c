"""A unit's pages behind its signed link: GET/HEAD show and change nothing; only POSTs change state."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from markupsafe import Markup
from sqlmodel import Session, col, select

from cascade.dispatch.links import report_link
from cascade.dispatch.notice_document import original_note
from cascade.dispatch.notices import notice_context, report_cycles, unit_tasks
from cascade.dispatch.tokens import Purpose
from cascade.documents.layout import render_document
from cascade.documents.originals import document_chain, nearest_original, original_path
from cascade.replies.acknowledge import acknowledge
from models import Acknowledgement, Assignment, Directive, Unit
from web.ack_writer import ack_writer
from web.closed_links import closed_response
from web.common import app_engine, app_settings, client_ip, error_page, log, page, resolve_link
from web.csrf import verify_csrf
from web.passon_trigger import notify_pass_on

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
        cycle_dues=report_cycles(ctx, assignment),
        ack=ack,
    )


@router.api_route("/u/{token}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def unit_page(token: str, request: Request) -> HTMLResponse:
    """Shows the whole directive and a confirm button; changes nothing (mail scanners fetch links)."""
    assignment_id = resolve_link(request, token, Purpose.ack)
    if isinstance(assignment_id, HTMLResponse):
        return assignment_id
    settings = app_settings(request)
    with Session(app_engine(request)) as session:
        view = unit_view(session, assignment_id)
        if view is None:
            return error_page("unknown")
        chain = document_chain(session, view["directive"])
        # Rendered for the page as for the email: the same Decree-30 document for every recipient.
        documents = [Markup(render_document(session, d).html) for d in chain]
    link = report_link(settings, view["assignment"])
    original = original_note(chain, settings.documents)
    return page("web/unit.html", token=token, report_link=link, documents=documents, original=original, **view)


@router.api_route("/u/{token}/original", methods=["GET", "HEAD"], response_model=None)
def original_download(token: str, request: Request) -> Response:
    """The signed original (the one nearest up a pass-on's chain), as stored; reads only, like the page."""
    assignment_id = resolve_link(request, token, Purpose.ack)
    if isinstance(assignment_id, HTMLResponse):
        return assignment_id
    with Session(app_engine(request)) as session:
        assignment = session.get(Assignment, assignment_id)
        directive = session.get(Directive, assignment.directive_id) if assignment is not None else None
        owner = nearest_original(document_chain(session, directive)) if directive is not None else None
    if directive is None:
        return error_page("unknown")
    if owner is None or not owner.original_sha256 or not owner.original_name:
        return _no_original(f"Văn bản số {directive.number} không có bản gốc kèm theo.")
    path = original_path(app_settings(request).documents, owner.original_sha256)
    if not path.is_file():
        log.error("the original of %s is missing from %s", owner.number, path)
        return _no_original("Bản gốc của văn bản này hiện không có trên máy chủ. Vui lòng liên hệ đơn vị ban hành.")
    return FileResponse(
        path,
        media_type=owner.original_mime or "application/octet-stream",
        headers={"Content-Disposition": content_disposition(owner.original_name)},
    )


def content_disposition(name: str) -> str:
    """`attachment` with the file's own name (RFC 6266: UTF-8 in filename*, an ASCII stand-in for old clients)."""
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    fallback = "".join(c for c in plain if not unicodedata.combining(c))
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in fallback)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _no_original(message: str) -> HTMLResponse:
    return page("web/error.html", status_code=404, title="Không có bản gốc", message=message)


@router.post("/u/{token}/ack", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def acknowledge_post(token: str, request: Request) -> HTMLResponse:
    """Only this POST records the acknowledgement, once. The answer is a short page linking back to the unit's
    page: re-rendering the whole document here cost more than recording the acknowledgement itself."""
    assignment_id = resolve_link(request, token, Purpose.ack, if_closed=False)
    if isinstance(assignment_id, HTMLResponse):
        return assignment_id
    engine = app_engine(request)
    remote_addr, user_agent = client_ip(request), request.headers.get("user-agent")
    with Session(engine) as session:
        writer = ack_writer(engine)  # SQLite: this process's one writer records those waiting together
        if writer is not None:
            result = writer.acknowledge(assignment_id, remote_addr=remote_addr, user_agent=user_agent)
        else:
            result = acknowledge(session, assignment_id, remote_addr=remote_addr, user_agent=user_agent)
            if result is not None:
                session.commit()
        if result is None:
            return error_page("unknown")
        notify_pass_on(request.app.state, result.pass_on_directive_id)  # forward mode: the units below get it now
        if result.closed:  # recalled or replaced: the page that says so (web/closed_links.py), 410
            closed = closed_response(request, token, Purpose.ack, assignment_id)
            assert closed is not None
            return closed
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
