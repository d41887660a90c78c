"""The clerk's corrections written back into a draft's directive file (its YAML text): the one format a launch
reads, so what the form changed is what the preview checks and what the flow stores."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import yaml

from cascade.core.errors import InputError, Problem
from cascade.directives.docimport.output import directive_yaml

# The fields a form may set (the directive file's, cascade/directives/directivefile.py and reportplan.py). The
# original is not one of them: it is the file uploaded with the draft.
EDITABLE = (
    "number", "type", "issuer", "issued_on", "place", "summary", "signer", "report_due", "recipients", "tasks",
    "body", "basis", "basis_issued_on", "basis_issuer", "report_to", "urgency", "cascade_mode", "lead_days",
    "archive", "printed", "indicators", "report_schedule", "escalation", "follow_up",
)  # fmt: skip
# `replaces` (the directive this one replaces) is read from the uploaded file, not set in the form.
KNOWN_FIELDS = frozenset((*EDITABLE, "original", "replaces"))


def load_fields(text: str) -> dict[str, Any]:
    """The directive file's fields (dates as YYYY-MM-DD text); {} when the text is not a mapping of them."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return _plain(data) if isinstance(data, dict) else {}


def _plain(value: Any) -> Any:
    """YAML's dates as ISO text, keys as text: what JSON and a form carry."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _value(key: str, value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip() if key != "body" else value.rstrip()
    if key == "recipients" and isinstance(value, list):
        # {unit, role} (and a unit's own mode); an empty mode is no mode
        return [
            {k: v for k, v in _plain(item).items() if k in ("unit", "role", "mode") and v not in (None, "")}
            if isinstance(item, dict) else item
            for item in value
        ]  # fmt: skip
    return _plain(value)


def apply_corrections(text: str, fields: dict[str, Any]) -> tuple[str, set[str]]:
    """(the new text, the fields changed). A field set to None is removed; a field the directive file has no
    use for is refused (InputError naming it), unless it is removed (a misspelt field the upload carried)."""
    data = load_fields(text)
    changed: set[str] = set()
    unknown = [k for k in fields if k not in EDITABLE and not (fields[k] is None and k in data)]
    if unknown:
        raise InputError([Problem("corrections", f"Không sửa được trường “{k}”.", entry=k) for k in unknown])
    for key, value in fields.items():
        if value is None:
            if key in data:
                del data[key]
                changed.add(key)
            continue
        new = _value(key, value)
        if data.get(key) != new:
            data[key] = new
            changed.add(key)
    if not changed:
        return text, changed
    return directive_yaml(data), changed


_ORIGINAL_LINE = re.compile(r"^original:.*$", re.MULTILINE)


def with_original_name(text: str, name: str) -> str:
    """The directive file naming `name` as its signed original (the rest of the text, comments too, as it was)."""
    line = f"original: {json.dumps(name, ensure_ascii=False)}"
    if _ORIGINAL_LINE.search(text):
        return _ORIGINAL_LINE.sub(lambda _: line, text, count=1)
    return text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
