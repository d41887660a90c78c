"""Outbox rows and their bodies: written together, once per key, and an older database is upgraded in place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cascade.delivery.outbox_store import enqueue_mail, load_mail
from models import OutboxBody, OutboxMessage
from models.schema import init_db, move_outbox_bodies


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


def test_an_older_database_keeps_its_messages(engine: Engine) -> None:
    """The layout before this table: bodies as columns of the outbox row. init_db moves them across."""
    with Session(engine) as session:
        ids = enqueue_mail(session, [message("notice:1"), message("notice:2", "Nậm Nhùn")])
        session.commit()
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE outboxmessage ADD COLUMN body_text TEXT NOT NULL DEFAULT ''"))
        conn.execute(text("ALTER TABLE outboxmessage ADD COLUMN body_html TEXT NOT NULL DEFAULT ''"))
        conn.execute(text("UPDATE outboxmessage SET body_text = (SELECT b.body_text FROM outbox_body b "
                          "WHERE b.message_id = outboxmessage.id), body_html = 'old <b>html</b>'"))  # fmt: skip
        conn.execute(text("DELETE FROM outbox_body"))
    init_db(engine)
    assert "body_text" not in {c["name"] for c in inspect(engine).get_columns("outboxmessage")}
    with Session(engine) as session:
        assert counts(session) == (2, 2)
        moved = load_mail(session, ids["notice:2"])
    assert (moved.body_text, moved.body_html) == ("Nậm Nhùn", "old <b>html</b>")
    assert move_outbox_bodies(engine) is False  # upgraded once: nothing left to do
