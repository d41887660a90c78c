"""A directive's status in figures the database computes, and only the first rows of its recipients.

For the Prefect artifacts and, above cascade/status/page.py's TREE_LIMIT, the supervisor web view and
`cascade status`: cascade/status/tree.py builds every row of the tree, which at 100,000 recipients took 650 MiB
for a table nobody scrolls. Here memory does not grow with the tree: counts are GROUP BY queries, and only
`limit` rows are ever loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import CTE, ColumnElement, Table, and_, case, func, literal, select
from sqlmodel import Session

from cascade.rendering.render import STATUS_LABELS
from models import ACKNOWLEDGED_STATES, EDXML_CODE, Assignment, Status, Unit

ACKNOWLEDGED = [s.value for s in ACKNOWLEDGED_STATES]

ASSIGNMENT: Table = Assignment.__table__  # type: ignore[attr-defined]
UNIT: Table = Unit.__table__  # type: ignore[attr-defined]
NOT_ACKNOWLEDGED = (Status.queued.value, Status.arrived.value)
MAX_DEPTH = 32  # far deeper than any real tree; only stops a corrupted cycle of implementing directives
PENDING_LABEL = "Đã tiếp nhận, chưa triển khai xuống"  # as cascade/status/tree.py labels a pending pass-on


@dataclass
class Summary:
    total: int  # direct recipients (level 1)
    acknowledged: int  # of them
    counts: dict[str, int]  # by status, every level of the tree
    overdue: int  # acknowledgements past due, every level
    overdue_codes: list[str]  # the first of them, most overdue first
    rows: list[dict[str, Any]] = field(default_factory=list)  # the first direct recipients

    @property
    def progress(self) -> float:
        return round(100.0 * self.acknowledged / self.total, 1) if self.total else 100.0

    @property
    def truncated(self) -> bool:
        return len(self.rows) < self.total


def directive_tree(directive_id: int) -> CTE:
    """(id, level) of the directive and of every implementing directive below it, as cascade/status/tree.py walks
    them: through each assignment's implementing_directive_id."""
    tree = select(literal(directive_id).label("id"), literal(1).label("level")).cte("tree", recursive=True)
    return tree.union_all(
        select(ASSIGNMENT.c.implementing_directive_id, tree.c.level + 1).where(
            ASSIGNMENT.c.directive_id == tree.c.id,
            ASSIGNMENT.c.implementing_directive_id.is_not(None),
            tree.c.level < MAX_DEPTH,
        )
    )


def summary_row(a: Any) -> dict[str, Any]:
    """A recipient's row as the artifacts and the status pages show it (cascade/status/tree.py's keys)."""
    pending = a.mode is not None and a.implementing_directive_id is None
    return {
        "unit": a.code,
        "name": a.name,
        "role": a.role,
        "status_label": PENDING_LABEL if pending else STATUS_LABELS.get(a.status, a.status),
        "edxml": EDXML_CODE.get(a.status),
        "ack_due": a.ack_due.isoformat(),
        "report_due": a.report_due.isoformat() if a.report_due else None,
        "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None,
    }


def summarise(session: Session, directive_id: int, today: date, limit: int, named: int = 10) -> Summary:
    """Counts over the whole tree, the acknowledged share of the direct recipients, and their first `limit`
    rows in the order of cascade/status/tree.py (role, then unit code)."""
    conn = session.connection()
    tree = directive_tree(directive_id)
    in_tree = ASSIGNMENT.join(tree, tree.c.id == ASSIGNMENT.c.directive_id)
    # Counts and overdue counts in one pass over the directive index; overdue = past due and not acknowledged.
    by_status = conn.execute(
        select(ASSIGNMENT.c.status, func.count(), func.sum(case((ASSIGNMENT.c.ack_due < today, 1), else_=0)))
        .select_from(in_tree)
        .group_by(ASSIGNMENT.c.status)
    ).all()
    counts = {status: int(n) for status, n, _ in by_status}
    overdue = sum(int(past or 0) for status, _, past in by_status if status in NOT_ACKNOWLEDGED)
    done = case((ASSIGNMENT.c.status.in_(ACKNOWLEDGED), 1), else_=0)
    total, acknowledged = conn.execute(
        select(func.count(), func.coalesce(func.sum(done), 0)).where(ASSIGNMENT.c.directive_id == directive_id)
    ).one()
    # Most overdue first, then the upper levels, then by code: cascade/status/oversight.py's ack_overdue order. The
    # test is wrapped in CASE on purpose: written plainly, SQLite walks ix_assignment_status_ack_due (every
    # overdue row of every directive) once per directive of the tree, 10x slower at 100,000 recipients.
    late = and_(ASSIGNMENT.c.status.in_(NOT_ACKNOWLEDGED), ASSIGNMENT.c.ack_due < today)
    codes = conn.execute(
        select(UNIT.c.code)
        .select_from(in_tree.join(UNIT, UNIT.c.id == ASSIGNMENT.c.unit_id))
        .where(case((late, 1), else_=0) == 1)
        .order_by(ASSIGNMENT.c.ack_due, tree.c.level, UNIT.c.code)
        .limit(named)
    ).scalars()
    first = conn.execute(
        select(ASSIGNMENT, UNIT.c.code, UNIT.c.name)
        .join_from(ASSIGNMENT, UNIT, UNIT.c.id == ASSIGNMENT.c.unit_id)
        .where(ASSIGNMENT.c.directive_id == directive_id)
        .order_by(ASSIGNMENT.c.role, UNIT.c.code)
        .limit(limit)
    )
    return Summary(
        total=int(total),
        acknowledged=int(acknowledged),
        counts=counts,
        overdue=int(overdue),
        overdue_codes=list(codes),
        rows=[summary_row(a) for a in first],
    )


def tree_size(session: Session, *, directive_id: int, where: ColumnElement[bool] | None = None) -> int:
    """How many assignments the directive and the directives below it hold (every level of the tree), of
    those matching `where` if given (cascade/status/page.py's filters)."""
    tree = directive_tree(directive_id)
    found = select(func.count()).select_from(ASSIGNMENT.join(tree, tree.c.id == ASSIGNMENT.c.directive_id))
    return int(session.connection().execute(found if where is None else found.where(where)).scalar_one())


def level_counts(session: Session, *, directive_id: int) -> list[dict[str, Any]]:
    """One line per level of the tree, as cascade/status/oversight.py's level_counts makes from the full rows: how
    many units, how many in each status, how many acknowledged and their share."""
    tree = directive_tree(directive_id)
    found = session.connection().execute(
        select(tree.c.level, ASSIGNMENT.c.status, func.count())
        .select_from(ASSIGNMENT.join(tree, tree.c.id == ASSIGNMENT.c.directive_id))
        .group_by(tree.c.level, ASSIGNMENT.c.status)
    )
    levels: dict[int, dict[str, int]] = {}
    for level, status, n in found:
        levels.setdefault(int(level), {s.value: 0 for s in Status})[status] = int(n)
    lines = []
    for level, counts in sorted(levels.items()):
        total = sum(counts.values())
        done = sum(n for status, n in counts.items() if status in ACKNOWLEDGED)
        percent = round(100 * done / total) if total else 100
        lines.append({"level": level, "total": total, "counts": counts, "acknowledged": done, "percent": percent})
    return lines
