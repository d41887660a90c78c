"""The administrator's credential: HTTP Basic against CASCADE_ADMIN_PASSWORD (user `admin` by default)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from web.common import app_settings, client_ip, log
from web.throttle import LoginThrottle

basic = HTTPBasic(auto_error=False, realm="directive-cascade")


def require_admin(request: Request, credentials: Annotated[HTTPBasicCredentials | None, Depends(basic)]) -> str:
    """Use as a dependency of every administrative route; with no password configured they stay closed."""
    settings = app_settings(request)
    expected = settings.web.admin_password
    if not expected:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Chưa cấu hình mật khẩu quản trị (CASCADE_ADMIN_PASSWORD).")
    throttle: LoginThrottle = request.app.state.login_throttle
    client = client_ip(request) or "?"
    wait = throttle.retry_after(client)
    if wait:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút.",
            headers={"Retry-After": str(wait)},
        )
    ok = credentials is not None and secrets.compare_digest(
        credentials.username.encode(), settings.web.admin_user.encode()
    ) & secrets.compare_digest(credentials.password.encode(), expected.encode())
    if credentials is not None and not ok:
        throttle.failed(client)
        log.warning("admin login failed from %s (user %r)", client, credentials.username[:100])
    if not ok:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Cần đăng nhập quản trị.",
            headers={"WWW-Authenticate": 'Basic realm="directive-cascade"'},
        )
    assert credentials is not None
    throttle.succeeded(client)
    return credentials.username
