"""Write a directive dict as a directive YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def write_directive_yaml(directive: dict[str, Any], out: Path, *, source: str | None = None) -> None:
    """Write the directive file (UTF-8, diacritics kept, no YAML aliases, the body as a block)."""
    header = f"# Imported from {source} by `cascade import-document`: check it before use.\n" if source else ""
    text = yaml.dump(directive, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    out.write_text(header + text, encoding="utf-8")
