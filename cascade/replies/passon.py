"""Passing a directive on: after a unit with units under it acknowledges, its implementing directive is issued
to them, by the system (`forward`: a Công văn from the unit's own register, signed by its signer, from its own
place) or by the unit itself (`author`). A forward unit with no signer on record is held: it completes the number
and the signer on its page (web/passon_pages.py) before anything goes down, and the monitor chases it meanwhile."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cascade.core.workdays import WorkCalendar, local_date
from cascade.directives import deadlines
from cascade.directives.numbers import CONG_VAN, document_number
from cascade.dispatch.duties import DEPARTMENT_KINDS
from cascade.documents.register import claim_number, take_number
from cascade.replies.passon_draft import AlreadyPassedOn, Draft, NumberUsed
from cascade.replies.passon_text import forward_body, forward_summary, implementing_tasks
from cascade.replies.signer import MissingSigner, signer_of
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


def _below(unit_id: int) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        col(Unit.parent_id) == unit_id,
        col(Unit.active).is_(True),
        # the unit's own offices and boards are parts of it, not units under it: never passed down to
        col(Unit.kind).not_in(DEPARTMENT_KINDS),
    )


def subordinates(session: Session, unit_id: int) -> list[Unit]:
    return list(session.exec(select(Unit).where(*_below(unit_id)).order_by(col(Unit.code))).all())


def has_subordinates(session: Session, unit_id: int) -> bool:
    """Whether any unit is under it (one row looked at, none loaded)."""
    return session.execute(sa.select(sa.exists().where(*_below(unit_id)))).scalar_one()


def mode_of(session: Session, assignment: Assignment, directive: Directive) -> CascadeMode:
    recipient = session.exec(
        select(Recipient).where(Recipient.directive_id == directive.id, Recipient.unit_id == assignment.unit_id)
    ).first()
    # CascadeMode(): a mode set as a plain string ("author") reads back as the member
    return CascadeMode((recipient.mode if recipient and recipient.mode else None) or directive.cascade_mode)


def on_acknowledged(session: Session, assignment: Assignment, now: datetime, calendar: WorkCalendar) -> None:
    """An `act` unit with units under it must pass the directive on (the same or the next working day)."""
    directive = session.get(Directive, assignment.directive_id)
    unit = session.get(Unit, assignment.unit_id)
    assert directive is not None and unit is not None and assignment.id is not None
    if assignment.role != Role.act or not has_subordinates(session, assignment.unit_id):
        return
    mode = mode_of(session, assignment, directive)
    assignment.mode = mode
    today = local_date(now)
    urgent = directive.urgency != Urgency.normal
    assignment.pass_on_due = calendar.on_or_after(today) if urgent else calendar.next_working_day(today)
    session.add(assignment)
    if mode == CascadeMode.forward and signer_of(unit) is not None:
        issue_implementing_directive(session, assignment, issued_on=today, source="forward", calendar=calendar)
    else:
        # Author mode, or a forward unit with no signer on record: nothing goes down until the unit completes
        # its document on /u/<token>/author; the ladder's "pass" item chases it until then.
        held = {"missing": "signer"} if mode == CascadeMode.forward else {}
        record_audit(
            session,
            AuditEvent.awaiting_implementing_directive,
            unit=unit,
            directive_id=directive.id,
            assignment_id=assignment.id,
            detail={"pass_on_due": assignment.pass_on_due.isoformat(), "mode": mode.value, **held},
        )
    session.flush()


def is_held(assignment: Assignment) -> bool:
    """A forward pass-on waiting for the unit to give its number and signer (it had no signer on record)."""
    return (
        assignment.mode == CascadeMode.forward
        and assignment.status == Status.acknowledged
        and assignment.implementing_directive_id is None
    )


ASSIGNMENT = Assignment.__table__  # type: ignore[attr-defined]
RECIPIENT = Recipient.__table__  # type: ignore[attr-defined]
# A no-op UPDATE of the assignment's row while it has no implementing directive: the second of two concurrent
# issuers waits on the row (PostgreSQL's row lock, SQLite's write lock), then finds it taken and stops.
_CLAIM = (
    sa.update(ASSIGNMENT)
    .where(ASSIGNMENT.c.id == sa.bindparam("assignment_id"), ASSIGNMENT.c.implementing_directive_id.is_(None))
    .values(status_changed_at=ASSIGNMENT.c.status_changed_at)
    .returning(ASSIGNMENT.c.id)
)


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
    """The unit's own directive to the units under it, numbered from its register, basis = the parent, with an
    earlier report deadline: in forward mode a Công văn "V/v triển khai thực hiện …", in author mode the unit's
    own text of the parent's type. Raises AlreadyPassedOn when it was issued already, MissingSigner rather than
    issue an unsigned document, NumberUsed when the draft's number is taken: the caller then rolls back."""
    draft = draft or Draft()
    parent = session.get(Directive, assignment.directive_id)
    unit = session.get(Unit, assignment.unit_id)
    assert parent is not None and unit is not None and unit.id is not None
    signer = draft.signer or signer_of(unit)
    if signer is None or not signer.complete:
        raise MissingSigner(f"{unit.name}: no signer's title and name, its pass-on of {parent.number} is not issued")
    if session.execute(_CLAIM, {"assignment_id": assignment.id}).first() is None:
        raise AlreadyPassedOn(f"assignment {assignment.id} has its implementing directive already")
    children = subordinates(session, unit.id)
    report_due = draft.report_due or default_report_due(parent, assignment, issued_on, calendar)
    authored = source == "author"
    doc_type = parent.doc_type if authored else CONG_VAN
    tasks = implementing_tasks(session, parent, unit, children, report_due, draft.tasks)
    if draft.sequence is None:
        sequence = take_number(session, unit.id, issued_on.year)
    elif claim_number(session, unit.id, issued_on.year, draft.sequence):
        sequence = draft.sequence
    else:
        raise NumberUsed(draft.sequence)
    if authored:
        summary, body = draft.summary or parent.summary, draft.body if draft.body is not None else parent.body
    else:
        summary, body = forward_summary(session, parent), forward_body(session, parent, unit, children, tasks)
    parent_issuer = session.get(Unit, parent.issuer_id)
    assert parent_issuer is not None
    directive = Directive(
        number=document_number(sequence, doc_type, unit.number_symbol, party=unit.numbers_party_style),
        doc_type=doc_type,
        issued_on=issued_on,
        # A unit with no place in the tree dates its document from the parent document's place, as every
        # pass-on did before units had places.
        place=unit.place or parent.place,
        summary=summary,
        basis=parent.number,
        basis_issued_on=parent.issued_on,
        basis_issuer=parent_issuer.name,
        body=body,
        signer_on_behalf=signer.on_behalf,
        signer_title=signer.title.strip(),
        signer_name=signer.name.strip(),
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
    # One executemany, not an ORM object per unit below: this runs inside an acknowledgement's request.
    recipients = [{"directive_id": directive.id, "unit_id": child.id, "role": Role.act} for child in children]
    if recipients:
        session.execute(sa.insert(RECIPIENT), recipients)
    for seq, (text, to_codes, to_kinds) in enumerate(tasks, 1):
        session.add(DirectiveTask(directive_id=directive.id, seq=seq, text=text, to_codes=to_codes, to_kinds=to_kinds))
    assignment.implementing_directive_id = directive.id
    session.add(assignment)
    given = "given" if draft.sequence is not None else "taken"
    record_audit(
        session,
        AuditEvent.implementing_directive_issued,
        unit=unit,
        directive_id=parent.id,
        assignment_id=assignment.id,
        detail={"number": directive.number, "source": source, "recipients": len(children), "register": given},
    )
    session.flush()
    return directive


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
