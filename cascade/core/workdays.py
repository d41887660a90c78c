"""Working-day calendar in Asia/Ho_Chi_Minh: weekends, Vietnamese public holidays (Tết included), extra days off."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from cascade.core.settings import Settings, get_settings

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@lru_cache(maxsize=64)
def _vn_holidays(year: int) -> frozenset[date]:
    # The `holidays` package keeps Vietnam's calendar, lunar Tết and observed days included.
    return frozenset(holidays.country_holidays("VN", years=year).keys())


class WorkCalendar:
    def __init__(self, extra_days_off: Iterable[date] = (), extra_working_days: Iterable[date] = ()) -> None:
        self.extra_days_off = frozenset(extra_days_off)
        # Make-up Saturdays that the government sometimes declares working days.
        self.extra_working_days = frozenset(extra_working_days)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day.weekday() >= 5 or day in self.extra_days_off:
            return False
        return day not in _vn_holidays(day.year)

    def on_or_after(self, day: date) -> date:
        """The day itself if it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def next_working_day(self, day: date) -> date:
        return self.on_or_after(day + timedelta(days=1))

    def add_working_days(self, day: date, n: int) -> date:
        """n working days after `day` (n may be negative to go back)."""
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_late(self, due: date, today: date) -> int:
        """How many working days after `due` up to `today` (0 when not past it): a unit due on Friday is
        "quá 1 ngày làm việc" on Monday, not 3 days late."""
        late, day = 0, due
        while day < today:
            day += timedelta(days=1)
            late += self.is_working_day(day)
        return late


def local_date(moment: datetime) -> date:
    """The calendar date in Vietnam of an aware instant."""
    return moment.astimezone(VN_TZ).date()


def parse_days(value: str) -> list[date]:
    """Comma-separated ISO dates, as given in CASCADE_EXTRA_DAYS_OFF."""
    return [date.fromisoformat(part.strip()) for part in value.split(",") if part.strip()]


def work_calendar(settings: Settings | None = None) -> WorkCalendar:
    """The calendar with the extra days off configured in CASCADE_EXTRA_DAYS_OFF."""
    return WorkCalendar(parse_days((settings or get_settings()).calendar.extra_days_off))
