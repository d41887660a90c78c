"""FastAPI app: a unit's page (GET/HEAD change nothing) and its acknowledgement (POST only)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException as StarletteHTTPException

from cascade.acknowledge import acknowledge
from cascade.db import get_engine, init_db
from cascade.dispatch import notice_context
from cascade.render import render
from cascade.settings import Settings, get_settings
from cascade.tokens import Purpose, TokenError, read_token
from models import Acknowledgement, Assignment, Role, Unit

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
        "Liên kết này không dùng để xác nhận đã nhận văn bản.",
    ),
    "expired": (
        410,
        "Liên kết đã hết hạn",
        "Liên kết này đã hết hạn. Vui lòng liên hệ đơn vị ban hành văn bản.",
    ),
    "unknown": (404, "Không tìm thấy văn bản", "Không tìm thấy nhiệm vụ ứng với liên kết này."),
}


def page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(template, **context), status_code=status_code)


def error_page(reason: str) -> HTMLResponse:
    code, title, message = TOKEN_ERRORS[reason]
    return page("web/error.html", status_code=code, title=title, message=message)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.signing_keys()  # refuse to start without a signing key
    engine = init_db(get_engine(settings.database_url))
    app = FastAPI(title="directive-cascade", docs_url=None, redoc_url=None)

    def unit_view(session: Session, assignment_id: int) -> dict[str, Any] | None:
        assignment = session.get(Assignment, assignment_id)
        if assignment is None:
            return None
        unit = session.get(Unit, assignment.unit_id)
        ctx = notice_context(session, assignment.directive_id)
        assert unit is not None
        tasks = [t for t in ctx.tasks if assignment.role == Role.act and t.applies_to(unit.code, unit.kind)]
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

    def resolve(token: str, purpose: Purpose, request: Request) -> int | HTMLResponse:
        try:
            return read_token(settings, token, purpose)
        except TokenError as exc:
            log.warning(
                "refused %s link from %s: %s",
                purpose.value,
                request.client.host if request.client else "?",
                exc.reason,
            )
            return error_page(exc.reason)

    @app.api_route("/u/{token}", methods=["GET", "HEAD"], response_class=HTMLResponse)
    def unit_page(token: str, request: Request) -> HTMLResponse:
        """Shows the directive and a confirm button; changes nothing (mail scanners fetch links)."""
        assignment_id = resolve(token, Purpose.ack, request)
        if isinstance(assignment_id, HTMLResponse):
            return assignment_id
        with Session(engine) as session:
            view = unit_view(session, assignment_id)
        if view is None:
            return error_page("unknown")
        return page("web/unit.html", token=token, **view)

    @app.post("/u/{token}/ack", response_class=HTMLResponse)
    def acknowledge_post(token: str, request: Request) -> HTMLResponse:
        """Only this POST records the acknowledgement, once."""
        assignment_id = resolve(token, Purpose.ack, request)
        if isinstance(assignment_id, HTMLResponse):
            return assignment_id
        with Session(engine) as session:
            if session.get(Assignment, assignment_id) is None:
                return error_page("unknown")
            result = acknowledge(
                session,
                assignment_id,
                remote_addr=request.client.host if request.client else None,
                user_agent=request.headers.get("user-agent"),
            )
            session.commit()
            view = unit_view(session, assignment_id)
        assert view is not None
        return page("web/acknowledged.html", token=token, already=not result.recorded, at=result.at, **view)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        return page(
            "web/error.html",
            status_code=exc.status_code,
            title="Không tìm thấy trang" if exc.status_code == 404 else "Yêu cầu không hợp lệ",
            message=str(exc.detail),
        )

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> HTMLResponse:
        log.exception("error on %s", request.url.path)
        return page(
            "web/error.html",
            status_code=500,
            title="Lỗi hệ thống",
            message="Đã có lỗi xảy ra. Vui lòng thử lại sau ít phút.",
        )

    return app
