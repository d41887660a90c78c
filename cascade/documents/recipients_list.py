"""The "Nơi nhận:" block and the "Kính gửi:" lines, built from the recipients by their role: superiors first
"(để b/c)", then the lines printed as the document wrote them (a body outside the tree, the issuer's own
leaders: never mailed), the units that act, those that coordinate "(p/h)", those informed "(để biết)", and the
archive line last ("- Lưu: VT, TgNc."), which is printed and never mailed."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from cascade.documents.unit_names import UnitGroup
from models import Role

ROLE_ORDER = (Role.superior, Role.act, Role.coordinate, Role.info)
ROLE_MARKS = {Role.superior: "để b/c", Role.coordinate: "p/h", Role.info: "để biết"}
AS_ABOVE = "- Như trên;"  # the addressees of "Kính gửi", named once


def _mark(group: UnitGroup, role: Role) -> str:
    # one pair of brackets for the count and the role together: never "(… (33 đơn vị)) (để biết)"
    parts = [f"{group.count} đơn vị"] if group.grouped else []
    if role in ROLE_MARKS:
        parts.append(ROLE_MARKS[role])
    return f" ({', '.join(parts)})" if parts else ""


def archive_line(archive: str | None) -> str:
    """ "- Lưu: VT, TgNc." from the directive's `archive` ("VT, TgNc", or "Lưu: VT, TgNc."); none: "- Lưu: VT."."""
    text = re.sub(r"^\s*-?\s*lưu\s*:?", "", archive or "", flags=re.IGNORECASE).strip().rstrip(".;").strip()
    return f"- Lưu: {text or 'VT'}."


def recipient_lines(
    groups: Mapping[Role, Sequence[UnitGroup]],
    archive: str | None,
    *,
    act_addressed: bool = False,
    printed: Sequence[str] = (),
) -> list[str]:
    """The lines of "Nơi nhận:" from the recipients grouped by role (cascade/documents/recipient_groups.py) and
    the `printed` lines (the directive's Nơi nhận lines sent to no unit), after the superiors. With
    `act_addressed` (a Công văn's "Kính gửi" names the units that act) those are "- Như trên;" instead of
    being listed again."""
    lines = [AS_ABOVE] if act_addressed and groups.get(Role.act) else []
    for role in ROLE_ORDER:
        if role == Role.act:
            lines.extend(f"- {line.strip().rstrip('.;')};" for line in printed)
        if role == Role.act and act_addressed:
            continue
        lines.extend(f"- {group.label}{_mark(group, role)};" for group in groups.get(role, ()))
    lines.append(archive_line(archive))
    return lines


def addressee_lines(groups: Sequence[UnitGroup]) -> list[str]:
    """The "Kính gửi:" lines: one addressee alone on the line, several each on a line "- …;", the last "."."""
    labels = [f"{g.label} ({g.count} đơn vị)" if g.grouped else g.label for g in groups]
    if len(labels) <= 1:
        return labels
    return [f"- {label}{'.' if i == len(labels) - 1 else ';'}" for i, label in enumerate(labels)]
