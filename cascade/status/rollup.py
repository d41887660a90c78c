"""Roll-up: a unit's figures with those of the units below it (through the directives it passed on), each
indicator by its rollup rule (cascade/directives/indicators.py); the rows of a consolidated report are
cascade/status/report_rows.py's."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from cascade.core.settings import get_settings
from cascade.core.workdays import WorkCalendar, work_calendar
from cascade.directives.indicators import Tally, rolled_figures, rollup_rules
from cascade.directives.reportplan import effective_plan, ensure_cycles
from models import Assignment, Directive, Status, Unit, owes_report
from models.report import EscalationStep, Report, ReportState, ReportStatus

ROLLUP_CACHE, REPORTS_CACHE, STEPS_CACHE = "rolled_up", "reports_by_directive", "steps_by_directive"


class AssignmentKeys(Protocol):
    """What the report figures read of an assignment: an Assignment, or a row of cascade/status/page.py's query."""

    @property
    def id(self) -> int | None: ...
    @property
    def directive_id(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def report_due(self) -> date | None: ...
    @property
    def implementing_directive_id(self) -> int | None: ...


def owes_this_report(directive_id: int) -> list[ColumnElement[bool]]:
    """The one definition of the units that owe a directive's report, as SQL: models.owes_report (`act`, and
    `coordinate` named by a task), less the units that refused the directive. Every list and count of a
    consolidated report, and whether a cycle still waits for a report, come from it."""
    return [
        col(Assignment.directive_id) == directive_id,
        col(Assignment.report_due).is_not(None),
        col(Assignment.status) != Status.refused.value,
    ]


def reporting_assignments(session: Session, directive_id: int) -> list[tuple[Assignment, Unit]]:
    """The assignments that owe a report (owes_this_report), by unit."""
    query = (
        select(Assignment, Unit)
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(*owes_this_report(directive_id))
        .order_by(col(Unit.code))
    )
    return list(session.exec(query).all())


def rules_of(session: Session, directive_id: int) -> dict[str, str]:
    """How each indicator of the directive rolls up (cascade.directives.indicators.rollup_rule)."""
    directive = session.get(Directive, directive_id)
    return rollup_rules(effective_plan(session, directive).indicators) if directive else {}


def directive_reports(session: Session, directive_id: int) -> dict[tuple[int, int], Report]:
    """Every report under a directive by (assignment, cycle), read once per session (status walks thousands)."""
    cache: dict[int, dict[tuple[int, int], Report]] = session.info.setdefault(REPORTS_CACHE, {})
    if directive_id not in cache:
        query = select(Report).where(Report.directive_id == directive_id)
        cache[directive_id] = {(r.assignment_id, r.cycle_seq): r for r in session.exec(query).all()}
    return cache[directive_id]


def submitted_report(session: Session, assignment: AssignmentKeys, seq: int) -> Report | None:
    report = directive_reports(session, assignment.directive_id).get((assignment.id or 0, seq))
    return report if report is not None and report.status == ReportStatus.submitted else None


def report_state(report: Report | None) -> ReportState:
    """Where a unit's report for a cycle stands (None: it has saved none)."""
    if report is None:
        return ReportState.missing
    if report.status != ReportStatus.submitted:
        return ReportState.draft
    return ReportState.late if report.late else ReportState.submitted


def directive_steps(session: Session, directive_id: int) -> dict[int, list[EscalationStep]]:
    cache: dict[int, dict[int, list[EscalationStep]]] = session.info.setdefault(STEPS_CACHE, {})
    if directive_id not in cache:
        found: dict[int, list[EscalationStep]] = {}
        for step in session.exec(select(EscalationStep).where(EscalationStep.directive_id == directive_id)).all():
            found.setdefault(step.assignment_id, []).append(step)
        cache[directive_id] = found
    return cache[directive_id]


def subtree_tally(session: Session, assignment: AssignmentKeys, seq: int) -> Tally:
    """The unit's own submitted figures and those of the units it passed the directive on to, at every level.
    Memoised per session: `cascade status` asks for every unit of a tree, each subtree is gathered once."""
    cache: dict[tuple[int, int], Tally] = session.info.setdefault(ROLLUP_CACHE, {})
    key = (assignment.id or 0, seq)
    if key not in cache:
        report = submitted_report(session, assignment, seq)
        total = Tally.of(report.figures if report else {})
        if assignment.implementing_directive_id:
            for child, _ in reporting_assignments(session, assignment.implementing_directive_id):
                total.merge(subtree_tally(session, child, seq))
        cache[key] = total
    return cache[key]


def rolled_up(session: Session, assignment: AssignmentKeys, seq: int) -> dict[str, float]:
    """What the unit sends up for the cycle: its figures and its subtree's, each by its indicator's rollup."""
    report = submitted_report(session, assignment, seq)
    own = report.figures if report else {}
    return rolled_figures(subtree_tally(session, assignment, seq), own, rules_of(session, assignment.directive_id))


def report_fields(session: Session, assignment: AssignmentKeys, calendar: WorkCalendar | None = None) -> dict[str, Any]:
    """For `cascade status`: the report status of each cycle, the escalation step reached, the figures."""
    reached: dict[str, EscalationStep] = {}
    for s in directive_steps(session, assignment.directive_id).get(assignment.id or 0, []):
        if s.item not in reached or s.rank > reached[s.item].rank:
            reached[s.item] = s
    ladder = {item: s.step for item, s in sorted(reached.items())}
    ack_step = f"ack:{ladder['ack']}" if "ack" in ladder else None
    out: dict[str, Any] = {"escalation": ladder, "escalation_step": ack_step}
    if not owes_report(assignment):
        return {**out, "report_status": None, "report_cycles": [], "figures": {}, "rolled_up": {}}
    directive = session.get(Directive, assignment.directive_id)
    assert directive is not None
    mine = directive_reports(session, assignment.directive_id)
    cycles = []
    for cycle in ensure_cycles(session, directive, calendar or work_calendar(get_settings())):
        r = mine.get((assignment.id or 0, cycle.seq))
        cycles.append(
            {
                "cycle": cycle.seq,
                "due": cycle.due.isoformat(),
                "status": report_state(r),
                "version": r.version if r else 0,
                "submitted_at": r.submitted_at.isoformat() if r and r.submitted_at else None,
                "figures": dict(r.figures) if r and r.status == ReportStatus.submitted else {},
                "rolled_up": rolled_up(session, assignment, cycle.seq),
            }
        )
    owed = (ReportState.missing, ReportState.draft)
    current = next((c for c in cycles if c["status"] in owed), cycles[-1] if cycles else None)
    item = f"r{current['cycle']}" if current else ""
    return {
        **out,
        # The step reached for the report owed now, else for the acknowledgement.
        "escalation_step": f"{item}:{ladder[item]}" if item in ladder else ack_step,
        "report_status": current["status"] if current else None,
        "report_cycles": cycles,
        "figures": current["figures"] if current else {},
        "rolled_up": current["rolled_up"] if current else {},
    }
