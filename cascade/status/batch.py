"""Status figures of many directives at once, for the Prefect artifacts the monitor republishes every run: which
directives are still open (`open_directives`) and, for a batch of them, the same Summary that summarise gives one
directive, plus the share of the direct recipients that reported (`batch_figures`).

A fixed number of queries per batch, whatever the size of the trees or of the batch: one recursive CTE seeded with
every directive of the batch (each row keeps the root it descends from) grouped by root, window functions for the
first rows and the first late units of each directive. Calling summarise per directive would cost five queries
for each of the hundreds of implementing directives a national tree holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import CTE, Table, and_, case, exists, func, literal, or_, select
from sqlmodel import Session, col

from cascade.status.summary import (
    ASSIGNMENT,
    CHASED,
    MAX_DEPTH,
    NOT_ACKNOWLEDGED,
    UNIT,
    Lateness,
    Summary,
    acknowledged_shares,
    condition,
    in_force,
    summary_row,
)
from models import Directive, Status

DIRECTIVE: Table = Directive.__table__  # type: ignore[attr-defined]
SETTLED = (Status.completed.value, Status.refused.value)  # nothing more is owed under these


@dataclass
class Figures:
    """What a directive's status artifacts say: the summary, and of its direct recipients owing a report (not
    refused) how many reported for every cycle (edXML 06, the rule of summary.condition("report_overdue"))."""

    summary: Summary
    owe_report: int = 0
    reported: int = 0

    @property
    def reported_share(self) -> float:
        return round(100.0 * self.reported / self.owe_report, 1) if self.owe_report else 100.0


def open_directives(session: Session, today: date) -> list[int]:
    """Ids of the dispatched directives still open on `today`, in id order: a unit asked to acknowledge has not,
    a unit owing a report has not reported for every cycle, or the report deadline has not passed; and every
    directive above an open one, whose figures count the levels below. A directive not dispatched yet is left
    to its own dispatch, which publishes its artifacts."""
    a, d = ASSIGNMENT.c, DIRECTIVE.c
    owing = or_(
        and_(a.role.in_(CHASED), a.status.in_(NOT_ACKNOWLEDGED)),
        and_(a.report_due.is_not(None), a.status.not_in(SETTLED)),
    )
    pending = exists().where(a.directive_id == d.id, owing)
    seed = select(d.id).where(d.dispatched_at.is_not(None), or_(d.report_due >= today, pending))
    up = seed.cte("open_up", recursive=True)
    up = up.union(select(d.parent_directive_id).where(d.id == up.c.id, d.parent_directive_id.is_not(None)))
    return sorted(int(i) for i in session.connection().execute(select(up.c.id)).scalars())


def load_directives(session: Session, directive_ids: list[int]) -> dict[int, Directive]:
    """{id: directive} of a batch, in one query (a missing id is left out)."""
    found = session.execute(select(Directive).where(col(Directive.id).in_(directive_ids))).scalars().all()
    return {int(d.id or 0): d for d in sorted(found, key=lambda d: d.id or 0)}


def forest(directive_ids: list[int]) -> CTE:
    """(root, id, level) of each directive of the batch and of every implementing directive below it, as
    summary.directive_tree gives for one directive (the directive itself is level 1)."""
    d = DIRECTIVE.c
    tree = select(d.id.label("root"), d.id.label("id"), literal(1).label("level")).where(d.id.in_(directive_ids))
    cte = tree.cte("forest", recursive=True)
    return cte.union_all(
        select(cte.c.root, ASSIGNMENT.c.implementing_directive_id, cte.c.level + 1).where(
            ASSIGNMENT.c.directive_id == cte.c.id,
            ASSIGNMENT.c.implementing_directive_id.is_not(None),
            cte.c.level < MAX_DEPTH,
        )
    )


def batch_figures(
    session: Session, directive_ids: list[int], today: date, limit: int, named: int = 10
) -> dict[int, Figures]:
    """{directive id: its figures} for a batch of directives: summarise's counts and shares, its first `limit`
    direct recipients and `named` late units, in five queries for the whole batch."""
    if not directive_ids:
        return {}
    conn = session.connection()
    a = ASSIGNMENT.c
    tree = forest(directive_ids)
    in_tree = ASSIGNMENT.join(tree, tree.c.id == a.directive_id)
    chased = a.role.in_(CHASED)
    late_due = and_(chased, a.ack_due < today, in_force())
    by_status = conn.execute(
        select(tree.c.root, a.status, func.count(), _count(chased), _count(late_due))
        .select_from(in_tree)
        .group_by(tree.c.root, a.status)
    )
    counts: dict[int, dict[str, int]] = {i: {} for i in directive_ids}
    waiting: dict[int, list[int]] = {i: [0, 0] for i in directive_ids}
    for root, status, n, owed, past in by_status:
        counts[int(root)][status] = int(n)
        if status in NOT_ACKNOWLEDGED:
            waiting[int(root)][0] += int(owed)
            waiting[int(root)][1] += int(past)
    names: dict[int, list[str]] = {i: [] for i in directive_ids}
    if named > 0:  # the ?status=overdue order, as summarise names them
        order = (a.ack_due, tree.c.level, UNIT.c.code)
        ranked = (
            select(
                tree.c.root, UNIT.c.name, func.row_number().over(partition_by=tree.c.root, order_by=order).label("n")
            )
            .select_from(in_tree.join(UNIT, UNIT.c.id == a.unit_id))
            .where(condition("overdue", today))
            .subquery()
        )
        for root, name in conn.execute(
            select(ranked.c.root, ranked.c.name).where(ranked.c.n <= named).order_by(ranked.c.root, ranked.c.n)
        ):
            names[int(root)].append(name)
    owes = and_(a.report_due.is_not(None), a.status != Status.refused.value)
    own = {
        int(i): (int(n), int(o), int(r))
        for i, n, o, r in conn.execute(
            select(a.directive_id, func.count(), _count(owes), _count(and_(owes, a.status == Status.completed.value)))
            .where(a.directive_id.in_(directive_ids))
            .group_by(a.directive_id)
        )
    }
    rows: dict[int, list[Any]] = {i: [] for i in directive_ids}
    if limit > 0:
        place = func.row_number().over(partition_by=a.directive_id, order_by=(a.role, UNIT.c.code)).label("place")
        first = (
            select(ASSIGNMENT, UNIT.c.code, UNIT.c.name, place, DIRECTIVE.c.closed_at.label("directive_closed_at"))
            .join_from(ASSIGNMENT, UNIT, UNIT.c.id == a.unit_id)
            .join(DIRECTIVE, DIRECTIVE.c.id == a.directive_id)
            .where(a.directive_id.in_(directive_ids))
            .subquery()
        )
        for row in conn.execute(
            select(first).where(first.c.place <= limit).order_by(first.c.directive_id, first.c.place)
        ):
            rows[int(row.directive_id)].append(row)
    shares = acknowledged_shares(session, directive_ids)
    late = Lateness(today)
    out = {}
    for i in directive_ids:
        total, acknowledged = shares.get(i, (0, 0))
        recipients, owe_report, reported = own.get(i, (0, 0, 0))
        summary = Summary(
            total=total,
            acknowledged=acknowledged,
            counts=counts[i],
            overdue=waiting[i][1],
            overdue_names=names[i],
            unacknowledged=waiting[i][0],
            recipients=recipients if limit > 0 else 0,  # as summarise: counted only with the rows
            rows=[summary_row(r, late) for r in rows[i]],
        )
        out[i] = Figures(summary, owe_report, reported)
    return out


def _count(when: Any) -> Any:
    return func.coalesce(func.sum(case((when, 1), else_=0)), 0)
