"""Names given as a group of one kind, as state, Party, Đoàn and union documents alike write them:

- "Ủy ban nhân dân các huyện Vị Xuyên, Bắc Quang": "<kind> các <level> A, B và C" stands for "<kind> <level>
  A", "<kind> <level> B" …;
- "Các Sở: Y tế, Giáo dục và Đào tạo, Tài chính": "<kind> các <level>: A, B" the same, the level before the colon;
- "Ủy ban nhân dân các xã, thị trấn": levels without names stand for the units so named directly under the
  issuer; when it has none, those at the nearest single level below it that has some (a Sở's "các trường" are
  its own schools, not those of the Phòng under it, which the Phòng passes on to), else the same under the
  nearest unit above it. So does "Các Huyện đoàn, Thành đoàn", each a kind. A department is a part of a unit, not
  a unit under it: no level word names one ("các sở, ban, ngành" leaves out the issuer's Văn phòng); the
  issuer's departments are the resolver's own groups, read whole ("Các ban", "Các phòng, ban chuyên môn").

A title before the kind ("Giám đốc các sở: …", "Chủ tịch UBND các huyện …") is dropped by the resolver, as for
any name. Where the level ends and the first name begins is read from the tree: the reading under which most
names are units, so a level of two words ("thị trấn") needs no list. Each name resolves or is reported alone;
a name of another kind in the same list ("… Bắc Quang và Sở Y tế") is taken as it stands.
"""

from __future__ import annotations

import re
from typing import Protocol

from cascade.directives.docimport.names import clean_item, fold, is_person, name_key, strip_qualifiers

_CAC = re.compile(r"(?:^|(?<=\s))các\s+", re.IGNORECASE)
_SEPARATOR = re.compile(r"(\s*[,;]\s*|\s+và\s+)", re.IGNORECASE)
# The level words that stand alone, without names ("các xã, thị trấn", "các sở, ban, ngành").
LEVELS = frozenset(
    fold(word)
    for word in (
        "tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "sở", "ban", "ngành",
        "phòng", "trường", "cơ quan", "đơn vị", "địa phương", "đoàn thể",
    )
)  # fmt: skip


class Resolver(Protocol):
    """What of cascade.directives.docimport.resolve.Resolver a group or a list needs (a protocol: that module
    uses this one)."""

    keys: dict[str, str]
    context: str | None

    def ancestors(self, code: str) -> list[str]: ...

    def is_department(self, code: str) -> bool: ...

    def resolve_one(self, name: str, explain: bool = True) -> tuple[list[str], str | None]: ...


def units_named(resolver: Resolver, name: str) -> list[str]:
    """The units whose name begins with `name` ("Ủy ban nhân dân xã" of "… các xã") at the nearest level below
    the issuer that has any (its children first), else the same below the nearest unit above it; the issuer
    itself and departments are left out. One level only: a unit below a matched one hears it from that one."""
    key = strip_qualifiers(name_key(name) + " ").strip()
    matching = [
        c
        for c, k in resolver.keys.items()
        if (k == key or k.startswith(key + " ")) and c != resolver.context and not resolver.is_department(c)
    ]
    if resolver.context is None:  # no issuer to count levels from: the matched units no other is above
        matched = set(matching)
        return [c for c in matching if not matched.intersection(resolver.ancestors(c))]
    for anchor in [resolver.context, *resolver.ancestors(resolver.context)]:
        # How many levels below the anchor each matched unit under it stands (0: a child).
        depth = {c: ups.index(anchor) for c in matching if anchor in (ups := resolver.ancestors(c))}
        if depth:
            nearest = min(depth.values())
            return [c for c in depth if depth[c] == nearest]
    return []


