"""Refusing a directive, and completing one's own implementing directive behind the unit's link: written by the unit
(author mode), or the system's Công văn held for want of a signer (forward mode), with its number and signer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from cascade.core.workdays import WorkCalendar, local_date, work_calendar
from cascade.directives.numbers import CONG_VAN, document_number
from cascade.dispatch.tokens import Purpose
from cascade.documents.register import peek_number
from cascade.documents.wording import doc_type_word
from cascade.replies.passon import default_report_due, is_held, issue_implementing_directive, subordinates
from cascade.replies.passon_draft import AlreadyPassedOn, NumberUsed
from cascade.replies.passon_text import forward_summary
from cascade.replies.refusal import refuse
from cascade.replies.signer import record_signer
from models import Assignment, CascadeMode, Directive, Status, Unit, utcnow
from web.common import app_engine, app_settings, client_ip, error_page, page, resolve_link
from web.csrf import verify_csrf
from web.passon_form import PassOnForm, read_draft
from web.passon_trigger import notify_mail_owed, notify_pass_on
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
        result = refuse(
            session,
            assignment_id,
            reason=reason.strip(),
            remote_addr=client_ip(request),
            public_url=app_settings(request).web.public_url,
        )
        session.commit()
        if result.recorded:
            notify_mail_owed(request.app.state)  # the issuer's notice of the refusal, at once
        view = unit_view(session, assignment_id)
    assert view is not None
    return page("web/refused.html", token=token, recorded=result.recorded, **view)


def _author_view(session: Session, assignment_id: int, calendar: WorkCalendar) -> dict[str, Any] | None:
    """The unit's page with what its form needs: its units, the document's number as its register stands, the
    number's symbol part, its signer on record, and whether there is anything left to complete."""
    view = unit_view(session, assignment_id)
    if view is None:
        return None
    assignment, unit = view["assignment"], view["unit"]
    assert isinstance(assignment, Assignment) and isinstance(unit, Unit) and unit.id is not None
    parent = session.get(Directive, assignment.directive_id)
    assert parent is not None
    today = local_date(utcnow())
    authored = assignment.mode == CascadeMode.author
    doc_type = parent.doc_type if authored else CONG_VAN
    first = document_number(1, doc_type, unit.number_symbol, party=unit.numbers_party_style)
    view.update(
        children=subordinates(session, assignment.unit_id),
        default_due=default_report_due(parent, assignment, today, calendar),
        authored=authored,
        held=is_held(assignment),
        can_author=(
            authored and assignment.status == Status.acknowledged and assignment.implementing_directive_id is None
        )
        or is_held(assignment),
        suggested_number=f"{peek_number(session, unit.id, today.year):02d}",
        number_suffix=first.removeprefix("01"),
        forward_summary=None if authored else forward_summary(session, parent),
        type_word=doc_type_word(parent.doc_type),  # "Kế hoạch số …" in running text
    )
    return view


def _signer_defaults(unit: Unit) -> PassOnForm:
    """An empty form, with whatever of a signer the tree has for the unit (the authority without a name …)."""
    return PassOnForm(
        signer_on_behalf=unit.signer_on_behalf or "",
        signer_title=unit.signer_title or "",
        signer_name=unit.signer_name or "",
        save_signer=True,
    )


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
    form = _signer_defaults(view["unit"])
    return page("web/author.html", token=token, errors=[], form=form.values(), **view)


Text = Annotated[str, Form(max_length=MAX_TEXT)]
Short = Annotated[str, Form(max_length=300)]


@router.post("/u/{token}/author", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def author_post(
    token: str,
    request: Request,
    number: Annotated[str, Form(max_length=20)] = "",
    signer_on_behalf: Short = "",
    signer_title: Short = "",
    signer_name: Short = "",
    save_signer: Annotated[str, Form(max_length=10)] = "",
    summary: Text = "",
    body: Text = "",
    report_due: Annotated[str, Form(max_length=20)] = "",
    tasks: Text = "",
) -> HTMLResponse:
    """Issue the unit's implementing directive to the units under it (dispatched at once, web/passon_trigger.py): in
    author mode the text it wrote, in forward mode the system's Công văn; both with the number and signer given."""
    assignment_id = resolve_link(request, token, Purpose.ack)
    if isinstance(assignment_id, HTMLResponse):
        return assignment_id
    form = PassOnForm(number, signer_on_behalf, signer_title, signer_name, bool(save_signer), summary, body,
                      report_due, tasks)  # fmt: skip
    calendar = work_calendar(app_settings(request))
    with Session(app_engine(request), expire_on_commit=False) as session:
        view = _author_view(session, assignment_id, calendar)
        if view is None:
            return error_page("unknown")
        if not view["can_author"]:
            return page("web/author.html", status_code=409, token=token, errors=["already"], form=form.values(), **view)
        assignment, unit = view["assignment"], view["unit"]
        today = local_date(utcnow())
        draft = read_draft(form, authored=view["authored"], today=today, unit_report_due=assignment.report_due)
        if draft is not None:
            source = "author" if view["authored"] else "forward"
            try:
                issued = issue_implementing_directive(
                    session, assignment, issued_on=today, source=source, calendar=calendar, draft=draft
                )
            except AlreadyPassedOn:  # a second POST that ran at the same time as the first
                session.rollback()
                form.errors.append("already")
            except NumberUsed:
                session.rollback()
                form.errors.append("number_used")
        if form.errors:
            view = _author_view(session, assignment_id, calendar)
            assert view is not None
            status = 409 if "already" in form.errors else 422
            return page("web/author.html", status_code=status, token=token, errors=form.errors, form=form.values(),
                        **view)  # fmt: skip
        if form.save_signer and draft is not None and draft.signer is not None:
            record_signer(session, unit, draft.signer, actor=f"link from {client_ip(request) or '?'}")
        session.commit()
        notify_pass_on(request.app.state, issued.id)  # to the units below at once (web/passon_trigger.py)
        view = unit_view(session, assignment_id)
    assert view is not None
    words = {"type_word": doc_type_word(view["directive"].doc_type), "issued_word": doc_type_word(issued.doc_type)}
    return page("web/authored.html", token=token, issued=issued, **{**words, **view})
