"""A unit's register of outgoing documents: `cascade register set` says where it stands, numbers continue it, two
documents never get one number (threads on a real SQLite file, or PostgreSQL with CASCADE_TEST_DATABASE_URL),
and a register set below a number already used is refused with nothing changed."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import WorkCalendar
from cascade.directives.directivefile import parse_directive
from cascade.directives.numbers import document_number, parse_number
from cascade.directives.store import store_directive
from cascade.dispatch.notices import create_assignments
from cascade.documents.register import claim_number, peek_number, take_number
from cascade.replies.acknowledge import acknowledge
from models import Assignment, AuditLog, Directive, DocumentRegister, Unit
from tests.cascade_helpers import SAMPLE_DIRECTIVE, store_sample

pytestmark = pytest.mark.usefixtures("sample_org")


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # The districts answer on Thursday 20 May 2021, the day of the plan: their Công văn are of 2021.
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")


def unit_id(code: str) -> int:
    with session_scope() as session:
        found = session.exec(select(Unit.id).where(Unit.code == code)).one()
    assert found is not None
    return found


def register_rows(code: str) -> list[tuple[int, int]]:
    with session_scope() as session:
        rows = session.exec(select(DocumentRegister).where(DocumentRegister.unit_id == unit_id(code))).all()
        return [(r.year, r.next_number) for r in rows]


def audited(event: str) -> list[AuditLog]:
    with session_scope() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.event == event)).all())


def register_set(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["register", "set", *args])
    return result.exit_code, result.stdout, result.stderr


def test_numbers_are_written_as_decree_30_writes_them() -> None:
    assert document_number(5, "CÔNG VĂN", "LĐLĐ") == "05/LĐLĐ"  # no type letters, a leading zero below 10
    assert document_number(41, "Công văn", "LĐLĐ-TGNC") == "41/LĐLĐ-TGNC"
    assert document_number(5, "CÔNG VĂN", "ĐU", party=True) == "05-CV/ĐU"
    assert document_number(7, "KẾ HOẠCH", "LĐLĐ") == "07/KH-LĐLĐ"
    assert document_number(12, "KẾ HOẠCH", "TU", party=True) == "12-KH/TU"
    for number, sequence in (("05/LĐLĐ", 5), ("05-CV/ĐU", 5), ("41/LĐLĐ-TGNC", 41)):
        assert parse_number(number) is not None and parse_number(number)[0] == sequence  # type: ignore[index]
    with pytest.raises(ValueError):
        document_number(0, "CÔNG VĂN", "LĐLĐ")


def test_register_set_then_numbers_continue_it(settings: Settings) -> None:
    code, out, err = register_set("--issuer", "LDLD_TD", "--year", "2021", "--next", "41")
    assert code == 0, err
    out = " ".join(out.split())
    assert "Liên đoàn Lao động huyện Tam Đường" in out and "41" in out and "41/LĐLĐ" in out
    assert register_rows("LDLD_TD") == [(2021, 41)]
    with session_scope() as session:
        assert peek_number(session, unit_id("LDLD_TD"), 2021) == 41  # a look changes nothing
        assert [take_number(session, unit_id("LDLD_TD"), 2021) for _ in range(3)] == [41, 42, 43]
        # another district with the same symbol "LĐLĐ" keeps its own register, from 1
        assert take_number(session, unit_id("LDLD_PT"), 2021) == 1
        # another year is another register
        assert take_number(session, unit_id("LDLD_TD"), 2022) == 1
    assert sorted(register_rows("LDLD_TD")) == [(2021, 44), (2022, 2)]
    [entry] = audited("register_set")
    assert (entry.unit_code, entry.actor) == ("LDLD_TD", "cascade register set")
    assert (entry.detail["year"], entry.detail["next_number"], entry.detail["was"]) == (2021, 41, 1)
    shown = CliRunner().invoke(app, ["register", "show", "--issuer", "LDLD_TD", "--year", "2021"])
    assert shown.exit_code == 0 and "next number 44" in " ".join(shown.stdout.split())


def test_first_number_is_past_the_highest_the_unit_already_used(settings: Settings) -> None:
    with session_scope() as session:
        store_sample(session)  # 252/KH-LĐLĐ of the provincial federation, 2021
    with session_scope() as session:
        assert peek_number(session, unit_id("LDLD_LC"), 2021) == 253
        assert take_number(session, unit_id("LDLD_LC"), 2021) == 253
        # a number the unit writes itself is taken if its register has not passed it, and the register jumps
        assert not claim_number(session, unit_id("LDLD_LC"), 2021, 250)
        assert claim_number(session, unit_id("LDLD_LC"), 2021, 260)
        assert not claim_number(session, unit_id("LDLD_LC"), 2021, 260)
        assert take_number(session, unit_id("LDLD_LC"), 2021) == 261


def test_register_set_below_a_used_number_is_refused_and_changes_nothing(settings: Settings) -> None:
    with session_scope() as session:
        store_sample(session)  # the federation used 252 in 2021
    assert register_set("--issuer", "LDLD_LC", "--year", "2021", "--next", "300")[0] == 0
    before = register_rows("LDLD_LC"), len(audited("register_set"))
    for wrong in ("252", "100"):
        code, _, err = register_set("--issuer", "LDLD_LC", "--year", "2021", "--next", wrong)
        flat = " ".join(err.split())
        assert code == 2 and "already used number 252 in 2021" in flat and "at least 253" in flat, err
        assert "nothing was written" in flat
    assert (register_rows("LDLD_LC"), len(audited("register_set"))) == before == ([(2021, 300)], 1)
    # the register may be moved back, as long as no used number is given again
    assert register_set("--issuer", "LDLD_LC", "--year", "2021", "--next", "253")[0] == 0
    assert register_rows("LDLD_LC") == [(2021, 253)]
    code, _, err = register_set("--issuer", "NO_SUCH", "--year", "2021", "--next", "5")
    assert code == 2 and "no unit has the code 'NO_SUCH'" in " ".join(err.split())
    code, _, err = register_set("--issuer", "LDLD_TD", "--year", "21", "--next", "0")
    assert code == 2 and "is not a year" in err and "numbers start at 1" in err
    assert register_rows("LDLD_TD") == []


def take_at_once(engine: Engine, unit: int, takers: int, each: int) -> list[int]:
    """`takers` threads, each taking `each` numbers in transactions held open a moment after the take, all
    started together: the register row is contended for from the first (absent) row on."""
    barrier, taken, errors = threading.Barrier(takers), [], []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            for _ in range(each):
                with Session(engine) as session:
                    number = take_number(session, unit, 2021)
                    time.sleep(0.01)  # another taker comes in while this transaction is still open
                    session.commit()
                with lock:
                    taken.append(number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(takers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return taken


def test_concurrent_takers_never_share_a_number(settings: Settings, engine: Engine) -> None:
    taken = take_at_once(engine, unit_id("LDLD_TD"), takers=4, each=5)
    assert sorted(taken) == list(range(1, 21))  # 20 numbers, none twice, none skipped
    assert register_rows("LDLD_TD") == [(2021, 21)]


def test_two_pass_ons_of_one_unit_at_once_get_two_numbers(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    """Two directives reach the same district; it acknowledges both at the same moment (two threads, two
    transactions): two Công văn, numbered 41 and 42 of its register."""
    assert register_set("--issuer", "LDLD_TD", "--year", "2021", "--next", "41")[0] == 0
    with session_scope() as session:
        store_sample(session)
        second = dataclasses.replace(parse_directive(SAMPLE_DIRECTIVE), number="253/KH-LĐLĐ")
        directive, _ = store_directive(session, second)
        create_assignments(session, directive, WorkCalendar())
    with session_scope() as session:
        ids = session.exec(
            select(Assignment.id).where(Assignment.unit_id == unit_id("LDLD_TD")).order_by(col(Assignment.id))
        ).all()
    assert len(ids) == 2
    barrier, errors = threading.Barrier(2), []

    def confirm(assignment_id: int) -> None:
        try:
            barrier.wait()
            with Session(engine) as session:
                result = acknowledge(session, assignment_id, remote_addr="test", user_agent="test")
                assert result is not None and result.recorded
                time.sleep(0.05)
                session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=confirm, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with session_scope() as session:
        issued = session.exec(
            select(Directive.number, Directive.doc_type).where(Directive.issuer_id == unit_id("LDLD_TD"))
        ).all()
    assert sorted(issued) == [("41/LĐLĐ", "CÔNG VĂN"), ("42/LĐLĐ", "CÔNG VĂN")]
    assert register_rows("LDLD_TD") == [(2021, 43)]
