"""The acknowledgements' one writer thread (web/ack_writer.py) on the real database: those waiting are recorded in
one transaction, each answered only once it is committed, and one that fails fails alone."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import exists, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cascade.core.db import session_scope
from cascade.replies.acknowledge import AckResult
from models import Acknowledgement, Assignment, Role, Unit
from tests.cascade_helpers import store_sample
from web.ack_writer import AckWriter, _Ack

pytestmark = pytest.mark.usefixtures("sample_org")


class Broken(Exception):
    """What the one failing acknowledgement raises, after its rows are written."""


def leaf_assignments(engine: Engine, count: int) -> list[int]:
    """`count` assignments of the sample directive whose acknowledgement passes nothing on."""
    with session_scope(engine) as session:
        store_sample(session)
    with Session(engine) as session:
        below = select(Unit.id).where(col(Unit.parent_id) == Assignment.unit_id)
        passes_nothing_on = or_(col(Assignment.role) == Role.info, ~exists(below))
        query = select(Assignment.id).where(passes_nothing_on).order_by(col(Assignment.id))
        ids = [i for i in session.exec(query).all() if i is not None]
    assert len(ids) >= count
    return ids[:count]


def acknowledged(engine: Engine) -> set[int]:
    """The assignments with an acknowledgement row, read on a connection of its own."""
    with Session(engine) as session:
        return set(session.exec(select(Acknowledgement.assignment_id)).all())


def test_those_waiting_share_one_transaction_and_a_failing_one_fails_alone(engine: Engine) -> None:
    first, *waiting = leaf_assignments(engine, 4)
    failing = waiting[1]
    calls: list[int] = []
    release = threading.Event()

    def record(ack: _Ack, session: Session) -> AckResult | None:
        calls.append(ack.assignment_id)
        if ack.assignment_id == first:
            release.wait(30)  # the writer is busy with this one while the three others queue
        result = _Ack.record(ack, session)
        if ack.assignment_id == failing:
            raise Broken(f"assignment {failing}")
        return result

    writer = AckWriter(engine, record)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = {first: pool.submit(writer.acknowledge, first, remote_addr="10.0.0.1", user_agent="t")}
        deadline = time.monotonic() + 30
        while calls != [first] and time.monotonic() < deadline:
            time.sleep(0.01)
        for assignment_id in waiting:
            answers[assignment_id] = pool.submit(
                writer.acknowledge, assignment_id, remote_addr="10.0.0.1", user_agent="t"
            )
        while writer.waiting() < len(waiting) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert writer.waiting() == len(waiting)
        release.set()
        with pytest.raises(Broken):
            answers[failing].result(30)
        recorded = {i: answers[i].result(30) for i in answers if i != failing}
    assert all(result is not None and result.recorded for result in recorded.values())
    # The three queued were tried together, then (the shared transaction rolled back) each alone.
    assert calls == [first, *waiting[:2], *waiting]
    assert acknowledged(engine) == set(recorded) == {first, waiting[0], waiting[2]}


def test_each_is_answered_once_committed_and_recorded_once(engine: Engine) -> None:
    ids = leaf_assignments(engine, 10)
    writer = AckWriter(engine)
    seen_at_answer: dict[int, bool] = {}

    def ack(assignment_id: int) -> AckResult | None:
        result = writer.acknowledge(assignment_id, remote_addr="10.0.0.2", user_agent="t")
        seen_at_answer[assignment_id] = assignment_id in acknowledged(engine)  # another connection sees it
        return result

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(ack, ids + ids))  # each twice, at once
    assert seen_at_answer == dict.fromkeys(ids, True)
    firsts = [r for r in results if r is not None and r.recorded]
    replays = [r for r in results if r is not None and not r.recorded]
    assert len(firsts) == len(replays) == len(ids)
    with Session(engine) as session:
        rows = session.exec(select(Acknowledgement.assignment_id)).all()
    assert sorted(rows) == sorted(ids)
