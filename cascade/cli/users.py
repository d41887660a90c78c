"""`cascade user add|token|list|password`: console accounts from the command line (the first admin of a unit,
personal API tokens, a password reset). A password comes from a file (or stdin with `-`), never the command line,
where other users of the machine and the shell's history would see it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cascade.cli.common import console, err, fail
from cascade.core.errors import InputError, Problem

if TYPE_CHECKING:
    from models import User

user_app = typer.Typer(
    help="Console accounts: add one, make an API token, list, reset a password.", no_args_is_help=True
)

Email = Annotated[str, typer.Option("--email", help="The account's email address (its login)")]
PasswordFile = Annotated[
    str,
    typer.Option("--password-file", help="A file holding the password (its trailing newline dropped); - reads stdin"),
]
ROLES = ("admin", "supervisor", "operator")


def read_password(source: str) -> str:
    """The password in `source` (a path, or - for stdin), without its trailing newline."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError([Problem("--password-file", f"cannot read {source}: {reason}")]) from None
    return text.removesuffix("\n").removesuffix("\r")


# The accounts package names a problem by its field; the command line by the option a person typed.
OPTIONS = {"email": "--email", "unit": "--unit", "password": "--password-file", "role": "--role"}


def _stop(exc: InputError) -> typer.Exit:
    return fail(InputError([Problem(OPTIONS.get(p.file, p.file), p.message) for p in exc.problems]))


@user_app.command("add")
def user_add(
    email: Email,
    role: Annotated[str, typer.Option("--role", help="admin (launches as its unit), supervisor (reads), operator")],
    password_file: PasswordFile,
    unit: Annotated[str | None, typer.Option("--unit", help="The unit's code (none for an operator)")] = None,
    name: Annotated[str, typer.Option("--name", help="The person's name")] = "",
) -> None:
    """Add an account of a unit; its initial password must be changed at the first login."""
    from cascade.accounts.users import add_user
    from cascade.core.db import session_scope
    from models import UserRole
    from models.schema import init_db

    try:
        if role not in ROLES:
            raise InputError([Problem("--role", f"{role!r} is not one of {', '.join(ROLES)}")])
        password = read_password(password_file)
        init_db()
        with session_scope() as session:
            user = add_user(
                session, email=email, role=UserRole(role), password=password, unit_code=unit, name=name,
                actor="cascade user add",
            )  # fmt: skip
            address, where = user.email, f"of {unit}" if unit else "(the whole tree)"
    except InputError as exc:
        raise _stop(exc) from None
    console.print(
        f"Added the {role} account {address} {where}; its password must be changed at the first login.", soft_wrap=True
    )


@user_app.command("token")
def user_token(
    email: Email,
    label: Annotated[str, typer.Option("--label", help="What the token is for")] = "",
) -> None:
    """Print a new personal API token of the account (shown once: the database keeps only its hash)."""
    from cascade.accounts.management import make_api_token
    from cascade.accounts.users import find_user
    from cascade.core.db import session_scope
    from models.schema import init_db

    init_db()
    try:
        with session_scope() as session:
            user = find_user(session, email)
            if user is None or not user.active:
                raise InputError([Problem("--email", f"no active account has the address {email!r}")])
            token = make_api_token(session, user=user, label=label, actor="cascade user token")
            address = user.email
    except InputError as exc:
        raise _stop(exc) from None
    err.print(
        f"A new API token of {address} (send it as `Authorization: Bearer …`; it is not shown again):", soft_wrap=True
    )
    print(token)  # alone on stdout, so that `cascade user token … > file` keeps just the token


@user_app.command("list")
def user_list(
    unit: Annotated[
        str | None, typer.Option("--unit", help="Only the accounts of this unit and the units below")
    ] = None,
) -> None:
    """List the accounts (of one unit's subtree with --unit)."""
    from sqlmodel import select

    from cascade.accounts.management import accounts_under
    from cascade.core.db import session_scope
    from models import Unit
    from models.schema import init_db

    init_db()
    try:
        with session_scope() as session:
            top = session.exec(select(Unit).where(Unit.code == unit)).first() if unit else None
            if unit and top is None:
                raise InputError([Problem("--unit", f"no unit has the code {unit!r}")])
            found = accounts_under(session, top.id if top else None)
            rows = [
                (u.email, u.role.value, found_unit.code if found_unit else "", u.name, _state(u))
                for u, found_unit in found
            ]
    except InputError as exc:
        raise _stop(exc) from None
    table = Table("email", "role", "unit", "name", "state")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print(f"{len(rows)} account(s).")


def _state(user: User) -> str:
    if not user.active:
        return "disabled"
    return "must change password" if user.must_change_password else "active"


@user_app.command("password")
def user_password(email: Email, password_file: PasswordFile) -> None:
    """Reset an account's password (an operator's act): its sessions end, and it must be changed at the next login."""
    from cascade.accounts.management import reset_password
    from cascade.accounts.users import find_user
    from cascade.core.db import session_scope
    from models.schema import init_db

    try:
        password = read_password(password_file)
        init_db()
        with session_scope() as session:
            user = find_user(session, email)
            if user is None:
                raise InputError([Problem("--email", f"no account has the address {email!r}")])
            reset_password(session, user=user, password=password, actor="cascade user password")
            address = user.email
    except InputError as exc:
        raise _stop(exc) from None
    console.print(
        f"Password of {address} reset; its sessions are closed and it must be changed at the next login.",
        soft_wrap=True,
    )
