"""The console's lookups by the signed-in person's scope: a directive or a unit outside it is answered exactly as
one that does not exist (the same 404 page), and links are drawn only to the units the person may open."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import HTTPException
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from cascade.accounts.scope import Scope, directive_in_scope, in_scope_filter, unit_in_scope
from models import Directive, Unit

NO_DIRECTIVE = "Không tìm thấy văn bản"
NO_UNIT = "Không tìm thấy đơn vị"


def directive_or_404(session: Session, scope: Scope, directive_id: int) -> Directive:
    # Ids are INTEGER columns: a larger number cannot exist, and the driver would raise on it (found by fuzzing).
    directive = session.get(Directive, directive_id) if 0 < directive_id < 2**31 else None
    if directive is None or not directive_in_scope(session, scope, directive):
        raise HTTPException(404, NO_DIRECTIVE)
    return directive


def unit_or_404(session: Session, scope: Scope, code: str) -> Unit:
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None or not unit_in_scope(session, scope, unit.id):
        raise HTTPException(404, NO_UNIT)
    return unit


def openable_units(session: Session, scope: Scope, codes: Iterable[str]) -> set[str] | None:
    """Of these unit codes, those whose page the person may open (one query); None: all of them."""
    clause = in_scope_filter(scope, Unit.id)
    wanted = sorted(set(codes))
    if clause is None:
        return None
    found: set[str] = set()
    for start in range(0, len(wanted), 1000):  # bound the IN list
        part = wanted[start : start + 1000]
        statement = sql_select(col(Unit.code)).where(col(Unit.code).in_(part)).where(clause)  # type: ignore[arg-type]
        found.update(session.execute(statement).scalars())
    return found


def openable_directives(session: Session, scope: Scope, directive_ids: Iterable[int]) -> set[int] | None:
    """Of these directive ids, those the person may open (their issuer in scope); None: all of them."""
    clause = in_scope_filter(scope, Directive.issuer_id)
    if clause is None:
        return None
    wanted = sorted(set(directive_ids))
    found: set[int] = set()
    for start in range(0, len(wanted), 1000):
        part = wanted[start : start + 1000]
        statement = sql_select(col(Directive.id)).where(col(Directive.id).in_(part)).where(clause)  # type: ignore[arg-type]
        found.update(session.execute(statement).scalars())
    return found
