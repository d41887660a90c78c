"""Every text the web templates translate has its English entry (a missing one stays Vietnamese on ?lang=en);
dates as Decree 30 writes them and figures as Vietnamese numbers."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

import web.app  # noqa: F401  (the app's modules add their pages' words to EN: web/console_words.py)
from cascade.rendering.i18n import EN, decree_short_date
from cascade.rendering.render import AUDIT_EVENT_LABELS, environment, vn_long_date, vn_number
from models import AuditEvent

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "web"
LITERAL = re.compile(r'_\(\s*"([^"]+)"')


def test_every_translated_text_of_the_web_pages_has_an_english_entry() -> None:
    texts = {(p.name, m.group(1)) for p in TEMPLATES.rglob("*.html") for m in LITERAL.finditer(p.read_text("utf-8"))}
    assert len(texts) > 100  # the pattern still finds the templates' texts
    assert sorted(t for t in texts if t[1] not in EN) == []


def test_every_audit_event_has_words_in_both_languages() -> None:
    # the unit history page looks the event up in the table: a new event without words would fail the page
    assert sorted(set(AuditEvent) - set(AUDIT_EVENT_LABELS)) == []
    assert [label for label in AUDIT_EVENT_LABELS.values() if label not in EN] == []
    assert AUDIT_EVENT_LABELS["acknowledged"] == "Xác nhận đã nhận văn bản"  # a plain value read from a row
    assert EN["Xác nhận đã nhận văn bản"] == "Receipt confirmed"
    assert len(set(AUDIT_EVENT_LABELS.values())) == len(AuditEvent)  # no two events read the same


# Decree 30/2020/NĐ-CP, Appendix I: days below 10 and the months 1 and 2 take a leading zero, the rest do not.
DECREE_DATES = [
    (date(2021, 5, 20), "ngày 20 tháng 5 năm 2021", "20/5/2021"),
    (date(2026, 3, 9), "ngày 09 tháng 3 năm 2026", "09/3/2026"),
    (date(2026, 2, 5), "ngày 05 tháng 02 năm 2026", "05/02/2026"),
    (date(2026, 1, 15), "ngày 15 tháng 01 năm 2026", "15/01/2026"),
    (date(2025, 12, 1), "ngày 01 tháng 12 năm 2025", "01/12/2025"),
    (date(2024, 10, 31), "ngày 31 tháng 10 năm 2024", "31/10/2024"),
]


@pytest.mark.parametrize(("day", "long", "short"), DECREE_DATES)
def test_long_dates_follow_the_decree_everywhere(day: date, long: str, short: str) -> None:
    assert vn_long_date(day) == long
    # the same filter on a page, through the Jinja environment every page and email uses
    template = environment().from_string("{{ d | long_date }}|{{ d | vn_long_date }}")
    assert template.render(d=day, lang="vi") == f"{long}|{long}"
    assert decree_short_date(day) == short


def test_long_date_in_english_names_the_month() -> None:
    template = environment().from_string("{{ d | long_date }}")
    assert template.render(d=date(2026, 2, 5), lang="en") == "5 February 2026"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1234567, "1.234.567"),
        (1234567.0, "1.234.567"),
        (12.5, "12,5"),
        (1234567.25, "1.234.567,25"),
        (0, "0"),
        (999, "999"),
        (1000, "1.000"),
        (-4500.5, "-4.500,5"),
        (0.1 + 0.2, "0,3"),
        (None, ""),
    ],
)
def test_figures_are_vietnamese_numbers_never_exponents(value: float | None, shown: str) -> None:
    assert vn_number(value) == shown
    assert environment().from_string("{{ v | vn_number }}").render(v=value) == shown
    assert "e+" not in vn_number(1234567.0 * 1000)  # where "{:g}" printed 1.23457e+09
