"""Finding units by name among those a person may pick (their scope's active units), as the console's pickers
do: the unit a refused directive goes to instead, a dissolved unit's successor, whose register to set.

Names are compared on cascade.directives.docimport.names' key, so "tam duong" finds "Tam Đường" and "ldld"
finds "Liên đoàn Lao động". The keys are computed in Python (no column holds them); each name's key is cached,
so a second search over a big tree costs a scan of its names, not their folding again."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cascade.accounts.scope import Scope, scoped, unit_in_scope
from cascade.directives.docimport.names import name_key
from models import Unit

MAX_QUERY = 200  # characters of a search: a name is never longer


@dataclass(frozen=True)
class UnitMatch:
    id: int
    code: str  # for the form's value only: never shown to a person
    name: str
    kind: str
    parent_name: str | None  # tells apart two "CĐCS UBND xã …" of different districts


@lru_cache(maxsize=262_144)
def _words(name: str) -> tuple[str, ...]:
    return tuple(name_key(name).split())


def _matches(asked: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """Every word asked begins a word of the name, in any order ("tam duong", "duong tam", "ta duo")."""
    return all(any(w.startswith(a) for w in words) for a in asked)


def find_units(session: Session, scope: Scope, text: str, *, limit: int = 20) -> list[UnitMatch]:
    """Active units in the scope whose name matches `text`, best first (at most `limit`)."""
    asked = _words(text[:MAX_QUERY])
    if not asked:
        return []
    query = scoped(
        sa.select(col(Unit.id), col(Unit.code), col(Unit.name), col(Unit.kind), col(Unit.parent_id)).where(
            col(Unit.active)
        ),
        scope,
        Unit.id,
    )
    phrase = " ".join(asked)
    found = [row for row in session.execute(query) if _matches(asked, _words(row.name))]
    # The whole phrase first, then the shortest names: "tam duong" puts LĐLĐ huyện Tam Đường before the
    # grassroots unions that carry the district's name in theirs.
    found.sort(key=lambda r: (phrase not in " ".join(_words(r.name)), len(_words(r.name)), _words(r.name)))
    found = found[:limit]
    parents = {p.id: p.name for p in session.exec(select(Unit).where(col(Unit.id).in_({r.parent_id for r in found})))}
    return [UnitMatch(r.id, r.code, r.name, r.kind, parents.get(r.parent_id)) for r in found]


def unit_for_pick(session: Session, scope: Scope, code: str) -> Unit | None:
    """The unit a form names by its code, if the person may pick it (in scope; dissolved ones included, for
    the caller to explain); None otherwise, as if it did not exist."""
    unit = session.exec(select(Unit).where(Unit.code == code[:64])).first()
    if unit is None or unit.id is None:
        return None
    return unit if unit_in_scope(session, scope, unit.id) else None
