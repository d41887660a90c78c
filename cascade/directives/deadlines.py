"""Deadline budgeting: each level gets its children's reports in before its own is due."""

from __future__ import annotations

from datetime import date

from cascade.core.workdays import WorkCalendar
from models import Urgency


def ack_due(issued_on: date, urgency: str, calendar: WorkCalendar) -> date:
    """Decree 30 Art. 4(2)(c): the same day for urgent documents, else the next working day at the latest."""
    if urgency != Urgency.normal:
        return calendar.on_or_after(issued_on)
    return calendar.next_working_day(issued_on)


def report_due(parent_due: date, issued_on: date, lead_days: int, calendar: WorkCalendar) -> date:
    """The parent's deadline rolled to a working day, minus `lead_days` working days for the next level to
    gather its children's reports; never earlier than the next working day after issue."""
    due = calendar.add_working_days(calendar.on_or_after(parent_due), -lead_days) if lead_days else parent_due
    earliest = calendar.next_working_day(issued_on)
    return max(calendar.on_or_after(due), earliest)
