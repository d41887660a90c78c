"""Decisions made in the browser, not the shell: what the issuer's administrator decides about a refusal
(reroute the directive to a unit picked from the tree, or accept the refusal). The same area serves the
restructuring of a unit (web/decisions_restructure.py) and a unit's register (web/decisions_register.py).

Every page is scoped: a refusal is seen only by the issuer's subtree's ancestors (a directive's scope), as a
404 to anyone else. Deciding needs an administrator (require_launcher) and the form's CSRF field; a second
click of the same decision finds the first and does nothing more."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from cascade.accounts.scope import Scope, directive_in_scope, in_scope_filter
from cascade.replies.refusal import Unfit, unfit_targets
from cascade.replies.refusal_decisions import (
    DecisionResult,
    Outcome,
    Refusal,
    accept_refusal,
    find_refusal,
    reroute_refusal,
    waiting_refusals,
)
from models import Directive
from web import decisions_register, decisions_restructure
from web.auth import CurrentUser, Launcher
from web.common import app_engine, page
from web.csrf import verify_csrf
from web.decisions_picker import notice, picked_unit, picks
from web.passon_trigger import notify_pass_on

router = APIRouter()
router.include_router(decisions_restructure.router)
router.include_router(decisions_register.router)

Q = Annotated[str, Query(max_length=200)]
RerouteField = Annotated[str, Form(max_length=64)]

# What a decision's outcome says; each a Vietnamese source text (English in cascade/rendering/i18n.py).
REROUTE_NOTICES = {
    Outcome.done: ("Đã chuyển văn bản cho {to}. Thông báo sẽ được gửi tới đơn vị trong lượt gửi tiếp theo.", True),
    Outcome.same: ("Văn bản đã được chuyển cho {to} trước đó. Không làm gì thêm.", True),
    Outcome.rerouted_before: (
        "Không chuyển được: lời từ chối này đã được xử lý, văn bản đã được chuyển cho {to}. Mỗi lời từ chối chỉ "
        "được chuyển một lần.",
        False,
    ),
    Outcome.dissolved: ("Không chuyển được: {picked} đã giải thể hoặc sáp nhập. Vui lòng chọn đơn vị khác.", False),
    Outcome.recipient: ("Không chuyển được: {picked} đã là nơi nhận văn bản này. Vui lòng chọn đơn vị khác.", False),
    Outcome.issuer: (
        "Không chuyển được: {picked} là đơn vị ban hành văn bản này, không thể nhận lại văn bản của chính mình. "
        "Vui lòng chọn đơn vị khác.",
        False,
    ),
}
# Why a unit found by the picker cannot be picked (the rule of cascade/replies/refusal.py: unfit_targets).
UNFIT_MARKS = {Unfit.addressed: "đã là nơi nhận văn bản này", Unfit.issuer: "đơn vị ban hành văn bản này"}
ACCEPT_NOTICES = {
    Outcome.done: (
        "Đã ghi nhận: chấp nhận việc {unit} từ chối tiếp nhận. Đơn vị không phải thực hiện văn bản này.",
        True,
    ),
    Outcome.same: ("Việc từ chối đã được chấp nhận trước đó. Không làm gì thêm.", True),
    Outcome.rerouted_before: (
        "Không thể chấp nhận việc từ chối: văn bản đã được chuyển cho {to}.",
        False,
    ),
}


@router.get("/admin/refusals", response_class=HTMLResponse)
def refusals(request: Request, scope: CurrentUser) -> HTMLResponse:
    """The refusals of the person's directives still waiting for a decision, oldest first."""
    with Session(app_engine(request)) as session:
        waiting = waiting_refusals(session, where=in_scope_filter(scope, Directive.issuer_id))  # type: ignore[arg-type]
    return page("web/admin/decide_refusals.html", title="Văn bản bị từ chối", me=scope, refusals=waiting)


@router.get("/admin/refusals/{assignment_id}", response_class=HTMLResponse)
def refusal_page(assignment_id: int, request: Request, scope: CurrentUser, q: Q = "") -> HTMLResponse:
    """The refusal (which unit, its reason, the directive) and the two decisions, with units found by `q`."""
    with Session(app_engine(request)) as session:
        refusal = _refusal(session, scope, assignment_id)
        return _page(session, scope, refusal, q=q)


@router.post(
    "/admin/refusals/{assignment_id}/reroute", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)]
)
def reroute_post(
    assignment_id: int, request: Request, scope: Launcher, unit: RerouteField, q: Annotated[str, Form()] = ""
) -> HTMLResponse:
    with Session(app_engine(request), expire_on_commit=False) as session:
        _refusal(session, scope, assignment_id)  # 404 before anything else when out of scope
        target = picked_unit(session, scope, unit)
        result = reroute_refusal(session, assignment_id, target, actor=scope.actor)
        session.commit()
        if result.outcome is Outcome.done:  # the new unit's notice goes out at once (web/passon_trigger.py)
            notify_pass_on(request.app.state, _refusal(session, scope, assignment_id).directive.id)
        text, ok = REROUTE_NOTICES.get(result.outcome, REROUTE_NOTICES[Outcome.rerouted_before])
        told = notice(text, ok, to=_to(result), picked=target.name)
        return _page(session, scope, _refusal(session, scope, assignment_id), q=q[:200], told=told, status=_code(ok))


@router.post("/admin/refusals/{assignment_id}/accept", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def accept_post(assignment_id: int, request: Request, scope: Launcher) -> HTMLResponse:
    with Session(app_engine(request), expire_on_commit=False) as session:
        refusal = _refusal(session, scope, assignment_id)
        result = accept_refusal(session, assignment_id, actor=scope.actor)
        session.commit()
        text, ok = ACCEPT_NOTICES.get(result.outcome, ACCEPT_NOTICES[Outcome.rerouted_before])
        told = notice(text, ok, unit=refusal.unit.name, to=_to(result))
        return _page(session, scope, _refusal(session, scope, assignment_id), told=told, status=_code(ok))


def _refusal(session: Session, scope: Scope, assignment_id: int) -> Refusal:
    """The refusal, if the person's scope holds its directive; else 404, as for one that does not exist."""
    refusal = find_refusal(session, assignment_id)
    if refusal is None or not directive_in_scope(session, scope, refusal.directive):
        raise HTTPException(404, "Không tìm thấy lời từ chối")
    return refusal


def _page(
    session: Session,
    scope: Scope,
    refusal: Refusal,
    *,
    q: str = "",
    told: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    # The issuer and the units already addressed (the refusing one among them) are never offered.
    blocked = {unit_id: UNFIT_MARKS[why] for unit_id, why in unfit_targets(session, refusal.directive).items()}
    blocked[refusal.unit.id or 0] = "đơn vị đã từ chối"
    rerouted = refusal.decision is not None and refusal.decision.event == "rerouted"
    return page(
        "web/admin/decide_refusal.html",
        status_code=status,
        title="Đơn vị từ chối tiếp nhận văn bản",
        me=scope,
        refusal=refusal,
        rerouted=rerouted,
        q=q,
        matches=[] if rerouted else picks(session, scope, q, blocked),
        notice=told,
    )


def _to(result: DecisionResult) -> str:
    return (result.decision.to_name if result.decision else None) or ""


def _code(ok: bool) -> int:
    return 200 if ok else 409
