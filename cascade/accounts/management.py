"""What is done to accounts besides logging in, each with its audit entry: a personal API token made, a password
reset by an operator, the accounts of a subtree listed. The web pages and `cascade user` share these."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from cascade.accounts.passwords import check_new_password
from cascade.accounts.scope import Scope, subtree_ids
from cascade.accounts.secrets_store import close_all_sessions, issue_api_token
from cascade.accounts.users import set_password
from models import ApiToken, AuditEvent, Unit, User, record_audit


def make_api_token(session: Session, *, user: User, label: str, actor: str) -> str:
    """A new personal token (returned once, stored as its hash), recorded in the audit trail without it."""
    token = issue_api_token(session, user=user, label=label.strip())
    unit = session.get(Unit, user.unit_id) if user.unit_id is not None else None
    record_audit(
        session, AuditEvent.api_token_created, actor=actor, unit=unit, detail={"email": user.email, "label": label}
    )
    return token


def reset_password(session: Session, *, user: User, password: str, actor: str) -> None:
    """An operator sets a new initial password: every session ends, and it must be changed at the next login."""
    check_new_password(password, email=user.email)
    set_password(session, user=user, password=password, must_change=True)
    close_all_sessions(session, user=user)
    unit = session.get(Unit, user.unit_id) if user.unit_id is not None else None
    record_audit(
        session, AuditEvent.password_changed, actor=actor, unit=unit, detail={"email": user.email, "reset": True}
    )


def accounts_under(session: Session, unit_id: int | None) -> Sequence[tuple[User, Unit | None]]:
    """The accounts of a unit's subtree (None: every account, operators too), by unit code, then address."""
    statement = (
        select(User, Unit)
        .outerjoin(Unit, col(Unit.id) == col(User.unit_id))
        .order_by(col(Unit.code).is_not(None), col(Unit.code), col(User.email))
    )
    if unit_id is not None:
        tree = subtree_ids(unit_id)
        statement = statement.where(col(User.unit_id).in_(select(tree.c.id)))
    return session.exec(statement).all()


def accounts_in(session: Session, scope: Scope) -> Sequence[tuple[User, Unit | None]]:
    """The accounts a person may see: their unit's subtree's (an operator: every account)."""
    return accounts_under(session, None if scope.everything else scope.unit_id)


def tokens_of(session: Session, user_id: int) -> Sequence[ApiToken]:
    return session.exec(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.created_at).desc())
    ).all()
