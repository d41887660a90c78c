"""Resolve the names a directive gives to units and groups of units ("LĐLĐ các huyện, thành phố") to codes.

Names are compared on a key: NFC, casefold, diacritics stripped (đ → d), punctuation dropped, spaces
collapsed and the usual abbreviations expanded (LĐLĐ, CĐCS, CĐN, CĐVC, TU, UBND, TT, TLĐ ...).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class UnitRef:
    """A unit of the org tree as the importer needs it."""

    code: str
    name: str
    kind: str
    parent: str | None = None
    symbol: str | None = None


ABBREVIATIONS: dict[str, str] = {
    "ldld": "lien doan lao dong",
    "tld": "tong lien doan lao dong",
    "tldld": "tong lien doan lao dong",
    "cdcs": "cong doan co so",
    "cdn": "cong doan nganh",
    "cdvc": "cong doan vien chuc",
    "cd": "cong doan",
    "tu": "tinh uy",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "tt": "thuong truc",
    "btv": "ban thuong vu",
    "bch": "ban chap hanh",
    "ubkt": "uy ban kiem tra",
    "mttq": "mat tran to quoc",
    "tp": "thanh pho",
    "vp": "van phong",
}
# Words before a unit's name that address its leadership, not another unit.
QUALIFIERS = ("thuong truc", "ban thuong vu", "ban chap hanh", "cac dong chi", "dong chi", "lanh dao")
_PLACES = r"(?:huyen|quan|thi xa|thanh pho)"
# Group names: a key pattern and the kinds of the issuer's child units it stands for.
GROUPS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (
        re.compile(rf"^(cac )?lien doan lao dong (cac {_PLACES}( {_PLACES})*|{_PLACES}( {_PLACES})+)$"),
        ("district_federation",),
    ),
    (re.compile(r"^(cac )?cong doan co so truc thuoc( .*)?$|^cac cong doan co so$"), ("grassroots_union",)),
    (re.compile(r"^(cac )?cong doan nganh( tinh)?$"), ("sector_union",)),
    (re.compile(r"^(cac )?cong doan vien chuc( tinh)?$"), ("civil_servants_union",)),
    (
        re.compile(r"^cac ban( chuyen mon)?( (thuoc )?(lien doan lao dong|co quan)( tinh)?)?$"),
        ("department",),
    ),
    (
        re.compile(r"^(cac )?cong doan cap tren truc tiep co so( truc thuoc)?$"),
        ("district_federation", "sector_union", "civil_servants_union"),
    ),
]


def fold(text: str) -> str:
    """Casefolded text without diacritics (đ → d) or punctuation, single-spaced."""
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).casefold().replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(re.sub(r"[^\w]+", " ", text).replace("_", " ").split())


def name_key(text: str) -> str:
    """fold() with the abbreviations expanded: the form in which names are compared."""
    return " ".join(ABBREVIATIONS.get(word, word) for word in fold(text).split())


def _strip_qualifiers(key: str) -> str:
    changed = True
    while changed:
        changed = False
        for qualifier in QUALIFIERS:
            if key.startswith(qualifier + " "):
                key, changed = key[len(qualifier) + 1 :], True
    return key


def clean_item(text: str) -> str:
    """A list item without its bullet, trailing separators or surrounding markup."""
    return re.sub(r"[\s;,.:*]+$", "", re.sub(r"^[\s\-–—+•*]+", "", text)).strip()


class Resolver:
    """Resolves names against the units, preferring units near `context` (normally the issuer)."""

    def __init__(self, units: Sequence[UnitRef], context: str | None = None) -> None:
        self.units = list(units)
        self.by_code = {u.code: u for u in self.units}
        self.context = context
        self._keys = {u.code: name_key(u.name) for u in self.units}

    def children(self, code: str, kinds: Sequence[str] | None = None) -> list[str]:
        return [u.code for u in self.units if u.parent == code and (kinds is None or u.kind in kinds)]

    def ancestors(self, code: str) -> list[str]:
        found: list[str] = []
        unit = self.by_code.get(code)
        while unit is not None and unit.parent and unit.parent not in found:
            found.append(unit.parent)
            unit = self.by_code.get(unit.parent)
        return found

    def is_descendant(self, code: str, of: str) -> bool:
        return of in self.ancestors(code)

    def _pick(self, name: str, codes: list[str]) -> tuple[list[str], str | None]:
        if len(codes) == 1 or not codes:
            return codes, None
        tiers: list[list[str]] = []
        if self.context:
            ups = self.ancestors(self.context)
            peers = {c for a in ups for c in self.children(a)}
            tests = [
                lambda c: self.by_code[c].parent == self.context,
                lambda c: c == self.context,
                lambda c: c in ups,
                lambda c: c in peers,
            ]
            tiers = [[c for c in codes if test(c)] for test in tests]
        tiers.append(codes)
        best = next(tier for tier in tiers if tier)
        if len(best) == 1:
            return best, None
        return [], f"'{name}' is ambiguous: it matches {', '.join(best)}"

    def resolve_one(self, name: str) -> tuple[list[str], str | None]:
        """(codes, None) when the name is a unit or a group of units, ([], reason) otherwise."""
        key = _strip_qualifiers(name_key(name))
        if not key:
            return [], f"'{name}' names no unit"
        if self.context:
            for pattern, kinds in GROUPS:
                if pattern.match(key):
                    codes = self.children(self.context, kinds)
                    if codes:
                        return codes, None
                    return [], f"'{name}' stands for {'/'.join(kinds)} units, none is under {self.context}"
        exact = [code for code, k in self._keys.items() if k == key]
        if exact:
            return self._pick(name, exact)
        prefix = [code for code, k in self._keys.items() if k.startswith(key + " ")]
        if prefix:
            return self._pick(name, prefix)
        return [], f"'{name}' matches no unit of the org tree"

    def _shared_suffix(self, part: str, last: str) -> list[str]:
        """ "Ban Dân vận, Ban Tuyên giáo Tỉnh ủy": the first name takes the last one's ending."""
        key, words = name_key(part), name_key(last).split()
        for start in range(1, len(words)):
            exact = [c for c, k in self._keys.items() if k == f"{key} {' '.join(words[start:])}"]
            if len(exact) == 1:
                return exact
        return []

    def resolve_list(self, text: str) -> tuple[list[str], list[str]]:
        """Codes for a line naming several units ("LĐLĐ các huyện, thành phố; CDN, CĐVC") and the reasons
        for the names that did not resolve."""
        codes: list[str] = []
        errors: list[str] = []

        def add(found: list[str]) -> None:
            codes.extend(c for c in found if c not in codes)

        for item in (clean_item(i) for i in text.split(";")):
            if not item:
                continue
            found, error = self.resolve_one(item)
            parts = [clean_item(p) for p in re.split(r",|\s+và\s+|\s+va\s+", item) if clean_item(p)]
            if error is None:
                add(found)
                continue
            if len(parts) < 2:
                errors.append(error)
                continue
            part_errors: list[str] = []
            resolved_any = False
            i = 0
            while i < len(parts):
                for j in range(len(parts), i + 1, -1):
                    found, error = self.resolve_one(", ".join(parts[i:j]))
                    if error is None:
                        add(found)
                        resolved_any = True
                        i = j
                        break
                else:
                    found = self._shared_suffix(parts[i], parts[-1]) if i < len(parts) - 1 else []
                    if not found:
                        found, error = self.resolve_one(parts[i])
                    if found:
                        add(found)
                        resolved_any = True
                    else:
                        part_errors.append(error or f"'{parts[i]}' names no unit")
                    i += 1
            # Nothing of the item resolved: name the item, not the pieces the commas and "và" cut it into.
            errors.extend(part_errors if resolved_any else [self.resolve_one(item)[1] or item])
        return codes, errors
