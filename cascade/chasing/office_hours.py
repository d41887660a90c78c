"""When the ladder may chase: reminders, digests and escalations are sent in office hours on working days.

A reminder that "today is the deadline" arriving at 03:00 reads as a machine's, and one on a Sunday or during
Tết reaches nobody. A monitor run outside the hours (CASCADE_OFFICE_HOURS_START/END, Asia/Ho_Chi_Minh, on the
working days of cascade.core.workdays) takes no step; the steps stay due, and the first run inside the next
window takes them. The directive's own notices are not chased mail: they go out at once, whatever the hour."""

from __future__ import annotations

from datetime import datetime

from cascade.core.settings import Settings
from cascade.core.workdays import VN_TZ, WorkCalendar


def in_office_hours(now: datetime, settings: Settings, calendar: WorkCalendar) -> bool:
    """Whether the instant `now` (aware) falls in office hours, in Vietnam, on a working day."""
    local = now.astimezone(VN_TZ)
    start, end = settings.delivery.office_hours_start, settings.delivery.office_hours_end
    return calendar.is_working_day(local.date()) and start <= local.time().replace(tzinfo=None) < end
