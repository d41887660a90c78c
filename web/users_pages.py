"""A unit's accounts page (/admin/users: its admin sees and adds the accounts of its subtree; an operator, every
account) and everyone's API tokens page (/admin/tokens: a personal token made and shown once)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from cascade.accounts.management import accounts_in, make_api_token, tokens_of
from cascade.accounts.passwords import MIN_LENGTH
from cascade.accounts.scope import Scope, subtree_ids, unit_in_scope
from cascade.accounts.users import add_user, find_user, normal_email
from cascade.core.errors import InputError
from models import ApiToken, Unit, User, UserRole, utcnow
from web.auth import CurrentUser, Launcher
from web.common import app_engine, page
from web.csrf import verify_csrf

router = APIRouter(prefix="/admin")
PICK_LIMIT = 500  # above it the unit is typed (its code), with the nearest levels offered as suggestions
ROLES = (UserRole.admin, UserRole.supervisor)


def pickable_units(session: Session, scope: Scope, limit: int = PICK_LIMIT + 1) -> list[Unit]:
    """Active units an account may be added to: the person's subtree, nearest levels first (an operator: all)."""
    if scope.everything or scope.unit_id is None:
        statement = select(Unit).where(col(Unit.active).is_(True)).order_by(col(Unit.code)).limit(limit)
        return list(session.exec(statement).all())
    tree = subtree_ids(scope.unit_id)
    rows = session.execute(
        sql_select(Unit)
        .join(tree, tree.c.id == col(Unit.id))
        .where(col(Unit.active).is_(True))
        .order_by(tree.c.depth, col(Unit.name))
        .limit(limit)
    ).scalars()
    return list(rows)


def _users_page(session: Session, scope: Scope, *, status_code: int = 200, **extra: Any) -> HTMLResponse:
    units = pickable_units(session, scope)
    context: dict[str, Any] = {"errors": [], "form": {}, "created": None} | extra
    return page(
        "web/admin/users.html",
        status_code=status_code,
        title="Tài khoản",
        me=scope,
        accounts=[{"user": u, "unit": unit} for u, unit in accounts_in(session, scope)],
        units=units[:PICK_LIMIT],
        typed_unit=len(units) > PICK_LIMIT,
        roles=ROLES,
        min_length=MIN_LENGTH,
        **context,
    )


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, scope: Launcher) -> HTMLResponse:
    with Session(app_engine(request)) as session:
        return _users_page(session, scope)


def _problems(session: Session, scope: Scope, form: dict[str, str]) -> tuple[list[str], Unit | None]:
    """What is wrong with the new account, in words (add_user checks the same again)."""
    problems: list[str] = []
    email = normal_email(form["email"])
    if "@" not in email or any(ch.isspace() for ch in email) or len(email) > 320:
        problems.append("Địa chỉ email không hợp lệ.")
    elif find_user(session, email) is not None:
        problems.append(f"Đã có tài khoản {email}.")
    if form["role"] not in {r.value for r in ROLES}:
        problems.append("Vui lòng chọn vai trò.")
    unit = session.exec(select(Unit).where(Unit.code == form["unit"].strip())).first()
    # Out of scope reads as unknown: a unit's admin learns nothing of another subtree by trying codes.
    if unit is None or not unit.active or not unit_in_scope(session, scope, unit.id):
        unit = None
        problems.append("Đơn vị không có trong phạm vi quản lý của tài khoản.")
    if len(form["password"]) < MIN_LENGTH:
        problems.append(f"Mật khẩu ban đầu phải có ít nhất {MIN_LENGTH} ký tự.")
    elif form["password"].strip().lower() == email:
        problems.append("Mật khẩu ban đầu không được trùng với địa chỉ email.")
    return problems, unit


@router.post("/users", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def add_account(
    request: Request,
    scope: Launcher,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    unit: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> HTMLResponse:
    """A new account of a unit in the person's subtree, whose initial password must be changed at first login."""
    form = {"email": email, "name": name, "role": role, "unit": unit, "password": password}
    with Session(app_engine(request)) as session:
        problems, found = _problems(session, scope, form)
        if problems or found is None:
            shown = {k: v for k, v in form.items() if k != "password"}
            return _users_page(session, scope, status_code=422, errors=problems, form=shown)
        try:
            user = add_user(
                session, email=email, role=UserRole(role), password=password, unit_code=found.code, name=name,
                actor=scope.actor,
            )  # fmt: skip
        except InputError as exc:  # a race with another admin adding the same address
            session.rollback()
            return _users_page(session, scope, status_code=422, errors=[str(p) for p in exc.problems], form={})
        session.commit()
        return _users_page(session, scope, created={"email": user.email, "unit": found.name})


def _tokens_page(session: Session, scope: Scope, token: str | None = None, label: str = "") -> HTMLResponse:
    return page(
        "web/admin/tokens.html", title="Mã truy cập API", me=scope, tokens=tokens_of(session, scope.user_id),
        token=token, label=label,
    )  # fmt: skip


@router.get("/tokens", response_class=HTMLResponse)
def tokens(request: Request, scope: CurrentUser) -> HTMLResponse:
    with Session(app_engine(request)) as session:
        return _tokens_page(session, scope)


@router.post("/tokens", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def new_token(request: Request, scope: CurrentUser, label: Annotated[str, Form(max_length=200)] = "") -> HTMLResponse:
    """A personal token, shown on this one answer only (the database keeps its hash; the page is not cached)."""
    with Session(app_engine(request)) as session:
        user = session.get(User, scope.user_id)
        assert user is not None
        token = make_api_token(session, user=user, label=label, actor=scope.actor)
        session.commit()
        return _tokens_page(session, scope, token=token, label=label.strip())


@router.post("/tokens/{token_id}/revoke", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def revoke_token(token_id: int, request: Request, scope: CurrentUser) -> HTMLResponse:
    """A token of one's own stops opening anything (someone else's is not found)."""
    with Session(app_engine(request)) as session:
        row = session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
        if row is None or row.user_id != scope.user_id:
            raise HTTPException(404, "Không tìm thấy mã truy cập")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            session.add(row)
            session.commit()
        return _tokens_page(session, scope)
