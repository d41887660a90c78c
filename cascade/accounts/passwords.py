"""Passwords hashed with argon2id (argon2-cffi's defaults, RFC 9106's second recommended profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cascade.core.errors import InputError, Problem

MIN_LENGTH = 10
_hasher = PasswordHasher()
# Verified against when the account does not exist, so a wrong address takes as long as a wrong password.
_DUMMY = _hasher.hash("directive-cascade: no such account")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's (it is redone at the next login)."""
    return _hasher.check_needs_rehash(password_hash)


def check_new_password(password: str, *, email: str, where: str = "password") -> None:
    """Refuse a password too short, or one that is the account's own address."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(Problem(where, f"the password must have at least {MIN_LENGTH} characters"))
    if password.strip().lower() == email.strip().lower():
        problems.append(Problem(where, "the password must not be the account's email address"))
    if problems:
        raise InputError(problems)
