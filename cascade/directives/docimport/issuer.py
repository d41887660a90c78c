"""Who issued the document: the unit that its symbol and the names it gives point to.

The symbol ("LĐLĐ" of 252/KH-LĐLĐ) is shared by the province and its districts; the heading names the body
above the issuer and then the issuer ("TỔNG LĐLĐ VIỆT NAM / LĐLĐ TỈNH LAI CHÂU"); the basis sentence often says
who issues (", Ban Thường vụ LĐLĐ tỉnh ban hành …"), and so does the report line ("báo cáo về LĐLĐ tỉnh").
"""

from __future__ import annotations

from cascade.directives.docimport.basis import Basis
from cascade.directives.docimport.names import fold
from cascade.directives.docimport.parse import Heading
from cascade.directives.docimport.problems import ImportProblem
from cascade.directives.docimport.report import ReportLine
from cascade.directives.docimport.resolve import Resolver


def _deepest(resolver: Resolver, codes: list[str]) -> str | None:
    """The one candidate, or the one below all the others ("LĐLĐ TỈNH LAI CHÂU" over "LĐLĐ HUYỆN TAM ĐƯỜNG")."""
    below = [c for c in codes if all(o == c or o in resolver.ancestors(c) for o in codes)]
    return below[0] if len(below) == 1 else None


def _heading_units(heading: Heading, resolver: Resolver) -> list[str]:
    """Units the heading names above the number, top down, each read under the one before ("LĐLĐ TỈNH LAI
    CHÂU" then "BAN TUYÊN GIÁO" is the province's department), and a name broken over two lines joined."""
    found_units: list[str] = []
    context: str | None = None
    names = heading.issuer_hints
    pairs = [f"{a} {b}" for a, b in zip(names, names[1:], strict=False)]
    for hint in [*names, *pairs]:
        found, error = resolver.with_context(context).resolve_one(hint, explain=False)
        if error is None and len(found) == 1:
            context = found[0]
            found_units.extend(c for c in found if c not in found_units)
    return found_units


def find_issuer(
    heading: Heading, basis: Basis, report: ReportLine, resolver: Resolver, given: str | None
) -> tuple[str | None, ImportProblem | None]:
    """The issuer: the unit both the symbol and the names of the document point to. The heading's own line (the
    lowest name above the number, Decree 30 Appendix I) wins over a symbol shared with the body above it."""
    if given:
        if given in resolver.by_code:
            return given, None
        return None, ImportProblem("issuer", f"--issuer {given} is not a unit of the org tree")
    symbol = fold(heading.issuer_symbol or "")
    by_symbol = [u.code for u in resolver.units if symbol and fold(u.symbol or u.code) == symbol]
    in_heading = _heading_units(heading, resolver)
    hinted = list(in_heading)
    for hint in [*basis.hints, *([report.to] if report.to else [])]:
        found, error = resolver.resolve_one(hint, explain=False)
        hinted.extend(c for c in found if error is None and len(found) == 1 and c not in hinted)
    both = [c for c in hinted if c in by_symbol] if by_symbol else hinted
    lowest = _deepest(resolver, in_heading) if in_heading else None
    for candidates in (both, by_symbol, hinted):
        if candidates and (code := _deepest(resolver, candidates)) is not None:
            below = lowest is not None and code in resolver.ancestors(lowest)
            return (lowest if below else code), None
    what = f"the symbol '{heading.issuer_symbol}' of {heading.number}" if heading.number else "the document"
    matches = ", ".join(both or by_symbol or hinted) or "no unit"
    return None, ImportProblem("issuer", f"{what} does not tell the issuer (it matches {matches}); pass --issuer CODE")
