"""A directive's recipients as rows, from one query (rows_query): the whole tree of a small directive
(cascade/status/tree.py puts them in tree order), one page of a big one filtered by status (LIMIT/OFFSET), the
CSV/XLSX exports in chunks, and the lists of units late to acknowledge or to report.

Rows cover every level of the tree (the directive and the directives issued below it), ordered by level,
then by the directive each unit got, role and unit code; the late lists order the most overdue first. A page
costs one count and one query whatever the size of the directive. The figures are cascade/status/summary.py's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, select
from sqlmodel import Session

from cascade.status.readable import kind_label
from cascade.status.summary import (
    ASSIGNMENT,
    UNIT,
    Lateness,
    chased,
    condition,
    count_rows,
    directive_tree,
    summary_row,
)
from models import Directive

DIRECTIVE: Table = Directive.__table__  # type: ignore[attr-defined]
PAGE_SIZE = 100
EXPORT_CHUNK = 2000  # rows a CSV/XLSX export holds at a time (export_chunks)
# Up to this many assignments (every level) a directive is shown as today's full tree, above it as figures
# and pages. Building the tree costs ~0.15 ms a unit in Python (13 s and 600 MiB at 100,000), so 500 stays
# well under a tenth of a second, and 500 rows are still a table a person reads through. A province's own
# cascade (the seed's 24 recipients and the plans its districts issue below) stays a tree; a confederation's
# directive to every grassroots union (100,754) is paged.
TREE_LIMIT = 500
LATE_FIRST = ("overdue", "unacknowledged")  # filters whose pages list the most overdue first
LATE_BY = {"overdue": "ack_due", "report_overdue": "report_due"}  # late_rows' lists: the deadline missed
COLUMNS = (
    *("id", "directive_id", "status", "role", "ack_due", "report_due", "acknowledged_at", "mode"),
    *("implementing_directive_id", "pass_on_due", "refused_reason"),
    *("recall", "recall_answered_at", "recall_refusal"),  # a recall and the unit's answer (cascade/lifecycle)
)


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
    query = filtered(directive_id, today, status).offset((number - 1) * size).limit(size)
    late = Lateness(today)
    rows = [row(r, late) for r in session.connection().execute(query)]
    return Page(number=number, size=size, total=total, status=status, rows=rows)


def rows_query(
    directive_id: int, where: ColumnElement[bool] | None = None, *, late_by: str | None = None
) -> Select[Any]:
    """Every assignment of the tree matching `where`, with its level, unit, the directive it got, that directive's
    issuer (the unit that follows it up) and the directive it issued in turn. In the pages' order (the module's
    docstring), or with `late_by` (ack_due, report_due) most overdue first, then by level and unit code."""
    a, tree = ASSIGNMENT, directive_tree(directive_id)
    got, issuer, child = DIRECTIVE.alias("got"), UNIT.alias("issuer"), DIRECTIVE.alias("child")
    order = (
        (a.c[late_by], tree.c.level, UNIT.c.code, a.c.id)
        if late_by
        else (tree.c.level, a.c.directive_id, a.c.role, UNIT.c.code, a.c.id)
    )
    query = (
        select(*(a.c[n] for n in COLUMNS), tree.c.level, UNIT.c.code, UNIT.c.name, UNIT.c.kind, UNIT.c.active)
        .add_columns(got.c.number.label("directive"), issuer.c.name.label("supervisor"))
        .add_columns(got.c.closed_at.label("directive_closed_at"))  # recalled or replaced: nothing is late
        .add_columns(child.c.number.label("implementing_directive"), child.c.dispatched_at.label("child_dispatched_at"))
        .select_from(
            a.join(tree, tree.c.id == a.c.directive_id)
            .join(UNIT, UNIT.c.id == a.c.unit_id)
            .join(got, got.c.id == a.c.directive_id)
            .join(issuer, issuer.c.id == got.c.issuer_id)
            .outerjoin(child, child.c.id == a.c.implementing_directive_id)
        )
        .order_by(*order)
    )
    return query if where is None else query.where(where)


def filtered(directive_id: int, today: date, status: str | None) -> Select[Any]:
    """The rows of a ?status= filter in its order: the late and unacknowledged ones by acknowledgement deadline."""
    return rows_query(directive_id, condition(status, today), late_by="ack_due" if status in LATE_FIRST else None)


def export_chunks(
    session: Session, *, directive_id: int, today: date, status: str | None = None, chunk: int = EXPORT_CHUNK
) -> Iterator[list[dict[str, Any]]]:
    """Every row of the filtered list (every level of the tree), in the pages' order, `chunk` rows at a time:
    one query read through a server-side cursor (stream_results), so memory holds one chunk whatever the size
    of the directive. The rows carry the keys of the CSV/XLSX exports (cascade/status/export.py): row()'s and `kind`."""
    query = filtered(directive_id, today, status).execution_options(yield_per=max(1, chunk))
    result = session.connection().execute(query)
    late = Lateness(today)
    try:
        for part in result.partitions():
            yield [row(r, late) for r in part]
    finally:
        result.close()


def late_rows(session: Session, *, directive_id: int, today: date, status: str) -> list[dict[str, Any]]:
    """Every unit late to acknowledge (status "overdue") or to report ("report_overdue"), most overdue first, then
    by level and unit code, `days_late` counted in working days from the deadline it missed: the lists under a
    small directive's tree and its XLSX export's second sheet. The export's keys, as export_chunks."""
    late_by = LATE_BY[status]
    query = rows_query(directive_id, condition(status, today), late_by=late_by)
    rows = session.connection().execute(query)
    late = Lateness(today)
    return [{**row(r, late), "days_late": late(getattr(r, late_by))} for r in rows]


def row(r: Any, late: Lateness) -> dict[str, Any]:
    """The keys of a unit's row that the views and exports show (summary_row's, with how many working days late
    it is acknowledging), its kind, its place in the tree and the unit that follows it up (`supervisor`)."""
    return {
        **summary_row(r, late),
        "kind": r.kind,
        "kind_label": kind_label(r.kind),
        "level": int(r.level),
        "directive": r.directive,
        "status": r.status,
        "implementing_directive": r.implementing_directive,
        "supervisor": r.supervisor if chased(r.role) else None,  # a superior is informed, never chased
        "recall_refusal": r.recall_refusal,  # why a unit refused a recall (cascade/lifecycle), for the exports
    }
