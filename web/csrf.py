"""CSRF protection for the app's forms: a signed double-submit token (a cookie and a hidden field).

Every response carries a random nonce in an HttpOnly cookie (set once). Forms render `{{ csrf_field() }}`,
a hidden field holding the nonce (and, on a unit's pages, the link token) signed with CASCADE_SECRET_KEY.
A POST passes `verify_csrf` only if the field's signature is good and names the cookie's nonce: another site
can make a browser send the cookie, but can neither read it nor sign a field for it. A client that keeps no
cookie passes on a unit's page only with the field signed for that very link (see `_matches`). Use it on a
route or router: `dependencies=[Depends(verify_csrf)]`.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup, escape
from starlette.datastructures import FormData
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cascade.core.settings import Settings
from cascade.rendering.render import environment
from web.auth import current_scope

COOKIE = "cascade_csrf"
FIELD = "csrf_token"
MAX_AGE = 7 * 24 * 3600  # a page left open for a week still submits
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _signer(settings: Settings) -> URLSafeTimedSerializer:
    return _signer_for(tuple(settings.web.signing_keys()))


@lru_cache(maxsize=8)
def _signer_for(keys: tuple[str, ...]) -> URLSafeTimedSerializer:
    # Built once per key set, not at every request (as cascade/dispatch/tokens.py builds the links' one).
    return URLSafeTimedSerializer(list(keys), salt="directive-cascade/csrf")


@dataclass
class _FieldToken:
    """The request's token, signed when a form first asks for it: most answers (a POST's answer page, a file, an
    API call) render no form, and the signature was most of what this middleware cost them."""

    settings: Settings
    nonce: str
    link: str
    signed: str = ""

    def value(self) -> str:
        if not self.signed:
            self.signed = str(_signer(self.settings).dumps({"n": self.nonce, "l": self.link}))
        return self.signed


_current: ContextVar[_FieldToken | None] = ContextVar("csrf_token", default=None)


def _valid_nonce(value: str | None) -> bool:
    return bool(value) and len(value or "") == 43 and all(c.isalnum() or c in "-_" for c in value or "")


def csrf_field() -> Markup:
    """The hidden input of the current request's token (templates: `{{ csrf_field() }}`)."""
    token = _current.get()
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, escape(token.value() if token else ""))


environment().globals["csrf_field"] = csrf_field


class CSRFMiddleware:
    """Gives each visitor a nonce cookie and puts the signed token where templates find it."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.secure = settings.web.public_url.startswith("https://")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Starlette's lenient parser (the one request.cookies uses), not SimpleCookie's regular expressions: only
        # our one cookie is read, and a value that is not a well-formed nonce counts as none.
        cookie: str | None = None
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookie = cookie_parser(value.decode("latin-1")).get(COOKIE, cookie)
        nonce = cookie if _valid_nonce(cookie) else None
        fresh = nonce is None
        nonce = nonce or secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_nonce"] = nonce
        _current.set(_FieldToken(self.settings, nonce, link_of(scope.get("path", ""))))

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                attrs = f"{COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if self.secure else "")
                message["headers"] = [*message.get("headers", []), (b"set-cookie", attrs.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def verify_csrf(request: Request) -> AsyncIterator[None]:
    """Dependency: refuse (403) a state-changing request without a matching token.

    It reads the form with Starlette's default limits, and Starlette caches that form: a route that needs
    its own limits (`request.form(max_files=…)`) should instead parse the form itself, then call
    `check_csrf(request, form.get(FIELD))`. The body's size and the link were checked before (web.guard); the
    form's spooled files are closed when the request ends, not when the garbage collector gets to them.
    """
    if request.method in SAFE_METHODS or _by_token(request):
        yield
        return
    form: FormData | None = None
    try:
        field: Any = None
        if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
            form = await request.form()
            field = form.get(FIELD)
        check_csrf(request, field or request.headers.get("x-csrf-token"))
        texts = [v if isinstance(v, str) else (v.filename or "") for _, v in form.multi_items()] if form else []
        if any("\x00" in text for text in texts):
            # No text a person types holds a NUL, and PostgreSQL refuses one in any text column.
            raise HTTPException(422, "Dữ liệu gửi lên chứa ký tự không hợp lệ.")
        yield
    finally:
        if form is not None:
            await form.close()


def _by_token(request: Request) -> bool:
    """A call authenticated by `Authorization: Bearer` (web/auth.py): no cookie authenticates it, so another
    site cannot forge it through a browser, and it needs no CSRF token."""
    if not hasattr(request.state, "by_token") and request.headers.get("authorization", "").lower().startswith("bearer"):
        current_scope(request)
    return bool(getattr(request.state, "by_token", False))


def link_of(path: str) -> str:
    """The signed link token a unit page's path carries (/u/<token>…, /r/<token>…), or ""."""
    parts = path.split("/")
    return parts[2] if len(parts) > 2 and parts[1] in ("u", "r") else ""


def _matches(signed: object, cookie: str | None, path: str) -> bool:
    """With the cookie: the field must name its nonce (double submit). Without any cookie (a client that keeps
    none, such as a script or an in-app mail browser): the field must be the one signed for this very link.
    Only the link's holder can have that field, and the link alone already lets its holder act."""
    if not isinstance(signed, dict):
        return False
    if cookie:
        return secrets.compare_digest(str(signed.get("n", "")), cookie)
    link = link_of(path)
    return bool(link) and secrets.compare_digest(str(signed.get("l", "")), link)


def check_csrf(request: Request, field: object) -> None:
    """Raise 403 unless `field` is this app's signature for the visitor's cookie nonce (or, with no cookie, for
    the link the form was served under)."""
    cookie = request.cookies.get(COOKIE)
    try:
        signed = _signer(request.app.state.settings).loads(str(field or ""), max_age=MAX_AGE)
    except BadSignature:
        signed = None
    if not _matches(signed, cookie, request.url.path):
        raise HTTPException(
            403,
            "Phiên làm việc không hợp lệ hoặc đã hết hạn. Vui lòng mở lại liên kết trong thư và bấm nút một lần nữa.",
        )
