"""Passing a directive on: after a unit with units under it acknowledges, its implementing directive is
issued to them, by the system (`forward`) or by the unit itself (`author`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from cascade.core.workdays import WorkCalendar, local_date
from cascade.directives import deadlines
from cascade.directives.numbers import parse_number, state_number
from cascade.rendering.render import vn_date
from models import (
    Assignment,
    AuditEvent,
    CascadeMode,
    Directive,
    DirectiveTask,
    Recipient,
    Role,
    Status,
    Unit,
    Urgency,
    record_audit,
    utcnow,
)

# Kinds that are parts of a unit rather than units under it: a directive is never passed down to them.
INTERNAL_KINDS = frozenset({"department", "party_department"})


def subordinates(session: Session, unit_id: int) -> list[Unit]:
    query = select(Unit).where(
        Unit.parent_id == unit_id,
        col(Unit.active).is_(True),
        col(Unit.kind).not_in(INTERNAL_KINDS),
    )
    return list(session.exec(query.order_by(col(Unit.code))).all())


def mode_of(session: Session, assignment: Assignment, directive: Directive) -> CascadeMode:
    recipient = session.exec(
        select(Recipient).where(Recipient.directive_id == directive.id, Recipient.unit_id == assignment.unit_id)
    ).first()
    return (recipient.mode if recipient and recipient.mode else None) or directive.cascade_mode


def on_acknowledged(session: Session, assignment: Assignment, now: datetime, calendar: WorkCalendar) -> None:
    """An `act` unit with units under it must pass the directive on (the same or the next working day)."""
    directive = session.get(Directive, assignment.directive_id)
    assert directive is not None and assignment.id is not None
    if assignment.role != Role.act or not subordinates(session, assignment.unit_id):
        return
    assignment.mode = mode_of(session, assignment, directive)
    today = local_date(now)
    urgent = directive.urgency != Urgency.normal
    assignment.pass_on_due = calendar.on_or_after(today) if urgent else calendar.next_working_day(today)
    session.add(assignment)
    if assignment.mode == CascadeMode.forward:
        issue_implementing_directive(session, assignment, issued_on=today, source="forward", calendar=calendar)
    else:
        record_audit(
            session,
            AuditEvent.awaiting_implementing_directive,
            unit=session.get(Unit, assignment.unit_id),
            directive_id=directive.id,
            assignment_id=assignment.id,
            detail={"pass_on_due": assignment.pass_on_due.isoformat()},
        )
    session.flush()


@dataclass(frozen=True)
class Draft:
    """What a unit writes in its own implementing directive (author mode); None = the default."""

    number: str | None = None
    summary: str | None = None
    body: str | None = None
    report_due: date | None = None
    tasks: tuple[str, ...] = ()


def default_report_due(parent: Directive, assignment: Assignment, issued_on: date, calendar: WorkCalendar) -> date:
    return deadlines.report_due(assignment.report_due or parent.report_due, issued_on, parent.lead_days, calendar)


def issue_implementing_directive(
    session: Session,
    assignment: Assignment,
    *,
    issued_on: date,
    source: str,
    calendar: WorkCalendar,
    draft: Draft | None = None,
) -> Directive:
    """The unit's own directive to the units under it: its own number, basis = the parent, earlier deadline."""
    draft = draft or Draft()
    parent = session.get(Directive, assignment.directive_id)
    unit = session.get(Unit, assignment.unit_id)
    parent_issuer = session.get(Unit, parent.issuer_id) if parent else None
    assert parent is not None and unit is not None and parent_issuer is not None and unit.id is not None
    children = subordinates(session, unit.id)
    report_due = draft.report_due or default_report_due(parent, assignment, issued_on, calendar)
    directive = Directive(
        number=draft.number or next_number(session, unit, issued_on.year, parent.doc_type),
        doc_type=parent.doc_type,
        issued_on=issued_on,
        place=parent.place,
        summary=draft.summary or parent.summary,
        basis=parent.number,
        basis_issued_on=parent.issued_on,
        basis_issuer=parent_issuer.name,
        body=draft.body if draft.body is not None else parent.body,
        signer_on_behalf=None,
        signer_title="",
        signer_name=unit.name,
        report_due=report_due,
        urgency=parent.urgency,
        cascade_mode=parent.cascade_mode,
        lead_days=parent.lead_days,
        issuer_id=unit.id,
        year=issued_on.year,
        parent_directive_id=parent.id,
        parent_assignment_id=assignment.id,
        source=source,
    )
    session.add(directive)
    session.flush()
    assert directive.id is not None
    for child in children:
        assert child.id is not None
        session.add(Recipient(directive_id=directive.id, unit_id=child.id, role=Role.act))
    for seq, (text, to_codes, to_kinds) in enumerate(_tasks(session, parent, unit, children, report_due, draft), 1):
        session.add(DirectiveTask(directive_id=directive.id, seq=seq, text=text, to_codes=to_codes, to_kinds=to_kinds))
    assignment.implementing_directive_id = directive.id
    session.add(assignment)
    record_audit(
        session,
        AuditEvent.implementing_directive_issued,
        unit=unit,
        directive_id=parent.id,
        assignment_id=assignment.id,
        detail={"number": directive.number, "source": source, "recipients": len(children)},
    )
    session.flush()
    return directive


def _tasks(
    session: Session, parent: Directive, unit: Unit, children: list[Unit], report_due: date, draft: Draft
) -> list[tuple[str, list[str], list[str]]]:
    codes = [c.code for c in children]
    if draft.tasks:
        return [(text, codes, []) for text in draft.tasks]
    # Tasks addressed to kinds of unit further down travel with the directive until they reach them.
    carried: list[tuple[str, list[str], list[str]]] = [
        (t.text, [], list(t.to_kinds))
        for t in session.exec(select(DirectiveTask).where(DirectiveTask.directive_id == parent.id)).all()
        if t.to_kinds and unit.kind not in t.to_kinds
    ]
    standard = (
        f"Triển khai thực hiện các nội dung của {parent.doc_type.lower()} số {parent.number} "
        f"ngày {vn_date(parent.issued_on)} phù hợp với tình hình thực tế của đơn vị; "
        f"báo cáo kết quả về {unit.name} trước ngày {vn_date(report_due)}."
    )
    return [*carried, (standard, codes, [])]


def next_number(session: Session, issuer: Unit, year: int, doc_type: str) -> str:
    """The next number in the issuer's own series for the year (unique per issuer and year, Decree 30 Art. 15)."""
    used = session.exec(select(Directive.number).where(Directive.issuer_id == issuer.id, Directive.year == year))
    highest = max((parsed[0] for n in used.all() if (parsed := parse_number(n))), default=0)
    return state_number(highest + 1, doc_type, issuer.number_symbol)


def mark_dispatched(session: Session, directive: Directive) -> None:
    """Once a unit's implementing directive has gone out, its own assignment is 'assigned' (edXML 04)."""
    if directive.dispatched_at is None:
        directive.dispatched_at = utcnow()
        session.add(directive)
    if directive.parent_assignment_id is None:
        return
    assignment = session.get(Assignment, directive.parent_assignment_id)
    if assignment is not None and assignment.status in (Status.queued, Status.arrived, Status.acknowledged):
        assignment.status, assignment.status_changed_at = Status.assigned, utcnow()
        session.add(assignment)
