"""A directive's status figures, computed by the database: the one implementation behind `cascade status`, the
supervisor web pages, the exports and the Prefect artifacts, for small and big directives alike.

Owns what counts as overdue, unacknowledged or late to report (`condition`, the ?status= filters), and every
aggregate: counts by status over the whole tree, the acknowledged share of the direct recipients and the overdue
count (`summarise`), counts per level (`level_counts`), how many assignments match a filter (`tree_size`,
`count_rows`) and each directive's acknowledged share (`acknowledged_shares`, the list of directives). Memory does
not grow with the tree: each figure is a GROUP BY query, and summarise loads only its first `limit` rows (the
artifacts' table). The rows themselves, every one of them, are cascade/status/page.py's.

A superior ("để báo cáo") is counted by its status like any unit, but never as late, unacknowledged or part of an
acknowledged share: only the roles in models.CHASED_ROLES are asked to acknowledge. Late to report is read from
the one fact of owing a report, `report_due` (models.owes_report), never from the role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import CTE, ColumnElement, Table, and_, case, func, literal, select, true
from sqlmodel import Session

from cascade.core.workdays import WorkCalendar, work_calendar
from cascade.rendering.render import RECALL_LABELS, ROLE_LABELS, STATUS_LABELS
from models import ACKNOWLEDGED_STATES, CHASED_ROLES, EDXML_CODE, RECALL_CODE, Assignment, Directive, Status, Unit

ACKNOWLEDGED = [s.value for s in ACKNOWLEDGED_STATES]
CHASED = sorted(r.value for r in CHASED_ROLES)  # the roles asked to acknowledge


def chased(role: str) -> bool:
    """Whether a unit of this role is asked to acknowledge and followed up: a superior ("để báo cáo") is only
    informed, so no view shows it an acknowledgement deadline or a unit that chases it."""
    return role in CHASED


ASSIGNMENT: Table = Assignment.__table__  # type: ignore[attr-defined]
UNIT: Table = Unit.__table__  # type: ignore[attr-defined]
DIRECTIVE: Table = Directive.__table__  # type: ignore[attr-defined]
NOT_ACKNOWLEDGED = (Status.queued.value, Status.arrived.value)
MAX_DEPTH = 32  # far deeper than any real tree; only stops a corrupted cycle of implementing directives
PENDING_LABEL = "Đã tiếp nhận, chưa triển khai xuống"  # an act unit that has not passed the directive on yet
FILTERS = {  # ?status= values: the late ones and the ones not acknowledged first, then each status
    "overdue": "Quá hạn xác nhận",
    "unacknowledged": "Chưa xác nhận",
    "report_overdue": "Quá hạn báo cáo",
    **STATUS_LABELS,
}


class Lateness:
    """Working days late as of `today` (cascade/core/workdays.py), counted once per deadline: a page of 100 units
    or an export of 100,000 share a handful of deadlines, and counting day by day for each row would cost seconds."""

    def __init__(self, today: date, calendar: WorkCalendar | None = None) -> None:
        self.today = today
        self.calendar = calendar or work_calendar()
        self.known: dict[date, int] = {}

    def __call__(self, due: date) -> int:
        if due not in self.known:
            self.known[due] = self.calendar.working_days_late(due, self.today)
        return self.known[due]

    def to_acknowledge(self, a: Any) -> int:
        """How late a unit is acknowledging (a row of ASSIGNMENT, with its directive's `directive_closed_at`): 0 once
        it has, when it is not asked (a superior), or when the directive was recalled or replaced."""
        if getattr(a, "directive_closed_at", None) is not None:
            return 0
        return self(a.ack_due) if a.status in NOT_ACKNOWLEDGED and a.role in CHASED else 0


@dataclass
class Summary:
    total: int  # direct recipients (level 1) asked to acknowledge: not the superiors
    acknowledged: int  # of them
    counts: dict[str, int]  # by status, every level of the tree
    overdue: int  # acknowledgements past due, every level
    overdue_names: list[str]  # the units of the first of them, most overdue first
    unacknowledged: int = 0  # acknowledgements owed and not given, every level, overdue or not
    recipients: int = 0  # direct recipients, every role
    rows: list[dict[str, Any]] = field(default_factory=list)  # the first direct recipients

    @property
    def progress(self) -> float:
        return round(100.0 * self.acknowledged / self.total, 1) if self.total else 100.0

    @property
    def truncated(self) -> bool:
        return len(self.rows) < self.recipients


def in_force() -> ColumnElement[bool]:
    """The assignment's directive is still in force: nothing of a recalled or replaced directive is late any more
    (the few closed directives are read once per query, not per row)."""
    closed = select(DIRECTIVE.c.id).where(DIRECTIVE.c.closed_at.is_not(None))
    return ASSIGNMENT.c.directive_id.not_in(closed)


def directive_tree(directive_id: int) -> CTE:
    """(id, level) of the directive and of every implementing directive below it, through each assignment's
    implementing_directive_id: the directive itself is level 1."""
    tree = select(literal(directive_id).label("id"), literal(1).label("level")).cte("tree", recursive=True)
    return tree.union_all(
        select(ASSIGNMENT.c.implementing_directive_id, tree.c.level + 1).where(
            ASSIGNMENT.c.directive_id == tree.c.id,
            ASSIGNMENT.c.implementing_directive_id.is_not(None),
            tree.c.level < MAX_DEPTH,
        )
    )


def condition(status: str | None, today: date) -> ColumnElement[bool]:
    """The WHERE clause of a ?status= filter (KeyError for an unknown one). The late tests are wrapped in CASE on
    purpose: written plainly, SQLite walks ix_assignment_status_ack_due (every overdue row of every directive)
    once per directive of the tree, 10x slower at 100,000 recipients."""
    a = ASSIGNMENT.c
    if status is None:
        return true()
    if status == "overdue":  # asked to acknowledge, past the deadline and not acknowledged, the directive in force
        late = and_(a.status.in_(NOT_ACKNOWLEDGED), a.role.in_(CHASED), a.ack_due < today, in_force())
        return case((late, 1), else_=0) == 1
    if status == "unacknowledged":
        return and_(a.status.in_(NOT_ACKNOWLEDGED), a.role.in_(CHASED))
    if status == "report_overdue":  # a report owed past its deadline: until reports are recorded, only
        # `completed` (edXML 06) counts as reported
        owed = and_(
            a.report_due.is_not(None),
            a.report_due < today,
            a.status.not_in([Status.completed, Status.refused]),
            in_force(),
        )
        return case((owed, 1), else_=0) == 1
    if status not in FILTERS:
        raise KeyError(status)
    return a.status == Status(status).value


def summary_row(a: Any, late: Lateness) -> dict[str, Any]:
    """A recipient's row as the artifacts and the status pages show it (a row of ASSIGNMENT with the unit's code
    and name), with how many working days late it is acknowledging; no acknowledgement deadline for a role not
    chased (`chased`)."""
    pending = a.mode is not None and a.implementing_directive_id is None
    # A recalled directive (cascade/lifecycle): the unit's state is the recall and its answer (13, 15, 16).
    recall = getattr(a, "recall", None)
    status_label = PENDING_LABEL if pending else STATUS_LABELS.get(a.status, a.status)
    return {
        "unit": a.code,
        "name": a.name,
        "role": a.role,
        "role_label": ROLE_LABELS[a.role],
        "status_label": f"Đã thu hồi · {RECALL_LABELS[recall]}" if recall else status_label,
        "edxml": RECALL_CODE[recall] if recall else EDXML_CODE.get(a.status),
        "ack_due": a.ack_due.isoformat() if chased(a.role) else None,
        "report_due": a.report_due.isoformat() if a.report_due else None,
        "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None,
        "days_late": late.to_acknowledge(a),
    }


def summarise(session: Session, directive_id: int, today: date, limit: int, named: int = 10) -> Summary:
    """Counts over the whole tree, the acknowledged share of the direct recipients, and their first `limit`
    rows in the tree's order (role, then unit code); `limit=0, named=0` for the figures alone."""
    conn = session.connection()
    tree = directive_tree(directive_id)
    in_tree = ASSIGNMENT.join(tree, tree.c.id == ASSIGNMENT.c.directive_id)
    # Counts, and of the units asked to acknowledge those owing it and those past due, in one pass over the
    # directive index; overdue = past due and not acknowledged.
    chased = ASSIGNMENT.c.role.in_(CHASED)
    by_status = conn.execute(
        select(
            ASSIGNMENT.c.status,
            func.count(),
            func.sum(case((chased, 1), else_=0)),
            func.sum(case((and_(chased, ASSIGNMENT.c.ack_due < today, in_force()), 1), else_=0)),
        )
        .select_from(in_tree)
        .group_by(ASSIGNMENT.c.status)
    ).all()
    counts = {status: int(n) for status, n, _, _ in by_status}
    waiting = [(int(owed or 0), int(past or 0)) for status, _, owed, past in by_status if status in NOT_ACKNOWLEDGED]
    total, acknowledged = acknowledged_shares(session, [directive_id]).get(directive_id, (0, 0))
    late = Lateness(today)
    names: list[str] = []
    if named > 0:  # most overdue first, then the upper levels, then by code: the ?status=overdue order
        names = list(
            conn.execute(
                select(UNIT.c.name)
                .select_from(in_tree.join(UNIT, UNIT.c.id == ASSIGNMENT.c.unit_id))
                .where(condition("overdue", today))
                .order_by(ASSIGNMENT.c.ack_due, tree.c.level, UNIT.c.code)
                .limit(named)
            ).scalars()
        )
    first: list[Any] = []
    recipients = 0
    if limit > 0:
        own = ASSIGNMENT.c.directive_id == directive_id
        recipients = int(conn.execute(select(func.count()).select_from(ASSIGNMENT).where(own)).scalar_one())
        first = list(
            conn.execute(
                select(ASSIGNMENT, UNIT.c.code, UNIT.c.name, DIRECTIVE.c.closed_at.label("directive_closed_at"))
                .join_from(ASSIGNMENT, UNIT, UNIT.c.id == ASSIGNMENT.c.unit_id)
                .join(DIRECTIVE, DIRECTIVE.c.id == ASSIGNMENT.c.directive_id)
                .where(ASSIGNMENT.c.directive_id == directive_id)
                .order_by(ASSIGNMENT.c.role, UNIT.c.code)
                .limit(limit)
            )
        )
    return Summary(
        total=total,
        acknowledged=acknowledged,
        counts=counts,
        overdue=sum(past for _, past in waiting),
        overdue_names=names,
        unacknowledged=sum(owed for owed, _ in waiting),
        recipients=recipients,
        rows=[summary_row(a, late) for a in first],
    )


