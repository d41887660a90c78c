"""One page of a directive's recipients, filtered by status, loaded with LIMIT/OFFSET: the list that the
supervisor web view and `cascade status` show for a big directive instead of the whole tree.

Rows cover every level of the tree (the directive and the directives issued below it), ordered by level,
then by the directive each unit got, role and unit code; late filters order the most overdue first, as
cascade/status/oversight.py does. A page costs one count and one query whatever the size of the directive."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, case, select, true
from sqlmodel import Session

from cascade.rendering.render import STATUS_LABELS
from cascade.status.summary import ASSIGNMENT, NOT_ACKNOWLEDGED, UNIT, directive_tree, summary_row, tree_size
from models import Directive, Status

DIRECTIVE: Table = Directive.__table__  # type: ignore[attr-defined]
PAGE_SIZE = 100
EXPORT_CHUNK = 2000  # rows a CSV/XLSX export holds at a time (export_chunks)
# Up to this many assignments (every level) a directive is shown as today's full tree, above it as figures
# and pages. Building the tree costs ~0.15 ms a unit in Python (13 s and 600 MiB at 100,000), so 500 stays
# well under a tenth of a second, and 500 rows are still a table a person reads through. A province's own
# cascade (the seed's 24 recipients and the plans its districts issue below) stays a tree; a confederation's
# directive to every grassroots union (100,754) is paged.
TREE_LIMIT = 500
FILTERS = {  # ?status= values: the late ones and the ones not acknowledged first, then each status
    "overdue": "Quá hạn xác nhận",
    "unacknowledged": "Chưa xác nhận",
    "report_overdue": "Quá hạn báo cáo",
    **STATUS_LABELS,
}
LATE_FIRST = ("overdue", "unacknowledged")
COLUMNS = ("status", "role", "ack_due", "report_due", "acknowledged_at", "mode", "implementing_directive_id")


@dataclass
class Page:
    number: int  # 1-based, clamped to the last page
    size: int
    total: int  # rows matching the filter, every page
    status: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0


def condition(status: str | None, today: date) -> ColumnElement[bool]:
    """The filter's WHERE clause (KeyError for an unknown filter)."""
    a = ASSIGNMENT.c
    if status is None:
        return true()
    if status == "overdue":  # wrapped in CASE so SQLite keeps to the directive index (see status_summary)
        return case((and_(a.status.in_(NOT_ACKNOWLEDGED), a.ack_due < today), 1), else_=0) == 1
    if status == "unacknowledged":
        return a.status.in_(NOT_ACKNOWLEDGED)
    if status == "report_overdue":  # cascade/status/oversight.py's report_overdue
        owed = and_(a.role == "act", a.report_due < today, a.status.not_in(["completed", "refused"]))
        return case((owed, 1), else_=0) == 1
    if status not in FILTERS:
        raise KeyError(status)
    return a.status == Status(status).value


def count_rows(session: Session, *, directive_id: int, today: date, status: str | None = None) -> int:
    return tree_size(session, directive_id=directive_id, where=condition(status, today))


def status_page(
    session: Session,
    *,
    directive_id: int,
    today: date,
    status: str | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """Rows `size * (page - 1)` to `size * page` of the filtered list, and how many rows match."""
    total = count_rows(session, directive_id=directive_id, today=today, status=status)
    size = max(1, size)
    number = min(max(1, page), max(1, -(-total // size)))
    if total == 0:
        return Page(number=1, size=size, total=total, status=status)
    query = rows_query(directive_id, today, status).offset((number - 1) * size).limit(size)
    rows = [row(r, today) for r in session.connection().execute(query)]
    return Page(number=number, size=size, total=total, status=status, rows=rows)


def rows_query(directive_id: int, today: date, status: str | None = None) -> Select[Any]:
    """Every row of the filtered list, in the pages' order (the module's docstring), without LIMIT/OFFSET."""
    a, tree = ASSIGNMENT, directive_tree(directive_id)
    got, issuer, child = DIRECTIVE.alias("got"), UNIT.alias("issuer"), DIRECTIVE.alias("child")
    order = (
        (a.c.ack_due, tree.c.level, UNIT.c.code, a.c.id)
        if status in LATE_FIRST
        else (tree.c.level, a.c.directive_id, a.c.role, UNIT.c.code, a.c.id)
    )
    return (
        select(*(a.c[n] for n in COLUMNS), tree.c.level, UNIT.c.code, UNIT.c.name, UNIT.c.kind)
        .add_columns(got.c.number.label("directive"), issuer.c.name.label("supervisor"))
        .add_columns(child.c.number.label("implementing_directive"))
        .select_from(
            a.join(tree, tree.c.id == a.c.directive_id)
            .join(UNIT, UNIT.c.id == a.c.unit_id)
            .join(got, got.c.id == a.c.directive_id)
            .join(issuer, issuer.c.id == got.c.issuer_id)
            .outerjoin(child, child.c.id == a.c.implementing_directive_id)
        )
        .where(condition(status, today))
        .order_by(*order)
    )


def export_chunks(
    session: Session, *, directive_id: int, today: date, status: str | None = None, chunk: int = EXPORT_CHUNK
) -> Iterator[list[dict[str, Any]]]:
    """Every row of the filtered list (every level of the tree), in the pages' order, `chunk` rows at a time:
    one query read through a server-side cursor (stream_results), so memory holds one chunk whatever the size
    of the directive. The rows carry the keys of the CSV/XLSX exports (cascade/status/export.py): row()'s and `kind`."""
    query = rows_query(directive_id, today, status).execution_options(yield_per=max(1, chunk))
    result = session.connection().execute(query)
    try:
        for part in result.partitions():
            yield [{**row(r, today), "kind": r.kind} for r in part]
    finally:
        result.close()


def row(r: Any, today: date) -> dict[str, Any]:
    """The keys of cascade/status/tree.py's rows that the views show, plus the supervisor and the days late."""
    waiting = r.status in NOT_ACKNOWLEDGED
    return {
        **summary_row(r),
        "level": int(r.level),
        "directive": r.directive,
        "status": r.status,
        "implementing_directive": r.implementing_directive,
        "supervisor": r.supervisor,
        "days_late": (today - r.ack_due).days if waiting and r.ack_due < today else 0,
    }
