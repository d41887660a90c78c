"""The broken import: the bottom layer reaches up into the web app."""

from fixturepkg.web.app import TITLE

DEFAULT_TITLE = TITLE
