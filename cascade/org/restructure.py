"""Restructuring: when a unit is dissolved or merged, its open assignments move to its successor. A unit is
dissolved by the org file (`dissolved: true` with a `successor`, then `cascade org import`) or by its
administrator in the console (`dissolve`: the same marks, its units below moved under the successor)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cascade.core.settings import Settings
from cascade.delivery.outbox_store import enqueue_mail
from cascade.dispatch.notices import notice_context, render_notice
from models import Assignment, AuditEvent, Status, Unit, record_audit, utcnow
from models.unit import final_successor

CLOSED = (Status.completed, Status.refused)


def move_to_successors(
    session: Session, settings: Settings, *, actor: str = "org import", only: Collection[int] | None = None
) -> int:
    """Move every open assignment of a dissolved unit (of those in `only`, when given) to its successor
    (following chains of successors) and owe the successor a notice; the audit log keeps the old unit's code
    and name. Returns how many moved."""
    inactive = select(Unit).where(col(Unit.active).is_(False))
    if only is not None:
        inactive = inactive.where(col(Unit.id).in_(list(only)))
    dissolved = {u.id: u for u in session.exec(inactive).all()}
    units_by_id = {u.id: u for u in session.exec(select(Unit)).all()}
    moved = 0
    for assignment in session.exec(
        select(Assignment).where(col(Assignment.unit_id).in_(list(dissolved)), col(Assignment.status).not_in(CLOSED))
    ).all():
        old = units_by_id[assignment.unit_id]
        successor = final_successor(old, units_by_id)
        if successor is None or successor.id is None:
            continue
        taken = session.exec(
            select(Assignment.id).where(
                Assignment.directive_id == assignment.directive_id, Assignment.unit_id == successor.id
            )
        ).first()
        detail = {"from": old.code, "to": successor.code, "to_name": successor.name}
        if taken is not None:  # the successor already has this directive: the old duty merges into it
            _audit(session, AuditEvent.assignment_merged, assignment, old, detail, actor)
            continue
        assignment.unit_id, assignment.status_changed_at = successor.id, utcnow()
        session.add(assignment)
        _audit(session, AuditEvent.assignment_moved, assignment, old, detail, actor)
        session.flush()
        row = render_notice(settings, notice_context(session, assignment.directive_id), assignment, successor)
        row["key"] = f"notice:{assignment.id}:successor:{successor.code}"
        row["kind"] = "successor_notice"
        enqueue_mail(session, [row])
        moved += 1
    session.flush()
    return moved


class Unfit(StrEnum):
    """Why a unit cannot be named successor of another."""

    itself = "itself"
    dissolved = "dissolved"  # the successor has been dissolved itself
    below = "below"  # the successor is one of the unit's own units, which move under it


@dataclass(frozen=True)
class Dissolution:
    done: bool  # False: the unit was dissolved before (with `successor_id`), nothing changed now
    successor_id: int | None
    moved: int = 0  # open assignments moved to the successor
    children: int = 0  # units below the dissolved one, now under the successor


def unfit_successor(session: Session, unit: Unit, successor: Unit) -> Unfit | None:
    if successor.id == unit.id:
        return Unfit.itself
    if not successor.active:
        return Unfit.dissolved
    current: int | None = successor.parent_id
    for _ in range(64):  # no real tree is deeper; bad data cannot loop for ever
        if current is None:
            return None
        if current == unit.id:
            return Unfit.below
        current = session.execute(sa.select(col(Unit.parent_id)).where(col(Unit.id) == current)).scalar()
    return None


def dissolve(session: Session, settings: Settings, unit: Unit, successor: Unit, *, actor: str) -> Dissolution:
    """Dissolve `unit`, naming `successor`: marked as an org file's `dissolved: true` + `successor` marks it,
    its units below moved under the successor, its open assignments moved to it (each owed a notice, sent by
    the next dispatch). A unit dissolved before is left as it is. Raises ValueError for an unfit successor."""
    assert unit.id is not None and successor.id is not None
    if unit.active and (unfit := unfit_successor(session, unit, successor)) is not None:
        raise ValueError(f"{successor.code} cannot succeed {unit.code}: {unfit}")
    # One write first: two administrators dissolving one unit at once run one after the other.
    claimed = session.execute(
        sa.update(Unit)
        .where(col(Unit.id) == unit.id, col(Unit.active).is_(True))
        .values(active=False, successor_id=successor.id, updated_at=utcnow())
    )
    if not getattr(claimed, "rowcount", 0):
        session.refresh(unit)
        return Dissolution(done=False, successor_id=unit.successor_id)
    children = session.execute(
        sa.update(Unit).where(col(Unit.parent_id) == unit.id).values(parent_id=successor.id, updated_at=utcnow())
    )
    session.expire_all()  # the ORM's units were loaded before the bulk updates
    moved = move_to_successors(session, settings, actor=actor, only=[unit.id])
    count = int(getattr(children, "rowcount", 0) or 0)
    detail = {"successor": successor.code, "successor_name": successor.name, "moved": moved, "children": count}
    record_audit(session, AuditEvent.unit_dissolved, unit=unit, actor=actor, detail=detail)
    session.flush()
    return Dissolution(done=True, successor_id=successor.id, moved=moved, children=count)


def _audit(
    session: Session, event: AuditEvent, assignment: Assignment, old: Unit, detail: dict[str, str], actor: str
) -> None:
    """An entry about the old unit (its code and name kept: it has been dissolved)."""
    record_audit(
        session,
        event,
        unit=old,
        actor=actor,
        directive_id=assignment.directive_id,
        assignment_id=assignment.id,
        detail=detail,
    )
