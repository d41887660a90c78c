"""Many units of a kind in words, for a kind the code base has no words for: a tree's `kind` is a free label
("primary_school") a person never reads, but its units' names start with the words a clerk would use
("Trường Tiểu học Hòa Thắng", "Trường Tiểu học Ea Kênh": "Các trường Tiểu học")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from cascade.rendering.render import KIND_GROUPS
from models import Unit


def name_stem(names: Sequence[str]) -> str | None:
    """The leading words every name shares ("Trường Tiểu học"), when there are at least two names and each has
    more words after them; else None (one name alone is a unit's, not a kind's)."""
    split = [name.split() for name in dict.fromkeys(names)]
    if len(split) < 2:
        return None
    common: list[str] = []
    for words in zip(*split, strict=False):
        if any(word.casefold() != words[0].casefold() for word in words):
            break
        common.append(words[0])
    if not common or any(len(words) == len(common) for words in split):
        return None
    return " ".join(common)


def many_of(stem: str) -> str:
    """ "Các trường Tiểu học", "Các điểm trường", "Các UBND xã": the first word lower case unless an acronym."""
    first, _, rest = stem.partition(" ")
    if not (len(first) > 1 and first.isupper()):
        first = first[0].lower() + first[1:]
    return " ".join(("Các", first, rest)).strip()


def words_from_names(names: Sequence[str]) -> str | None:
    stem = name_stem(names)
    return many_of(stem) if stem else None


def _stem_in_tree(session: Session, kind: str) -> str | None:
    """The stem of the names of every unit of the kind in the tree, from two rows and a count: the words the
    first and the last name (in the database's order) share, checked against every other name."""
    first, last = session.exec(select(func.min(Unit.name), func.max(Unit.name)).where(Unit.kind == kind)).one()
    stem = name_stem([first, last]) if first and last else None
    if stem is None:
        return None
    pattern = stem.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + " %"
    other = select(func.count()).where(Unit.kind == kind, sa.not_(col(Unit.name).like(pattern, escape="\\")))
    return stem if session.exec(other).one() == 0 else None


def kind_names(session: Session, kinds: Iterable[str]) -> dict[str, str]:
    """Words for many units of each kind: the code base's own (rendering.render.KIND_GROUPS), else those the
    names of the tree's units of the kind start with; a kind with neither is left out."""
    out: dict[str, str] = {}
    for kind in dict.fromkeys(kinds):
        if kind in KIND_GROUPS:
            out[kind] = KIND_GROUPS[kind]
        elif stem := _stem_in_tree(session, kind):
            out[kind] = many_of(stem)
    return out
