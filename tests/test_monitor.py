"""Weeks of a three-level cascade with an injected clock: who gets which reminder, digest, escalation and
consolidated report, on which day; the monitor is idempotent; the Prefect flow runs the same logic."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from cascade.chasing.consolidate import consolidate_due
from cascade.chasing.ladder import take_steps
from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import VN_TZ, work_calendar
from cascade.delivery.mailer import send_outbox_batch
from cascade.dev.smtp_sink import SmtpSink
from cascade.directives.directivefile import parse_directive
from cascade.directives.reportplan import effective_plan, ensure_cycles
from cascade.directives.store import store_directive
from cascade.dispatch.notices import create_assignments, enqueue_notices, notice_batches, outbox_batches
from cascade.org.orgtree import import_org, parse_org
from cascade.replies.acknowledge import acknowledge
from cascade.replies.passon import mark_dispatched
from cascade.replies.reports import save_report
from models import Assignment, AuditLog, Directive, Status, Unit
from models.report import ReportCycle

ORG = """
units:
  - {code: TINH, name: LĐLĐ tỉnh, kind: federation, parent: null, email: tinh@t.example, symbol: LĐLĐ}
  - {code: H1, name: LĐLĐ huyện Một, kind: district_federation, parent: TINH, email: h1@t.example, symbol: LĐLĐH1,
     signer: {on_behalf: TM. BAN THƯỜNG VỤ, title: CHỦ TỊCH, name: Lò Văn Một}}
  - {code: H2, name: LĐLĐ huyện Hai, kind: district_federation, parent: TINH, email: h2@t.example, symbol: LĐLĐH2,
     signer: {on_behalf: TM. BAN THƯỜNG VỤ, title: CHỦ TỊCH, name: Lò Văn Hai}}
  - {code: C11, name: CĐCS Một Một, kind: grassroots_union, parent: H1, email: c11@t.example}
  - {code: C12, name: CĐCS Một Hai, kind: grassroots_union, parent: H1, email: c12@t.example}
  - {code: C13, name: CĐCS Một Ba, kind: grassroots_union, parent: H1, email: c13@t.example}
  - {code: C21, name: CĐCS Hai Một, kind: grassroots_union, parent: H2, email: c21@t.example}
"""

DIRECTIVE = """
number: 15/KH-LĐLĐ
type: KẾ HOẠCH
issuer: TINH
issued_on: '2024-01-15'
place: Lai Châu
summary: Tuyên truyền Nghị quyết
signer: {title: CHỦ TỊCH, name: Nguyễn Văn A}
report_due: '2024-02-09'   # a Friday in Tết: moves to Thursday 15/02/2024
follow_up: {name: Trần Văn Đôn, email: donoc@t.example}
indicators:
  - {code: conferences, name: Hội nghị đã tổ chức, unit: cuộc, type: int}
  - {code: participants, name: Lượt người tham dự, unit: lượt, type: int}
  - {code: posts, name: Tin bài đã đăng, unit: tin bài, type: int}
recipients:
  - {unit: H1, role: act}
  - {unit: H2, role: act}
tasks:
  - {to: [H1, H2], text: Triển khai tới các CĐCS.}
