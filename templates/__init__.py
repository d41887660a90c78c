"""The Jinja2 templates of every email (`email/`), page (`web/`) and consolidated report (`reports/`).

A package only so that they ship inside the wheel; `cascade.rendering.render` loads them from here."""
