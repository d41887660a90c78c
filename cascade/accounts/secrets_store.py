"""Random secrets given to a client (a login session's cookie, an API token) and kept only as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from models import ApiToken, LoginSession, User
from models.types import utcnow

TOKEN_PREFIX = "dc_"  # an API token reads as one in a log or a secret scanner


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(session: Session, *, user: User, hours: float) -> str:
    """A new login session for `user`; returns the cookie's secret."""
    assert user.id is not None
    secret = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(hours=hours)
    session.add(LoginSession(secret_hash=secret_hash(secret), user_id=user.id, expires_at=expires))
    session.flush()
    return secret


def session_user(session: Session, secret: str, *, now: datetime | None = None) -> User | None:
    """The active user whose unexpired, unrevoked session this secret opens."""
    now = now or utcnow()
    row = session.exec(
        select(User)
        .join(LoginSession, col(LoginSession.user_id) == col(User.id))
        .where(
            LoginSession.secret_hash == secret_hash(secret),
            col(LoginSession.revoked_at).is_(None),
            col(LoginSession.expires_at) > now,
            col(User.active).is_(True),
        )
    ).first()
    return row


def close_session(session: Session, secret: str) -> None:
    """Logout: the session's row is revoked, so a copied cookie opens nothing afterwards."""
    row = session.exec(select(LoginSession).where(LoginSession.secret_hash == secret_hash(secret))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)


def close_all_sessions(session: Session, *, user: User) -> None:
    """Every session of `user` ends (a password change)."""
    for row in session.exec(
        select(LoginSession).where(LoginSession.user_id == user.id, col(LoginSession.revoked_at).is_(None))
    ):
        row.revoked_at = utcnow()
        session.add(row)


def issue_api_token(session: Session, *, user: User, label: str = "") -> str:
    """A new personal API token for `user`; the token itself is returned once and never stored."""
    assert user.id is not None
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(secret_hash=secret_hash(secret), user_id=user.id, label=label[:200]))
    session.flush()
    return secret


def token_user(session: Session, secret: str) -> User | None:
    """The active user an unrevoked API token belongs to (its last use is recorded, at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    found = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(
            ApiToken.secret_hash == secret_hash(secret), col(ApiToken.revoked_at).is_(None), col(User.active).is_(True)
        )
    ).first()
    if found is None:
        return None
    token, user = found
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        session.add(token)
    return user
