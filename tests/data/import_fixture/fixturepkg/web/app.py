"""A layer above the core; importing the core from here would be allowed."""

TITLE = "fixture"
