"""Outbox rows and their bodies: written together, once per key (an older database's upgrade: test_migrations)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cascade.delivery.outbox_store import enqueue_mail, load_mail
from models import OutboxBody, OutboxMessage
from tests.cascade_helpers import plant_tree


def message(key: str, text_body: str = "Kính gửi Công đoàn cơ sở Mường Tè") -> dict[str, Any]:
    return {"key": key, "kind": "notice", "directive_id": None, "assignment_id": None, "to_addr": "mt@laichau.example",
            "to_name": "Công đoàn Mường Tè", "subject": "Kế hoạch 252/KH-LĐLĐ", "body_text": text_body,
            "body_html": f"<p>{text_body}</p>", "status": "pending", "attempts": 0,
            "created_at": datetime(2026, 11, 26, tzinfo=UTC)}  # fmt: skip


def counts(session: Session) -> tuple[int, int]:
    outbox = session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()
    bodies = session.execute(select(func.count()).select_from(OutboxBody)).scalar_one()
    return outbox, bodies


def test_a_key_is_added_once_with_its_bodies(engine: Engine) -> None:
    with Session(engine) as session:
        added = enqueue_mail(session, [message("notice:1"), message("notice:2"), message("notice:1", "lần hai")])
        session.commit()
        again = enqueue_mail(session, [message("notice:2", "chạy lại"), message("notice:3")])
        session.commit()
        assert sorted(added) == ["notice:1", "notice:2"] and list(again) == ["notice:3"]
        assert counts(session) == (3, 3)
        first = load_mail(session, added["notice:1"])
        rerun = load_mail(session, added["notice:2"])
    assert first.body_text == "Kính gửi Công đoàn cơ sở Mường Tè"  # the first row of a key, not the later one
    assert rerun.body_html == "<p>Kính gửi Công đoàn cơ sở Mường Tè</p>" and rerun.subject == "Kế hoạch 252/KH-LĐLĐ"
    # Every column back as given (on PostgreSQL they go in as one array per column, see sqlutil.insert_new).
    assert (rerun.to_name, rerun.kind, rerun.assignment_id) == ("Công đoàn Mường Tè", "notice", None)
    assert rerun.created_at == datetime(2026, 11, 26, tzinfo=UTC) and rerun.created_at.tzinfo is not None


@pytest.mark.usefixtures("sample_org")
def test_mail_about_a_directive_comes_in_its_issuers_name(engine: Engine) -> None:
    """A reminder or an escalation names no sender: it is sent as the unit that issued what it chases."""
    with Session(engine) as session:
        directive = plant_tree(session, "LDLD_TD", [{"unit": "LDLD_TD_CS1", "status": "arrived"}])
        reminder = message("reminder:1") | {"directive_id": directive.id}
        named = message("notice:9") | {"directive_id": directive.id, "from_name": "Công đoàn Giáo dục tỉnh"}
        ids = enqueue_mail(session, [reminder, named, message("bad_address:1")])
        session.commit()
        mails = {key: load_mail(session, i) for key, i in ids.items()}
    assert mails["reminder:1"].from_name == "Liên đoàn Lao động huyện Tam Đường"
    assert mails["notice:9"].from_name == "Công đoàn Giáo dục tỉnh"
    assert mails["bad_address:1"].from_name == ""  # no directive: CASCADE_MAIL_FROM's own name
