"""The acknowledgement POST over real HTTP (uvicorn, real database): every unit makes it once, so it must stay
lean (a few statements, a short thank-you page that links back to the unit's page rather than re-rendering the
document) while still recording everything: the row, status 03, the audit entry, and the pass-on of an `act`
unit with units below it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.links import forms_in
from cascade.dispatch.tokens import Purpose, expiry_for, make_token
from cascade.replies.acknowledge import acknowledge
from models import Acknowledgement, Assignment, AuditLog, Directive, Recipient, Unit
from tests.cascade_helpers import assignment_id_of, store_sample

pytestmark = pytest.mark.usefixtures("sample_org")
FAR = expiry_for(date(2099, 1, 1), 0)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block (the in-process server's included)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def link_of(settings: Settings, code: str) -> tuple[str, str]:
    """(unit page URL, its token) of `code`'s assignment under the sample directive."""
    with session_scope() as session:
        token = make_token(settings, assignment_id_of(session, code), Purpose.ack, FAR)
    return f"{settings.web.public_url}/u/{token}", token


@pytest.fixture
def stored(settings: Settings, sample_org: None) -> None:
    with session_scope() as session:
        store_sample(session)


@pytest.mark.usefixtures("stored")
def test_a_unit_with_nothing_below_is_acknowledged_in_four_statements(
    settings: Settings, engine: Engine, web: str
) -> None:
    link, token = link_of(settings, "CDCS_CAPNUOC")
    with httpx.Client(headers={"user-agent": "Thunderbird/115"}) as client:
        fields = next(f for f in forms_in(client.get(link).text) if f["method"] == "post")["fields"]
        with statements(engine) as seen:
            thanks = client.post(link + "/ack", data=fields)  # type: ignore[arg-type]
        # one select (assignment, unit, directive, units below), the insert, the status, the audit entry
        assert thanks.status_code == 200 and len(seen) <= 4, seen
        assert "Cảm ơn." in thanks.text and "252/KH-LĐLĐ" in thanks.text
        assert f'href="/u/{token}"' in thanks.text  # back to the document, which this page no longer repeats
        assert 'class="doc"' not in thanks.text and "Kính gửi" not in thanks.text
        with statements(engine) as seen:
            again = client.post(link + "/ack", data=fields)  # type: ignore[arg-type]
        assert again.status_code == 409 and "đã được xác nhận trước đó" in again.text and len(seen) <= 3, seen
        assert f'href="/u/{token}"' in again.text
        back = client.get(link)
        assert back.status_code == 200 and "Đơn vị đã xác nhận đã nhận văn bản lúc" in back.text
    with session_scope() as session:
        aid = assignment_id_of(session, "CDCS_CAPNUOC")
        acks = session.exec(select(Acknowledgement).where(Acknowledgement.assignment_id == aid)).all()
        assert [(a.remote_addr, a.user_agent) for a in acks] == [("127.0.0.1", "Thunderbird/115")]
        assignment = session.get(Assignment, aid)
        assert assignment is not None and (assignment.status, assignment.edxml) == ("acknowledged", "03")
        assert assignment.acknowledged_at == assignment.status_changed_at == acks[0].at
        assert (assignment.mode, assignment.implementing_directive_id) == (None, None)
        audit = session.exec(select(AuditLog).where(AuditLog.assignment_id == aid)).all()
        assert [(e.event, e.unit_code, e.directive_id, e.actor) for e in audit] == [
            ("acknowledged", "CDCS_CAPNUOC", assignment.directive_id, "link from 127.0.0.1")
        ]
        assert audit[0].detail == {"user_agent": "Thunderbird/115"} and audit[0].unit_name


@pytest.mark.usefixtures("stored")
def test_an_act_unit_with_units_below_passes_on_an_info_unit_does_not(settings: Settings, web: str) -> None:
    for code in ("LDLD_TD", "TU_LC"):  # TU_LC has units below it too, but is informed only
        link, _ = link_of(settings, code)
        with httpx.Client() as client:
            fields = next(f for f in forms_in(client.get(link).text) if f["method"] == "post")["fields"]
            assert client.post(link + "/ack", data=fields).status_code == 200  # type: ignore[arg-type]
    with session_scope() as session:
        district = session.get(Assignment, assignment_id_of(session, "LDLD_TD"))
        assert district is not None and district.mode == "forward" and district.pass_on_due is not None
        child = session.get(Directive, district.implementing_directive_id)
        assert child is not None and (child.source, child.parent_assignment_id) == ("forward", district.id)
        below = session.exec(
            select(Unit.code)
            .join(Recipient, col(Recipient.unit_id) == col(Unit.id))
            .where(Recipient.directive_id == child.id)
            .order_by(col(Unit.code))
        ).all()
        assert below == ["LDLD_TD_CS1", "LDLD_TD_CS2", "LDLD_TD_CS3"]
        events = session.exec(select(AuditLog.event).where(AuditLog.assignment_id == district.id)).all()
        assert sorted(events) == ["acknowledged", "implementing_directive_issued"]
        party = session.get(Assignment, assignment_id_of(session, "TU_LC"))
        assert party is not None and party.status == "acknowledged"
        assert (party.mode, party.implementing_directive_id) == (None, None)


@pytest.mark.parametrize("change", [{"active": False}, {"kind": "department"}])
def test_only_active_units_below_that_are_not_departments_make_a_unit_pass_on(
    settings: Settings, change: dict[str, Any]
) -> None:
    """The one select's test of "units below" agrees with cascade/replies/passon.py's subordinates()."""
    with session_scope() as session:
        store_sample(session)
        for unit in session.exec(select(Unit).where(col(Unit.code).startswith("LDLD_TD_"))).all():
            for name, value in change.items():
                setattr(unit, name, value)
            session.add(unit)
    with session_scope() as session:
        aid = assignment_id_of(session, "LDLD_TD")
        result = acknowledge(session, aid, remote_addr="test", user_agent="test")
        assert result is not None and result.recorded and result.number == "252/KH-LĐLĐ"
    with session_scope() as session:
        assignment = session.get(Assignment, aid)
        assert assignment is not None and assignment.status == "acknowledged"
        assert (assignment.mode, assignment.implementing_directive_id) == (None, None)
        assert acknowledge(session, 10**9, remote_addr="test", user_agent="test") is None  # no such assignment
