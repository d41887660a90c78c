"""National organ codes (mã định danh điện tử, `organ_id` in the org tree): their form, checked before import.

The form is QCVN 102:2016/BTTTT's, kept by Decision 20/2020/QĐ-TTg: four groups separated by dots, from the
lowest level to the highest, "level 4 . level 3 . level 2 . level 1": three digits, two digits, two digits, then
one capital letter and two digits (000.00.00.G22 is the Government Office, 000.00.18.G12 the General Department
of Taxation under the Ministry of Finance 000.00.00.G12, 000.00.00.H41 the People's Committee of Nghệ An, H57 and
K57 the level-1 codes of Huế's People's Committee and People's Council in Decision 09/2025/QĐ-TTg). Those are
the codes public edXML implementations exchange (tungsfer512/edxml-convert, the VNPT and Bkav edoc SDK samples).
A unit the tree gives no code has none: nothing here makes one up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ORGAN_ID_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
ORGAN_ID_FORM = "four groups separated by dots: 3 digits.2 digits.2 digits.a capital letter and 2 digits"
ORGAN_ID_EXAMPLE = "000.00.01.H29"


def is_organ_id(value: str) -> bool:
    return bool(ORGAN_ID_RE.match(value))


def organ_id_problem(value: str) -> str | None:
    """Why `value` is not a national organ code, or None when it is one."""
    if is_organ_id(value):
        return None
    hint = " (letters are capitals)" if is_organ_id(value.upper()) else ""
    return (
        f"organ_id {value!r} is not a national organ code (QCVN 102:2016, Decision 20/2020/QĐ-TTg): "
        f"{ORGAN_ID_FORM}, e.g. {ORGAN_ID_EXAMPLE}{hint}"
    )


def duplicate_organ_ids(entries: Iterable[tuple[str, str | None, int | None]]) -> list[tuple[str, int | None, str]]:
    """(code, line, message) for each unit whose organ_id another unit of the file already has: a national code
    names one organ. `entries` are (code, organ_id, line) in file order."""
    first: dict[str, tuple[str, int | None]] = {}
    out: list[tuple[str, int | None, str]] = []
    for code, organ_id, line in entries:
        if not organ_id:
            continue
        if organ_id in first:
            other, other_line = first[organ_id]
            out.append((code, line, f"organ_id {organ_id} is also unit {other}'s (line {other_line})"))
        else:
            first[organ_id] = (code, line)
    return out
