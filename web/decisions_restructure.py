"""Restructuring from the console: dissolve a unit of the administrator's subtree and name its successor (picked
from the tree like a reroute's unit), with the effect shown: its open assignments moved to the successor, each
owed a notice, and its units below now under the successor (cascade/org/restructure.py `dissolve`, the same
marks `cascade org import` sets from a file's `dissolved` and `successor`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import Session, col, select

from cascade.accounts.scope import Scope, subtree_ids
from cascade.org.restructure import CLOSED, Unfit, dissolve, unfit_successor
from models import Assignment, Unit
from web.auth import CurrentUser, Launcher
from web.common import app_engine, app_settings, page
from web.csrf import verify_csrf
from web.decisions_picker import notice, picked_unit, picks, unit_or_404
from web.passon_trigger import notify_mail_owed

router = APIRouter()

UNFIT = {  # why a unit cannot be the successor (texts to translate)
    Unfit.itself: "chính đơn vị cần giải thể",
    Unfit.dissolved: "đã giải thể",
    Unfit.below: "đơn vị trực thuộc đơn vị cần giải thể",
}


def _path(code: str) -> str:
    return f"/admin/units/{code}/restructure"


@router.get("/admin/units/{code}/restructure", response_class=HTMLResponse)
def restructure_page(
    code: str, request: Request, scope: CurrentUser, q: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    with Session(app_engine(request)) as session:
        unit = _unit(session, scope, code)
        return _page(session, scope, unit, q=q)


@router.post("/admin/units/{code}/restructure", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def restructure_post(
    code: str,
    request: Request,
    scope: Launcher,
    successor: Annotated[str, Form(max_length=64)],
    q: Annotated[str, Form()] = "",
) -> HTMLResponse:
    with Session(app_engine(request), expire_on_commit=False) as session:
        unit = _unit(session, scope, code)
        chosen = picked_unit(session, scope, successor)
        if unit.id == scope.unit_id:
            told = notice("Không thể giải thể đơn vị của chính tài khoản này.", ok=False)
            return _page(session, scope, unit, q=q[:200], told=told, status=409)
        if unit.active and (unfit := unfit_successor(session, unit, chosen)) is not None:
            told = notice("Không chọn được {name}: {why}.", ok=False, name=chosen.name, why=UNFIT[unfit])
            return _page(session, scope, unit, q=q[:200], told=told, status=409)
        done = dissolve(session, app_settings(request), unit, chosen, actor=scope.actor)
        session.commit()
        if done.done:
            notify_mail_owed(request.app.state)  # the successor's notices, at once
        unit = _unit(session, scope, code)
        if done.done:
            told = notice(
                "Đã giải thể {unit}; đơn vị kế thừa: {successor}. {moved} văn bản đang thực hiện đã chuyển sang đơn "
                "vị kế thừa (thông báo sẽ được gửi trong lượt gửi tiếp theo); {children} đơn vị trực thuộc chuyển "
                "sang trực thuộc đơn vị kế thừa.",
                unit=unit.name, successor=chosen.name, moved=done.moved, children=done.children,
            )  # fmt: skip
        else:
            before = session.get(Unit, done.successor_id) if done.successor_id else None
            same = done.successor_id == chosen.id
            text = "Đơn vị đã giải thể trước đó; đơn vị kế thừa: {successor}. Không làm gì thêm."
            told = notice(text, ok=same, successor=before.name if before else "—")
        return _page(session, scope, unit, told=told, status=200 if told["ok"] else 409)


def _unit(session: Session, scope: Scope, code: str) -> Unit:
    return unit_or_404(session, scope, session.exec(select(Unit).where(Unit.code == code[:64])).first())


def _page(
    session: Session, scope: Scope, unit: Unit, *, q: str = "", told: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    assert unit.id is not None
    below = subtree_ids(unit.id)
    mine = set(session.execute(select(below.c.id)).scalars())
    blocked = dict.fromkeys(mine, UNFIT[Unfit.below])
    blocked[unit.id] = UNFIT[Unfit.itself]
    open_count = session.execute(
        select(func.count())
        .select_from(Assignment)
        .where(col(Assignment.unit_id) == unit.id, col(Assignment.status).not_in(CLOSED))
    ).scalar_one()
    children = session.execute(
        select(func.count()).select_from(Unit).where(col(Unit.parent_id) == unit.id, col(Unit.active))
    ).scalar_one()
    return page(
        "web/admin/restructure.html",
        status_code=status,
        title="Giải thể, sáp nhập đơn vị",
        me=scope,
        unit=unit,
        parent=session.get(Unit, unit.parent_id) if unit.parent_id else None,
        successor=session.get(Unit, unit.successor_id) if unit.successor_id else None,
        own=unit.id == scope.unit_id,
        open_count=open_count,
        children=children,
        action=_path(unit.code),
        q=q,
        matches=picks(session, scope, q, blocked) if unit.active else [],
        notice=told,
    )
