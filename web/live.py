"""A launched directive's live progress: notices sent, units that confirmed, units late and notices bounced, by
level of the tree, with the link to the Prefect flow run that carries it.

The page shows the current figures itself (it works without JavaScript; its "refresh" link reloads them), and
templates/static/console.js keeps them current from the server-sent events of `/events`: one small JSON when
the figures change (checked every few seconds), until the visitor leaves or the stream's time is up (the
browser's EventSource then reconnects on its own). Scoped like every directive: out of scope is a 404."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

import web.console_words  # noqa: F401 - the console's English words
from cascade.accounts.scope import Scope, directive_in_scope
from cascade.status.live import live_levels, live_payload
from cascade.status.oversight import today_vn
from models import Assignment, Directive, DirectiveDraft, Unit
from web.auth import CurrentUser
from web.common import app_engine, app_settings, page

router = APIRouter(prefix="/admin")

INTERVAL_SECONDS = 2.0  # how often the stream looks at the figures
STREAM_SECONDS = 15 * 60  # a stream ends after this; EventSource reconnects (no connection held for days)


def _directive(session: Session, scope: Scope, directive_id: int) -> Directive:
    directive = session.get(Directive, directive_id) if 0 < directive_id < 2**31 else None
    if directive is None or not directive_in_scope(session, scope, directive):
        raise HTTPException(404, "Không tìm thấy văn bản")
    return directive


def figures(engine: Engine, directive_id: int) -> dict[str, Any]:
    with Session(engine) as session:
        directive = session.get(Directive, directive_id)
        dispatched = directive is not None and directive.dispatched_at is not None
        return live_payload(live_levels(session, directive_id, today_vn()), dispatched=dispatched)


def flow_run_link(request: Request, draft: DirectiveDraft | None) -> str | None:
    """The Prefect UI's page of the launch's flow run: as the launch gave it, else from the UI's address."""
    if draft is None or not draft.flow_run_id:
        return None
    if draft.flow_run_url:
        return draft.flow_run_url
    ui = app_settings(request).web.prefect_ui_url.rstrip("/")
    return f"{ui}/runs/flow-run/{draft.flow_run_id}" if ui else None


@router.get("/directives/{directive_id}/live", response_class=HTMLResponse)
def live_page(request: Request, directive_id: int, scope: CurrentUser) -> HTMLResponse:
    with Session(app_engine(request)) as session:
        directive = _directive(session, scope, directive_id)
        draft = session.exec(select(DirectiveDraft).where(DirectiveDraft.directive_id == directive_id)).first()
        recipients = session.exec(
            select(func.count()).select_from(Assignment).where(col(Assignment.directive_id) == directive_id)
        ).one()
        view: dict[str, Any] = {
            "me": scope,
            "directive": directive,
            "issuer": session.get(Unit, directive.issuer_id),
            "draft": draft,
            "flow_run_url": flow_run_link(request, draft),
            "recipients": int(recipients),
            "live": figures(app_engine(request), directive_id),
            "events": f"/admin/directives/{directive_id}/events",
        }
    return page("web/console/live.html", title="Tiến độ gửi văn bản", **view)


@router.get("/directives/{directive_id}/events")
async def live_events(request: Request, directive_id: int, scope: CurrentUser) -> EventSourceResponse:
    """Server-sent events: `figures` with the page's JSON whenever it changes."""
    engine = app_engine(request)

    def check() -> None:
        with Session(engine) as session:
            _directive(session, scope, directive_id)

    await run_in_threadpool(check)

    async def stream() -> AsyncIterator[dict[str, str]]:
        ends, last = time.monotonic() + STREAM_SECONDS, None
        while time.monotonic() < ends and not await request.is_disconnected():
            now = await run_in_threadpool(figures, engine, directive_id)
            if now != last:
                yield {"event": "figures", "data": json.dumps(now, separators=(",", ":"))}
                last = now
            await asyncio.sleep(INTERVAL_SECONDS)

    return EventSourceResponse(stream(), ping=15, headers={"Cache-Control": "no-store"})
