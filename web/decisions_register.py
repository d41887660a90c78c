"""A unit's register of outgoing documents (sổ đăng ký văn bản đi) in the console: where its numbering stands this
year, and the administrator saying which number its next document gets, as `cascade register set` does from
the shell (cascade/documents/register.py), audited with the person as actor.

The register shown is the person's own unit's; `?unit=CODE` shows another unit of their subtree (an operator,
who belongs to no unit, picks one by name)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, select

from cascade.accounts.scope import Scope
from cascade.core.workdays import local_date
from cascade.directives.numbers import CONG_VAN, document_number
from cascade.documents.register import register_state, set_register
from models import Unit, utcnow
from web.auth import CurrentUser, Launcher
from web.common import app_engine, page
from web.csrf import verify_csrf
from web.decisions_picker import notice, picks, unit_or_404

router = APIRouter()
Code = Annotated[str, Query(max_length=64)]
MAX_NUMBER = 1_000_000  # no unit issues a million documents a year


@router.get("/admin/register", response_class=HTMLResponse)
def register_page(
    request: Request, scope: CurrentUser, unit: Code = "", q: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    with Session(app_engine(request)) as session:
        return _page(session, scope, _unit(session, scope, unit), q=q)


@router.post("/admin/register", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def register_post(
    request: Request,
    scope: Launcher,
    next_number: Annotated[int, Form(ge=1, lt=MAX_NUMBER)],
    year: Annotated[int, Form(ge=1900, le=2999)],
    unit: Annotated[str, Form(max_length=64)] = "",
) -> HTMLResponse:
    with Session(app_engine(request), expire_on_commit=False) as session:
        found = _unit(session, scope, unit)
        if found is None:
            return _page(session, scope, None)
        before = register_state(session, found, year)
        if next_number <= before.highest_used:
            told = notice(
                "Không đặt được số {number}: năm {year} đơn vị đã dùng đến số {used}. Số tiếp theo phải từ {least} "
                "trở lên.",
                ok=False, number=next_number, year=year, used=before.highest_used, least=before.highest_used + 1,
            )  # fmt: skip
            return _page(session, scope, found, year=year, told=told, status=422)
        if before.stored == next_number:
            told = notice("Sổ đã ở số {number}. Không làm gì thêm.", number=next_number)
            return _page(session, scope, found, year=year, told=told)
        set_register(session, found, year, next_number, actor=scope.actor)
        session.commit()
        told = notice(
            "Đã đặt: văn bản tiếp theo của {unit} năm {year} mang số {number} (công văn: {written}).",
            unit=found.name, year=year, number=next_number, written=_written(found, next_number),
        )  # fmt: skip
        return _page(session, scope, found, year=year, told=told)


def _unit(session: Session, scope: Scope, code: str) -> Unit | None:
    """The unit named by `code` (in scope, else 404), else the person's own, else None (an operator picks)."""
    if code:
        return unit_or_404(session, scope, session.exec(select(Unit).where(Unit.code == code)).first())
    return session.get(Unit, scope.unit_id) if scope.unit_id is not None else None


def _written(unit: Unit, sequence: int) -> str:
    return document_number(sequence, CONG_VAN, unit.number_symbol, party=unit.numbers_party_style)


def _page(
    session: Session,
    scope: Scope,
    unit: Unit | None,
    *,
    year: int | None = None,
    q: str = "",
    told: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    year = year or local_date(utcnow()).year
    state = register_state(session, unit, year) if unit is not None else None
    return page(
        "web/admin/register.html",
        status_code=status,
        title="Sổ đăng ký văn bản đi",
        me=scope,
        unit=unit,
        own=unit is not None and unit.id == scope.unit_id,
        year=year,
        state=state,
        written=_written(unit, state.next_number) if unit is not None and state is not None else "",
        q=q,
        matches=picks(session, scope, q) if unit is None or q else [],
        notice=told,
    )
