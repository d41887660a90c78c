"""Office hours: reminders, digests and escalations go out between 07:30 and 17:00 (Asia/Ho_Chi_Minh) on working
days; a monitor run outside them takes no step and queues nothing, and the next run inside them takes the steps;
the directive's own notices go out at once, whatever the hour.

The clock is driven as in production code paths: CASCADE_CLOCK_START replays the instant (cascade/core/clock.py),
and `cascade monitor` and `cascade launch` are run as an operator runs them (the Prefect test server, aiosmtpd)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from sqlmodel import select
from typer.testing import CliRunner

from cascade.chasing.office_hours import in_office_hours
from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings, get_settings, reset_settings
from cascade.core.workdays import VN_TZ, work_calendar
from cascade.dev.smtp_sink import SmtpSink
from models import OutboxMessage
from models.report import EscalationStep
from tests.cascade_helpers import plant_tree
from tests.conftest import SAMPLE_DIRECTIVE


def vn(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


# Monday 24/05/2021 is a working day; 22/05/2021 a Saturday; 30/04/2021 Reunification Day; 12/02/2024 in Tết.
HOURS = [
    ("2021-05-24T03:00", False),
    ("2021-05-24T07:29:59", False),
    ("2021-05-24T07:30", True),
    ("2021-05-24T12:00", True),
    ("2021-05-24T16:59:59", True),
    ("2021-05-24T17:00", False),
    ("2021-05-24T22:00", False),
    ("2021-05-22T10:00", False),
    ("2021-04-30T10:00", False),
    ("2024-02-12T10:00", False),
]


@pytest.mark.parametrize(("moment", "open_"), HOURS)
def test_office_hours_are_working_hours_on_working_days_in_vietnam(
    moment: str, open_: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASCADE_OFFICE_HOURS_START", raising=False)
    monkeypatch.delenv("CASCADE_OFFICE_HOURS_END", raising=False)
    reset_settings()
    settings = get_settings()
    assert in_office_hours(vn(moment), settings, work_calendar(settings)) is open_
    # The same instant written in UTC is the same instant.
    assert in_office_hours(vn(moment).astimezone(UTC), settings, work_calendar(settings)) is open_


def test_the_hours_are_a_setting_and_a_window_that_ends_before_it_starts_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASCADE_OFFICE_HOURS_START", "06:00")
    monkeypatch.setenv("CASCADE_OFFICE_HOURS_END", "11:30")
    reset_settings()
    settings = get_settings()
    calendar = work_calendar(settings)
    assert in_office_hours(vn("2021-05-24T06:30"), settings, calendar)
    assert not in_office_hours(vn("2021-05-24T12:00"), settings, calendar)
    monkeypatch.setenv("CASCADE_OFFICE_HOURS_START", "17:00")
    monkeypatch.setenv("CASCADE_OFFICE_HOURS_END", "07:30")
    reset_settings()
    with pytest.raises(ValidationError, match="CASCADE_OFFICE_HOURS_START must be before CASCADE_OFFICE_HOURS_END"):
        get_settings()


def at_clock(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", moment)
    reset_settings()


def chased() -> tuple[int, int]:
    with session_scope() as session:
        steps = len(session.exec(select(EscalationStep)).all())
        rows = len(session.exec(select(OutboxMessage)).all())
    return steps, rows


@pytest.mark.usefixtures("prefect_harness", "sample_org")
def test_the_monitor_at_3am_chases_no_one_and_the_one_at_8am_does(
    settings: Settings, mailbox: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = ["LDLD_TD", "LDLD_PT", "CDN_GD"]  # their acknowledgement was due on Friday 21/05/2021
    with session_scope() as session:
        plant_tree(session, "LDLD_LC", [{"unit": code, "status": "arrived"} for code in late])

    at_clock(monkeypatch, "2021-05-24T03:00:00+07:00")  # Monday, 03:00 in Vietnam
    night = CliRunner().invoke(app, ["monitor"])
    assert night.exit_code == 0, night.output
    assert night.output.startswith("0 reminder/escalation steps") and "0 emails sent" in night.output
    assert chased() == (0, 0) and not mailbox.messages

    at_clock(monkeypatch, "2021-05-22T10:00:00+07:00")  # Saturday morning: not a working day
    assert CliRunner().invoke(app, ["monitor"]).exit_code == 0
    assert chased() == (0, 0) and not mailbox.messages

    at_clock(monkeypatch, "2021-05-24T08:00:00+07:00")  # the same Monday at 08:00: the steps left due
    morning = CliRunner().invoke(app, ["monitor"])
    assert morning.exit_code == 0, morning.output
    steps, rows = chased()
    assert steps == len(late) and rows >= len(late)
    reminded = {m.rcpt_tos[0] for m in mailbox.messages if m.message["X-Cascade-Key"].startswith("remind:")}
    assert reminded == {
        "ldld.tamduong@laichau.example",
        "ldld.phongtho@laichau.example",
        "congdoan.giaoduc@laichau.example",
    }


@pytest.mark.usefixtures("prefect_harness", "sample_org")
def test_the_directives_own_notices_go_out_at_once_at_3am(
    settings: Settings, mailbox: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_clock(monkeypatch, "2021-05-20T03:00:00+07:00")
    launched = CliRunner().invoke(app, ["launch", str(SAMPLE_DIRECTIVE)])
    assert launched.exit_code == 0, launched.output
    with session_scope() as session:
        notices = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")).all()
    assert notices and {n.status for n in notices} == {"sent"}
    assert len(mailbox.messages) == len(notices)
    sent_at = {n.sent_at.astimezone(VN_TZ).hour for n in notices if n.sent_at}
    assert sent_at == {3}  # at 03:00 on the replayed clock, not held for the morning
