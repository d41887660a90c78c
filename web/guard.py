"""The app's outer wall, before any route or form parser sees a request: the body's size, the link, the headers.

- A body larger than `Settings.web.request_max_bytes` is refused with 413: at once when its Content-Length says
  so, and as soon as the streamed bytes pass the limit when it is chunked (the app never sees the rest).
- A POST to a unit's link (/u/<token>/…, /r/<token>…) whose token is not this app's signature is refused with
  403 before a byte of its body is read: a forged link cannot make the server spool 200 MB to disk.
- Every response carries a Content-Security-Policy without inline script, `frame-ancestors 'none'`, `nosniff`
  and `Referrer-Policy: no-referrer` (the pages' URLs hold tokens); pages behind a token or the admin login
  are `Cache-Control: no-store`.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cascade.core.settings import Settings
from cascade.dispatch.tokens import Purpose, TokenError, read_token
from cascade.rendering.render import render
from web.common import TOKEN_ERRORS, VERIFIED_LINK, log
from web.csrf import link_of

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
NO_STORE = (b"cache-control", b"no-store")
PRIVATE_PREFIXES = ("/u/", "/r/", "/admin", "/api/")
LINK_PURPOSES = {"u": Purpose.ack, "r": Purpose.report}


class BodyTooLarge(Exception):
    """The streamed body passed the limit."""


def link_token(path: str) -> tuple[str, Purpose] | None:
    """(token, purpose) of a unit's link path (/u/<token>…, /r/<token>…), or None."""
    token = link_of(path)
    return (token, LINK_PURPOSES[path.split("/")[1]]) if token else None


class RequestGuard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.limit = settings.web.request_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        extra = [*SECURITY_HEADERS, *([NO_STORE] if path.startswith(PRIVATE_PREFIXES) else [])]
        started = answered = False

        async def send_guarded(message: Message) -> None:
            nonlocal started
            if answered:
                return  # the 413 went out already: whatever the app answers after it is dropped
            if message["type"] == "http.response.start":
                started = True
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in names)]
            await send(message)

        if scope.get("method") not in ("GET", "HEAD", "OPTIONS"):
            refusal = self._refusal(scope)
            if refusal is not None:
                await _answer(send_guarded, *refusal, api=path.startswith("/api/"))
                return
        received = 0

        async def receive_bounded() -> Message:
            nonlocal received, answered
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Answered here, not where the exception lands: a route with Form() parameters has FastAPI
                    # turn any error of its body parsing into a 400 of its own.
                    if not started and not answered:
                        await _answer(send_guarded, 413, *TOO_LARGE, api=path.startswith("/api/"))
                        answered = True
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, receive_bounded, send_guarded)
        except BodyTooLarge:
            pass  # answered 413 in receive_bounded

    def _refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        """Why a state-changing request is refused before its body is read, or None."""
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    return 400, "Yêu cầu không hợp lệ", "Độ dài nội dung gửi lên không hợp lệ."
                if declared > self.limit:
                    return 413, *TOO_LARGE
        link = link_token(scope.get("path", ""))
        if link is not None:
            try:
                assignment_id = read_token(self.settings, link[0], link[1])
            except TokenError as exc:
                client = (scope.get("client") or ("?",))[0]
                log.warning("refused %s link from %s: %s (before its body)", link[1].value, client, exc.reason)
                return TOKEN_ERRORS[exc.reason]
            # The route's resolve_link (web/common.py) reads it here rather than checking the signature again.
            scope.setdefault("state", {})[VERIFIED_LINK] = (*link, assignment_id)
        return None


TOO_LARGE = ("Dữ liệu gửi lên quá lớn", "Dung lượng gửi lên vượt giới hạn cho phép. Vui lòng gửi tệp nhỏ hơn.")


async def _answer(send: Send, status: int, title: str, message: str, api: bool = False) -> None:
    # The API answers JSON ({"detail": …}), as its OpenAPI document says; a page gets the error page.
    page = json.dumps({"detail": message}) if api else render("web/error.html", title=title, message=message)
    body = page.encode()
    kind = b"application/json" if api else b"text/html; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]  # fmt: skip
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
