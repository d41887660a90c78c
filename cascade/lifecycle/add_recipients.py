"""More recipients (bổ sung nơi nhận): `cascade add-recipients NUMBER --issuer CODE FILE` sends a directive
already out to more units, with their roles and tasks (a file of `recipients` and `tasks`, the shapes of a
directive file's). Their deadlines count from the day they receive it: acknowledgement as Decree 30 Art. 4 wants
(the same or the next working day), the report by the directive's deadline but never before the next working day.
The units get the directive's own notice (its dispatch renders it: flows/add_recipients.py runs cascade-directive
for the directive again, which only reaches the units that have no notice yet)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, func, select

from cascade.core.errors import InputError, Problem
from cascade.core.workdays import WorkCalendar, local_date
from cascade.directives import deadlines
from cascade.directives.closing import issued_directive
from cascade.directives.recipients_file import RecipientsSpec
from cascade.directives.subtasks import create_task_items
from cascade.lifecycle.results import Outcome
from models import (
    Assignment,
    AuditEvent,
    Directive,
    DirectiveTask,
    Recipient,
    Role,
    Status,
    Unit,
    record_audit,
    utcnow,
)


def check_additions(
    session: Session, number: str, issuer: str, spec: RecipientsSpec
) -> tuple[Directive, dict[str, Unit]]:
    """The directive and the units to add, by code; InputError naming each problem (nothing is written)."""
    directive = issued_directive(session, number, issuer, source=spec.source, entry="number")
    codes = [code for code, _ in spec.recipients]
    units = {u.code: u for u in session.exec(select(Unit).where(col(Unit.code).in_(codes))).all()}
    already = set(
        session.exec(
            select(Unit.code)
            .join(Recipient, col(Recipient.unit_id) == col(Unit.id))
            .where(Recipient.directive_id == directive.id, col(Unit.code).in_(codes))
        ).all()
    )
    problems = []
    for code in codes:
        unit = units.get(code)
        if unit is None:
            problems.append(Problem(spec.source, f"unknown unit {code!r} (not in the imported tree)", entry=code))
        elif not unit.active:
            problems.append(Problem(spec.source, f"unit {code!r} ({unit.name}) has been dissolved", entry=code))
        elif unit.id == directive.issuer_id:
            problems.append(Problem(spec.source, "the issuer cannot be one of its own recipients", entry=code))
        elif code in already:
            problems.append(
                Problem(spec.source, f"{unit.name} ({code}) is a recipient of {number} already", entry=code)
            )
    for seq, task in enumerate(spec.tasks, start=1):
        if task.to_kinds or not set(task.to) <= set(codes):
            problems.append(Problem(spec.source, "a task added with recipients names units added with it (`to`), "
                                    "not kinds of unit: the directive's other recipients keep their tasks",
                                    entry=f"tasks[{seq}]"))  # fmt: skip
    if problems:
        raise InputError(problems)
    return directive, units


def add_recipients(
    session: Session,
    *,
    number: str,
    issuer: str,
    spec: RecipientsSpec,
    calendar: WorkCalendar,
    actor: str = "cli",
    now: datetime | None = None,
) -> Outcome:
    """Add the recipients, their tasks and their assignments (their notices are rendered by the dispatch)."""
    now = now or utcnow()
    directive, units = check_additions(session, number, issuer, spec)
    assert directive.id is not None
    today = local_date(now)
    ack_due = deadlines.ack_due(today, directive.urgency, calendar)
    report_due = max(calendar.on_or_after(directive.report_due), calendar.next_working_day(today))
    last = session.exec(select(func.max(DirectiveTask.seq)).where(DirectiveTask.directive_id == directive.id)).one()
    tasks = [
        DirectiveTask(directive_id=directive.id, seq=(last or 0) + i, text=t.text, to_codes=t.to, to_kinds=[])
        for i, t in enumerate(spec.tasks, start=1)
    ]
    session.add_all(tasks)
    every_task = list(session.exec(select(DirectiveTask).where(DirectiveTask.directive_id == directive.id)).all())
    every_task += [t for t in tasks if t not in every_task]
    made = []
    for code, role in spec.recipients:
        unit = units[code]
        assert unit.id is not None
        session.add(Recipient(directive_id=directive.id, unit_id=unit.id, role=role, mode=spec.modes.get(code)))
        reports = role == Role.act or (
            role == Role.coordinate and any(t.applies_to(unit.code, unit.kind) for t in every_task)
        )
        assignment = Assignment(directive_id=directive.id, unit_id=unit.id, role=role, status=Status.queued,
                                ack_due=ack_due, report_due=report_due if reports else None,
                                status_changed_at=now, created_at=now)  # fmt: skip
        session.add(assignment)
        made.append((unit, assignment))
    session.flush()
    create_task_items(session, directive.id)
    owner = session.get(Unit, directive.issuer_id)
    assert owner is not None
    record_audit(session, AuditEvent.recipients_added, unit=owner, actor=actor, at=now, directive_id=directive.id,
                 detail={"number": directive.number, "units": [u.code for u, _ in made], "tasks": len(tasks),
                         "ack_due": ack_due.isoformat(), "source": spec.source})  # fmt: skip
    lines = [
        f"Bổ sung {len(made)} nơi nhận cho {directive.number}, hạn xác nhận {_vn(ack_due)}:",
        *[f"- {u.name}" + (f", hạn báo cáo {_vn(a.report_due)}" if a.report_due else "") for u, a in made],
    ]
    return Outcome(kind="add-recipients", directive_id=directive.id, number=directive.number, issuer=owner.name,
                   message_ids=[], cancelled=0, lines=lines,
                   assignment_ids=[a.id for _, a in made if a.id is not None])  # fmt: skip


def _vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")
