"""What a directive asks to be reported (indicators, cycles, escalation ladder, follow-up officer):
parsed from the directive file, stored once, and resolved for directives issued further down the tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from cascade.core.sqlutil import insert_ignoring_conflicts
from cascade.core.workdays import WorkCalendar
from cascade.core.yamlfile import strip_lines
from cascade.directives import deadlines
from cascade.directives.indicators import Fail, parse_indicator
from models import Directive, Urgency
from models.report import ReportCycle, ReportingPlan

LADDER_KEYS = ("before", "parent_after", "escalate_after")
# Working days: a reminder `before` the deadline, on the day, `parent_after` days after it (copied to the
# parent), `escalate_after` days after it (to the follow-up officer). Urgent directives compress the ladder.
DEFAULT_LADDER = {"before": 2, "parent_after": 2, "escalate_after": 5}
URGENT_LADDER = {"before": 1, "parent_after": 1, "escalate_after": 2}


@dataclass
class ReportingSpec:
    indicators: list[dict[str, str]] = field(default_factory=list)
    schedule: dict[str, Any] = field(default_factory=dict)
    ladder: dict[str, int] = field(default_factory=dict)
    follow_up_name: str | None = None
    follow_up_email: str | None = None

    def is_empty(self) -> bool:
        return not (self.indicators or self.schedule or self.ladder or self.follow_up_email)


def parse_reporting(data: dict[str, Any], fail: Fail) -> ReportingSpec:
    """The optional keys `indicators`, `report_schedule`, `escalation` and `follow_up` of a directive file."""
    spec = ReportingSpec()
    data = {k: strip_lines(data.get(k)) for k in ("indicators", "report_schedule", "escalation", "follow_up")}
    raw = data.get("indicators") or []
    if not isinstance(raw, list):
        fail("`indicators` must be a list of {code, name, unit, type: int|number, rollup: sum|mean|none}", "indicators")
        raw = []
    seen: set[str] = set()
    for i, item in enumerate(raw, start=1):
        if (indicator := parse_indicator(item, f"indicators[{i}]", seen, fail)) is not None:
            spec.indicators.append(indicator)
    schedule = data.get("report_schedule")
    if isinstance(schedule, list):
        try:
            spec.schedule = {"dates": sorted({date.fromisoformat(str(d)).isoformat() for d in schedule})}
        except ValueError:
            fail("`report_schedule` dates must be YYYY-MM-DD", "report_schedule")
    elif isinstance(schedule, dict) and set(schedule) == {"every_months"}:
        months = schedule["every_months"]
        if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 24:
            fail("`report_schedule.every_months` must be a whole number from 1 to 24", "report_schedule")
        else:
            spec.schedule = {"every_months": months}
    elif schedule is not None:
        fail("`report_schedule` is a list of dates or {every_months: N}", "report_schedule")
    ladder = data.get("escalation")
    if ladder is not None:
        if not isinstance(ladder, dict) or not set(ladder) <= set(LADDER_KEYS):
            fail(f"`escalation` takes {', '.join(LADDER_KEYS)} (working days)", "escalation")
        elif not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 60 for v in ladder.values()):
            fail("`escalation` values are whole numbers of working days from 0 to 60", "escalation")
        else:
            spec.ladder = {k: int(v) for k, v in ladder.items()}
    follow = data.get("follow_up")
    if follow is not None:
        if not isinstance(follow, dict) or "@" not in str(follow.get("email") or ""):
            fail("`follow_up` needs `name` and `email` (the officer who follows up and chases)", "follow_up")
        else:
            spec.follow_up_name = str(follow.get("name") or "").strip() or None
            spec.follow_up_email = str(follow["email"]).strip()
    return spec


def store_reporting(session: Session, directive_id: int, spec: ReportingSpec | None) -> None:
    if spec is None or spec.is_empty():
        return
    if session.exec(select(ReportingPlan).where(ReportingPlan.directive_id == directive_id)).first():
        return
    session.add(
        ReportingPlan(
            directive_id=directive_id,
            indicators=spec.indicators,
            schedule=spec.schedule,
            ladder=spec.ladder,
            follow_up_name=spec.follow_up_name,
            follow_up_email=spec.follow_up_email,
        )
    )
    session.flush()


def lineage(session: Session, directive: Directive) -> list[Directive]:
    """The directive, then the one it implements, up to the top."""
    chain = [directive]
    while chain[-1].parent_directive_id and len(chain) < 50:
        parent = session.get(Directive, chain[-1].parent_directive_id)
        if parent is None:
            break
        chain.append(parent)
    return chain


def effective_plan(session: Session, directive: Directive) -> ReportingPlan:
    """Each field from the nearest directive up the chain that sets it: a directive passed on keeps asking
    for the same figures on the same schedule, chased by the same ladder and follow-up officer."""
    cache: dict[int | None, ReportingPlan] = session.info.setdefault("reporting_plans", {})
    if directive.id in cache:
        return cache[directive.id]
    chain = lineage(session, directive)
    ids = [d.id for d in chain]
    plans = {
        p.directive_id: p for p in session.exec(select(ReportingPlan).where(col(ReportingPlan.directive_id).in_(ids)))
    }
    found = [plans[d.id] for d in chain if d.id in plans]
    plan = ReportingPlan(directive_id=directive.id or 0)
    plan.indicators = next((p.indicators for p in found if p.indicators), [])
    plan.schedule = next((p.schedule for p in found if p.schedule), {})
    plan.ladder = next((p.ladder for p in found if p.ladder), {})
    officer = next((p for p in found if p.follow_up_email), None)
    plan.follow_up_name = officer.follow_up_name if officer else None
    plan.follow_up_email = officer.follow_up_email if officer else None
    cache[directive.id] = plan  # one lookup per directive and session (the monitor walks thousands of units)
    return plan


def ladder_for(plan: ReportingPlan, urgency: str) -> dict[str, int]:
    base = DEFAULT_LADDER if urgency == Urgency.normal else URGENT_LADDER
    return {**base, **plan.ladder}


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise ValueError(day)


def scheduled_dates(directive: Directive, schedule: dict[str, Any]) -> list[date]:
    """The cycle dates of a top directive: the schedule's dates before report_due, then report_due."""
    final = directive.report_due
    if "dates" in schedule:
        dates = [date.fromisoformat(d) for d in schedule["dates"]]
    elif "every_months" in schedule:
        dates, step = [], int(schedule["every_months"])
        while len(dates) < 100 and (nxt := _add_months(directive.issued_on, step * (len(dates) + 1))) < final:
            dates.append(nxt)
    else:
        dates = []
    return sorted({d for d in dates if directive.issued_on < d < final}) + [final]