"""

FIGURES = {
    "H1": {"conferences": "2", "participants": "150", "posts": "5"},
    "C11": {"conferences": "1", "participants": "40", "posts": "3"},
    "C13": {"conferences": "1", "participants": "35", "posts": "2"},
    "C21": {"conferences": "2", "participants": "60", "posts": "4"},
}


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=VN_TZ).astimezone(UTC)


def send_all(settings: Settings) -> None:
    with session_scope() as session:
        for batch in list(outbox_batches(session, None, 500)):
            send_outbox_batch(session, settings, batch)


def dispatch(session: Session, settings: Settings, directive: Directive) -> None:
    create_assignments(session, directive, work_calendar(settings))
    for batch in notice_batches(session, directive.id or 0, 500):
        enqueue_notices(session, settings, directive.id or 0, batch)
    directive.dispatched_at = datetime.now(UTC)
    session.add(directive)


def assignment_of(session: Session, code: str, directive_id: int | None = None) -> Assignment:
    query = select(Assignment).join(Unit, col(Unit.id) == col(Assignment.unit_id)).where(Unit.code == code)
    if directive_id:
        query = query.where(Assignment.directive_id == directive_id)
    found = session.exec(query).first()
    assert found is not None
    return found


def pass_on(session: Session, settings: Settings, code: str, now: datetime) -> None:
    """Acknowledge; a unit with units under it passes the directive on (cascade/replies/passon.py issues its
    implementing directive, budgeted earlier); it is dispatched here with the same plain functions the flow's
    tasks call."""
    a = assignment_of(session, code)
    acknowledge(session, a.id or 0, remote_addr="test", user_agent="test", now=now, calendar=work_calendar(settings))
    session.refresh(a)
    if not session.exec(select(Unit).where(Unit.parent_id == a.unit_id)).first():
        assert a.implementing_directive_id is None
        return
    child = session.get(Directive, a.implementing_directive_id)
    assert child is not None and child.source == "forward" and child.parent_assignment_id == a.id
    assert child.issued_on == now.astimezone(VN_TZ).date()
    dispatch(session, settings, child)
    mark_dispatched(session, child)


def report(session: Session, settings: Settings, code: str, now: datetime) -> None:
    a = assignment_of(session, code)
    directive = session.get(Directive, a.directive_id)
    assert directive is not None
    cycle = ensure_cycles(session, directive, work_calendar(settings))[0]
    indicators = effective_plan(session, directive).indicators
    save_report(
        session, settings, a, cycle, indicators, text=f"Báo cáo của {code}", raw_figures=FIGURES[code],
        uploads=[], submit=True, now=now,
    )  # fmt: skip


def tag(message: Any) -> str:
    key = str(message.message["X-Cascade-Key"])
    kind, _, rest = key.partition(":")
    if kind == "remind":
        return "remind " + ":".join(rest.split(":")[1:])  # remind ack:due, remind r1:before …
    return kind


def monitor(settings: Settings, now: datetime) -> tuple[int, int]:
    with session_scope() as session:
        steps = take_steps(session, settings, now, work_calendar(settings))
        cons = consolidate_due(session, now, work_calendar(settings))
    send_all(settings)
    return len(steps), len(cons)


# What each unit does, and when (Vietnam time); the monitor runs every day at 08:00.
ACTIONS: dict[date, list[tuple[int, str, str]]] = {
    date(2024, 1, 15): [(10, "ack", "H1"), (15, "ack", "C11")],
    date(2024, 1, 19): [(10, "ack", "H2"), (15, "ack", "C21")],
    date(2024, 1, 24): [(10, "ack", "C13")],
    date(2024, 1, 31): [(10, "report", "C11")],
    date(2024, 2, 2): [(10, "report", "C13")],
    date(2024, 2, 7): [(10, "report", "H1")],
    date(2024, 2, 15): [(10, "report", "C21")],
}

EXPECTED = {
    "tinh@t.example": ["01-18 digest", "02-16 consolidated", "02-19 digest"],
    "donoc@t.example": ["01-23 escalation", "02-19 escalation", "02-22 escalation"],
    "h1@t.example": ["01-15 notice", "01-18 digest", "02-06 remind r1:before", "02-06 consolidated", "02-07 digest"],
    "h2@t.example": [
        "01-15 notice", "01-16 remind ack:due", "01-18 remind ack:parent", "02-06 remind r1:before",
        "02-06 consolidated", "02-07 digest", "02-15 remind r1:due", "02-19 remind r1:parent",
    ],
    "c11@t.example": ["01-15 notice"],
    "c12@t.example": [
        "01-15 notice", "01-16 remind ack:due", "01-18 remind ack:parent", "02-01 remind r1:before",
        "02-05 remind r1:due", "02-07 remind r1:parent",
    ],
    "c13@t.example": ["01-15 notice", "01-16 remind ack:due", "01-18 remind ack:parent", "02-01 remind r1:before"],
    "c21@t.example": ["01-19 notice", "02-01 remind r1:before", "02-05 remind r1:due", "02-07 remind r1:parent"],
}  # fmt: skip


def test_weeks_of_a_three_level_cascade(settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "d.yaml").write_text(DIRECTIVE, encoding="utf-8")
    with session_scope() as session:
        import_org(session, parse_org(tmp_path / "org.yaml"), source="org.yaml")
        root, _ = store_directive(session, parse_directive(tmp_path / "d.yaml"))
        root_id = root.id
    received: dict[str, list[str]] = {}
    seen = 0
    day = date(2024, 1, 15)
    while day <= date(2024, 2, 26):
        monitor(settings, at(day, 8))
        assert monitor(settings, at(day, 8)) == (0, 0), day  # the same instant again: nothing new
        with session_scope() as session:
            if day == date(2024, 1, 15):
                root = session.get(Directive, root_id)
                assert root is not None
                dispatch(session, settings, root)
        send_all(settings)
        for hour, action, code in ACTIONS.get(day, []):
            with session_scope() as session:
                (pass_on if action == "ack" else report)(session, settings, code, at(day, hour))
            send_all(settings)
        for message in mailbox.messages[seen:]:
            for rcpt in message.rcpt_tos:
                received.setdefault(rcpt, []).append(f"{day.strftime('%m-%d')} {tag(message)}")
        seen = len(mailbox.messages)
        day += timedelta(days=1)
    # Within one day the messages leave on parallel connections, so only their days are ordered: each list is
    # compared sorted ("MM-DD what" sorts by day first).
    assert {rcpt: sorted(got) for rcpt, got in received.items()} == {
        rcpt: sorted(want) for rcpt, want in EXPECTED.items()
    }

    first_escalation = next(m for m in mailbox.messages if tag(m) == "escalation")
    assert "CĐCS Một Hai" in first_escalation.text() and "CĐCS Một Ba" in first_escalation.text()  # one email
    h1_digest = next(m for m in mailbox.messages if tag(m) == "digest" and "h1@t.example" in m.rcpt_tos)
    # Each digest and escalation comes in the name of the unit whose directives it lists, as their notices did.
    issuers = {"15/KH-LĐLĐ": "LĐLĐ tỉnh", "01/LĐLĐH1": "LĐLĐ huyện Một", "01/LĐLĐH2": "LĐLĐ huyện Hai"}
    chasing = [m for m in mailbox.messages if tag(m) in ("digest", "escalation")]
    assert {tag(m) for m in chasing} == {"digest", "escalation"}
    for m in chasing:
        named = {issuers[n] for n in re.findall(r"\d+/KH-LĐLĐ|\d+/LĐLĐH\d", m.text())}
        assert len(named) == 1 and str(m.message["From"]) == f"{named.pop()} <no-reply@laichau.example>", m.text()
    assert "CĐCS Một Hai" in h1_digest.text() and "CĐCS Một Ba" in h1_digest.text()
    # Both lists say what each unit still owes: a line without "chưa" would read as done.
    owed = [line.strip() for line in h1_digest.text().splitlines() if line.startswith("  - ")]
    listed_owed = re.findall(r"<li>([^<]*)</li>", h1_digest.html())
    assert len(owed) >= 4 and len(listed_owed) >= 2  # the units just reminded, then every unit still late
    assert [line for line in owed if ": chưa xác nhận đã nhận văn bản, " not in line] == []
    assert [line for line in listed_owed if ": chưa xác nhận đã nhận văn bản, " not in line] == []
    consolidated = next(m for m in mailbox.messages if tag(m) == "consolidated" and "tinh@t.example" in m.rcpt_tos)
    assert consolidated.subject.startswith("Báo cáo tổng hợp kỳ 1 – Kế hoạch số 15/KH-LĐLĐ (hạn 15/02/2024)")
    text = consolidated.text()
    assert "# Báo cáo tổng hợp kỳ 1: Kế hoạch số 15/KH-LĐLĐ ngày 15/01/2024\n" in text
    assert "LĐLĐ tỉnh · Tuyên truyền Nghị quyết · hạn báo cáo 15/02/2024" in text and "V/v" not in text
    assert "| Hội nghị đã tổ chức | cuộc | 6 |" in text and "| Lượt người tham dự | lượt | 285 |" in text
    missing = text.split("## Đơn vị chưa báo cáo (2)")[1]
    assert "- CĐCS Một Hai\n" in missing and "- LĐLĐ huyện Hai\n" in missing
    assert [code for code in ("(C1", "(H1", "(H2", "(TINH") if code in text + consolidated.html()] == []
    assert "<table" in consolidated.html() and "285" in consolidated.html()

    # H1's own report page shows the figures of the units under it, summed (real HTTP)
    notice = next(m for m in mailbox.messages if tag(m) == "notice" and "h1@t.example" in m.rcpt_tos)
    link = re.findall(re.escape(web) + r"/r/[A-Za-z0-9_\-.]+", notice.text())[0]
    page = httpx.get(link)
    assert page.status_code == 200 and "Số liệu của các đơn vị trực thuộc" in page.text
    assert "<th>Cộng</th><th></th><th>2</th><th>75</th><th>5</th>" in page.text  # C11 + C13 (C12 never reported)

    result = CliRunner().invoke(app, ["status", "15/KH-LĐLĐ", "--json"])
    assert result.exit_code == 0, result.output
    rows = {u["unit"]: u for u in json.loads(result.stdout)["units"]}
    assert rows["H1"]["report_status"] == "submitted" and rows["H1"]["status"] == "completed"
    assert rows["H1"]["edxml"] == "06" and rows["H1"]["escalation_step"] == "r1:before"
    assert rows["H1"]["rolled_up"] == {"conferences": 4, "participants": 225, "posts": 10}
    assert rows["H2"]["report_status"] == "missing" and rows["H2"]["escalation_step"] == "r1:escalate"
    assert rows["H2"]["rolled_up"] == {"conferences": 2, "participants": 60, "posts": 4}
    assert rows["C21"]["report_status"] == "late" and rows["C21"]["level"] == 2
    assert rows["C12"]["report_status"] == "missing" and rows["C12"]["escalation_step"] == "r1:escalate"
    assert rows["C12"]["status"] == "arrived" and rows["C13"]["status"] == "completed"
    own = [u["figures"] for u in rows.values()]
    totals = {k: sum(f.get(k, 0) for f in own) for k in ("conferences", "participants", "posts")}
    assert totals == {"conferences": 6, "participants": 285, "posts": 14}
    with session_scope() as session:
        cycle = session.exec(select(ReportCycle).where(ReportCycle.directive_id == root_id)).one()
        assert cycle.due == date(2024, 2, 15) and cycle.consolidated_at == at(date(2024, 2, 16), 8)
        steps = session.exec(select(AuditLog).where(col(AuditLog.event).startswith("escalation_"))).all()
        # 17 reminders (one email each) and 4 escalations (C12 and C13's acknowledgements, C12 and H2's reports)
        assert len(steps) == 21


RECURRING = DIRECTIVE.replace(
    "report_due: '2024-02-09'   # a Friday in Tết: moves to Thursday 15/02/2024", "report_due: '2024-05-31'"
)
RECURRING = (
    RECURRING.replace("issued_on: '2024-01-15'", "issued_on: '2024-03-01'") + "report_schedule: {every_months: 1}\n"
)


def test_each_cycle_is_chased_separately_and_urgent_ladders_are_shorter(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "d.yaml").write_text(RECURRING, encoding="utf-8")
    (tmp_path / "u.yaml").write_text(
        RECURRING.replace("15/KH-LĐLĐ", "16/KH-LĐLĐ").replace("indicators:", "urgency: khan\nindicators:"), "utf-8"
    )
    cal = work_calendar(settings)
    with session_scope() as session:
        import_org(session, parse_org(tmp_path / "org.yaml"), source="org.yaml")
        normal, _ = store_directive(session, parse_directive(tmp_path / "d.yaml"))
        urgent, _ = store_directive(session, parse_directive(tmp_path / "u.yaml"))
        for d in (normal, urgent):
            dispatch(session, settings, d)
            for a in session.exec(select(Assignment).where(Assignment.directive_id == d.id)).all():
                a.status = Status.acknowledged.value  # acknowledged: only the reports are chased here
                session.add(a)
        # monthly from 01/03: 01/04 (Mon), 01/05 is Labour Day so 02/05, then report_due 31/05
        assert [c.due for c in ensure_cycles(session, normal, cal)] == [
            date(2024, 4, 1), date(2024, 5, 2), date(2024, 5, 31),
        ]  # fmt: skip
        normal_id, urgent_id = normal.id, urgent.id

    def steps_on(day: date) -> set[tuple[str, str, str]]:
        with session_scope() as session:
            taken = take_steps(session, settings, at(day, 8), cal)
        return {(e["number"], e["item"], e["step"]) for e in taken if e["unit"] == "H1"}

    # normal: before = 2 working days ahead, escalation 5 after; urgent (khan): 1, and 2 after
    assert steps_on(date(2024, 3, 27)) == set()
    assert steps_on(date(2024, 3, 28)) == {("15/KH-LĐLĐ", "r1", "before")}
    assert steps_on(date(2024, 3, 29)) == {("16/KH-LĐLĐ", "r1", "before")}
    assert steps_on(date(2024, 4, 2)) == {("15/KH-LĐLĐ", "r1", "due"), ("16/KH-LĐLĐ", "r1", "parent")}
    with session_scope() as session:
        h1 = assignment_of(session, "H1", normal_id)
        cycles = ensure_cycles(session, session.get(Directive, normal_id), cal)  # type: ignore[arg-type]
        plan = effective_plan(session, session.get(Directive, normal_id))  # type: ignore[arg-type]
        figures = {"conferences": "1", "participants": "1", "posts": "1"}
        save_report(
            session, settings, h1, cycles[0], plan.indicators, text="kỳ 1", raw_figures=figures, uploads=[],
            submit=True, now=at(date(2024, 4, 2), 9),
        )  # fmt: skip
        assert h1.status == "in_progress"  # two cycles still owed
    # cycle 1 of the normal directive is in: its ladder stops; cycle 2 is chased on its own dates
    assert steps_on(date(2024, 4, 3)) == {("16/KH-LĐLĐ", "r1", "escalate")}
    assert steps_on(date(2024, 4, 24)) == set()
    # cycle 2 is due 02/05: 29/04 – 01/05 are days off, so "two working days before" is 25/04
    assert steps_on(date(2024, 4, 25)) == {("15/KH-LĐLĐ", "r2", "before")}
    assert steps_on(date(2024, 4, 26)) == {("16/KH-LĐLĐ", "r2", "before")}
    assert urgent_id is not None


def test_a_directive_passed_on_budgets_every_cycle_before_its_parents(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "d.yaml").write_text(RECURRING, encoding="utf-8")
    cal = work_calendar(settings)
    with session_scope() as session:
        import_org(session, parse_org(tmp_path / "org.yaml"), source="org.yaml")
        root, _ = store_directive(session, parse_directive(tmp_path / "d.yaml"))
        dispatch(session, settings, root)
        pass_on(session, settings, "H1", at(date(2024, 3, 4), 10))
        child = session.get(Directive, assignment_of(session, "H1").implementing_directive_id)
        assert child is not None and child.parent_directive_id == root.id
        # 01/04 − 3 → 27/03; 02/05 − 3 → 24/04 (29/04 to 01/05 are days off); 31/05 − 3 → 28/05
        assert [c.due for c in ensure_cycles(session, child, cal)] == [
            date(2024, 3, 27), date(2024, 4, 24), date(2024, 5, 28),
        ]  # fmt: skip
        assert effective_plan(session, child).follow_up_email == "donoc@t.example"  # inherited
