"""The monitor reads a directive's open items a page at a time: a day's steps, reminders, digest, escalation and
audit rows are the same whatever the page size, and a long digest lists its first units and counts the rest."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlmodel import Session, col, select

from cascade.chasing import digests, reminders
from cascade.chasing.ladder import take_steps, triggers
from cascade.chasing.reminders import ReminderRows
from cascade.chasing.steps import Item, Taken
from cascade.core.db import get_engine, session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import work_calendar
from cascade.directives.directivefile import parse_directive
from cascade.directives.reportplan import effective_plan, ladder_for
from cascade.directives.store import store_directive
from cascade.org.orgtree import import_org, parse_org
from cascade.replies.acknowledge import acknowledge
from models import Assignment, AuditLog, Directive, OutboxBody, OutboxMessage, Unit
from tests.test_monitor import at, dispatch, send_all

UNITS = 23
ORG = "units:\n  - {code: TINH, name: LĐLĐ tỉnh, kind: federation, parent: null, email: tinh@t.example, symbol: LĐLĐ}\n"
ORG += "".join(
    f"  - {{code: U{i:02d}, name: CĐCS số {i}, kind: grassroots_union, parent: TINH, email: u{i}@t.example}}\n"
    for i in range(UNITS)
)
DIRECTIVE = """
number: 15/KH-LĐLĐ
type: KẾ HOẠCH
issuer: TINH
issued_on: '2024-03-04'
report_due: '2024-05-31'
place: Lai Châu
summary: Tuyên truyền Nghị quyết
signer: {title: CHỦ TỊCH, name: Nguyễn Văn A}
follow_up: {name: Trần Văn Đôn, email: donoc@t.example}
recipients:
""" + "".join(f"  - {{unit: U{i:02d}, role: act}}\n" for i in range(UNITS))
ACKNOWLEDGED = ("U00", "U07", "U08", "U22")  # on page boundaries of a page of 3 or 4: never chased


def without_span(key: str) -> str:
    """An email's key without the step ids it spans (ids differ between two runs rolled back)."""
    kind = key.split(":", 1)[0]
    return key.rsplit(":", 1)[0] if kind in ("digest", "escalation") else key


def day_of(step: str, cascade_id: int) -> datetime:
    with session_scope() as session:
        directive = session.get(Directive, cascade_id)
        assert directive is not None
        due = session.exec(select(col(Assignment.ack_due)).where(Assignment.directive_id == cascade_id)).first()
        assert due is not None
        day = triggers(due, ladder_for(effective_plan(session, directive), directive.urgency), work_calendar())[step]
        assert day is not None
        return at(day, 9)


def one_day(settings: Settings, now: datetime, page_size: int) -> dict[str, Any]:
    """What take_steps writes on `now` with `page_size`, rolled back so the next run starts from the same state."""
    with Session(get_engine()) as session:
        log = take_steps(session, settings, now, work_calendar(settings), page_size=page_size)
        mail = session.execute(
            select(OutboxMessage.key, OutboxMessage.to_addr, OutboxMessage.subject, OutboxBody.body_text)
            .join(OutboxBody, col(OutboxBody.message_id) == col(OutboxMessage.id))
            .where(col(OutboxMessage.kind) != "notice")
        ).all()
        audits = session.execute(
            select(AuditLog.event, AuditLog.unit_code, AuditLog.detail).where(
                col(AuditLog.event).startswith("escalation")
            )
        ).all()
        session.rollback()
    return {
        "events": sorted((e["unit"], e["item"], e["step"]) for e in log),
        "mail": sorted((without_span(k), to, subject, text) for k, to, subject, text in mail),
        "audits": sorted((str(e), code, sorted(detail.items())) for e, code, detail in audits),
    }


def sent_and_partly_acknowledged(settings: Settings, tmp_path: Path) -> int:
    """The directive of DIRECTIVE sent to ORG's units and acknowledged by ACKNOWLEDGED; its id."""
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "d.yaml").write_text(DIRECTIVE, encoding="utf-8")
    with session_scope() as session:
        import_org(session, parse_org(tmp_path / "org.yaml"), source="org.yaml")
        root, _ = store_directive(session, parse_directive(tmp_path / "d.yaml"))
        dispatch(session, settings, root)
        root_id = root.id or 0
    send_all(settings)  # the notices delivered: the units' assignments have arrived
    with session_scope() as session:
        for code in ACKNOWLEDGED:
            unit = session.exec(select(Unit).where(Unit.code == code)).one()
            a = session.exec(select(Assignment).where(Assignment.unit_id == unit.id)).one()
            acknowledge(session, a.id or 0, remote_addr="t", user_agent="t", now=at(date(2024, 3, 5), 9))
    return root_id


@pytest.mark.parametrize("step", ["due", "parent", "escalate"])
def test_a_day_is_the_same_read_a_page_at_a_time(
    settings: Settings, tmp_path: Path, step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digests, "LISTED", 5)  # the digest and the escalation list 5 units and count the rest
    now = day_of(step, sent_and_partly_acknowledged(settings, tmp_path))
    whole, paged = one_day(settings, now, 1000), one_day(settings, now, 3)
    assert paged == whole
    chased = sorted(f"U{i:02d}" for i in range(UNITS) if f"U{i:02d}" not in ACKNOWLEDGED)
    assert [unit for unit, _, _ in whole["events"]] == chased and {s for _, _, s in whole["events"]} == {step}
    reminded = sorted(to for key, to, _, _ in whole["mail"] if key.startswith("remind:"))
    assert reminded == ([] if step == "escalate" else sorted(f"u{int(c[1:])}@t.example" for c in chased))
    lists = [text for key, _, _, text in whole["mail"] if key.startswith(("digest", "escalation"))]
    assert len(lists) == (0 if step == "due" else 1)
    for text in lists:  # the first 5 units by code, then the count of the others (19 chased in all)
        assert all(f"CĐCS số {int(c[1:])}" in text for c in chased[:5]) and "CĐCS số 9\n" not in text
        assert f"và {len(chased) - 5} đơn vị khác" in text


@pytest.mark.parametrize("step", ["before", "due", "parent"])
def test_a_reminder_filled_in_from_its_form_is_the_reminder_rendered_whole(step: str) -> None:
    directive = SimpleNamespace(id=1, number="15/KH-LĐLĐ", doc_type="KẾ HOẠCH", summary='Tuyên <b>& "x"', issuer_id=1)
    supervisor = SimpleNamespace(id=2, name="LĐLĐ <tỉnh> & Cộng", email="s@t.example") if step == "parent" else None
    forms, now = ReminderRows(), datetime(2025, 9, 16, 3, tzinfo=UTC)
    for i, name in enumerate(["CĐCS  số 1", "A & <B> 'c' \"d\"", "Công đoàn\tTrường"]):
        unit = SimpleNamespace(name=name, email=f"u{i}@t.example", code=f"U{i}")
        item = Item(SimpleNamespace(id=i, mode=None), unit, directive, "ack", date(2025, 9, 16), date(2025, 9, 1))  # type: ignore[arg-type]
        taken = Taken(9, step, item, supervisor, ("", ""))  # type: ignore[arg-type]
        link = f"http://127.0.0.1/u/tok{i}?a=1&b=<2>"
        assert forms.row(taken, link, now) == reminders.reminder_row(taken, link, now)
