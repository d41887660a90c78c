"""The units a directive file names, checked against the organisation tree before anything is stored: each an
active unit (a dissolved one named with the unit its work passed to), the issuer not among its recipients."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import select
from sqlmodel import Session

from cascade.core.errors import InputError, Problem
from cascade.core.sqlutil import rows_where_in
from cascade.directives.directivefile import DirectiveSpec
from models import Unit
from models.unit import final_successor

UNIT = Unit.__table__.c  # type: ignore[attr-defined]


class UnitRef(NamedTuple):
    """A unit a directive names, as check_units reads it: four columns (a national directive names 100,000
    units, and loading them as ORM objects took 5 s of its 6 s of storing)."""

    id: int
    code: str
    name: str
    active: bool


def _successors(session: Session, dissolved: list[int]) -> dict[int, tuple[str, str]]:
    """{dissolved unit id: (code, name) of the active unit its work passed to, following a chain of successors}."""
    query = select(UNIT.id, UNIT.code, UNIT.name, UNIT.active, UNIT.successor_id)
    known: dict[int, Any] = {}
    wanted = set(dissolved)
    for _ in range(20):  # a chain of mergers is short; a cycle in a hand-edited tree must not loop for ever
        wanted -= set(known)
        if not wanted:
            break
        known.update((row.id, row) for row in rows_where_in(session, query, UNIT.id, sorted(wanted)))
        wanted = {row.successor_id for row in known.values() if not row.active and row.successor_id}
    found: dict[int, tuple[str, str]] = {}
    for start in dissolved:
        after = final_successor(known[start], known) if start in known else None
        if after is not None:
            found[start] = (after.code, after.name)
    return found


def check_units(session: Session, spec: DirectiveSpec) -> dict[str, UnitRef]:
    """Every code the directive names must be an active unit; returns them by code."""
    codes = {spec.issuer, *(c for c, _ in spec.recipients), *(c for t in spec.tasks for c in t.to)}
    if spec.report_to:
        codes.add(spec.report_to)
    query = select(UNIT.id, UNIT.code, UNIT.name, UNIT.active)
    units = {row.code: UnitRef._make(row) for row in rows_where_in(session, query, UNIT.code, list(codes))}
    ordered = sorted(codes)
    problems: list[Problem] = []
    successors = _successors(session, [u.id for u in units.values() if not u.active])
    for code in ordered:
        unit, line = units.get(code), spec.unit_lines.get(code)
        if unit is None:
            message = f"unknown unit {code!r} (not in the imported organisation tree)"
            problems.append(Problem(spec.source, message, line=line, entry=code))
        elif not unit.active:
            after = successors.get(unit.id)
            instead = f"; its work passed to {after[0]} ({after[1]}): name that unit instead" if after else ""
            message = f"unit {code!r} ({unit.name}) has been dissolved{instead}"
            problems.append(Problem(spec.source, message, line=line, entry=code))
    if any(c == spec.issuer for c, _ in spec.recipients):
        problems.append(Problem(spec.source, "the issuer cannot be one of its own recipients", entry=spec.issuer))
    if problems:
        raise InputError(problems)
    return units
