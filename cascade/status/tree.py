"""The tree of a small directive, one row per unit, depth first: each unit, then the units of the directive it
issued in turn. The rows are cascade/status/page.py's query (the one behind the pages and exports of big
directives) put in tree order, with what only the tree shows: report cycles, escalation, pass-on, tasks. The
figures over them are cascade/status/summary.py's. Also finds a directive by its number."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from cascade.core.errors import InputError, Problem
from cascade.directives.subtasks import task_items_by_assignment
from cascade.status.oversight import today_vn
from cascade.status.page import rows_query
from cascade.status.readable import kind_label
from cascade.status.rollup import report_fields
from cascade.status.summary import Lateness, chased, summarise, summary_row
from models import Directive, Unit


def find_directive(session: Session, number: str, issuer: str | None = None) -> Directive:
    """The directive with this number (and issuer code, when several issuers used the number)."""
    query = select(Directive).where(Directive.number == number.strip())
    if issuer:
        query = query.join(Unit, col(Unit.id) == col(Directive.issuer_id)).where(Unit.code == issuer)
    found = list(session.exec(query.order_by(col(Directive.id))).all())
    if not found:
        raise InputError(
            [Problem("status", f"no directive numbered {number!r}" + (f" from {issuer}" if issuer else ""))]
        )
    if len(found) > 1:
        issuers = ", ".join(sorted({str(d.issuer_id) for d in found}))
        raise InputError(
            [
                Problem(
                    "status",
                    f"{len(found)} directives are numbered {number!r} (issuer ids {issuers}): pass --issuer CODE",
                )
            ]
        )
    return found[0]


def pass_on_state(r: Any) -> dict[str, Any]:
    """For a unit with units under it: how it passes the directive on, and whether it has yet."""
    if r.mode is None:
        return {"mode": None, "pass_on": None, "pass_on_due": None}
    if r.implementing_directive_id is None:
        state = "pending"
    else:
        state = "dispatched" if r.child_dispatched_at else "issued"
    due = r.pass_on_due.isoformat() if r.pass_on_due else None
    return {"mode": r.mode, "pass_on": state, "pass_on_due": due}


def unit_row(session: Session, r: Any, tasks: list[dict[str, Any]], late: Lateness) -> dict[str, Any]:
    """A row of the query as `cascade status --json` prints it, then the unit that follows it up (`supervisor`).
    The raw values (`role`, `kind`, `status`) are for programs; a person reads the `…_label` beside each."""
    shown = summary_row(r, late)
    return {
        "unit": r.code,
        "name": r.name,
        "kind": r.kind,
        "kind_label": kind_label(r.kind),
        "level": int(r.level),
        "role": r.role,
        "role_label": shown["role_label"],
        "directive": r.directive,
        "status": r.status,
        **{k: shown[k] for k in ("status_label", "edxml", "ack_due", "report_due", "acknowledged_at", "days_late")},
        # a recall of the directive (cascade/lifecycle) and the unit's answer: 13 asked, 15 agreed, 16 refused
        "recall": r.recall,
        "recall_answered_at": r.recall_answered_at.isoformat() if r.recall_answered_at else None,
        "recall_refusal": r.recall_refusal,
        "implementing_directive": r.implementing_directive,
        **report_fields(session, r),
        "refused_reason": r.refused_reason,
        "active": r.active,
        **pass_on_state(r),
        "tasks": tasks,
        "supervisor": r.supervisor if chased(r.role) else None,  # a superior is informed, never chased
    }


def tree_rows(session: Session, directive_id: int) -> list[dict[str, Any]]:
    """Every unit of the tree, depth first, each directive's units by role then unit code (unit_row's keys)."""
    session.flush()  # the query reads the session's connection: what the session holds is written first
    found = list(session.connection().execute(rows_query(directive_id)))  # by level, directive, role, code
    items = task_items_by_assignment(session, [r.id for r in found])
    units: dict[tuple[int, int], dict[int, Any]] = {}  # (level, directive id): {assignment id: row}
    for r in found:
        units.setdefault((int(r.level), r.directive_id), {}).setdefault(r.id, r)
    rows: list[dict[str, Any]] = []
    late = Lateness(today_vn())

    def walk(level: int, directive_id: int) -> None:
        for r in units.get((level, directive_id), {}).values():
            rows.append(unit_row(session, r, items.get(r.id, []), late))
            if r.implementing_directive_id is not None:
                walk(level + 1, r.implementing_directive_id)

    walk(1, directive_id)
    return rows


def directive_status(session: Session, directive: Directive) -> dict[str, Any]:
    """What `cascade status` prints of a small directive: the directive, its counts by status (every level) and
    every unit of its tree."""
    assert directive.id is not None
    issuer = session.get(Unit, directive.issuer_id)
    units = [{k: v for k, v in row.items() if k != "supervisor"} for row in tree_rows(session, directive.id)]
    counts = summarise(session, directive.id, today_vn(), limit=0, named=0).counts
    return {
        "number": directive.number,
        "issuer": issuer.code if issuer else None,
        "issued_on": directive.issued_on.isoformat(),
        "summary": directive.summary,
        "basis": directive.basis,
        "report_due": directive.report_due.isoformat(),
        # its life after launch (cascade/lifecycle): the version in force, a recall or the replacing directive
        "version": directive.version,
        "recalled_at": directive.recalled_at.isoformat() if directive.recalled_at else None,
        "recall_reason": directive.recall_reason,
        "replaced_by": replaced.number if (replaced := _replacement(session, directive)) else None,
        "closed_at": directive.closed_at.isoformat() if directive.closed_at else None,
        # In the order the tree first shows each status, as --json has always printed them.
        "counts": {**dict.fromkeys(u["status"] for u in units if u["status"] in counts), **counts},
        "units": units,
    }


def _replacement(session: Session, directive: Directive) -> Directive | None:
    return session.get(Directive, directive.replaced_by_id) if directive.replaced_by_id else None
