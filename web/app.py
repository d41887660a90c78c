"""The FastAPI app factory: settings and engine on app.state, one router per area, HTML error pages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from cascade.core.db import get_engine
from cascade.core.settings import Settings, get_settings
from models.schema import init_db
from web import passon_pages, report_pages, unit_pages
from web.admin import router as admin_router
from web.common import log, page
from web.csrf import CSRFMiddleware
from web.guard import RequestGuard
from web.lang import LanguageMiddleware
from web.throttle import LoginThrottle


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.web.signing_keys()  # refuse to start without a signing key
    app = FastAPI(title="directive-cascade", docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.engine = init_db(get_engine(settings.database_url))
    app.state.login_throttle = LoginThrottle()
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(CSRFMiddleware, settings=settings)
    app.add_middleware(RequestGuard, settings=settings)  # added last: the outermost, before anything reads
    app.include_router(admin_router)
    app.include_router(unit_pages.router)
    app.include_router(report_pages.router)
    app.include_router(passon_pages.router)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        title = "Không tìm thấy trang" if exc.status_code == 404 else "Yêu cầu không hợp lệ"
        response = page("web/error.html", status_code=exc.status_code, title=title, message=str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> HTMLResponse:
        # A form field out of bounds gets a page naming the field, not FastAPI's JSON.
        fields = ", ".join(sorted({str(e.get("loc", ["?"])[-1]) for e in exc.errors()}))
        message = f"Dữ liệu gửi lên không hợp lệ ({fields}). Vui lòng quay lại, sửa và gửi lại."
        return page("web/error.html", status_code=422, title="Dữ liệu không hợp lệ", message=message)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> HTMLResponse:
        # Never a traceback to the visitor; the log has it.
        log.exception("error on %s", request.url.path)
        return page(
            "web/error.html",
            status_code=500,
            title="Lỗi hệ thống",
            message="Đã có lỗi xảy ra. Vui lòng thử lại sau ít phút.",
        )

    return app
