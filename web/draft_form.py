"""The draft page's one form, read back: the corrected fields of the directive file, and the button pressed.

Every button of the page submits the whole form (a search result's "Thêm", a recipient's "Bỏ", a suggestion, a
whole level, "Lưu"), so a correction typed in a field is never lost by clicking another button, with or without
JavaScript. The button's value says what to do besides saving: `remove:CODE`, `add:CODE`, `use:CODE[:OLD]` (a
suggested unit instead of an unknown one), `group:DEPTH:KIND` (every unit of a kind at a depth under the issuer)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session
from starlette.datastructures import FormData

from cascade.org.unit_search import group_members
from models import Role

ROLES = {r.value for r in Role}
# Fields of the directive file the form edits, as the form names them (signer_* go into `signer`).
TEXT_FIELDS = ("number", "type", "place", "summary", "basis", "basis_issuer", "report_to")
DATE_FIELDS = ("issued_on", "report_due", "basis_issued_on")
SIGNER_FIELDS = ("on_behalf", "title", "name")
CHOICE_FIELDS = {"cascade_mode": ("forward", "author"), "urgency": ("normal", "khan", "thuong_khan", "hoa_toc")}
MAX_TEXT = 20_000


@dataclass
class DraftForm:
    fields: dict[str, Any]
    action: str = "save"
    add_role: str = Role.act.value
    errors: list[str] = field(default_factory=list)


def _text(form: FormData, name: str, limit: int = 2000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _texts(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str)]


def read_form(form: FormData) -> DraftForm:
    """The fields as the clerk left them; an empty text field is left out of the directive file (None)."""
    fields: dict[str, Any] = {}
    for name in TEXT_FIELDS + DATE_FIELDS:
        if name in form:
            fields[name] = _text(form, name) or None
    if "body" in form:
        fields["body"] = _text(form, "body", MAX_TEXT)
    for name, allowed in CHOICE_FIELDS.items():
        if _text(form, name) in allowed:
            fields[name] = _text(form, name)
    if any(f"signer_{name}" in form for name in SIGNER_FIELDS):
        signer = {name: _text(form, f"signer_{name}") for name in SIGNER_FIELDS}
        fields["signer"] = {k: v for k, v in signer.items() if v}
    codes, roles = _texts(form, "r_unit"), _texts(form, "r_role")
    if codes:
        fields["recipients"] = [
            {"unit": code, "role": role if role in ROLES else Role.act.value}
            for code, role in zip(codes, roles + [Role.act.value] * len(codes), strict=False)
            if code
        ]
    if "t_text" in form:
        fields["tasks"] = _tasks(_texts(form, "t_text"), _texts(form, "t_meta"))
    add_role = _text(form, "add_role")
    return DraftForm(fields, _text(form, "action") or "save", add_role if add_role in ROLES else Role.act.value)


def _tasks(texts: list[str], metas: list[str]) -> list[dict[str, Any]]:
    """Each task's text as corrected, with whom it goes to kept from the page (a task left empty is dropped)."""
    tasks = []
    for text, meta in zip(texts, metas, strict=False):
        try:
            kept = json.loads(meta)
        except ValueError:
            kept = {}
        if text and isinstance(kept, dict):
            tasks.append({**{k: v for k, v in kept.items() if k in ("to", "to_kinds")}, "text": text[:MAX_TEXT]})
    return tasks


def task_meta(task: dict[str, Any]) -> str:
    """The hidden field that carries a task's addressees through the form."""
    return json.dumps({k: task[k] for k in ("to", "to_kinds") if k in task}, ensure_ascii=False)


def recipients_of(fields: dict[str, Any], current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(fields.get("recipients", current))


def add_recipients(fields: dict[str, Any], current: list[dict[str, Any]], codes: list[str], role: str) -> int:
    """Append the units not listed yet; how many were new."""
    listed = recipients_of(fields, current)
    seen = {r["unit"] for r in listed}
    new = [{"unit": code, "role": role} for code in dict.fromkeys(codes) if code not in seen]
    fields["recipients"] = listed + new
    return len(new)


def remove_recipient(fields: dict[str, Any], current: list[dict[str, Any]], code: str) -> None:
    """Drop a unit from the recipients, and from the tasks given to it (a task given to nobody else goes)."""
    fields["recipients"] = [r for r in recipients_of(fields, current) if r["unit"] != code]
    if "tasks" in fields:
        kept = []
        for task in fields["tasks"]:
            to = [c for c in task.get("to", []) if c != code]
            if to or task.get("to_kinds"):
                kept.append({**task, "to": to} if "to" in task else task)
        fields["tasks"] = kept


def apply_action(
    session: Session, issuer_id: int | None, action: str, fields: dict[str, Any], current: list[dict[str, Any]],
    role: str,
) -> None:  # fmt: skip
    """The pressed button's change to the recipients (`current`: as the draft lists them before this form)."""
    verb, _, rest = action.partition(":")
    if verb == "remove" and rest:
        remove_recipient(fields, current, rest)
    elif verb == "add" and rest:
        add_recipients(fields, current, [rest], role)
    elif verb == "use" and rest:  # a suggestion: the unit named instead of an unknown one (its role kept)
        code, _, unknown = rest.partition(":")
        listed = {r["unit"]: r["role"] for r in fields.get("recipients", current)}
        if unknown:
            remove_recipient(fields, current, unknown)
        add_recipients(fields, current, [code], listed.get(unknown, role))
    elif verb == "group" and rest and issuer_id is not None:
        depth, _, kind = rest.partition(":")
        if depth.isdigit():
            add_recipients(fields, current, group_members(session, issuer_id, int(depth), kind), role)
