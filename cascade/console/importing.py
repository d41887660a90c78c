"""A document uploaded in the console, read by the importer (cascade/directives/docimport) against the stored tree,
as `cascade import-document` reads a file: the directive file it becomes, and what could not be read in it, said
in Vietnamese, each unknown name with the nearest units of the tree (compared without diacritics)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from cascade.accounts.scope import Scope
from cascade.console.results import FROM_IMPORT, DraftProblem
from cascade.console.wording import in_vietnamese, unknown_name, unknown_name_message
from cascade.directives.docimport import ImportProblem, Resolver, UnitRef, import_lines
from models import Unit


def tree_units(session: Session) -> list[UnitRef]:
    """The active units of the stored tree, as the importer reads them (what `cascade import-document` reads
    from the database when no --org file is given)."""
    unit = Unit.__table__.c  # type: ignore[attr-defined]
    columns = (unit.id, unit.code, unit.name, unit.kind, unit.parent_id, unit.symbol, unit.active)
    units = session.execute(select(*columns)).all()
    codes = {u[0]: u[1] for u in units}
    return [UnitRef(code, name, kind, codes.get(parent), symbol) for _, code, name, kind, parent, symbol, active
            in units if active]  # fmt: skip


def nearest_units(resolver: Resolver, text: str, n: int = 3) -> tuple[list[str], list[str]]:
    """(names, codes) of the units nearest `text`, a code or a name: a name that resolves to one unit first,
    then codes spelt alike, then the names sharing the most (rare) words, all compared without diacritics."""
    import difflib

    found: list[str] = []
    codes, error = resolver.resolve_one(text, explain=False)
    if error is None and len(codes) == 1:
        found.append(codes[0])
    found += difflib.get_close_matches(text.upper(), list(resolver.by_code), n=n, cutoff=0.7)
    for entry in resolver.nearest(text, n=n):
        found.append(entry.rsplit("[", 1)[-1].rstrip("]"))
    chosen = list(dict.fromkeys(c for c in found if c in resolver.by_code))[:n]
    return [resolver.by_code[c].name for c in chosen], chosen


def import_problem(problem: ImportProblem, resolver: Resolver) -> DraftProblem:
    name = unknown_name(problem.message)
    if name is None:
        return DraftProblem(problem.field, in_vietnamese(problem.message), problem.line, source=FROM_IMPORT)
    names, codes = nearest_units(resolver, name)
    message = unknown_name_message(name, problem.message)
    return DraftProblem(problem.field, message, problem.line, names, codes, source=FROM_IMPORT)


def import_document_lines(
    session: Session, scope: Scope, lines: list[str]
) -> tuple[dict[str, Any], list[DraftProblem]]:
    """The directive the document's lines give, and the problems of reading it. The document tells its issuer;
    when it cannot, an administrator's own unit is taken (the unit they launch as)."""
    units = tree_units(session)
    if not units:
        return {}, [DraftProblem("org", in_vietnamese("no organisation tree imported yet"), source=FROM_IMPORT)]
    result = import_lines(lines, units)
    if any(p.field == "issuer" for p in result.problems) and scope.unit_code and not scope.everything:
        result = import_lines(lines, units, issuer=scope.unit_code)
    resolver = Resolver(units)
    return result.directive, [import_problem(p, resolver) for p in result.problems]
