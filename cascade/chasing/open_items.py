"""What the ladder reads from the database: the open items of one directive, a page at a time.

An item is something a unit owes (cascade/chasing/steps.py). Each kind of item is a `Source`: the assignments
that owe it and its deadline, a column (an acknowledgement's or a pass-on's own date) or a constant (a report
cycle's). The step a deadline calls for is the same for every item with that deadline, so the database is asked
only for the items whose step is NEWLY due: their deadline among those that call for step s, and no step of rank
s or above recorded (escalation_step). A monitor run on a day that calls for nothing new reads no item rows, and
no run holds more than a page of them: a national directive's 100,000 items once took 700 MiB and 30 s to walk."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from cascade.chasing.steps import Item
from cascade.core.workdays import WorkCalendar, local_date
from cascade.directives.reportplan import ensure_cycles
from models import CHASED_ROLES, Assignment, CascadeMode, Directive, Status, Unit
from models.report import EscalationStep, Report, ReportStatus

PAGE = 2000  # item rows read, steps recorded and reminders rendered at a time

# The columns of an assignment and of its unit the ladder and its emails read, as plain named tuples, not ORM
# objects (4 KB a unit as objects); the other columns (timestamps to convert, recall state) cost time per row.
ASSIGNMENT_READ = ("id", "directive_id", "unit_id", "role", "status", "mode", "ack_due", "report_due", "pass_on_due",
                   "acknowledged_at", "implementing_directive_id")  # fmt: skip
UNIT_READ = ("id", "code", "name", "email", "parent_id", "active")
ASSIGNMENT_COLUMNS = tuple(Assignment.__table__.c[name] for name in ASSIGNMENT_READ)  # type: ignore[attr-defined]
UNIT_COLUMNS = tuple(Unit.__table__.c[name] for name in UNIT_READ)  # type: ignore[attr-defined]
AssignmentRow = namedtuple("AssignmentRow", [c.name for c in ASSIGNMENT_COLUMNS])  # type: ignore[misc]
UnitRow = namedtuple("UnitRow", [c.name for c in UNIT_COLUMNS])  # type: ignore[misc]
ID_AT = AssignmentRow._fields.index("id")


@dataclass
class Source:
    """One kind of item of a directive: `item` ("ack", "pass", "r<seq>"), the assignments owing it (`where`),
    its deadline (`due_column` per row, else the constant `due`)."""

    item: str
    where: list[Any]
    due_column: Any = None
    due: date | None = None

    def deadline(self, row: Any) -> date:
        return self.due if self.due_column is None else getattr(row, self.due_column.name)  # type: ignore[return-value]


def open_directives(session: Session) -> list[Directive]:
    """The directives that may have something to chase, by issuer (a supervisor's digest collects its own)."""
    assigned = sa.exists().where(col(Assignment.directive_id) == col(Directive.id))
    query = sa.select(Directive).where(col(Directive.closed_at).is_(None), assigned)  # recalled/replaced: no more
    return list(session.scalars(query.order_by(col(Directive.issuer_id), col(Directive.id))))


def sources(session: Session, directive: Directive, horizon: date, calendar: WorkCalendar) -> list[Source]:
    """The kinds of items `directive`'s assignments may owe, with deadlines up to `horizon`."""
    # a superior ("để báo cáo") is informed, never chased: only CHASED_ROLES owe their acknowledgement
    found = [
        Source(
            "ack",
            [col(Assignment.status) == Status.arrived, col(Assignment.role).in_(CHASED_ROLES)],
            Assignment.__table__.c.ack_due,  # type: ignore[attr-defined]
        ),
        # a unit that acknowledged but has not issued its own directive yet is chased like the rest: in author
        # mode, or in forward mode when its pass-on is held for want of a signer (cascade/replies/passon.py)
        Source(
            "pass",
            [
                col(Assignment.mode).in_([CascadeMode.author, CascadeMode.forward]),
                col(Assignment.status) == Status.acknowledged,
                col(Assignment.implementing_directive_id).is_(None),
                col(Assignment.pass_on_due).is_not(None),
            ],
            Assignment.__table__.c.pass_on_due,  # type: ignore[attr-defined]
        ),
    ]
    owing = [
        col(Assignment.report_due).is_not(None),  # the one fact of owing a report (models.owes_report)
        col(Assignment.status).not_in([Status.refused, Status.completed, Status.queued]),
    ]
    if session.execute(item_rows(directive, owing).with_only_columns(sa.literal(1)).limit(1)).first() is None:
        return found  # no report owed: its cycles are not even created
    for cycle in ensure_cycles(session, directive, calendar):
        if cycle.due <= horizon:
            submitted = sa.exists().where(
                col(Report.assignment_id) == col(Assignment.id),
                col(Report.cycle_seq) == cycle.seq,
                col(Report.status) == ReportStatus.submitted,
            )
            found.append(Source(f"r{cycle.seq}", [*owing, ~submitted], due=cycle.due))
    return found


def item_rows(directive: Directive, where: list[Any]) -> sa.Select[Any]:
    return (
        sa.select(*ASSIGNMENT_COLUMNS, *UNIT_COLUMNS)
        .join_from(Assignment, Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(col(Assignment.directive_id) == directive.id, col(Unit.active), *where)
    )


def deadlines(session: Session, directive: Directive, source: Source, horizon: date) -> list[date]:
    """The distinct deadlines of a source's items, up to `horizon` (a handful: they follow the issue date)."""
    if source.due_column is None:
        return [source.due] if source.due is not None and source.due <= horizon else []
    query = item_rows(directive, [*source.where, source.due_column <= horizon]).with_only_columns(source.due_column)
    return list(session.scalars(query.distinct()))


def newly_due_rows(directive: Directive, source: Source, dues: list[date], rank: int) -> sa.Select[Any]:
    """The (assignment, unit) rows of `source` with a deadline in `dues` and no step of `rank` or above taken."""
    reached = sa.exists().where(
        col(EscalationStep.assignment_id) == col(Assignment.id),
        col(EscalationStep.item) == source.item,
        col(EscalationStep.rank) >= rank,
    )
    where = [*source.where, ~reached]
    if source.due_column is not None:
        where.append(source.due_column.in_(dues))
    return item_rows(directive, where)


def item_of(directive: Directive, source: Source, a: Any, u: Any) -> Item:
    """The item an (assignment, unit) row of `source` owes; a pass-on begins on the day it was acknowledged."""
    start = directive.issued_on
    if source.item == "pass" and a.acknowledged_at:
        start = local_date(a.acknowledged_at)
    return Item(a, u, directive, source.item, source.deadline(a), start)


def split_row(row: Any) -> tuple[Any, Any]:
    """An (assignment, unit) pair of named tuples from a row of item_rows."""
    split = len(ASSIGNMENT_COLUMNS)
    return AssignmentRow(*row[:split]), UnitRow(*row[split:])


def newly_due(
    session: Session,
    directive: Directive,
    source: Source,
    dues: list[date],
    rank: int,
    page_size: int = PAGE,
) -> Iterator[list[tuple[Any, Any]]]:
    """Pages of (assignment, unit) rows of `source` with a deadline in `dues` and no step of `rank` or above
    taken yet, by assignment id (keyset pages: each reads on from the last id, whatever was inserted since)."""
    query = newly_due_rows(directive, source, dues, rank).order_by(col(Assignment.id)).limit(page_size)
    after = 0
    while True:
        rows = session.execute(query.where(col(Assignment.id) > after)).all()
        if not rows:
            return
        yield [split_row(r) for r in rows]
        if len(rows) < page_size:
            return
        after = rows[-1][ID_AT]


def overdue(
    session: Session, directive: Directive, source: Source, today: date, limit: int
) -> tuple[int, list[tuple[Any, Any]]]:
    """How many items of `source` are past their deadline, and the first `limit` by (deadline, unit code)."""
    where = list(source.where)
    if source.due_column is not None:
        where.append(source.due_column < today)
        order: list[Any] = [source.due_column, col(Unit.code)]
    elif source.due is not None and source.due < today:
        order = [col(Unit.code)]
    else:
        return 0, []
    query = item_rows(directive, where)
    count = session.execute(query.with_only_columns(sa.func.count())).scalar_one()
    first = session.execute(query.order_by(*order, col(Assignment.id)).limit(limit)).all()
    return int(count), [split_row(r) for r in first]
