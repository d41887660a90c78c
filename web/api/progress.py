"""/api/directives (the list) and /api/directives/{id}/status (a launched draft's figures by level and its late
units): what the console's live page polls, and scripts read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session, col, select

from cascade.accounts.scope import scoped
from cascade.console.progress import directive_progress
from cascade.rendering.render import vn_date
from cascade.status.oversight import today_vn
from cascade.status.summary import acknowledged_shares
from models import Directive, DirectiveDraft, Unit
from web.api.common import BEARER, NOT_FOUND, draft_or_404
from web.api.schemas import DirectiveItem, StatusOut
from web.auth import CurrentUser
from web.common import app_engine

router = APIRouter(prefix="/api/directives", tags=["directives"], dependencies=[Depends(BEARER)])


@router.get("/{draft_id}/status", response_model=StatusOut, responses=NOT_FOUND)
def directive_status(draft_id: int, request: Request, scope: CurrentUser) -> StatusOut:
    """Where a launched draft's directive stands ({id}: the draft's id, as the upload answered it): by level
    of the tree, the notices sent and bounced, the units that confirmed receipt and those late, and the late
    units by name (most overdue first). A draft not launched yet has no figures."""
    with Session(app_engine(request)) as session:
        draft = draft_or_404(session, scope, draft_id)
        directive = session.get(Directive, draft.directive_id) if draft.directive_id else None
        figures: dict[str, Any] = {"levels": [], "totals": {}, "late_units": [], "late_to_acknowledge": 0,
                                   "late_to_report": 0}  # fmt: skip
        if directive is not None and directive.id is not None:
            figures = directive_progress(session, directive_id=directive.id, today=today_vn())
        return StatusOut(id=draft_id, directive_id=draft.directive_id, number=directive.number if directive else None,
                         launched=directive is not None,
                         dispatched=directive is not None and directive.dispatched_at is not None,
                         flow_run_id=draft.flow_run_id, flow_run_url=draft.flow_run_url, **figures)  # fmt: skip


@router.get("", response_model=list[DirectiveItem])
def list_directives(
    request: Request,
    scope: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> list[DirectiveItem]:
    """The directives the caller's subtree issued, newest first, with their draft (when launched from the
    console) and the share of direct recipients that confirmed receipt."""
    with Session(app_engine(request)) as session:
        query = scoped(select(Directive, Unit).join(Unit, col(Unit.id) == col(Directive.issuer_id)), scope,
                       Directive.issuer_id)  # fmt: skip
        rows = session.execute(query.order_by(col(Directive.id).desc()).offset(offset).limit(limit)).all()
        ids = [d.id for d, _ in rows if d.id is not None]
        drafts = dict(
            session.exec(
                select(DirectiveDraft.directive_id, DirectiveDraft.id).where(col(DirectiveDraft.directive_id).in_(ids))
            ).all()
        )
        shares = acknowledged_shares(session, ids)
        out = []
        for d, issuer in rows:
            assert d.id is not None
            total, done = shares.get(d.id, (0, 0))
            draft_id = drafts.get(d.id)
            out.append(DirectiveItem(
                id=d.id, draft_id=draft_id, number=d.number, summary=d.summary, issued_on=d.issued_on,
                issued_on_vn=vn_date(d.issued_on), issuer_code=issuer.code, issuer_name=issuer.name,
                recipients=total, acknowledged=done,
                acknowledged_percent=round(100.0 * done / total, 1) if total else 0.0,
                dispatched=d.dispatched_at is not None, page_url=f"/admin/directives/{d.id}",
                status_url=f"/api/directives/{draft_id}/status" if draft_id else None,
            ))  # fmt: skip
        return out
