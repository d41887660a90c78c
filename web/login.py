"""Signing in and out of the console, and changing one's password (forced for an initial one).

A login opens a session whose random secret goes in the `cascade_session` cookie (HttpOnly, SameSite=Lax,
Secure when the public URL is https); the database keeps only its hash. Failed logins are counted per client
address and per account (web/throttle.py): five in fifteen minutes lock both, and while locked even the right
password is refused, so guessing is as slow from many addresses at one account as from one address at many."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from cascade.accounts.passwords import MIN_LENGTH
from cascade.accounts.secrets_store import close_session, open_session
from cascade.accounts.users import authenticate, change_password, find_user, normal_email
from cascade.core.errors import InputError
from web.auth import LOGIN_PATH, PASSWORD_PATH, SESSION_COOKIE, CurrentUser, current_scope
from web.common import app_engine, app_settings, client_ip, log, page
from web.csrf import verify_csrf
from web.throttle import LoginThrottle

router = APIRouter(prefix="/admin")
HOME = "/admin"
LOCKED = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
WRONG = "Email hoặc mật khẩu không đúng."


def safe_next(value: str | None) -> str:
    """Where to go after a login: a path of this site only ("/…", never "//host" or "/\\host", which a browser
    reads as another site; no control character or space, which a browser strips before reading it so)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return HOME
    if "\\" in value or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in value):
        return HOME
    return value


def _keys(request: Request, email: str) -> tuple[str, str]:
    return f"address:{client_ip(request) or '?'}", f"account:{normal_email(email)[:320]}"


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


def _wait(request: Request, email: str) -> int:
    """Seconds until this address and this account may try again (0: now)."""
    throttle = _throttle(request)
    return max(throttle.retry_after(key) for key in _keys(request, email))


def _failed(request: Request, email: str, what: str) -> None:
    for key in _keys(request, email):
        _throttle(request).failed(key)
    log.warning("%s failed from %s (account %r)", what, client_ip(request) or "?", normal_email(email)[:100])


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    web = app_settings(request).web
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(web.session_hours * 3600),
        path="/",
        httponly=True,  # no script reads it
        samesite="lax",  # another site's form cannot post with it
        secure=web.public_url.startswith("https://"),
    )


def _login_form(next_path: str, email: str = "", error: str = "", status_code: int = 200) -> HTMLResponse:
    return page(
        "web/admin/login.html", status_code=status_code, title="Đăng nhập", next=next_path, email=email, error=error
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next_path: Annotated[str, Query(alias="next", max_length=2000)] = HOME) -> Response:
    scope = current_scope(request)
    if scope is not None and not scope.must_change_password:
        return RedirectResponse(safe_next(next_path), status_code=303)  # already signed in
    return _login_form(safe_next(next_path))


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def login_post(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = HOME,
) -> Response:
    target = safe_next(next_path)
    wait = _wait(request, email)
    if wait:  # checked before the password: while locked, the right one is refused too
        response = _login_form(target, email, LOCKED.format(minutes=-(-wait // 60)), status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    with Session(app_engine(request)) as session:
        user = authenticate(session, email=email, password=password) if email and password else None
        if user is None:
            session.commit()
            _failed(request, email, "console login")
            return _login_form(target, email, WRONG, status_code=401)
        secret = open_session(session, user=user, hours=app_settings(request).web.session_hours)
        must_change = user.must_change_password
        session.commit()
    _throttle(request).succeeded(_keys(request, email)[1])  # the account's count; the address's stays
    to = f"{PASSWORD_PATH}?{urlencode({'next': target})}" if must_change else target
    signed_in = RedirectResponse(to, status_code=303)
    set_session_cookie(request, signed_in, secret)
    return signed_in


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        with Session(app_engine(request)) as session:
            close_session(session, secret)
            session.commit()
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


def _password_form(scope: object, next_path: str, errors: list[str], status_code: int = 200) -> HTMLResponse:
    return page(
        "web/admin/password.html",
        status_code=status_code,
        title="Đổi mật khẩu",
        me=scope,
        next=next_path,
        errors=errors,
        min_length=MIN_LENGTH,
    )


@router.get("/password", response_class=HTMLResponse)
def password_page(
    scope: CurrentUser, next_path: Annotated[str, Query(alias="next", max_length=2000)] = HOME
) -> HTMLResponse:
    return _password_form(scope, safe_next(next_path), [])


def _new_password_problems(new: str, repeat: str, current: str, email: str) -> list[str]:
    """The new password's faults, in words (cascade.accounts.passwords checks the same again)."""
    problems = []
    if new != repeat:
        problems.append("Hai lần nhập mật khẩu mới không giống nhau.")
    if len(new) < MIN_LENGTH:
        problems.append(f"Mật khẩu mới phải có ít nhất {MIN_LENGTH} ký tự.")
    if new.strip().lower() == email.lower():
        problems.append("Mật khẩu mới không được trùng với địa chỉ email.")
    if new and new == current:
        problems.append("Mật khẩu mới phải khác mật khẩu hiện tại.")
    return problems


@router.post("/password", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def password_post(
    request: Request,
    scope: CurrentUser,
    current: Annotated[str, Form(max_length=1000)] = "",
    new: Annotated[str, Form(max_length=1000)] = "",
    repeat: Annotated[str, Form(max_length=1000)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = HOME,
) -> Response:
    target = safe_next(next_path)
    wait = _wait(request, scope.email)
    if wait:  # a stolen session must not become a way to guess the password
        response = _password_form(scope, target, [LOCKED.format(minutes=-(-wait // 60))], status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    problems = _new_password_problems(new, repeat, current, scope.email)
    if problems:
        return _password_form(scope, target, problems, status_code=422)
    with Session(app_engine(request)) as session:
        user = find_user(session, scope.email)
        assert user is not None  # the session just opened it
        try:
            change_password(session, user=user, current=current, new=new)
        except InputError:
            session.rollback()
            _failed(request, scope.email, "password change")
            return _password_form(scope, target, ["Mật khẩu hiện tại không đúng."], status_code=422)
        # Every session of the account ended with the change (a thief's too): this browser gets a new one.
        secret = open_session(session, user=user, hours=app_settings(request).web.session_hours)
        session.commit()
    changed = RedirectResponse(target, status_code=303)
    set_session_cookie(request, changed, secret)
    return changed
