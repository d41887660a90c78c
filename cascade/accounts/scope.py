"""What a signed-in person may see: their unit's subtree (an operator: everything).

A unit is in scope when the person's unit is the unit itself or one of its ancestors; a directive when its
issuer is. Everything out of scope is answered as if it did not exist (404), never as forbidden: a district
learns nothing of its sibling's work by probing ids."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import CTE, Select, literal, select
from sqlmodel import Session, col

from models import Directive, Unit, User, UserRole

# No real tree is deeper; a cycle in bad data cannot loop for ever.
MAX_DEPTH = 64


@dataclass(frozen=True)
class Scope:
    """The signed-in person, as every page, export and API answer filters by it."""

    user_id: int
    email: str
    name: str
    role: UserRole
    unit_id: int | None  # None: the whole tree (an operator)
    unit_code: str | None
    unit_name: str | None
    must_change_password: bool

    @property
    def everything(self) -> bool:
        return self.role is UserRole.operator

    @property
    def can_launch(self) -> bool:
        """Admins launch as their own unit; an operator as any unit."""
        return self.role in (UserRole.admin, UserRole.operator)

    @property
    def actor(self) -> str:
        """How the audit trail names the person."""
        return self.email


def scope_of(session: Session, user: User) -> Scope:
    unit = session.get(Unit, user.unit_id) if user.unit_id is not None else None
    assert user.id is not None
    return Scope(
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        unit_id=None if user.role is UserRole.operator else user.unit_id,
        unit_code=unit.code if unit else None,
        unit_name=unit.name if unit else None,
        must_change_password=user.must_change_password,
    )


def subtree_ids(unit_id: int) -> CTE:
    """A recursive CTE (one column, `id`) of the unit and every unit below it, dissolved ones included."""
    unit = Unit.__table__  # type: ignore[attr-defined]
    top = (
        select(unit.c.id.label("id"), literal(0).label("depth"))
        .where(unit.c.id == unit_id)
        .cte("subtree", recursive=True)
    )
    below = select(unit.c.id, top.c.depth + 1).join(top, unit.c.parent_id == top.c.id).where(top.c.depth < MAX_DEPTH)
    return top.union_all(below)


def in_scope_filter(scope: Scope, column: object) -> object | None:
    """A WHERE clause keeping rows whose unit id `column` is in scope, or None when everything is."""
    if scope.everything:
        return None
    if scope.unit_id is None:  # a person of no unit who is not an operator sees nothing (fail closed)
        return col(column).in_([])  # type: ignore[arg-type]
    tree = subtree_ids(scope.unit_id)
    return col(column).in_(select(tree.c.id))  # type: ignore[arg-type]


def scoped(statement: Select, scope: Scope, column: object) -> Select:  # type: ignore[type-arg]
    """`statement` keeping only rows whose unit id `column` is in scope."""
    clause = in_scope_filter(scope, column)
    return statement if clause is None else statement.where(clause)  # type: ignore[arg-type]


def unit_in_scope(session: Session, scope: Scope, unit_id: int | None) -> bool:
    """True when the unit is the person's unit or below it (walks up the parents: a few rows)."""
    if unit_id is None:
        return False
    if scope.everything:
        return True
    seen = 0
    current: int | None = unit_id
    while current is not None and seen <= MAX_DEPTH:
        if current == scope.unit_id:
            return True
        current = session.execute(select(col(Unit.parent_id)).where(col(Unit.id) == current)).scalar()
        seen += 1
    return False


def directive_in_scope(session: Session, scope: Scope, directive: Directive) -> bool:
    """A directive is seen by its issuer's subtree's ancestors: the issuer's own people and those above them."""
    return unit_in_scope(session, scope, directive.issuer_id)
