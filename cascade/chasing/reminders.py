"""Renders a unit's reminder into its outbox row, each form rendered once per run (cascade.chasing.digests has
the supervisors' digests and the officers' escalations)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from jinja2 import UndefinedError
from markupsafe import escape

from cascade.chasing.steps import Item, Taken
from cascade.rendering.render import outbox_row, owed_words, render
from models import MailStatus


def what(item: Item) -> str:
    if item.is_ack:
        return owed_words("ack")
    if item.item == "pass" and item.assignment.mode == "forward":  # held: no signer on record
        return "ghi số và người ký công văn triển khai tới các đơn vị trực thuộc (công văn chưa có người ký)"
    return owed_words(item.item)


def reminder_row(t: Taken, link: str, now: datetime) -> dict[str, Any]:
    item = t.item
    return outbox_row(
        reminder_key(t),
        "reminder",
        (item.unit.name, item.unit.email),
        "reminder",
        now,
        directive_id=item.directive.id,
        assignment_id=item.assignment.id,
        **_reminder_values(t, link, item.unit),
    )


def reminder_key(t: Taken) -> str:
    return f"remind:{t.item.assignment.id}:{t.item.item}:{t.step}"


def _reminder_values(t: Taken, link: str, unit: Any) -> dict[str, Any]:
    """What the reminder templates are rendered with."""
    item = t.item
    return {"step": t.step, "unit": unit, "directive": item.directive, "what": what(item), "due": item.due,
            "supervisor": t.supervisor, "link": link}  # fmt: skip


# A unit's name and link in a reminder rendered once per directive, step, item and deadline, then filled in per
# unit: three templates rendered for each of 100,000 reminders were half of a national due day's work.
_NAME, _LINK = "\x00unit-name\x00", "\x00unit-link\x00"


class ReminderRows:
    """The reminders of a run as reminder_row makes them, each form rendered once with stand-ins for the unit's
    name and link (the only things of the unit the templates show); a form that shows anything else of the
    unit, or changes the stand-ins, is not used: those reminders are rendered whole."""

    def __init__(self) -> None:
        self._forms: dict[tuple[Any, ...], tuple[str, str, str] | None] = {}

    def row(self, t: Taken, link: str, now: datetime) -> dict[str, Any]:
        item = t.item
        key = (item.directive.id, t.step, what(item), item.due, t.supervisor.id if t.supervisor else None)
        if key not in self._forms:
            self._forms[key] = self._form(t)
        form = self._forms[key]
        if form is None:
            return reminder_row(t, link, now)
        subject, text, html = form
        name, escaped = item.unit.name, (str(escape(item.unit.name)), str(escape(link)))
        return {  # outbox_row's columns
            "key": reminder_key(t),
            "kind": "reminder",
            "directive_id": item.directive.id,
            "assignment_id": item.assignment.id,
            "to_addr": item.unit.email,
            "to_name": name,
            "subject": " ".join(subject.replace(_NAME, name).replace(_LINK, link).split()),
            "body_text": text.replace(_NAME, name).replace(_LINK, link),
            "body_html": html.replace(_NAME, escaped[0]).replace(_LINK, escaped[1]),
            "status": MailStatus.pending,
            "attempts": 0,
            "created_at": now,
        }

    def _form(self, t: Taken) -> tuple[str, str, str] | None:
        values = _reminder_values(t, _LINK, SimpleNamespace(name=_NAME))
        try:
            form = tuple(render(f"email/reminder{suffix}", **values) for suffix in ("_subject.txt", ".txt", ".html"))
        except (UndefinedError, AttributeError):
            return None  # the templates read more of the unit than its name
        if any(text.replace(_NAME, "").replace(_LINK, "").count("\x00") for text in form):
            return None  # a filter changed a stand-in
        return form[0], form[1], form[2]
