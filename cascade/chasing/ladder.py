"""The chasing ladder, the monitor-deadlines flow's plain logic with an injected `now`: a reminder before
the deadline, one on the day, then one copied to the parent unit, then an escalation to the follow-up officer.
Each step is taken once per unit and item (the acknowledgement, or a report cycle), however often the monitor runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from cascade.chasing import digests as digest_emails
from cascade.chasing.digests import Digests, Listing
from cascade.chasing.escalation_events import StepLog
from cascade.chasing.escalation_in_sql import escalate
from cascade.chasing.office_hours import in_office_hours
from cascade.chasing.open_items import PAGE, Source, deadlines, item_of, newly_due, open_directives, overdue, sources
from cascade.chasing.reminders import ReminderRows
from cascade.chasing.step_writes import STEPS, audit_and_event, insert_audits, record_steps
from cascade.chasing.steps import Item, Taken
from cascade.core.settings import Settings
from cascade.core.workdays import WorkCalendar, local_date
from cascade.delivery.outbox_store import enqueue_mail
from cascade.directives.reportplan import effective_plan, ladder_for
from cascade.dispatch.links import report_link, unit_link
from models import Directive, Unit

LOOKAHEAD = timedelta(days=40)  # items further away than this cannot have a step due yet
DUE = STEPS.index("due")  # the steps up to this one list no unit in a digest


def triggers(due: date, ladder: dict[str, int], calendar: WorkCalendar) -> dict[str, date | None]:
    return {
        "before": calendar.add_working_days(due, -ladder["before"]) if ladder["before"] else None,
        "due": due,
        "parent": calendar.add_working_days(due, ladder["parent_after"]),
        "escalate": calendar.add_working_days(due, ladder["escalate_after"]),
    }


def step_due(dates: dict[str, date | None], today: date) -> str | None:
    """The highest step whose date has come (a monitor that was down does not send a burst of stale ones)."""
    due_now = [s for s in STEPS if (d := dates[s]) is not None and d <= today]
    return due_now[-1] if due_now else None


@dataclass
class Chase:
    """What one directive's ladder chases on a day: its sources, and for each the deadlines due a step, by rank."""

    directive: Directive
    ladder: dict[str, int]
    issuer: Unit | None
    officer: tuple[str | None, str]
    found: list[Source]
    due: list[tuple[Source, dict[int, list[date]]]]
    calendar: WorkCalendar


def take_steps(
    session: Session,
    settings: Settings,
    now: datetime,
    calendar: WorkCalendar,
    page_size: int = PAGE,
    page_done: Callable[[], None] = lambda: None,
) -> StepLog:
    """Take every step now due, once; queue its emails (digests grouped per supervisor and officer) and audit it.
    Returns the events that tell of the steps, for the caller to emit. Directive by directive, a page of items
    at a time: what a run holds does not grow with the number of units.

    The reminders no digest lists ("before", "due") come first, and `page_done` is called after each of their
    pages (the monitor's task commits there, so that they are sent while the rest is taken). The steps a digest
    or an escalation lists ("parent", "escalate") come last, with the digests, for the caller's one commit: a
    digest never misses a unit whose step was recorded."""
    log = StepLog()
    if not in_office_hours(now, settings, calendar):
        return log  # outside office hours or on a day off: the steps stay due for the next window
    today = local_date(now)
    digests, forms = Digests(), ReminderRows()
    chases = [_chase(session, directive, today, calendar) for directive in open_directives(session)]
    for chase, source, rank, dues in _steps_due(chases, listed=False):
        for page in newly_due(session, chase.directive, source, dues, rank, page_size):
            _take_page(session, settings, forms, chase, source, rank, page, now, log, digests)
            page_done()
    for chase, source, rank, dues in _steps_due(chases, listed=True):
        if STEPS[rank] == "escalate":  # nothing to the unit: in the database
            escalate(session, chase.directive, source, dues, now, (chase.issuer, chase.officer), digests, log)
            continue
        for page in newly_due(session, chase.directive, source, dues, rank, page_size):
            _take_page(session, settings, forms, chase, source, rank, page, now, log, digests)
    by_issuer: dict[int, list[tuple[Directive, list[Source]]]] = {}
    for chase in chases:
        by_issuer.setdefault(chase.directive.issuer_id, []).append((chase.directive, chase.found))

    def overdue(sup_id: int) -> Listing:
        return overdue_listing(session, by_issuer.get(sup_id, []), today)

    enqueue_mail(session, digests.rows(overdue, today, now, settings.web.public_url, calendar))
    session.info.pop("steps_by_directive", None)  # cascade.status.rollup's memo of the steps is stale now
    session.flush()
    return log


