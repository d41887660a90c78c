"""The rows of a consolidated report: each unit that owes the report, depth first, with its own figures and what
it sends up; the issuer's own report when it passed on a directive from above; the units that refused."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from cascade.directives.indicators import Tally, rolled_figures
from cascade.status.rollup import (
    ROLLUP_CACHE,
    report_state,
    reporting_assignments,
    rules_of,
    submitted_report,
)
from models import Assignment, Directive, Status, Unit, owes_report


def combined(rows: list[dict[str, Any]]) -> Tally:
    """The tally of some rows (each row's own figures and its subtree's)."""
    total = Tally()
    for row in rows:
        total.merge(row["tally"])
    return total


def unit_row(
    session: Session, a: Assignment, u: Unit, seq: int, level: int, rules: dict[str, str], tally: Tally
) -> dict[str, Any]:
    """A unit and its figures: its own, its subtree's `tally`, and `rolled_up`, what it sends up (by `rules`)."""
    report = submitted_report(session, a, seq)
    own: dict[str, float] = dict(report.figures) if report else {}
    return {
        "level": level,
        "unit": u.code,
        "name": u.name,
        "status": report_state(report),
        "submitted_at": report.submitted_at if report else None,
        "version": report.version if report else 0,
        "figures": own,
        "tally": tally,
        "rolled_up": rolled_figures(tally, own, rules),
        "text": report.text if report else "",
    }


def unit_rows(session: Session, directive_id: int, seq: int, level: int = 1) -> list[dict[str, Any]]:
    """Depth first: each unit that owes a report, with its own figures and its rolled-up figures (own + the units
    below, each indicator by its rollup rule)."""
    rows: list[dict[str, Any]] = []
    rules = rules_of(session, directive_id)
    cache: dict[tuple[int, int], Tally] = session.info.setdefault(ROLLUP_CACHE, {})
    for a, u in reporting_assignments(session, directive_id):
        report = submitted_report(session, a, seq)
        below = unit_rows(session, a.implementing_directive_id, seq, level + 1) if a.implementing_directive_id else []
        tally = Tally.of(report.figures if report else {})
        tally.merge(combined([r for r in below if r["level"] == level + 1]))
        cache[(a.id or 0, seq)] = tally  # what rollup.rolled_up would gather again, unit by unit
        rows.append(unit_row(session, a, u, seq, level, rules, tally))
        rows.extend(below)
    return rows


def issuer_row(session: Session, directive: Directive, seq: int) -> dict[str, Any] | None:
    """The issuer's own report when the directive passes on one from above: the figures it reported itself
    under the parent directive, alone (its `tally` and `rolled_up` are its own figures). With the rows of the
    units below, they make what the level above sees of the issuer."""
    if directive.parent_directive_id is None:
        return None
    query = select(Assignment, Unit).join(Unit, col(Unit.id) == col(Assignment.unit_id))
    query = query.where(Assignment.implementing_directive_id == directive.id, Assignment.unit_id == directive.issuer_id)
    found = session.exec(query).first()
    if found is None or not owes_report(found[0]):
        return None
    a, u = found
    report = submitted_report(session, a, seq)
    own = Tally.of(report.figures if report else {})
    return unit_row(session, a, u, seq, 0, rules_of(session, a.directive_id), own)


def refused_units(session: Session, directive_id: int) -> list[Unit]:
    """The units that would owe the report but refused the directive, at every level below it."""
    query = (
        select(Unit)
        .join(Assignment, col(Unit.id) == col(Assignment.unit_id))
        .where(Assignment.directive_id == directive_id, col(Assignment.report_due).is_not(None))
        .where(col(Assignment.status) == Status.refused.value)
        .order_by(col(Unit.code))
    )
    found = list(session.exec(query).all())
    for a, _ in reporting_assignments(session, directive_id):
        if a.implementing_directive_id:
            found += refused_units(session, a.implementing_directive_id)
    return found
