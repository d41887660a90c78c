"""Adding accounts, logging in and changing a password: small keyword-only functions that take the session."""

from __future__ import annotations

from sqlmodel import Session, select

from cascade.accounts.passwords import check_new_password, hash_password, needs_rehash, verify_password
from cascade.accounts.secrets_store import close_all_sessions
from cascade.core.errors import InputError, Problem
from models import AuditEvent, Unit, User, UserRole, record_audit
from models.types import utcnow


def normal_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normal_email(email))).first()


def add_user(
    session: Session,
    *,
    email: str,
    role: UserRole,
    password: str,
    unit_code: str | None = None,
    name: str = "",
    actor: str = "system",
) -> User:
    """A new account of `unit_code` (none for an operator) whose password must be changed at its first login."""
    email = normal_email(email)
    problems: list[Problem] = []
    if "@" not in email or len(email) > 320 or any(c.isspace() for c in email):
        problems.append(Problem("email", f"{email!r} is not an email address"))
    elif find_user(session, email) is not None:
        problems.append(Problem("email", f"an account {email} already exists"))
    unit: Unit | None = None
    if role is UserRole.operator:
        if unit_code:
            problems.append(Problem("unit", "an operator belongs to no unit: leave --unit out"))
    elif not unit_code:
        problems.append(Problem("unit", f"a {role.value} belongs to a unit: give its code"))
    else:
        unit = session.exec(select(Unit).where(Unit.code == unit_code)).first()
        if unit is None:
            problems.append(Problem("unit", f"no unit has the code {unit_code!r}"))
        elif not unit.active:
            problems.append(Problem("unit", f"the unit {unit_code} is dissolved"))
    try:
        check_new_password(password, email=email)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    user = User(
        email=email,
        name=name.strip()[:200],
        role=role,
        unit_id=unit.id if unit else None,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    record_audit(
        session, AuditEvent.account_created, actor=actor, unit=unit, detail={"email": email, "role": role.value}
    )
    return user


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The active account with this address and password, else None (a missing account costs the same time)."""
    user = find_user(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def change_password(session: Session, *, user: User, current: str, new: str) -> None:
    """Set a new password (the current one proven); every other session of the account ends."""
    if not verify_password(user.password_hash, current):
        raise InputError([Problem("current_password", "the current password is wrong")])
    if new == current:
        raise InputError([Problem("new_password", "the new password must differ from the current one")])
    check_new_password(new, email=user.email, where="new_password")
    set_password(session, user=user, password=new, must_change=False)
    close_all_sessions(session, user=user)
    record_audit(session, AuditEvent.password_changed, actor=user.email, detail={"email": user.email})


def set_password(session: Session, *, user: User, password: str, must_change: bool) -> None:
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    user.password_changed_at = utcnow()
    session.add(user)