def _names(resolver: Resolver, stem: str, parts: list[str], explain: bool) -> tuple[list[str], list[str], int]:
    """(codes, errors, how many names of the group are units) of the names "<stem> A", "<stem> B" … of `parts`
    (names and the separators between them); the longest run of names that is a unit is taken first ("Giáo dục
    và Đào tạo"). A name that is a unit only as it stands ("… và Sở Y tế") does not count for the group."""
    names, seps = parts[::2], parts[1::2]
    codes: list[str] = []
    errors: list[str] = []
    grouped, i = 0, 0
    while i < len(names):
        if not clean_item(names[i]) or is_person(name_key(names[i])):
            i += 1
            continue
        for j in range(len(names), i, -1):
            run = "".join(p for pair in zip(names[i:j], [*seps[i : j - 1], ""], strict=True) for p in pair)
            found, error = resolver.resolve_one(f"{stem} {clean_item(run)}", explain=False)
            if error is None and found:
                codes.extend(found)
                grouped, i = grouped + 1, j
                break
        else:
            alone, error = resolver.resolve_one(clean_item(names[i]), explain=False)
            if error is None and alone:
                codes.extend(alone)
            else:
                name = f"{stem} {clean_item(names[i])}"
                errors.append(resolver.resolve_one(name, explain)[1] or f"'{name}' names no unit")
            i += 1
    return codes, errors, grouped


def _readings(kind: str, rest: str) -> list[tuple[str, list[str]]]:
    """Each way to read "<level> A, B và C" (or "<level>: A, B"): (the kind and level, the names and separators)."""
    level, colon, listed = rest.partition(":")
    if colon:
        return [(f"{kind} {level.strip()}".strip(), _SEPARATOR.split(listed.strip()))]
    parts = _SEPARATOR.split(rest.strip())
    words = parts[0].split()
    return [(f"{kind} {' '.join(words[:k])}".strip(), [" ".join(words[k:]), *parts[1:]]) for k in range(1, len(words))]


def _every_unit(resolver: Resolver, kind: str, rest: str) -> list[str] | None:
    """The units of "<kind> các xã, thị trấn" (levels, no names), or None when `rest` names units."""
    parts = _SEPARATOR.split(rest.strip())
    levels = [clean_item(p) for p in parts[::2] if clean_item(p) and not is_person(name_key(p))]
    # "các xã, thị trấn"; with no kind before "các", a kind in each ("Các Huyện đoàn, Thành đoàn").
    if not levels or not all(fold(p) in LEVELS or (not kind and units_named(resolver, p)) for p in levels):
        return None
    codes: list[str] = []
    for level in levels:
        # A group the resolver knows first ("các Ban": the issuer's departments), then a unit so named, then
        # every unit whose name begins so.
        for name in (f"các {kind} {level}", f"{kind} {level}"):
            found, error = resolver.resolve_one(name.strip(), explain=False)
            if error is None:
                break
        # A level word names units, never departments: "các sở, ban, ngành" is not "các ban", the issuer's own.
        found = [c for c in found if not resolver.is_department(c)] if error is None else []
        codes.extend(found or units_named(resolver, f"{kind} {level}"))
    return list(dict.fromkeys(codes))


def resolve_grouped(resolver: Resolver, item: str, explain: bool) -> tuple[str, list[str], list[str]] | None:
    """(the text before the group, codes, errors) of an item that names a group of one kind; None when the item
    is no such group, or when no name of it is a unit under any reading (its error is then the item's)."""
    found = _CAC.search(item)
    if found is None or is_person(name_key(item[found.start() :])):
        return None
    before, rest = item[: found.start()], item[found.end() :]
    # The kind is all that stands before "các" ("Phòng Giáo dục và Đào tạo"), or what follows a separator when
    # other names come first ("Sở Y tế, UBND các huyện …"): the first cut under which names are units.
    cuts = [0, *(m.end() for m in _SEPARATOR.finditer(before))]
    for cut in cuts:
        head, kind = before[:cut], before[cut:].strip()
        if (every := _every_unit(resolver, kind, rest)) is not None:
            if every:
                return head, every, []
            continue
        readings = _readings(kind, rest)
        # The nearest names are looked up for the reading kept only: a miss costs a scan of the whole tree.
        counts = [_names(resolver, stem, parts, explain=False)[2] for stem, parts in readings]
        if counts and max(counts) > 0:
            stem, parts = readings[counts.index(max(counts))]
            codes, errors, _ = _names(resolver, stem, parts, explain)
            return head, list(dict.fromkeys(codes)), errors
    return None
