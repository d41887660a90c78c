"""Accounts of the console: people who belong to a unit with a role, their login sessions and API tokens.

A secret (a session cookie, an API token) is stored only as its SHA-256: a copy of the database lets no one in."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from models.types import StrEnumType, UTCDateTime, utcnow


class UserRole(StrEnum):
    """What a person may do in the console, always within their unit's subtree (an operator: the whole tree)."""

    admin = "admin"  # launches directives as its unit, manages its unit's users and register, sees its subtree
    supervisor = "supervisor"  # reads its subtree
    operator = "operator"  # runs the system: every unit, every directive, every account


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)  # stored lower case
    name: str = Field(default="", max_length=200)
    # The unit the person works for; None only for an operator.
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    role: UserRole = Field(sa_type=StrEnumType(UserRole, 20))
    password_hash: str = Field(max_length=300)  # argon2id, in its PHC string form
    # An initial password (set by someone else) must be changed at the first login.
    must_change_password: bool = True
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    password_changed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class LoginSession(SQLModel, table=True):
    """A browser's login: the cookie holds a random secret, this row its hash; logout revokes the row."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    secret_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class ApiToken(SQLModel, table=True):
    """A personal token for the HTTP API (`Authorization: Bearer …`), shown once when made."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    secret_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    label: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
