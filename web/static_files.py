"""/api/docs: the API's Swagger UI, served from this server alone (no CDN: the offices' networks may not reach
one). The Swagger UI files are those the `fastapi-offline` package ships; the page itself is written here, because
FastAPI's own docs page starts Swagger UI with an inline <script>, which the Content-Security-Policy of web/guard.py
forbids (script-src 'self'). Here the start is a script file of its own, so the policy stays as it is for every
page, this one included.

The page and the schema (/api/openapi.json) need no login: they describe the routes, whose shapes are no secret;
every route they describe still requires a session or a token. "Authorize" takes a personal token
(`cascade user token`), sent as `Authorization: Bearer`."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

SWAGGER_FILES = {
    "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}
CACHE = {"cache-control": "public, max-age=86400"}
PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>directive-cascade – API</title>
<link rel="icon" type="image/png" href="/api/docs/favicon.png">
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<noscript>Trang tài liệu API cần JavaScript. Bản mô tả: <a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/start.js"></script>
</body>
</html>
"""
# No validator badge (it would call an outside server) and no persisted token in the browser's storage.
START = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
"""


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    return HTMLResponse(PAGE)


@router.get("/api/docs/start.js")
def start_script() -> Response:
    return Response(START, media_type="application/javascript; charset=utf-8", headers=CACHE)


@router.get("/api/docs/{name}")
def swagger_file(name: str) -> Response:
    media_type = SWAGGER_FILES.get(name)
    if media_type is None:
        raise HTTPException(404, "Không tìm thấy tệp")
    data = files("fastapi_offline").joinpath("static", name).read_bytes()
    return Response(data, media_type=media_type, headers=CACHE)
