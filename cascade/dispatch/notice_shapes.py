"""Notices rendered once per shape, then filled in per unit: the renderer of a national dispatch.

Of a notice, only the unit's name and its two links differ between units that share a role, a task list
and deadlines (a "shape"); a national directive has a handful of shapes for 100,000 units. Each shape is
rendered once through the real templates with marker strings in those three places, and each unit's
notice is that text with the markers replaced (HTML-escaped in the HTML body, as autoescape would).
The templates see stand-ins that have only the fields a shape fixes, so a template that starts using
another per-unit field fails loudly instead of repeating one unit's value (tests/test_notice_shapes.py
also compares every notice with a full render)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any, NamedTuple

from markupsafe import escape

from cascade.rendering.render import outbox_row
from models import Role, utcnow

NAME, LINK, REPORT = "\x1fcascade-unit-name\x1f", "\x1fcascade-link\x1f", "\x1fcascade-report-link\x1f"
Shape = tuple[Any, ...]


class NoticeAssignment(NamedTuple):
    """What a notice takes from an assignment. Loaded as plain columns: ORM objects for 100,000 assignments
    and units cost a national dispatch more than rendering their notices did (0.12 ms a unit)."""

    id: int | None
    role: Role
    ack_due: date
    report_due: date | None


class NoticeUnit(NamedTuple):
    """What a notice takes from its unit (its tasks are chosen by code and kind)."""

    code: str
    kind: str
    name: str
    email: str


class ShapeRenderer:
    def __init__(self) -> None:
        self.shapes: dict[Shape, dict[str, Any]] = {}

    def row(self, values: dict[str, Any]) -> dict[str, Any]:
        """The outbox row of one notice, from the values a full render would take (cascade.dispatch.notices)."""
        assignment, unit, link, report_link = (
            values["assignment"],
            values["unit"],
            values["link"],
            values["report_link"],
        )
        shape = (assignment.role, assignment.ack_due, assignment.report_due, report_link is None,
                 tuple(t.id for t in values["tasks"]))  # fmt: skip
        template = self.shapes.get(shape)
        if template is None:
            template = self.shapes[shape] = self._render_shape(values)
        fills = {NAME: unit.name, LINK: link, REPORT: report_link or ""}
        row = dict(template, key=f"notice:{assignment.id}", assignment_id=assignment.id, to_addr=unit.email,
                   to_name=unit.name, created_at=utcnow())  # fmt: skip
        for field in ("subject", "body_text"):
            row[field] = _fill(template[field], fills)
        row["body_html"] = _fill(template["body_html"], {k: str(escape(v)) for k, v in fills.items()})
        return row

    def _render_shape(self, values: dict[str, Any]) -> dict[str, Any]:
        assignment = values["assignment"]
        stand_ins = {
            "unit": SimpleNamespace(name=NAME),
            "assignment": SimpleNamespace(role=assignment.role, ack_due=assignment.ack_due,
                                          report_due=assignment.report_due),
            "link": LINK,
            "report_link": None if values["report_link"] is None else REPORT,
        }  # fmt: skip
        return outbox_row("", "notice", ("", ""), "notice", utcnow(), **{**values, **stand_ins})


def _fill(text: str, fills: dict[str, str]) -> str:
    for marker, value in fills.items():
        text = text.replace(marker, value)
    return text
