"""The page a unit's link shows once its directive is recalled or replaced (cascade/lifecycle/closed.py): the
shared check of every link route, made in web/common.py resolve_link. A GET shows it (200); anything posted to
such a link is refused with it (410 Gone), except the answer to a recall (web/recall_pages.py)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cascade.dispatch.tokens import Purpose
from cascade.lifecycle.closed import ClosedLink, closed_link
from cascade.rendering.render import render

PREFIXES = {Purpose.ack: "u", Purpose.report: "r"}


def closed_page(
    closed: ClosedLink, token: str, purpose: Purpose, status_code: int = 200, **extra: object
) -> HTMLResponse:
    html = render("web/closed.html", closed=closed, token=token, prefix=PREFIXES[purpose], **extra)
    return HTMLResponse(html, status_code=status_code)


def closed_response(request: Request, token: str, purpose: Purpose, assignment_id: int) -> HTMLResponse | None:
    """The closed page for this link, or None while its directive is in force."""
    engine: Engine = request.app.state.engine
    with Session(engine) as session:
        closed = closed_link(session, assignment_id)
    if closed is None:
        return None
    refused = request.method not in ("GET", "HEAD")
    return closed_page(closed, token, purpose, status_code=410 if refused else 200, refused_action=refused)
