"""Units named in words the way a "Nơi nhận" or a task heading names them: each by its name while they are few,
many of one kind under one line ("Các CĐCS trực thuộc (33 đơn vị)"). Never a unit code or a kind code."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cascade.rendering.render import KIND_GROUPS, UNKNOWN_KIND_GROUP
from models import Unit

# More units of one kind than this go under one line.
HANDFUL = 5
# Units of the kinds that have no words of their own (cascade.documents.kind_names), said once for all of them.
UNNAMED_KINDS = "Các đơn vị trực thuộc"


@dataclass(frozen=True)
class UnitGroup:
    label: str  # a unit's name, or the words for many units of a kind
    count: int  # how many units the line stands for (1: a unit named)

    @property
    def grouped(self) -> bool:
        return self.count > 1


def kind_words(kind: str) -> str:
    """Many units of a kind, in words ("Các CĐCS"); a kind the code base has no words for is "Các đơn vị"."""
    return KIND_GROUPS.get(kind, UNKNOWN_KIND_GROUP)


def kinds_words(kinds: Iterable[str], named: Mapping[str, str]) -> list[str]:
    """Units of these kinds in words, each phrase once: a kind by its words (`named`, from
    cascade.documents.kind_names), all the kinds without words together as one "Các đơn vị trực thuộc"."""
    kinds = list(kinds)
    words = [named[kind] for kind in kinds if kind in named]
    if any(kind not in named for kind in kinds):
        words.append(UNNAMED_KINDS)
    return list(dict.fromkeys(words))


def group_label(
    kind: str, parent_ids: set[int | None], issuer: Unit | None, parents: Mapping[int, Unit], words: str | None = None
) -> str:
    """Many units of a kind in words: "Các CĐCS trực thuộc" when they are all directly under the issuer, "Các
    CĐCS thuộc Liên đoàn Lao động huyện Tam Đường" when all under another unit, else "Các CĐCS". `words`: the
    kind's words when the code base has none (cascade.documents.kind_names)."""
    words = words or kind_words(kind)
    if len(parent_ids) != 1:
        return words
    (parent_id,) = parent_ids
    if issuer is not None and parent_id == issuer.id:
        return f"{words} trực thuộc" if kind == "grassroots_union" else words
    parent = parents.get(parent_id) if parent_id is not None else None
    return f"{words} thuộc {parent.name}" if parent is not None else words


def group_units(
    units: Sequence[Unit],
    issuer: Unit | None,
    parents: Mapping[int, Unit],
    named: Mapping[str, str],
    handful: int = HANDFUL,
) -> list[UnitGroup]:
    """The units in their order, those of a kind with more than `handful` units as one group where the first
    of them stood. `named`: the words for many units of each kind (cascade.documents.kind_names, taken from the
    whole tree: the kind's words are what every unit of it is called, not what a few grouped here share)."""
    by_kind: dict[str, list[Unit]] = {}
    for unit in units:
        by_kind.setdefault(unit.kind, []).append(unit)
    out: list[UnitGroup] = []
    placed: set[str] = set()
    for unit in units:
        same = by_kind[unit.kind]
        if len(same) <= handful:
            out.append(UnitGroup(unit.name, 1))
        elif unit.kind not in placed:
            placed.add(unit.kind)
            label = group_label(unit.kind, {u.parent_id for u in same}, issuer, parents, named.get(unit.kind))
            out.append(UnitGroup(label, len(same)))
    return out


def grouped_kinds(unit_lists: Iterable[Iterable[Unit]], handful: int = HANDFUL) -> set[str]:
    """The kinds group_units will group in some list: more than `handful` units of them in it."""
    out: set[str] = set()
    for units in unit_lists:
        counts = Counter(unit.kind for unit in units)
        out.update(kind for kind, count in counts.items() if count > handful)
    return out


def lower_first(words: str) -> str:
    """ "Các CĐCS" inside a sentence: "các CĐCS" (a unit's own name keeps its capitals)."""
    return "c" + words[1:] if words.startswith("Các ") else words


def join_words(labels: Sequence[str]) -> str:
    """ "A", "A và B", "A, B và C"; group words after the first start lower case."""
    items = [labels[0], *(lower_first(label) for label in labels[1:])] if labels else []
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"
