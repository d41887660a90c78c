"""Recipients and their roles (models.directive.Role), from the markers, from "Kính gửi" and from where each
unit stands against the issuer in the tree.

For each unit that "Kính gửi" or "Nơi nhận" names (the issuer itself left out), the first rule that applies:
1. its marker: "(b/c)", "(để báo cáo)" → superior; "(t/h)", "(để thực hiện)" → act; "(p/h)", "(để phối hợp)"
   → coordinate; "(để biết)", "(để theo dõi)" → info; a group heading ("- Để báo cáo:") marks the lines under it;
2. above the issuer: an ancestor of the issuer in the tree (Tỉnh ủy over LĐLĐ tỉnh), a department of an
   ancestor (Văn phòng, Ban Dân vận, Ban Tuyên giáo Tỉnh ủy: the apparatus of the body above, as DOMAIN.md's
   seed sends them its plan "để báo cáo"), or the root of another tree (Tổng LĐLĐ Việt Nam, whose federations
   sit under their Party committees) → superior: informed, never chased;
3. named by a task, or an addressee of "Kính gửi" (directly or as "Như trên") → act;
4. under the issuer and not one of its departments → act (the units that pass the directive on);
5. anything else (peers, the issuer's own departments) → info.
Units a task names that no list names are recipients too (act). Act comes first, in task order then list
order; the others follow in list order.

A Nơi nhận line that names no unit to send to is printed on the document as it is written, never dropped: one
the clerk maps to nothing (`--map 'Bộ Y tế=-'`: a body outside the tree), or one that names the issuer itself
("Giám đốc Sở (để b/c)", "Chủ tịch, các PCT UBND tỉnh": its own leaders, who sign it).
"""

from __future__ import annotations

from dataclasses import dataclass

from cascade.directives.docimport.names import fold
from cascade.directives.docimport.problems import ImportProblem
from cascade.directives.docimport.resolve import Resolver
from cascade.directives.docimport.sections import Listed
from models import Role

AS_ABOVE = ("nhu tren", "nhu tren kinh gui", "nhu kinh gui", "nhu tren de thuc hien")


@dataclass
class Named:
    code: str
    marker: Role | None
    addressed: bool  # named by "Kính gửi"


def resolve_listed(
    items: list[Listed], resolver: Resolver, what: str, problems: list[ImportProblem]
) -> list[tuple[Listed, list[str]]]:
    out = []
    for item in items:
        codes, errors = resolver.resolve_list(item.name)
        problems.extend(ImportProblem("recipients", f"{e} ({what})", item.line) for e in errors)
        out.append((item, codes))
    return out


def named_units(
    addressees: list[tuple[Listed, list[str]]],
    listed: list[Listed],
    articles: dict[int, list[str]],
    resolver: Resolver,
    problems: list[ImportProblem],
    printed: list[str],
) -> list[Named]:
    """Every unit Kính gửi and Nơi nhận name, in order, "Như trên" and "Như Điều 3" expanded; the Nơi nhận lines
    that name no unit to send to (none, or the issuer only: `resolver.context`) are added to `printed`."""
    named: dict[str, Named] = {}

    def add(code: str, marker: Role | None, addressed: bool) -> None:
        if code in named:
            named[code].marker = named[code].marker or marker
            named[code].addressed = named[code].addressed or addressed
        else:
            named[code] = Named(code, marker, addressed)

    as_above = False
    for item in listed:
        key = fold(item.name)
        article = key.removeprefix("nhu dieu ").strip()
        if key in AS_ABOVE:
            as_above = True
            if not addressees:
                problems.append(
                    ImportProblem("recipients", "'Như trên' but the document has no 'Kính gửi' list", item.line)
                )
            for addressee, codes in addressees:
                for code in codes:
                    add(code, addressee.role or item.role, True)
        elif key.startswith("nhu dieu ") and article.isdigit():
            if int(article) not in articles:
                message = f"'{item.name}' but Điều {article} names no unit; expected the article that assigns work"
                problems.append(ImportProblem("recipients", message, item.line))
            for code in articles.get(int(article), []):
                add(code, item.role, False)
        else:
            before = len(problems)
            codes = resolve_listed([item], resolver, "Nơi nhận", problems)[0][1]
            if len(problems) == before and not set(codes) - {resolver.context}:
                printed.append(item.text or item.name)
            for code in codes:
                add(code, item.role, False)
    if not as_above:  # addressees are recipients even when Nơi nhận leaves out "Như trên"
        for addressee, codes in addressees:
            for code in codes:
                add(code, addressee.role, True)
    return list(named.values())


def role_of(unit: Named, resolver: Resolver, issuer: str, tasked: set[str]) -> Role:
    if unit.marker is not None:
        return unit.marker
    parent = resolver.by_code[unit.code].parent
    above_department = resolver.is_department(unit.code) and parent in resolver.ancestors(issuer)
    if resolver.is_above(unit.code, issuer) or above_department:
        return Role.superior
    if unit.code in tasked or unit.addressed:
        return Role.act
    if resolver.is_descendant(unit.code, issuer) and not resolver.is_department(unit.code):
        return Role.act
    return Role.info


def recipients(named: list[Named], tasked: list[str], resolver: Resolver, issuer: str) -> list[dict[str, str]]:
    units = [u for u in named if u.code != issuer]
    listed = {u.code for u in units}
    roles = {u.code: role_of(u, resolver, issuer, set(tasked)) for u in units}
    acting = [c for c in tasked if c != issuer and (c not in listed or roles[c] == Role.act)]
    acting = list(dict.fromkeys(acting + [u.code for u in units if roles[u.code] == Role.act]))
    others = [u.code for u in units if u.code not in acting]
    # Plain values, not the members: the dict is written out as YAML.
    return [{"unit": c, "role": Role.act.value} for c in acting] + [{"unit": c, "role": roles[c].value} for c in others]


def default_addressees(named: list[Named], resolver: Resolver, issuer: str) -> list[str]:
    """Whom a point that names nobody is for: the Kính gửi list, else the units the Nơi nhận has act."""
    addressed = [u.code for u in named if u.addressed and u.code != issuer]
    if addressed:
        return addressed
    return [u.code for u in named if u.code != issuer and role_of(u, resolver, issuer, set()) == Role.act]
