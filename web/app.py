"""The FastAPI app factory: settings and engine on app.state, one router per area, HTML error pages."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from cascade.core.db import get_engine
from cascade.core.settings import Settings, get_settings
from models.schema import init_db
from web import (
    decisions,
    live,
    login,
    new_directive,
    passon_pages,
    recall_console,
    recall_pages,
    report_pages,
    static_files,
    unit_pages,
    users_pages,
)
from web.admin import router as admin_router
from web.api import directives as api_directives
from web.api import units as api_units
from web.auth import LoginRequired, is_api
from web.common import log, page
from web.csrf import CSRFMiddleware
from web.guard import RequestGuard
from web.lang import LanguageMiddleware
from web.throttle import LoginThrottle


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.web.signing_keys()  # refuse to start without a signing key
    app = FastAPI(
        title="directive-cascade",
        summary="Carry a directive down the organisation tree and bring the answers back up.",
        docs_url=None,  # /api/docs is served from local files (web/static_files.py): no CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = init_db(get_engine(settings.database_url))
    app.state.login_throttle = LoginThrottle()
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(CSRFMiddleware, settings=settings)
    app.add_middleware(RequestGuard, settings=settings)  # added last: the outermost, before anything reads
    # Login and the pages that need no account first; then the console, the API, the units' pages.
    # The units' link pages first: FastAPI tries routes in order, and these take the most requests (no path of the
    # routers below is one of /u/{token}, /u/{token}/ack, /u/{token}/original).
    app.include_router(unit_pages.router)
    app.include_router(static_files.router)
    app.include_router(login.router)
    app.include_router(users_pages.router)
    app.include_router(new_directive.router)
    app.include_router(live.router)
    app.include_router(decisions.router)
    app.include_router(recall_console.router)
    app.include_router(admin_router)
    app.include_router(api_directives.router)
    app.include_router(api_units.router)
    app.include_router(report_pages.router)
    app.include_router(passon_pages.router)
    app.include_router(recall_pages.router)  # a unit's answer to a recall (cascade/lifecycle)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"{exc.to}?{urlencode({'next': exc.next_path})}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if is_api(request):  # the API answers JSON, as its OpenAPI document says
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        title = "Không tìm thấy trang" if exc.status_code == 404 else "Yêu cầu không hợp lệ"
        response = page("web/error.html", status_code=exc.status_code, title=title, message=str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> Response:
        if is_api(request):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        # A form field out of bounds gets a page naming the field, not FastAPI's JSON.
        fields = ", ".join(sorted({str(e.get("loc", ["?"])[-1]) for e in exc.errors()}))
        message = f"Dữ liệu gửi lên không hợp lệ ({fields}). Vui lòng quay lại, sửa và gửi lại."
        return page("web/error.html", status_code=422, title="Dữ liệu không hợp lệ", message=message)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # Never a traceback to the visitor; the log has it.
        log.exception("error on %s", request.url.path)
        if is_api(request):
            return JSONResponse({"detail": "Đã có lỗi xảy ra. Vui lòng thử lại sau ít phút."}, status_code=500)
        return page(
            "web/error.html",
            status_code=500,
            title="Lỗi hệ thống",
            message="Đã có lỗi xảy ra. Vui lòng thử lại sau ít phút.",
        )

    return app
