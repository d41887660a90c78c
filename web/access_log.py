"""The access log without the links' tokens: a token in a log line is a working link for whoever reads the log."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

TOKEN_PATH = re.compile(r"/(u|r)/[^/?\s\"]+")


def redact(text: str) -> str:
    """/u/<token>/ack → /u/…/ack (and /r/<token>)."""
    return TOKEN_PATH.sub(lambda m: f"/{m.group(1)}/…", text)


class RedactTokens(logging.Filter):
    """For uvicorn's access logger, whose records carry the path among their arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the filter on its access handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": RedactTokens}
    config["handlers"]["access"]["filters"] = ["redact_tokens"]
    return config
