"""The escalate step is taken in the database (cascade/chasing/escalation_in_sql.py): each unit still owing gets
one step and one audit row as the other steps write them, the officer's one email lists the first units by code
and counts the rest, the run's events summarise the steps, and a second run takes none."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from cascade.chasing import digests, escalation_events, ladder
from cascade.chasing.escalation_events import StepLog
from cascade.chasing.ladder import take_steps
from cascade.core.db import get_engine, session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import work_calendar
from models import Assignment, AuditLog, OutboxBody, OutboxMessage, Unit
from models.report import EscalationStep
from tests.test_monitor_streaming import ACKNOWLEDGED, UNITS, day_of, sent_and_partly_acknowledged


def test_the_escalate_day_writes_each_step_and_audit_row_and_one_email(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digests, "LISTED", 5)  # the email lists 5 units, so 5 are read back
    monkeypatch.setattr(escalation_events, "UNITS_NAMED", 3)
    monkeypatch.setattr(ladder, "StepLog", lambda: StepLog(limit=4))  # more steps than events one by one
    root_id = sent_and_partly_acknowledged(settings, tmp_path)
    with session_scope() as session:
        ack_due = session.exec(select(col(Assignment.ack_due)).where(Assignment.directive_id == root_id)).first()
    assert ack_due is not None
    chased = [f"U{i:02d}" for i in range(UNITS) if f"U{i:02d}" not in ACKNOWLEDGED]  # 19, in code order
    now = day_of("escalate", root_id)

    with session_scope() as session:
        log = take_steps(session, settings, now, work_calendar(settings))
    with Session(get_engine()) as session:
        steps = session.exec(select(EscalationStep).where(EscalationStep.step == "escalate")).all()
        audits = session.exec(select(AuditLog).where(AuditLog.event == "escalation_escalate")).all()
        mail = session.execute(
            select(OutboxMessage.key, OutboxMessage.to_addr, OutboxBody.body_text)
            .join(OutboxBody, col(OutboxBody.message_id) == col(OutboxMessage.id))
            .where(col(OutboxMessage.kind) != "notice")
        ).all()
        codes = dict(
            session.execute(select(Assignment.id, Unit.code).join(Unit, col(Unit.id) == col(Assignment.unit_id))).all()
        )

    assert sorted(codes[s.assignment_id] for s in steps) == chased
    assert {(s.item, s.rank, s.due, s.directive_id) for s in steps} == {("ack", 3, ack_due, root_id)}
    expected = {"item": "ack", "step": "escalate", "due": ack_due.isoformat(), "to": ["donoc@t.example"]}
    assert sorted((a.unit_code, a.unit_name, a.actor) for a in audits) == [
        (c, f"CĐCS số {int(c[1:])}", "monitor") for c in chased
    ]
    assert all(a.detail == expected and a.directive_id == root_id for a in audits)
    assert {codes[a.assignment_id or 0] for a in audits} == set(chased)

    assert [to for _, to, _ in mail] == ["donoc@t.example"]  # the officer's escalation, no unit reminded
    key, _, text = mail[0]
    ids = sorted(s.id or 0 for s in steps)
    assert key.startswith("escalation:") and key.endswith(f":{ids[0]}-{ids[-1]}")
    assert all(f"CĐCS số {int(c[1:])}\n" in text or f"CĐCS số {int(c[1:])} " in text for c in chased[:5])
    assert "CĐCS số 9" not in text and f"và {len(chased) - 5} đơn vị khác" in text

    assert len(log) == len(chased)
    (summary,) = log.events()
    assert summary["payload"]["count"] == len(chased) and summary["payload"]["items"] == {"ack": len(chased)}
    assert summary["payload"]["units"] == chased[:3] and summary["payload"]["units_not_listed"] == len(chased) - 3

    with session_scope() as session:  # the same day again: every step is taken already
        again = take_steps(session, settings, now, work_calendar(settings))
    assert len(again) == 0
    with Session(get_engine()) as session:
        assert len(session.exec(select(AuditLog).where(AuditLog.event == "escalation_escalate")).all()) == len(chased)
