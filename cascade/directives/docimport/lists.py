"""Lines that name several units: "LĐLĐ các huyện, thành phố; CĐN, CĐVC", "Ban Dân vận, Ban Tuyên giáo Tỉnh ủy".

An item (between ";") is first read whole; failing that as a group of one kind ("UBND các huyện Vị Xuyên, Bắc
Quang", cascade.directives.docimport.grouped); failing that it is cut at its commas and "và", and the longest
runs of pieces that name a unit or a group are taken in turn. People named beside the units ("các đồng chí
có tên tại Điều 1") are left out. When nothing of an item resolves, the error names the item, not the pieces.
"""

from __future__ import annotations

import re

from cascade.directives.docimport.grouped import Resolver, resolve_grouped
from cascade.directives.docimport.names import clean_item, is_person, name_key


def _shared_suffix(resolver: Resolver, part: str, last: str) -> list[str]:
    """ "Ban Dân vận, Ban Tuyên giáo Tỉnh ủy": the first name takes the last one's ending."""
    key, words = name_key(part), name_key(last).split()
    for start in range(1, len(words)):
        exact = [c for c, k in resolver.keys.items() if k == f"{key} {' '.join(words[start:])}"]
        if len(exact) == 1:
            return exact
    return []


def resolve_list(resolver: Resolver, text: str, explain: bool = True) -> tuple[list[str], list[str]]:
    """Codes for a line naming several units ("LĐLĐ các huyện, thành phố; CDN, CĐVC") and the reasons
    for the names that did not resolve. People named beside them ("các đồng chí có tên tại Điều 1") are
    left out."""
    codes: list[str] = []
    errors: list[str] = []

    def add(found: list[str]) -> None:
        codes.extend(c for c in found if c not in codes)

    for item in (clean_item(i) for i in text.split(";")):
        if not item or is_person(name_key(item)):
            continue
        found, error = resolver.resolve_one(item, explain=False)
        parts = [clean_item(p) for p in re.split(r",|\s+và\s+|\s+va\s+", item) if clean_item(p)]
        if error is None:
            add(found)
            continue
        if (grouped := resolve_grouped(resolver, item, explain)) is not None:
            head, found, group_errors = grouped
            head_codes, head_errors = resolve_list(resolver, head, explain) if head.strip() else ([], [])
            add(head_codes + found)
            errors.extend(head_errors + group_errors)
            continue
        if len(parts) < 2:
            errors.append(resolver.resolve_one(item, explain)[1] or item)
            continue
        part_errors: list[str] = []
        resolved_any = False
        i = 0
        while i < len(parts):
            if is_person(name_key(parts[i])):
                i += 1
                continue
            for j in range(len(parts), i + 1, -1):
                found, error = resolver.resolve_one(", ".join(parts[i:j]), explain=False)
                if error is None:
                    add(found)
                    resolved_any = True
                    i = j
                    break
            else:
                found = _shared_suffix(resolver, parts[i], parts[-1]) if i < len(parts) - 1 else []
                if not found:
                    found, error = resolver.resolve_one(parts[i], explain)
                if found:
                    add(found)
                    resolved_any = True
                else:
                    part_errors.append(error or f"'{parts[i]}' names no unit")
                i += 1
        # Nothing of the item resolved: name the item, not the pieces the commas and "và" cut it into.
        errors.extend(part_errors if resolved_any else [resolver.resolve_one(item, explain)[1] or item])
    return codes, errors
