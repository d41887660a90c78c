"""Resolve the names a directive gives to units and groups of units ("LĐLĐ các huyện, thành phố") to codes.

A name that matches several units goes to the one nearest the issuer (its own units first, then itself, the
units above it, its peers). A group is looked for under the unit it names ("Các Ban LĐLĐ tỉnh"), else under
the issuer, else under the nearest unit above the issuer that has such units (a Party department's "các huyện
ủy" are its Tỉnh ủy's). The clerk's `--map NAME=CODE` comes before all of that.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cascade.directives.docimport.lists import resolve_list
from cascade.directives.docimport.names import GROUPS, name_key, strip_qualifiers


@dataclass(frozen=True)
class UnitRef:
    """A unit of the org tree as the importer needs it."""

    code: str
    name: str
    kind: str
    parent: str | None = None
    symbol: str | None = None


def alias_key(name: str) -> str:
    return strip_qualifiers(name_key(name))


class Resolver:
    """Resolves names against the units, preferring units near `context` (normally the issuer)."""

    def __init__(
        self, units: Sequence[UnitRef], context: str | None = None, aliases: Mapping[str, list[str]] | None = None
    ) -> None:
        self.units = list(units)
        self.by_code = {u.code: u for u in self.units}
        self.context = context
        self.aliases = dict(aliases or {})  # alias_key(name) -> codes
        self.keys = {u.code: name_key(u.name) for u in self.units}
        self._weights: dict[str, float] | None = None
        self._kids: dict[str | None, list[str]] = {}
        for u in self.units:
            self._kids.setdefault(u.parent, []).append(u.code)

    def with_context(self, context: str | None) -> Resolver:
        """The same units and aliases read from another unit; the keys are shared, not computed again (a
        national tree has 100,000 names)."""
        other = copy.copy(self)
        other.context = context
        return other

    def children(self, code: str, kinds: Sequence[str] | None = None) -> list[str]:
        return [c for c in self._kids.get(code, []) if kinds is None or self.by_code[c].kind in kinds]

    def descendants(self, code: str) -> list[str]:
        found, todo = [], list(self._kids.get(code, []))
        while todo:
            found.append(child := todo.pop(0))
            todo.extend(c for c in self._kids.get(child, []) if c not in found)
        return found

    def ancestors(self, code: str) -> list[str]:
        found: list[str] = []
        unit = self.by_code.get(code)
        while unit is not None and unit.parent and unit.parent not in found:
            found.append(unit.parent)
            unit = self.by_code.get(unit.parent)
        return found

    def is_department(self, code: str) -> bool:
        """A part of a unit (its Văn phòng, a Ban of the Tỉnh ủy), not a unit under it."""
        kind = self.by_code[code].kind
        return kind == "department" or kind.endswith("_department")

    def is_descendant(self, code: str, of: str) -> bool:
        return of in self.ancestors(code)

    def is_above(self, code: str, issuer: str) -> bool:
        """An ancestor of the issuer, or the root of another tree (Tổng LĐLĐ beside the Tỉnh ủy's tree)."""
        roots = self.ancestors(issuer)[-1:] or [issuer]
        return code in self.ancestors(issuer) or (self.by_code[code].parent is None and code not in roots)

    def _pick(self, name: str, codes: list[str]) -> tuple[list[str], str | None]:
        if len(codes) <= 1:
            return codes, None
        tiers: list[list[str]] = []
        if self.context:
            ups = self.ancestors(self.context)
            peers = {c for a in ups for c in self.children(a)}
            # "TT Huyện ủy" in a Tam Đường document: the Huyện ủy whose name has the words of the issuer's.
            home = set(self.keys[self.context].split())
            tests = [
                lambda c: self.by_code[c].parent == self.context,
                lambda c: c == self.context,
                lambda c: c in ups,
                lambda c: c in peers and set(self.keys[c].split()[-2:]) <= home,
                lambda c: c in peers,
            ]
            tiers = [[c for c in codes if test(c)] for test in tests]
        tiers.append(codes)
        best = next(tier for tier in tiers if tier)
        if len(best) == 1:
            return best, None
        return [], f"'{name}' is ambiguous: it matches {', '.join(best)}; pass --map '{name}=CODE'"

    def _group(self, name: str, key: str) -> tuple[list[str], str | None] | None:
        """Codes of a group name, an error, or None when the key is no group name."""
        for pattern, kinds in GROUPS:
            found = pattern.match(key)
            if found is None:
                continue
            owner = found.groupdict().get("owner")
            if owner and owner not in ("tinh", "huyen", "co quan"):
                anchors, error = self._resolve_key(owner, owner, groups=False, explain=False)
                if error or len(anchors) != 1:
                    return None
            elif self.context:
                anchors = [self.context, *self.ancestors(self.context)]
            else:
                return None
            for anchor in anchors:
                if codes := self.children(anchor, kinds):
                    return codes, None
                if anchor == self.context and self.by_code[anchor].kind in kinds:
                    return [anchor], None  # "Công đoàn ngành" in the sector union's own document
            return [], f"'{name}' stands for {'/'.join(kinds)} units, none is under {anchors[0]}"
        return None

    def _resolve_key(
        self, key: str, name: str, groups: bool = True, explain: bool = True
    ) -> tuple[list[str], str | None]:
        if not key:
            return [], f"'{name}' names no unit"
        if key in self.aliases:
            return list(self.aliases[key]), None
        if groups and (group := self._group(name, key)) is not None:
            return group
        exact = [code for code, k in self.keys.items() if k == key]
        if exact:
            return self._pick(name, exact)
        prefix = [code for code, k in self.keys.items() if k.startswith(key + " ")]
        if prefix:
            return self._pick(name, prefix)
        return [], self.unknown(name) if explain else f"'{name}' matches no unit of the org tree"

    def resolve_one(self, name: str, explain: bool = True) -> tuple[list[str], str | None]:
        """(codes, None) when the name is a unit or a group of units, ([], reason) otherwise; the reason names
        the nearest units unless `explain` is off (probing for where a list splits needs no reason)."""
        return self._resolve_key(alias_key(name), name, explain=explain)

    def resolve_under(self, name: str, root: str) -> tuple[list[str], str | None]:
        """A unit below `root` ("(qua Ban Tuyên giáo - Nữ công)" is the department of the unit reported to)."""
        key = alias_key(name)
        if key in self.aliases:
            return list(self.aliases[key]), None
        pool = self.descendants(root)
        found: list[str] = []
        for tier in (self.children(root), pool):  # its own departments before those of the units under it
            found = [c for c in tier if self.keys[c] == key] or [c for c in tier if self.keys[c].startswith(key + " ")]
            if found:
                break
        if len(found) == 1:
            return found, None
        if found:
            return [], f"'{name}' is ambiguous under {root}: it matches {', '.join(found)}"
        return [], self.unknown(name, pool, f"is no unit under {root}")

    def unknown(
        self, name: str, pool: Sequence[str] | None = None, what: str = "matches no unit of the org tree"
    ) -> str:
        near = self.nearest(name, pool)
        hint = f" (nearest: {', '.join(near)})" if near else ""
        return f"'{name}' {what}{hint}; pass --map '{name}=CODE' to name it"

    def nearest(self, name: str, pool: Sequence[str] | None = None, n: int = 3) -> list[str]:
        """The n unit names closest to `name`, compared without diacritics: the words they share, rare words
        counting more ("Y tế" more than "sở", which every "CĐCS" has), then difflib's ratio."""
        key = alias_key(name)
        codes = list(pool) if pool is not None else list(self.keys)
        if self._weights is None:
            counts: dict[str, int] = {}
            for k in self.keys.values():
                for word in set(k.split()):
                    counts[word] = counts.get(word, 0) + 1
            self._weights = {w: 1 / c for w, c in counts.items()}
        weights = self._weights
        words = set(key.split())
        total = sum(weights.get(w, 1.0) for w in words) or 1.0

        def score(code: str) -> float:
            shared = words & set(self.keys[code].split())
            overlap = sum(weights.get(w, 1.0) for w in shared) / total
            return overlap + 0.3 * difflib.SequenceMatcher(None, key, self.keys[code]).ratio()

        # Units sharing a word first: on a national tree, scoring 100,000 names for each miss is slow.
        shared = [c for c in codes if words & set(self.keys[c].split())] or codes
        return [f"{self.by_code[c].name} [{c}]" for c in sorted(shared, key=score, reverse=True)[:n]]

    def resolve_list(self, text: str, explain: bool = True) -> tuple[list[str], list[str]]:
        """Codes for a line naming several units ("LĐLĐ các huyện, thành phố; CDN, CĐVC") and the reasons
        for the names that did not resolve (cascade.directives.docimport.lists)."""
        return resolve_list(self, text, explain)
