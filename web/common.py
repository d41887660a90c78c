"""Shared pieces of the web app: rendering pages, the app's settings and engine, link resolution."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Engine

from cascade.core.settings import Settings
from cascade.dispatch.tokens import Purpose, TokenError, read_token
from cascade.rendering.render import render
from web.closed_links import closed_response

log = logging.getLogger("cascade.web")

TOKEN_ERRORS = {
    "invalid": (
        403,
        "Liên kết không hợp lệ",
        "Liên kết này không đúng hoặc đã bị sửa đổi. Vui lòng dùng đúng liên kết trong thư đã nhận.",
    ),
    "wrong_purpose": (
        403,
        "Liên kết không dùng cho việc này",
        "Liên kết này không dùng cho thao tác này. Vui lòng dùng đúng liên kết trong thư đã nhận.",
    ),
    "expired": (
        410,
        "Liên kết đã hết hạn",
        "Liên kết này đã hết hạn. Vui lòng liên hệ đơn vị ban hành văn bản.",
    ),
    "unknown": (404, "Không tìm thấy văn bản", "Không tìm thấy nhiệm vụ ứng với liên kết này."),
}
# request.state's (token, purpose, assignment id) of the link web/guard.py verified before the body was read
VERIFIED_LINK = "verified_link"


def page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(template, **context), status_code=status_code)


def error_page(reason: str) -> HTMLResponse:
    code, title, message = TOKEN_ERRORS[reason]
    return page("web/error.html", status_code=code, title=title, message=message)


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def app_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def resolve_link(request: Request, token: str, purpose: Purpose, *, if_closed: bool = True) -> int | HTMLResponse:
    """The assignment id a link names, or the page to answer with: the error page (the refusal is logged), or,
    once its directive is recalled or replaced, the page that says so (web/closed_links.py): every link route
    resolves its link here, so none of them shows or accepts anything of a directive no longer in force (the
    acknowledgement, `if_closed=False`, reads it in its own select: cascade/replies/acknowledge.py)."""
    verified = getattr(request.state, VERIFIED_LINK, None)  # a POST's link, checked by web/guard.py already
    if verified is not None and verified[:2] == (token, purpose):
        assignment_id: int = verified[2]
    else:
        try:
            assignment_id = read_token(app_settings(request), token, purpose)
        except TokenError as exc:
            log.warning("refused %s link from %s: %s", purpose.value, client_ip(request) or "?", exc.reason)
            return error_page(exc.reason)
    if not if_closed:  # the caller checks it in a select of its own (the acknowledgement: one write, kept light)
        return assignment_id
    return closed_response(request, token, purpose, assignment_id) or assignment_id
