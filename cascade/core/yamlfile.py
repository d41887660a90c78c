"""Reads a YAML input file strictly (UTF-8) and remembers the line of every mapping."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from cascade.core.errors import InputError, Problem

LINE = "__line__"
# The line of each key of a mapping: a problem about one field names the line of that field, not the mapping's.
KEY_LINES = "__key_lines__"
MARKERS = frozenset({LINE, KEY_LINES})


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that stores each mapping's first line under LINE and its keys' lines under KEY_LINES (both
    removed by `strip_lines`)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    mapping[KEY_LINES] = {key.value: key.start_mark.line + 1 for key, _ in node.value if isinstance(key.value, str)}
    return mapping


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    # An impossible unquoted date (2024-13-01) stays text, so the field check names it instead of a crash.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def read_yaml(path: Path) -> Any:
    """Load a YAML file or raise InputError naming the file and line of the fault."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(name, f"cannot read the file: {exc.strerror or exc}")]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(name, "the file is not UTF-8 text (save it as UTF-8)", line=line)]) from exc
    return read_yaml_text(text, name)


def read_yaml_text(text: str, name: str) -> Any:
    """Load YAML text already decoded (a directive file kept in the database), or raise InputError naming
    `name` and the line of the fault."""
    fast = _flow_lines(text)
    if fast is not None:
        return fast
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        yaml_line: int | None = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(name, f"not valid YAML: {reason}", line=yaml_line)]) from exc


def line_of(entry: Any, key: str | None = None) -> int | None:
    """The line of a mapping, or of one of its keys (the mapping's when the key's is not known)."""
    if not isinstance(entry, dict):
        return None
    return (entry.get(KEY_LINES) or {}).get(key) or entry.get(LINE)


def strip_lines(value: Any) -> Any:
    """The same data without the line markers."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k not in MARKERS}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):[ \t]*(.*)$")


def _flow_lines(text: str) -> dict[str, Any] | None:
    """Fast path for big generated files (e.g. 100,000 units): top-level `key: <JSON value>` lines and lists of
    `  - {JSON object}` lines, which are YAML too. Anything else returns None and goes through the YAML parser."""
    if "\n  - {" not in text[:4096]:
        return None
    key_lines: dict[str, int] = {}
    out: dict[str, Any] = {LINE: 1, KEY_LINES: key_lines}
    items: list[Any] | None = None
    try:
        for number, line in enumerate(text.splitlines(), start=1):
            if line.startswith("  - {") and items is not None:
                item = json.loads(line[4:])
                if not isinstance(item, dict):
                    return None
                item[LINE] = number
                items.append(item)
            elif (match := _KEY.match(line)) is not None and match[1] not in out:
                items = None
                key_lines[match[1]] = number
                if match[2]:
                    out[match[1]] = json.loads(match[2])
                else:
                    items = out[match[1]] = []
            elif line.strip() and not line.lstrip().startswith("#"):
                return None
    except ValueError:  # not JSON values: let the YAML parser read (and report on) the file
        return None
    return out
