"""A unit's answer to a recall, posted from its link's page (templates/web/closed.html): 15 agreed, or 16 refused
with its reason (cascade/lifecycle/answers.py). Only this POST answers; opening the link answers nothing."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from cascade.core.errors import InputError
from cascade.dispatch.tokens import Purpose, TokenError, read_token
from cascade.lifecycle.answers import answer_recall
from cascade.lifecycle.closed import closed_link
from web.closed_links import closed_page
from web.common import app_engine, app_settings, client_ip, error_page, log, page
from web.csrf import verify_csrf

router = APIRouter()


def _answer(request: Request, token: str, purpose: Purpose, answer: str, reason: str) -> HTMLResponse:
    try:
        assignment_id = read_token(app_settings(request), token, purpose)
    except TokenError as exc:
        log.warning("refused recall answer from %s: %s", client_ip(request) or "?", exc.reason)
        return error_page(exc.reason)
    if answer not in ("agreed", "refused"):  # the page's two buttons send one of these; anything else is bad input
        return page(
            "web/error.html",
            status_code=422,
            title="Dữ liệu không hợp lệ",
            message="Vui lòng trả lời bằng một trong hai nút: đồng ý thu hồi, hoặc không đồng ý (ghi rõ lý do).",
        )
    with Session(app_engine(request)) as session:
        closed = closed_link(session, assignment_id)
        if closed is None or not closed.recalled or closed.answer is None:
            return error_page("unknown")  # nothing to answer: the document is in force, or was never received
        try:
            result = answer_recall(
                session, assignment_id, agreed=answer == "agreed", reason=reason, remote_addr=client_ip(request)
            )
        except InputError:
            return closed_page(closed, token, purpose, status_code=422, reason_missing=True)
        session.commit()
        after = closed_link(session, assignment_id)
    assert after is not None
    return closed_page(after, token, purpose, status_code=200 if result.recorded else 409)


@router.post("/u/{token}/recall", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def recall_answer(token: str, request: Request, answer: str = Form(""), reason: str = Form("")) -> HTMLResponse:
    return _answer(request, token, Purpose.ack, answer, reason)


@router.post("/r/{token}/recall", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def recall_answer_report_link(
    token: str, request: Request, answer: str = Form(""), reason: str = Form("")
) -> HTMLResponse:
    return _answer(request, token, Purpose.report, answer, reason)
