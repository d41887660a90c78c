"""The report deadlines an amendment moves: the directive's own, and down the tree each implementing directive's
that was budgeted from its parent's (cascade/directives/deadlines.py, `lead_days` working days earlier at each
level). A deadline a unit chose itself (its own pass-on form) is kept. The assignments' deadlines, the report
cycles and the ladder's steps taken against the old dates follow; the system's own Công văn that quoted the old
date ("báo cáo kết quả … trước ngày 28/12/2021") quotes the new one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cascade.core.errors import InputError, Problem
from cascade.core.workdays import WorkCalendar
from cascade.directives import deadlines
from cascade.directives.reportplan import effective_plan, scheduled_dates
from cascade.lifecycle.notices import free_reminder_keys
from cascade.rendering.render import vn_date
from models import Assignment, Directive, DirectiveTask
from models.report import EscalationStep, ReportCycle

ASSIGNMENT = Assignment.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Move:
    directive: Directive
    old: date
    new: date


def planned_moves(
    session: Session,
    top: Directive,
    new_due: date,
    *,
    old_lead: int,
    new_lead: int,
    today: date,
    calendar: WorkCalendar,
    source: str,
) -> list[Move]:
    """The deadlines that move, top first (empty when the directive's own does not). InputError when one of them
    would fall before today."""
    if new_due == top.report_due and old_lead == new_lead:
        return []
    moves = [Move(top, top.report_due, new_due)] if new_due != top.report_due else []

    def walk(parent: Directive, old: date, new: date, leads: tuple[int, int]) -> None:
        children = session.exec(select(Directive).where(Directive.parent_directive_id == parent.id)).all()
        for child in sorted(children, key=lambda d: d.id or 0):
            was = deadlines.report_due(old, child.issued_on, leads[0], calendar)
            if child.report_due != was:
                continue  # the unit set its own deadline on its pass-on form
            will = deadlines.report_due(new, child.issued_on, leads[1], calendar)
            if will != child.report_due:
                moves.append(Move(child, child.report_due, will))
                walk(child, child.report_due, will, (child.lead_days, child.lead_days))

    walk(top, top.report_due, new_due, (old_lead, new_lead))
    early = [m for m in moves if m.new < today and m.new < m.old]
    if early:
        first = early[0]
        raise InputError(
            [
                Problem(
                    source,
                    f"the report deadline of {first.directive.number} would move to {vn_date(first.new)}, before "
                    f"today ({vn_date(today)}): give a later report_due",
                    entry="report_due",
                )
            ]
        )
    return moves


def _cycle_dues(session: Session, directive: Directive, calendar: WorkCalendar) -> list[date]:
    """The cycle deadlines as cascade/directives/reportplan.py ensure_cycles budgets them, from today's values."""
    parent = session.get(Directive, directive.parent_directive_id) if directive.parent_directive_id else None
    if parent is not None:
        above = [
            c.due
            for c in session.exec(
                select(ReportCycle).where(ReportCycle.directive_id == parent.id).order_by(col(ReportCycle.seq))
            ).all()
        ]
        dues = [deadlines.report_due(d, directive.issued_on, directive.lead_days, calendar) for d in above[:-1]]
    else:
        schedule = effective_plan(session, directive).schedule
        dues = [calendar.on_or_after(d) for d in scheduled_dates(directive, schedule)][:-1]
    return [*dues, calendar.on_or_after(directive.report_due)]


def apply_moves(session: Session, moves: list[Move], calendar: WorkCalendar) -> None:
    """Move the deadlines (top first: each level's cycles are budgeted from its parent's, already moved)."""
    session.info.pop("report_cycles", None)  # cascade/directives/reportplan.py's memo of the cycles
    for move in moves:
        d = move.directive
        d.report_due = move.new
        session.add(d)
        session.flush()
        session.execute(
            sa.update(ASSIGNMENT)
            .where(ASSIGNMENT.c.directive_id == d.id, ASSIGNMENT.c.report_due.is_not(None))
            .values(report_due=calendar.on_or_after(move.new))
        )
        stored = {c.seq: c for c in session.exec(select(ReportCycle).where(ReportCycle.directive_id == d.id)).all()}
        if stored:  # cycles not made yet are made from the new deadline when first needed
            moved: list[str] = []
            for seq, due in enumerate(_cycle_dues(session, d, calendar), start=1):
                cycle = stored.get(seq)
                if cycle is None:
                    session.add(ReportCycle(directive_id=d.id or 0, seq=seq, due=due))
                elif cycle.due != due and cycle.consolidated_at is None:
                    cycle.due = due
                    session.add(cycle)
                    moved.append(f"r{seq}")
            session.flush()
            # The ladder starts again from the new dates: its steps against the old ones are history (audit log).
            session.execute(
                sa.delete(EscalationStep).where(
                    col(EscalationStep.directive_id) == d.id, col(EscalationStep.item).in_(moved)
                )
            )
            owing = session.exec(select(Assignment.id).where(Assignment.directive_id == d.id)).all()
            free_reminder_keys(session, [i for i in owing if i is not None], moved)
        if d.parent_directive_id is not None and d.source == "forward":
            _requote(session, d, move)
    session.info.pop("report_cycles", None)


def _requote(session: Session, d: Directive, move: Move) -> None:
    """The system's own Công văn quoted its deadline: it quotes the new one."""
    old, new = vn_date(move.old), vn_date(move.new)
    d.body = d.body.replace(old, new)
    session.add(d)
    for task in session.exec(select(DirectiveTask).where(DirectiveTask.directive_id == d.id)).all():
        if old in task.text:
            task.text = task.text.replace(old, new)
            session.add(task)
