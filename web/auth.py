"""Who is asking: a console login session (cookie) or a personal API token (`Authorization: Bearer`).

`require_user` is the dependency of every console page and API route; it gives the caller's `Scope`, which the
route filters by. A page asked without a session redirects to the login page; an API call answers 401."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlmodel import Session

from cascade.accounts.scope import Scope, scope_of
from cascade.accounts.secrets_store import session_user, token_user
from web.common import app_engine

SESSION_COOKIE = "cascade_session"
LOGIN_PATH = "/admin/login"
PASSWORD_PATH = "/admin/password"


class LoginRequired(Exception):
    """A page needs a login (answered with a redirect to the login page, `next` the page asked for)."""

    def __init__(self, next_path: str, to: str = LOGIN_PATH) -> None:
        super().__init__(next_path)
        self.next_path, self.to = next_path, to


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_scope(request: Request) -> Scope | None:
    """The caller's scope, or None when no valid session or token comes with the request (cached per request)."""
    if hasattr(request.state, "scope_of_caller"):
        cached: Scope | None = request.state.scope_of_caller
        return cached
    token, cookie = bearer_token(request), request.cookies.get(SESSION_COOKIE)
    found: Scope | None = None
    if token or cookie:
        with Session(app_engine(request)) as session:
            user = token_user(session, token) if token else session_user(session, cookie or "")
            if user is not None:
                found = scope_of(session, user)
                session.commit()  # a token's last use
    request.state.scope_of_caller = found
    request.state.by_token = bool(token) and found is not None
    return found


def require_user(request: Request) -> Scope:
    """Dependency: the signed-in caller; a page without one redirects to the login page, the API answers 401.
    An account whose initial password is unchanged may only change it in the browser; its API tokens work (a
    token is not the password someone else set, and `cascade user token` is how an operator equips a script)."""
    scope = current_scope(request)
    if scope is None:
        if is_api(request):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Cần đăng nhập.", headers={"WWW-Authenticate": "Bearer"})
        raise LoginRequired(_here(request))
    by_token = bool(getattr(request.state, "by_token", False))
    if scope.must_change_password and not by_token and request.url.path not in (PASSWORD_PATH, "/admin/logout"):
        if is_api(request):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Cần đổi mật khẩu ban đầu trước khi dùng tài khoản.")
        raise LoginRequired(_here(request), to=PASSWORD_PATH)
    return scope


def require_launcher(scope: Annotated[Scope, Depends(require_user)]) -> Scope:
    """Dependency: an administrator of a unit, or an operator (a supervisor only reads)."""
    if not scope.can_launch:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Tài khoản chỉ có quyền theo dõi.")
    return scope


CurrentUser = Annotated[Scope, Depends(require_user)]
Launcher = Annotated[Scope, Depends(require_launcher)]


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")
