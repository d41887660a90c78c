"""The bodies a process has just written are sent without reading them back, and only once committed.

The oracle is the SQL the driver is handed (an engine event, not the code under test) and the bodies the
database holds: a row whose writing transaction did not commit is read from the database, whatever was staged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cascade.delivery import body_cache
from cascade.delivery.outbox_store import enqueue_mail, mail_rows
from models import OutboxBody, OutboxMessage
from tests.test_outbox_body import message


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    body_cache.clear()
    yield
    body_cache.clear()


class BodyReads:
    """Counts the statements that read the bodies' table, as the database driver receives them."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)
        self.engine = engine

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sql = statement.lower()
        self.count += sql.lstrip().startswith("select") and "outbox_body" in sql

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


@pytest.fixture
def body_reads(engine: Engine) -> Iterator[BodyReads]:
    reads = BodyReads(engine)
    yield reads
    reads.close()


def write_directly(session: Session, row_id: int, key: str, text: str) -> None:
    """A row and its bodies written without enqueue_mail (nothing staged), under a given id."""
    head = {k: v for k, v in message(key).items() if k not in ("body_text", "body_html")}
    session.execute(insert(OutboxMessage.__table__), [{**head, "id": row_id, "from_name": ""}])  # type: ignore[attr-defined]
    session.execute(insert(OutboxBody.__table__), [{"message_id": row_id, "body_text": text, "body_html": text}])  # type: ignore[attr-defined]


def test_committed_bodies_are_sent_without_reading_them_back(engine: Engine, body_reads: BodyReads) -> None:
    with Session(engine) as session:
        added = enqueue_mail(session, [message(f"notice:{n}", f"Kính gửi đơn vị số {n}") for n in range(5)])
        session.commit()
        body_reads.count = 0
        rows = {row.key: row for row in mail_rows(session, list(added.values()), "claimed_by")}
        assert body_reads.count == 0
        assert rows["notice:3"].body_text == "Kính gửi đơn vị số 3" and rows["notice:3"].claimed_by is None
        assert rows["notice:3"].body_html == "<p>Kính gửi đơn vị số 3</p>"
        again = mail_rows(session, [added["notice:3"]])  # handed out once: the second read is the database's
    assert body_reads.count == 1 and again[0].body_text == "Kính gửi đơn vị số 3"


def test_a_rolled_back_write_is_read_from_the_database(engine: Engine) -> None:
    with Session(engine) as session:
        row_id = enqueue_mail(session, [message("notice:1", "bản đã huỷ")])["notice:1"]
        session.rollback()
        write_directly(session, row_id, "notice:1", "bản trong cơ sở dữ liệu")
        session.commit()
        assert mail_rows(session, [row_id])[0].body_text == "bản trong cơ sở dữ liệu"


def test_a_savepoint_released_keeps_nothing_until_the_transaction_around_it_commits(
    engine: Engine, body_reads: BodyReads
) -> None:
    with Session(engine) as session:
        session.connection()  # the transaction around the savepoint
        with session.begin_nested():
            row_id = enqueue_mail(session, [message("notice:1", "Kính gửi")])["notice:1"]
        body_reads.count = 0
        assert mail_rows(session, [row_id])[0].body_text == "Kính gửi"
        assert body_reads.count == 1  # not kept yet: read from the database
        session.commit()
        body_reads.count = 0
        assert mail_rows(session, [row_id])[0].body_text == "Kính gửi"
    assert body_reads.count == 0


def test_a_savepoint_rolled_back_forgets_what_it_staged(engine: Engine) -> None:
    with Session(engine) as session:
        session.connection()
        savepoint = session.begin_nested()
        row_id = enqueue_mail(session, [message("notice:1", "bản đã huỷ")])["notice:1"]
        savepoint.rollback()
        write_directly(session, row_id, "notice:1", "bản trong cơ sở dữ liệu")  # the same id, key and time
        session.commit()
        assert mail_rows(session, [row_id])[0].body_text == "bản trong cơ sở dữ liệu"


def test_a_session_closed_before_its_commit_keeps_nothing(engine: Engine) -> None:
    session = Session(engine)
    row_id = enqueue_mail(session, [message("notice:1", "bản đã huỷ")])["notice:1"]
    session.close()  # its transaction is discarded; the session is used again
    write_directly(session, row_id, "notice:1", "bản trong cơ sở dữ liệu")
    session.commit()
    assert mail_rows(session, [row_id])[0].body_text == "bản trong cơ sở dữ liệu"
    session.close()


def test_beyond_its_bound_the_rest_is_read_from_the_database(
    engine: Engine, body_reads: BodyReads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(body_cache, "MAX_ROWS", 3)
    with Session(engine) as session:
        added = enqueue_mail(session, [message(f"notice:{n}", f"đơn vị {n}") for n in range(8)])
        session.commit()
        body_reads.count = 0
        rows = mail_rows(session, list(added.values()))
    assert body_reads.count == 1  # the five not kept, in one statement
    assert sorted(row.body_text for row in rows) == sorted(f"đơn vị {n}" for n in range(8))


def test_rows_kept_too_long_make_room(engine: Engine, body_reads: BodyReads, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows another process sent stay kept here until they are stale: then new rows are kept in their place."""
    monkeypatch.setattr(body_cache, "MAX_ROWS", 3)
    with Session(engine) as session:
        enqueue_mail(session, [message(f"notice:{n}", f"đơn vị {n}") for n in range(3)])  # never sent from here
        session.commit()
        monkeypatch.setattr(body_cache, "STALE_SECONDS", 0.0)
        added = enqueue_mail(session, [message("notice:9", "đơn vị 9")])
        session.commit()
        body_reads.count = 0
        assert mail_rows(session, [added["notice:9"]])[0].body_text == "đơn vị 9"
    assert body_reads.count == 0
