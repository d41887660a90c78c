"""A unit's register of outgoing documents (sổ đăng ký văn bản đi): where its numbering stands in a year, and the
only ways a number is taken from it.

A number is taken by one UPDATE of the register's row in the caller's transaction (`next_number = next_number +
1 … RETURNING`): the database serialises two takers on the row (PostgreSQL's row lock, SQLite's write lock), so
two documents issued at once never get one number, and a rolled-back issue gives its number back."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from cascade.core.errors import InputError, Problem
from cascade.core.sqlutil import insert_ignoring_conflicts
from cascade.directives.numbers import parse_number
from models import AuditEvent, Directive, DocumentRegister, Unit, record_audit

REGISTER = DocumentRegister.__table__  # type: ignore[attr-defined]
DIRECTIVE = Directive.__table__  # type: ignore[attr-defined]


def highest_used(session: Session, unit_id: int, year: int) -> int:
    """The highest number among the documents the unit has issued in the system that year (0: none)."""
    query = sa.select(DIRECTIVE.c.number).where(DIRECTIVE.c.issuer_id == unit_id, DIRECTIVE.c.year == year)
    return max((parsed[0] for (n,) in session.execute(query) if (parsed := parse_number(n))), default=0)


def _ensure_row(session: Session, unit_id: int, year: int, floor: int) -> None:
    """The register's row for the year, created on first use just past what the unit already used (else at 1).
    An INSERT that does nothing when the row exists: two first users do not both create it."""
    row = {"unit_id": unit_id, "year": year, "next_number": floor}
    insert_ignoring_conflicts(session, DocumentRegister, [row], ["unit_id", "year"])


def _where(unit_id: int, year: int) -> sa.ColumnElement[bool]:
    return sa.and_(REGISTER.c.unit_id == unit_id, REGISTER.c.year == year)


def peek_number(session: Session, unit_id: int, year: int) -> int:
    """The number the next document would get now (a form's suggestion); changes nothing."""
    floor = highest_used(session, unit_id, year) + 1
    stored = session.execute(sa.select(REGISTER.c.next_number).where(_where(unit_id, year))).scalar()
    return max(stored or 1, floor)


def take_number(session: Session, unit_id: int, year: int) -> int:
    """Take the register's next number for the year, atomically. Never below a number already used in the
    system that year: a document launched from a file under this unit's symbol counts as used too."""
    floor = highest_used(session, unit_id, year) + 1
    _ensure_row(session, unit_id, year, floor)
    current = REGISTER.c.next_number
    taken = sa.case((current >= floor, current), else_=floor)
    stmt = sa.update(REGISTER).where(_where(unit_id, year)).values(next_number=taken + 1).returning(current)
    return int(session.execute(stmt).scalar_one()) - 1


def claim_number(session: Session, unit_id: int, year: int, sequence: int) -> bool:
    """Take `sequence`, a number a unit wrote on its form, if its register has not passed it (it may jump
    ahead: the register then continues after it). False: that number is used, or the register is past it."""
    floor = highest_used(session, unit_id, year) + 1
    if sequence < floor:
        return False
    _ensure_row(session, unit_id, year, floor)
    stmt = (
        sa.update(REGISTER)
        .where(_where(unit_id, year), REGISTER.c.next_number <= sequence)
        .values(next_number=sequence + 1)
        .returning(REGISTER.c.next_number)
    )
    return session.execute(stmt).first() is not None


@dataclass(frozen=True)
class RegisterState:
    unit: Unit
    year: int
    next_number: int  # what the next document will get
    stored: int | None  # the register row's value (None: no row yet)
    highest_used: int  # the highest number already used in the system that year (0: none)


def register_state(session: Session, unit: Unit, year: int) -> RegisterState:
    assert unit.id is not None
    stored = session.execute(sa.select(REGISTER.c.next_number).where(_where(unit.id, year))).scalar()
    used = highest_used(session, unit.id, year)
    return RegisterState(unit, year, max(stored or 1, used + 1), stored, used)


def find_issuer(session: Session, code: str) -> Unit:
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise InputError([Problem("register", f"no unit has the code {code!r} (see `cascade org import`)")])
    return unit


def set_register(session: Session, unit: Unit, year: int, next_number: int, actor: str = "cli") -> RegisterState:
    """Say where the unit's register stands: its next document in `year` gets `next_number`. Refused, and
    nothing changed, below a number the unit already used that year (two documents would share it)."""
    assert unit.id is not None
    problems = []
    if not 1900 <= year <= 2999:
        problems.append(Problem("register", f"--year {year} is not a year (YYYY)"))
    if next_number < 1:
        problems.append(Problem("register", f"--next {next_number}: numbers start at 1"))
    if problems:
        raise InputError(problems)
    before = register_state(session, unit, year)
    if next_number <= before.highest_used:
        raise InputError(
            [
                Problem(
                    "register",
                    f"{unit.code} ({unit.name}) already used number {before.highest_used} in {year}: "
                    f"--next must be at least {before.highest_used + 1}, not {next_number}",
                )
            ]
        )
    _ensure_row(session, unit.id, year, next_number)
    session.execute(sa.update(REGISTER).where(_where(unit.id, year)).values(next_number=next_number))
    record_audit(
        session,
        AuditEvent.register_set,
        unit=unit,
        actor=actor,
        detail={
            "year": year,
            "next_number": next_number,
            "was": before.next_number,
            "highest_used": before.highest_used,
        },
    )
    return register_state(session, unit, year)