def acknowledged_shares(session: Session, directive_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{directive id: (direct recipients asked to acknowledge, how many of them did)}, each directive's own
    assignments only (a superior is not asked); a directive without any is left out."""
    if not directive_ids:
        return {}
    done = case((ASSIGNMENT.c.status.in_(ACKNOWLEDGED), 1), else_=0)
    found = session.connection().execute(
        select(ASSIGNMENT.c.directive_id, func.count(), func.coalesce(func.sum(done), 0))
        .where(ASSIGNMENT.c.directive_id.in_(directive_ids), ASSIGNMENT.c.role.in_(CHASED))
        .group_by(ASSIGNMENT.c.directive_id)
    )
    return {int(directive_id): (int(n), int(k)) for directive_id, n, k in found}


def tree_size(session: Session, *, directive_id: int, where: ColumnElement[bool] | None = None) -> int:
    """How many assignments the directive and the directives below it hold (every level of the tree), of
    those matching `where` if given."""
    tree = directive_tree(directive_id)
    found = select(func.count()).select_from(ASSIGNMENT.join(tree, tree.c.id == ASSIGNMENT.c.directive_id))
    return int(session.connection().execute(found if where is None else found.where(where)).scalar_one())


def count_rows(session: Session, *, directive_id: int, today: date, status: str | None = None) -> int:
    """How many assignments of the tree a ?status= filter keeps."""
    return tree_size(session, directive_id=directive_id, where=condition(status, today))


def level_counts(session: Session, *, directive_id: int) -> list[dict[str, Any]]:
    """One line per level of the tree: how many units, how many in each status (every status, in Status order),
    and of the units asked to acknowledge (not the superiors) how many did and their share."""
    tree = directive_tree(directive_id)
    found = session.connection().execute(
        select(
            tree.c.level, ASSIGNMENT.c.status, func.count(), func.sum(case((ASSIGNMENT.c.role.in_(CHASED), 1), else_=0))
        )
        .select_from(ASSIGNMENT.join(tree, tree.c.id == ASSIGNMENT.c.directive_id))
        .group_by(tree.c.level, ASSIGNMENT.c.status)
    )
    levels: dict[int, dict[str, int]] = {}
    asked: dict[int, dict[str, int]] = {}
    for level, status, n, chased in found:
        levels.setdefault(int(level), {s.value: 0 for s in Status})[status] = int(n)
        asked.setdefault(int(level), {})[status] = int(chased or 0)
    lines = []
    for level, counts in sorted(levels.items()):
        total = sum(counts.values())
        owed = sum(asked[level].values())
        done = sum(n for status, n in asked[level].items() if status in ACKNOWLEDGED)
        percent = round(100 * done / owed) if owed else 100
        lines.append({"level": level, "total": total, "counts": counts, "acknowledged": done, "percent": percent})
    return lines
