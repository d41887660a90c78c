"""The local inbox pages (/inbox, only when CASCADE_INBOX_DIR names a maildir, as in the demo): read the mail, click.

`create_app_with_inbox` is the web app plus these pages; production runs `web.app.create_app` alone."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse

from cascade.core.settings import Settings
from cascade.dev.inbox import LINK, find_message, list_messages
from web.app import create_app
from web.common import app_settings, page

router = APIRouter(prefix="/inbox")


def _maildir(request: Request) -> Path:
    folder = app_settings(request).web.inbox_dir
    if not folder:
        raise HTTPException(404, "Not Found")
    return Path(folder)


def segments(text: str) -> list[tuple[str, bool]]:
    """The text cut into plain parts and links, so the template can make the links clickable."""
    parts: list[tuple[str, bool]] = []
    last = 0
    for match in LINK.finditer(text):
        parts.append((text[last : match.start()], False))
        parts.append((match.group(0), True))
        last = match.end()
    parts.append((text[last:], False))
    return parts


@router.get("", response_class=HTMLResponse)
def inbox(request: Request) -> HTMLResponse:
    maildir = _maildir(request)
    return page("web/inbox.html", title="Hộp thư thử nghiệm", messages=list_messages(maildir), maildir=str(maildir))


@router.get("/{name}", response_class=HTMLResponse)
def message(name: str, request: Request) -> HTMLResponse:
    found = find_message(_maildir(request), name)
    if found is None:
        raise HTTPException(404, "Not Found")
    html = '<base target="_blank">' + found.html if found.html else ""
    return page("web/inbox_message.html", title=found.subject, m=found, parts=segments(found.text), srcdoc=html)


def create_app_with_inbox(settings: Settings) -> FastAPI:
    """The web app, serving the local inbox too when `settings.web.inbox_dir` names a maildir (like Mailpit)."""
    app = create_app(settings)
    if settings.web.inbox_dir:
        app.include_router(router)
    return app
