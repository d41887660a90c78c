"""The top layer; it may import everything below it."""

from fixturepkg.core import settings
from fixturepkg.web import app


def main() -> str:
    return f"{app.TITLE}: {settings.DEFAULT_TITLE}"
