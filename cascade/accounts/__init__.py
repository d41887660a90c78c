"""Accounts of the console: who a person is (passwords, login sessions, API tokens) and what they may see (their
unit's subtree). The web app and the command line use it; nothing here knows HTTP."""
