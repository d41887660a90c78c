"""Page language per request: `?lang=en` (remembered in a cookie), else the cookie, else Vietnamese."""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qs

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
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        asked = choose((query.get("lang") or [""])[0])
        cookie = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                try:
                    cookie.load(value.decode("latin-1"))
                except Exception:  # noqa: BLE001 - a malformed cookie header only loses the preference
                    pass
        remembered = choose(cookie[COOKIE].value) if COOKIE in cookie else None
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
