"""/api/units/{code}: a unit of the caller's subtree (its kind, parent and children) with its assignments under
every directive (role and status in words, deadlines). A unit outside the subtree is 404, as an unknown one."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlmodel import Session, col, func, select

from cascade.accounts.scope import directive_in_scope, unit_in_scope
from cascade.rendering.render import KIND_LABELS, ROLE_LABELS, STATUS_LABELS, vn_date
from cascade.status.oversight import unit_history
from cascade.status.summary import chased
from models import Unit
from web.api.common import BEARER
from web.api.schemas import AssignmentOut, UnitOut, UnitRefOut
from web.auth import CurrentUser
from web.common import app_engine

router = APIRouter(prefix="/api/units", tags=["units"], dependencies=[Depends(BEARER)])


@router.get("/{code}", response_model=UnitOut, responses={404: {"description": "No such unit in the caller's scope"}})
def unit(code: str, request: Request, scope: CurrentUser) -> UnitOut:
    """The unit and its assignments, newest directive first."""
    with Session(app_engine(request)) as session:
        found = session.exec(select(Unit).where(Unit.code == code)).first()
        if found is None or not unit_in_scope(session, scope, found.id):
            raise HTTPException(404, "Không tìm thấy đơn vị")
        history = unit_history(session, found, limit=0)
        children = session.exec(select(func.count()).select_from(Unit).where(col(Unit.parent_id) == found.id)).one()
        parent = history["parent"]
        assignments = []
        for item in history["assignments"]:
            a, d = item["assignment"], item["directive"]
            visible = directive_in_scope(session, scope, d)
            ack_due = a.ack_due if chased(a.role) else None  # a superior is informed, never asked to acknowledge
            assignments.append(
                AssignmentOut(
                    directive_id=d.id,
                    number=d.number,
                    summary=d.summary,
                    role=a.role.value,
                    role_label=ROLE_LABELS[a.role],
                    status=a.status.value,
                    status_label=STATUS_LABELS.get(a.status, a.status),
                    ack_due=ack_due,
                    ack_due_vn=vn_date(ack_due),
                    report_due=a.report_due,
                    report_due_vn=vn_date(a.report_due),
                    acknowledged_at=a.acknowledged_at.isoformat() if a.acknowledged_at else None,
                    page_url=f"/admin/directives/{d.id}" if visible else None,
                )
            )
        return UnitOut(
            code=found.code,
            name=found.name,
            kind=found.kind,
            kind_label=KIND_LABELS.get(found.kind, "Đơn vị"),
            active=found.active,
            email=found.email,
            parent=UnitRefOut(code=parent.code, name=parent.name) if parent else None,
            children=int(children),
            assignments=assignments,
        )
