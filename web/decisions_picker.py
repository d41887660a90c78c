"""The unit picker of the decision pages: a GET form `?q=` searching units by name (without diacritics too),
server-side, no JavaScript needed; each match comes with why it cannot be picked, if it cannot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import HTTPException
from sqlmodel import Session

from cascade.accounts.scope import Scope, unit_in_scope
from cascade.accounts.unit_search import find_units, unit_for_pick
from models import Unit


def picks(session: Session, scope: Scope, q: str, blocked: Mapping[int, str] | None = None) -> list[dict[str, Any]]:
    """The units matching `q` the person may pick, each {"unit": UnitMatch, "blocked": reason or None};
    `blocked` gives, by unit id, why a match cannot be picked here (a text to translate)."""
    blocked = blocked or {}
    return [{"unit": m, "blocked": blocked.get(m.id)} for m in find_units(session, scope, q)] if q.strip() else []


def picked_unit(session: Session, scope: Scope, code: str) -> Unit:
    """The unit a form picked, or 404 as if it did not exist when it is out of the person's scope."""
    unit = unit_for_pick(session, scope, code)
    if unit is None:
        raise HTTPException(404, "Không tìm thấy đơn vị")
    return unit


def unit_or_404(session: Session, scope: Scope, unit: Unit | None) -> Unit:
    """A unit the page is about, in the person's scope, or 404 (never 403: nothing leaks of other subtrees)."""
    if unit is None or unit.id is None or not unit_in_scope(session, scope, unit.id):
        raise HTTPException(404, "Không tìm thấy đơn vị")
    return unit


def notice(text: str, ok: bool = True, **params: Any) -> dict[str, Any]:
    """A message at the top of a page: a Vietnamese source text with placeholders, translated by the template."""
    return {"text": text, "ok": ok, "params": params}
