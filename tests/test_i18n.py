"""Every text the web templates translate has its English entry (a missing one stays Vietnamese on ?lang=en)."""

from __future__ import annotations

import re
from pathlib import Path

from cascade.rendering.i18n import EN

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "web"
LITERAL = re.compile(r'_\(\s*"([^"]+)"')


def test_every_translated_text_of_the_web_pages_has_an_english_entry() -> None:
    texts = {(p.name, m.group(1)) for p in TEMPLATES.rglob("*.html") for m in LITERAL.finditer(p.read_text("utf-8"))}
    assert len(texts) > 100  # the pattern still finds the templates' texts
    assert sorted(t for t in texts if t[1] not in EN) == []
