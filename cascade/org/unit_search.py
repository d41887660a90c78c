"""Finding units to address a directive to: by name with or without diacritics ("tam duong" finds "Liên đoàn Lao
động huyện Tam Đường", "ldld" finds every "Liên đoàn Lao động"), and whole levels of the issuer's subtree at
once ("every district federation under the province").

Names are compared on the importer's key (cascade/directives/docimport/names.py `name_key`), which a database
cannot compute: the keys of the active units are kept in memory, rebuilt only when the tree changes (its count
or latest update differ), so a search in a 100,000-unit tree is a scan of strings, not of rows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CTE, func, literal, select
from sqlmodel import Session, col

from cascade.directives.docimport.names import fold, name_key
from models import Unit

MAX_RESULTS = 20
MAX_GROUP_DEPTH = 3  # levels below the issuer offered as whole groups: the tree's shape, not its leaves


@dataclass(frozen=True)
class UnitHit:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class UnitGroup:
    """Every active unit of one kind at one depth below the issuer ("LĐLĐ các huyện, thành phố", 8 units)."""

    depth: int
    kind: str
    count: int

    @property
    def key(self) -> str:
        return f"{self.depth}:{self.kind}"


_lock = threading.Lock()
_cache: dict[str, Any] = {"stamp": None, "rows": []}


def _stamp(session: Session) -> tuple[int, datetime | None]:
    count, latest = session.execute(select(func.count(), func.max(col(Unit.updated_at)))).one()
    return int(count), latest


def _keyed_units(session: Session) -> list[tuple[str, str, UnitHit]]:
    """(name key, folded code, unit) of every active unit, from the cache while the tree is unchanged."""
    stamp = _stamp(session)
    with _lock:
        if _cache["stamp"] == (str(session.get_bind().engine.url), stamp):
            rows: list[tuple[str, str, UnitHit]] = _cache["rows"]
            return rows
    found = session.execute(
        select(col(Unit.code), col(Unit.name), col(Unit.kind)).where(col(Unit.active)).order_by(col(Unit.code))
    ).all()
    rows = [(name_key(name), fold(code), UnitHit(code, name, kind)) for code, name, kind in found]
    with _lock:
        _cache.update(stamp=(str(session.get_bind().engine.url), stamp), rows=rows)
    return rows


def search_units(session: Session, query: str, limit: int = MAX_RESULTS) -> list[UnitHit]:
    """Active units whose name (or code) holds every word of `query`, diacritics and case ignored; names that
    begin with the query first, then shorter names."""
    words = name_key(query).split()
    if not words:
        return []
    joined = " ".join(words)
    hits: list[tuple[int, int, UnitHit]] = []
    for key, code, unit in _keyed_units(session):
        if all(w in key or w in code for w in words):
            rank = 0 if key.startswith(joined) or code.startswith(joined) else 1 if f" {joined}" in key else 2
            hits.append((rank, len(unit.name), unit))
    hits.sort(key=lambda h: (h[0], h[1], h[2].code))
    return [unit for _, _, unit in hits[:limit]]


def units_by_name(session: Session, names: list[str]) -> dict[str, str]:
    """{name: code} of the active units with exactly these names (a problem's suggestions are names)."""
    if not names:
        return {}
    found = session.execute(select(col(Unit.name), col(Unit.code)).where(col(Unit.active), col(Unit.name).in_(names)))
    return {name: code for name, code in found}


def _depths(issuer_id: int) -> CTE:
    """(id, depth) of the issuer (0) and the units below it, down to MAX_GROUP_DEPTH."""
    unit = Unit.__table__  # type: ignore[attr-defined]
    top = select(unit.c.id.label("id"), literal(0).label("depth")).where(unit.c.id == issuer_id)
    tree = top.cte("below_issuer", recursive=True)
    below = select(unit.c.id, tree.c.depth + 1).join(tree, unit.c.parent_id == tree.c.id)
    return tree.union_all(below.where(tree.c.depth < MAX_GROUP_DEPTH))


def unit_groups(session: Session, issuer_id: int) -> list[UnitGroup]:
    """The kinds of active units at each depth under the issuer (1 = its own units), largest levels last."""
    tree = _depths(issuer_id)
    found = session.execute(
        select(tree.c.depth, col(Unit.kind), func.count())
        .join(Unit, col(Unit.id) == tree.c.id)
        .where(tree.c.depth.between(1, MAX_GROUP_DEPTH), col(Unit.active))
        .group_by(tree.c.depth, col(Unit.kind))
        .order_by(tree.c.depth, col(Unit.kind))
    ).all()
    return [UnitGroup(int(depth), str(kind), int(n)) for depth, kind, n in found]


def group_members(session: Session, issuer_id: int, depth: int, kind: str) -> list[str]:
    """Codes of the active units of `kind` at `depth` under the issuer, in code order."""
    tree = _depths(issuer_id)
    found = session.execute(
        select(col(Unit.code))
        .join(tree, tree.c.id == col(Unit.id))
        .where(tree.c.depth == depth, col(Unit.kind) == kind, col(Unit.active))
        .order_by(col(Unit.code))
    )
    return list(found.scalars())