def ensure_cycles(session: Session, directive: Directive, calendar: WorkCalendar) -> list[ReportCycle]:
    """The directive's report cycles, created on first use. The last is due on report_due (a working day);
    a directive passed on budgets each earlier cycle from its parent's, `lead_days` working days before."""
    assert directive.id is not None
    cache: dict[int, list[ReportCycle]] = session.info.setdefault("report_cycles", {})
    if directive.id in cache:
        return cache[directive.id]
    stored = list(
        session.exec(
            select(ReportCycle).where(ReportCycle.directive_id == directive.id).order_by(col(ReportCycle.seq))
        ).all()
    )
    if stored:
        cache[directive.id] = stored
        return stored
    parent = session.get(Directive, directive.parent_directive_id) if directive.parent_directive_id else None
    if parent is not None:
        parent_dues = [c.due for c in ensure_cycles(session, parent, calendar)]
        dues = [deadlines.report_due(d, directive.issued_on, directive.lead_days, calendar) for d in parent_dues[:-1]]
    else:
        dues = [
            calendar.on_or_after(d) for d in scheduled_dates(directive, effective_plan(session, directive).schedule)
        ]
        dues = dues[:-1]
    dues.append(calendar.on_or_after(directive.report_due))
    rows = [{"directive_id": directive.id, "seq": i, "due": d} for i, d in enumerate(dues, start=1)]
    insert_ignoring_conflicts(session, ReportCycle, rows, ["directive_id", "seq"])  # two requests may race here
    query = select(ReportCycle).where(ReportCycle.directive_id == directive.id).order_by(col(ReportCycle.seq))
    cache[directive.id] = list(session.exec(query).all())
    return cache[directive.id]
