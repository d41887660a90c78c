"""The console's own script and style sheet, served from templates/static/ (the CSP allows scripts from this
origin only, never inline). Only the names listed here are served: no path from a request reaches the disk."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from cascade.rendering.render import TEMPLATES_DIR

router = APIRouter()

STATIC_DIR = TEMPLATES_DIR / "static"
FILES = {"console.js": "text/javascript; charset=utf-8", "console.css": "text/css; charset=utf-8"}


@router.get("/static/{name}", include_in_schema=False)
def static_file(name: str) -> FileResponse:
    if name not in FILES:
        raise HTTPException(404, "Không tìm thấy trang")
    # Revalidated on each page (ETag, Last-Modified): a new release's script reaches every open console at once.
    return FileResponse(STATIC_DIR / name, media_type=FILES[name], headers={"Cache-Control": "no-cache"})
