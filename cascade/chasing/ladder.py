"""The chasing ladder, the monitor-deadlines flow's plain logic with an injected `now`: a reminder before
the deadline, one on the day, then one copied to the parent unit, then an escalation to the follow-up officer.
Each step is taken once per unit and item (the acknowledgement, or a report cycle), however often the monitor runs."""

from __future__ import annotations

from collections import namedtuple
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cascade.chasing.office_hours import in_office_hours
from cascade.chasing.reminders import digest_rows, reminder_row
from cascade.chasing.steps import Item, Taken
from cascade.core.settings import Settings
from cascade.core.sqlutil import insert_new
from cascade.core.workdays import WorkCalendar, local_date
from cascade.delivery.outbox_store import enqueue_mail
from cascade.directives.reportplan import effective_plan, ensure_cycles, ladder_for
from cascade.dispatch.links import report_link, unit_link
from models import CHASED_ROLES, Assignment, AuditEvent, CascadeMode, Directive, Status, Unit, audit_row, record_audits
from models.report import EscalationStep, Report, ReportStatus

STEPS = ("before", "due", "parent", "escalate")
STEP_EVENTS = {step: AuditEvent.escalation(step) for step in STEPS}
LOOKAHEAD = timedelta(days=40)  # items further away than this cannot have a step due yet
ROWS_PER_INSERT = 2000  # reminders rendered, audit rows inserted, a part at a time


# The columns of an assignment and of its unit as plain named tuples, not ORM objects: a national due day
# holds 100,000 of each, and as ORM objects they took about 4 KB a unit (the monitor peaked at 923 MiB).
ASSIGNMENT_COLUMNS = tuple(Assignment.__table__.c)  # type: ignore[attr-defined]
UNIT_COLUMNS = tuple(Unit.__table__.c)  # type: ignore[attr-defined]
AssignmentRow = namedtuple("AssignmentRow", [c.name for c in ASSIGNMENT_COLUMNS])  # type: ignore[misc]
UnitRow = namedtuple("UnitRow", [c.name for c in UNIT_COLUMNS])  # type: ignore[misc]


def triggers(due: date, ladder: dict[str, int], calendar: WorkCalendar) -> dict[str, date | None]:
    return {
        "before": calendar.add_working_days(due, -ladder["before"]) if ladder["before"] else None,
        "due": due,
        "parent": calendar.add_working_days(due, ladder["parent_after"]),
        "escalate": calendar.add_working_days(due, ladder["escalate_after"]),
    }


