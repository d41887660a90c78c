"""Console accounts for tests: made through the same functions `cascade user add` uses, not rows by hand."""

from __future__ import annotations

import re

import httpx

from cascade.accounts.secrets_store import issue_api_token
from cascade.accounts.users import add_user, find_user
from cascade.core.db import session_scope
from models import UserRole

PASSWORD = "correct horse battery"


def add_account(
    email: str, role: UserRole | str, unit_code: str | None = None, *, password: str = PASSWORD, changed: bool = True
) -> str:
    """An account (its initial password already changed unless `changed=False`); returns a personal API token."""
    with session_scope() as session:
        user = add_user(session, email=email, role=UserRole(role), unit_code=unit_code, password=password)
        user.must_change_password = not changed
        session.add(user)
        return issue_api_token(session, user=user, label="tests")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def operator_token(email: str = "operator@example.test") -> str:
    """The whole tree's account (made once per database)."""
    with session_scope() as session:
        user = find_user(session, email)
        if user is not None:
            return issue_api_token(session, user=user, label="tests")
    return add_account(email, UserRole.operator)


def log_in(client: httpx.Client, email: str, password: str = PASSWORD, next_path: str = "/admin") -> httpx.Response:
    """Log in through the login form as a browser does (its CSRF field read from the page)."""
    form = client.get(f"/admin/login?next={next_path}")
    field = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert field, form.text[:500]
    return client.post(
        "/admin/login", data={"email": email, "password": password, "next": next_path, "csrf_token": field[1]}
    )
