"""A unit as an edXML organ (From, To, ResponseFor's OrganId), a person as StaffInfo, and the identifiers
built from them: a document's DocumentId and its Code (number and notation).

A unit with no `organ_id` in the tree gets a fallback that no exchange system can take for a national code
(`cascade-local:LDLD_TD`): the export says which units have one, so nobody sends such a package unawares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lxml import etree

from cascade.directives.numbers import parse_number
from cascade.edxml.schema import edxml_date, leaf, sub
from models import Unit

FALLBACK_PREFIX = "cascade-local:"


@dataclass(frozen=True)
class Organ:
    code: str  # the unit's code in the tree
    organ_id: str  # its national code, or the fallback
    name: str
    in_charge: str | None = None  # the body over it (OrganizationInCharge)
    address: str | None = None
    email: str | None = None

    @property
    def national(self) -> bool:
        return not self.organ_id.startswith(FALLBACK_PREFIX)


@dataclass(frozen=True)
class Staff:
    """StaffInfo: who handles the document (its department, name, mobile, email), as far as it is known."""

    department: str | None = None
    staff: str | None = None
    mobile: str | None = None
    email: str | None = None


def organ_of(unit: Unit, parent: Unit | None = None) -> Organ:
    """The unit as an organ; the body in charge of it is its documents' heading line, or its parent."""
    organ_id = unit.organ_id or f"{FALLBACK_PREFIX}{unit.code}"
    in_charge = unit.header or (parent.name if parent is not None else None)
    return Organ(unit.code, organ_id, unit.name, in_charge, unit.place, unit.email)


def add_organ(parent: etree._Element, tag: str, organ: Organ) -> None:
    element = sub(parent, tag)
    sub(element, "OrganId", organ.organ_id)
    leaf(element, "OrganizationInCharge", organ.in_charge)
    sub(element, "OrganName", organ.name)
    leaf(element, "OrganAdd", organ.address)
    leaf(element, "Email", organ.email)


def add_staff(parent: etree._Element, staff: Staff) -> None:
    element = sub(parent, "StaffInfo")
    for name in ("department", "staff", "mobile", "email"):
        leaf(element, name.capitalize(), getattr(staff, name))


def document_id(organ_id: str, issued_on: date, number: str) -> str:
    """The document's id across systems: its issuer's organ code, its date and its number, which together name
    one document (a unit numbers its documents once a year)."""
    return f"{organ_id},{edxml_date(issued_on)},{number}"


def split_code(number: str) -> tuple[str, str]:
    """CodeNumber and CodeNotation: "252/KH-LĐLĐ" → ("252", "KH-LĐLĐ"), "31-KH/TU" → ("31", "KH/TU"),
    "05/LĐLĐ" → ("05", "LĐLĐ"). A number that does not parse is all notation (the number is not guessed)."""
    parsed = parse_number(number)
    digits = re.match(r"\d+", number.strip())
    if parsed is None or digits is None:
        return "", number.strip()
    return digits.group(0), parsed[1]


def join_code(code_number: str, notation: str) -> str:
    """The number as documents write it, from CodeNumber and CodeNotation: a party body's "31-KH/TU" (type,
    then "/", then issuer) joins with "-", the state's "252/KH-LĐLĐ" and "01/2021/NĐ-CP" with "/"."""
    code_number, notation = code_number.strip(), notation.strip()
    if not code_number:
        return notation
    if not notation:
        return code_number
    party = "/" in notation and not re.match(r"\d{4}/", notation)
    return f"{code_number}{'-' if party else '/'}{notation}"
