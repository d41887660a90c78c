"""Finds the signed links in a received email and follows them like a person would."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx


def links_in(text: str, public_url: str) -> list[str]:
    pattern = re.escape(public_url.rstrip("/")) + r"/u/[A-Za-z0-9_\-.]+"
    return list(dict.fromkeys(re.findall(pattern, text)))


class _FormFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": values.get("action") or "",
                    "method": (values.get("method") or "get").lower(),
                    "fields": {},
                }
            )
        elif tag == "input" and self.forms and values.get("name"):
            fields = self.forms[-1]["fields"]
            assert isinstance(fields, dict)
            fields[values["name"]] = values.get("value") or ""


def forms_in(html: str) -> list[dict[str, object]]:
    finder = _FormFinder()
    finder.feed(html)
    return finder.forms


def confirm_receipt(client: httpx.Client, link: str) -> httpx.Response:
    """GET the page, then submit its POST form: the only step that acknowledges."""
    page = client.get(link)
    page.raise_for_status()
    form = next((f for f in forms_in(page.text) if f["method"] == "post"), None)
    if form is None:
        raise ValueError(f"no confirmation form on {link}")
    action = httpx.URL(link).join(str(form["action"]))
    fields = form["fields"]
    assert isinstance(fields, dict)
    return client.post(action, data=fields)
