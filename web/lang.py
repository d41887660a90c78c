"""Page language per request: `?lang=en` (remembered in a cookie), else the cookie, else Vietnamese."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cascade.rendering.i18n import DEFAULT_LANG, choose, current_lang, current_switch_path

COOKIE = "cascade_lang"


class LanguageMiddleware:
    """Pure ASGI, so the context variables reach the endpoint (sync endpoints run in a copied context)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query_string = scope.get("query_string", b"")
        query = parse_qs(query_string.decode("latin-1")) if query_string else {}
        asked = choose((query.get("lang") or [""])[0])
        # Starlette's lenient parser (the one request.cookies uses), as web/csrf.py reads its cookie: a malformed
        # header loses only what cannot be read, and no regular expression runs on every request's cookies.
        remembered = None
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                remembered = choose(cookie_parser(value.decode("latin-1")).get(COOKIE, "")) or remembered
        lang_token = current_lang.set(asked or remembered or DEFAULT_LANG)
        path = scope.get("path", "/") if scope.get("method") in ("GET", "HEAD") else None
        path_token = current_switch_path.set(path)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and asked:
                headers = list(message.get("headers", []))
                value = f"{COOKIE}={asked}; Path=/; Max-Age=31536000; SameSite=Lax"
                headers.append((b"set-cookie", value.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            current_lang.reset(lang_token)
            current_switch_path.reset(path_token)