def _steps_due(chases: list[Chase], *, listed: bool) -> Iterator[tuple[Chase, Source, int, list[date]]]:
    """(chase, source, rank, deadlines) of the steps due that a digest lists (`listed`) or that none does."""
    for chase in chases:
        for source, by_rank in chase.due:
            for rank in sorted(r for r in by_rank if (r > DUE) == listed):
                yield chase, source, rank, by_rank[rank]


def _chase(session: Session, directive: Directive, today: date, calendar: WorkCalendar) -> Chase:
    plan = effective_plan(session, directive)
    ladder = ladder_for(plan, directive.urgency)
    issuer = session.get(Unit, directive.issuer_id)
    officer = (plan.follow_up_name, plan.follow_up_email or (issuer.email if issuer else ""))
    found = sources(session, directive, today + LOOKAHEAD, calendar)
    due: list[tuple[Source, dict[int, list[date]]]] = []
    for source in found:
        by_rank: dict[int, list[date]] = {}
        for deadline in deadlines(session, directive, source, today + LOOKAHEAD):
            if (step := step_due(triggers(deadline, ladder, calendar), today)) is not None:
                by_rank.setdefault(STEPS.index(step), []).append(deadline)
        due.append((source, by_rank))
    return Chase(directive, ladder, issuer, officer, found, due, calendar)


def _take_page(
    session: Session,
    settings: Settings,
    forms: ReminderRows,
    chase: Chase,
    source: Source,
    rank: int,
    page: list[tuple[Any, Any]],
    now: datetime,
    log: StepLog,
    digests: Digests,
) -> None:
    """A page of items due the step of `rank`: its steps recorded, its reminders queued and audited."""
    items = [item_of(chase.directive, source, a, u) for a, u in page]
    wanted = [(i, STEPS[rank]) for i in items if _started(i, STEPS[rank], chase.ladder, chase.calendar)]
    recorded = record_steps(session, wanted, now)
    taken = [
        Taken(step_id, step, item, chase.issuer, chase.officer)
        for item, step in wanted
        if (step_id := recorded.get((item.assignment.id, item.item))) is not None
    ]
    _queue(session, settings, forms, taken, now, log)
    for t in taken:
        digests.add(t)


def _started(item: Item, step: str, ladder: dict[str, int], calendar: WorkCalendar) -> bool:
    """A "before" reminder falls before the item began (a pass-on owed from its acknowledgement): none is sent."""
    return step != "before" or calendar.add_working_days(item.due, -ladder["before"]) >= item.start


def _queue(
    session: Session, settings: Settings, forms: ReminderRows, taken: list[Taken], now: datetime, log: StepLog
) -> None:
    """The reminders and audit rows of a page of steps taken."""
    enqueue_mail(session, [_reminder(settings, forms, t, now) for t in taken if t.step != "escalate"])
    audit = [audit_and_event(t, now) for t in taken]
    insert_audits(session, [row for row, _ in audit])
    for _, event in audit:
        log.add(event)


def overdue_listing(session: Session, directives: list[tuple[Directive, list[Source]]], today: date) -> Listing:
    """Every item overdue with these directives (a supervisor's), as a digest lists them: counted by the
    database, the first LISTED of each kind read and the first LISTED of all kept."""
    listing = Listing()
    for directive, found in directives:
        for source in found:
            count, first = overdue(session, directive, source, today, digest_emails.LISTED)
            for a, u in first:
                item = item_of(directive, source, a, u)
                listing.add((item.due, u.code, item.item), item)
            listing.count_more(count - len(first))
    return listing


def _reminder(settings: Settings, forms: ReminderRows, t: Taken, now: datetime) -> dict[str, Any]:
    a = t.item.assignment
    link = unit_link(settings, a) if t.item.item in ("ack", "pass") else report_link(settings, a)
    return forms.row(t, link or "", now)