def open_items(session: Session, today: date, calendar: WorkCalendar) -> list[Item]:
    """Acknowledgements not given and reports not submitted whose ladder may have started."""
    horizon = today + LOOKAHEAD
    items: list[Item] = []
    directives: dict[int, Directive] = {}

    def directive_of(a: Any) -> Directive:
        if a.directive_id not in directives:
            found = session.get(Directive, a.directive_id)
            assert found is not None
            directives[a.directive_id] = found
        return directives[a.directive_id]

    # a recalled or replaced directive is chased no more (cascade/directives/closing.py)
    closed = sa.select(col(Directive.id)).where(col(Directive.closed_at).is_not(None))
    base = (
        sa.select(*ASSIGNMENT_COLUMNS, *UNIT_COLUMNS)
        .join_from(Assignment, Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(col(Unit.active), col(Assignment.directive_id).not_in(closed))
    )

    def pairs(query: sa.Select[Any]) -> list[tuple[Any, Any]]:
        split = len(ASSIGNMENT_COLUMNS)
        return [(AssignmentRow(*r[:split]), UnitRow(*r[split:])) for r in session.execute(query)]

    # a superior ("để báo cáo") is informed, never chased: only CHASED_ROLES owe their acknowledgement
    acks = base.where(
        col(Assignment.status) == Status.arrived,
        col(Assignment.role).in_(CHASED_ROLES),
        col(Assignment.ack_due) <= horizon,
    )
    for a, u in pairs(acks):
        items.append(Item(a, u, directive_of(a), "ack", a.ack_due, directive_of(a).issued_on))
    # a unit that acknowledged but has not issued its own directive yet is chased like the rest: in author mode,
    # or in forward mode when its pass-on is held for want of a signer (cascade/replies/passon.py)
    for a, u in pairs(
        base.where(
            col(Assignment.mode).in_([CascadeMode.author, CascadeMode.forward]),
            col(Assignment.status) == Status.acknowledged,
            col(Assignment.implementing_directive_id).is_(None),
            col(Assignment.pass_on_due) <= horizon,
        )
    ):
        assert a.pass_on_due is not None
        start = local_date(a.acknowledged_at) if a.acknowledged_at else directive_of(a).issued_on
        items.append(Item(a, u, directive_of(a), "pass", a.pass_on_due, start))
    owing = base.where(
        col(Assignment.report_due).is_not(None),  # the one fact of owing a report (models.owes_report)
        col(Assignment.status).not_in([Status.refused, Status.completed, Status.queued]),
    )
    rows = pairs(owing)
    # A subquery, not a list of ids: a national directive owes 100,000 reports, and PostgreSQL takes at
    # most 65,535 parameters in a statement.
    submitted = set(
        session.exec(
            select(Report.assignment_id, Report.cycle_seq).where(
                col(Report.assignment_id).in_(owing.with_only_columns(col(Assignment.id))),
                col(Report.status) == ReportStatus.submitted,
            )
        ).all()
    )
    for a, u in rows:
        for cycle in ensure_cycles(session, directive_of(a), calendar):
            if cycle.due <= horizon and (a.id, cycle.seq) not in submitted:
                items.append(Item(a, u, directive_of(a), f"r{cycle.seq}", cycle.due, directive_of(a).issued_on))
    return items


def _record(session: Session, due: list[tuple[Item, str]], now: datetime) -> dict[tuple[int, str], int]:
    """Insert the steps in one statement; returns the ids of those inserted by (assignment, item): a step
    already taken (by a concurrent or repeated run) is not returned, so its emails are not queued twice."""
    rows = [
        {
            "directive_id": item.directive.id,
            "assignment_id": item.assignment.id,
            "item": item.item,
            "step": step,
            "rank": STEPS.index(step),
            "due": item.due,
            "at": now,
        }
        for item, step in due
    ]
    unique = ["assignment_id", "item", "step"]
    inserted = insert_new(session, EscalationStep, rows, unique, ("id", "assignment_id", "item"))
    return {(int(row.assignment_id), str(row.item)): int(row.id) for row in inserted}


def take_steps(session: Session, settings: Settings, now: datetime, calendar: WorkCalendar) -> list[dict[str, Any]]:
    """Take every step now due, queue its emails (digests grouped per supervisor and officer) and audit it.
    Returns one record per step taken, for the caller to emit as events."""
    if not in_office_hours(now, settings, calendar):
        return []  # outside office hours or on a day off: the steps stay due for the next window
    today = local_date(now)
    items = open_items(session, today, calendar)
    reached: dict[tuple[int, str], int] = {}
    # By directive, not by assignment id: the open items of a national directive are 100,000 ids.
    for s in session.exec(
        select(EscalationStep).where(col(EscalationStep.directive_id).in_({i.directive.id for i in items}))
    ).all():
        reached[(s.assignment_id, s.item)] = max(reached.get((s.assignment_id, s.item), -1), s.rank)
    taken: list[Taken] = []
    wanted: list[tuple[Item, str]] = []
    for item in items:
        plan = effective_plan(session, item.directive)
        dates = triggers(item.due, ladder_for(plan, item.directive.urgency), calendar)
        due_now = [
            s for s in STEPS if (d := dates[s]) is not None and d <= today and not (s == "before" and d < item.start)
        ]
        # Only the highest step now due is taken: a monitor that was down does not send a burst of stale ones.
        if not due_now or reached.get((item.assignment.id or 0, item.item), -1) >= STEPS.index(due_now[-1]):
            continue
        wanted.append((item, due_now[-1]))
    recorded = _record(session, wanted, now)
    for item, step in wanted:
        step_id = recorded.get((item.assignment.id or 0, item.item))
        if step_id is None:
            continue
        plan = effective_plan(session, item.directive)
        issuer = session.get(Unit, item.directive.issuer_id)
        officer = (plan.follow_up_name, plan.follow_up_email or (issuer.email if issuer else ""))
        taken.append(Taken(step_id, step, item, issuer, officer))
    # Rendered and queued a part at a time: 70,544 reminders held at once took most of a gigabyte.
    reminded = [t for t in taken if t.step != "escalate"]
    for start in range(0, len(reminded), ROWS_PER_INSERT):
        enqueue_mail(session, [_reminder(settings, t, now) for t in reminded[start : start + ROWS_PER_INSERT]])
    enqueue_mail(session, digest_rows(items, taken, today, now, settings.web.public_url, calendar))
    events: list[dict[str, Any]] = []
    for start in range(0, len(taken), ROWS_PER_INSERT):
        audit = [_audit(t, now) for t in taken[start : start + ROWS_PER_INSERT]]
        record_audits(session, [row for row, _ in audit])
        events.extend(event for _, event in audit)
    session.info.pop("steps_by_directive", None)  # cascade.status.rollup's memo of the steps is stale now
    session.flush()
    return events


def _reminder(settings: Settings, t: Taken, now: datetime) -> dict[str, Any]:
    a = t.item.assignment
    link = unit_link(settings, a) if t.item.item in ("ack", "pass") else report_link(settings, a)
    return reminder_row(t, link or "", now)


def _audit(t: Taken, now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """The audit row of a step and the event that tells the same."""
    item = t.item
    to = [item.unit.email] if t.step != "escalate" else []
    if t.step == "parent" and t.supervisor:
        to.append(t.supervisor.email)
    if t.step == "escalate":
        to.append(t.officer[1])
    detail = {"item": item.item, "step": t.step, "due": item.due.isoformat(), "to": to}
    row = audit_row(
        STEP_EVENTS[t.step],
        unit=item.unit,
        actor="monitor",
        at=now,
        directive_id=item.directive.id,
        assignment_id=item.assignment.id,
        detail=detail,
    )
    event = {
        "event": f"cascade.escalation.{t.step}",
        "assignment_id": item.assignment.id,
        "directive_id": item.directive.id,
        "number": item.directive.number,
        "unit": item.unit.code,
        **detail,
    }
    return row, event
