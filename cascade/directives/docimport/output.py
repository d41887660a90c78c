"""Write a directive dict as a directive YAML file; with problems (`--partial`), each field that could not be
read gets a `# TODO:` comment above it saying what was looked at, for the clerk to complete."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from cascade.directives.docimport.problems import ImportProblem

ORIGINAL_SUFFIXES = (".docx", ".pdf")  # a signed original worth keeping with the directive; text is not


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def with_original(directive: dict[str, Any], document: Path, out: Path) -> dict[str, Any]:
    """The directive with `original:` naming the imported .docx/.pdf, relative to the directive file."""
    if document.suffix.lower() not in ORIGINAL_SUFFIXES:
        return directive
    relative = os.path.relpath(document.resolve(), out.resolve().parent)
    return {**directive, "original": Path(relative).as_posix()}


def _todo(problem: ImportProblem) -> str:
    where = f" (line {problem.line})" if problem.line else ""
    return f"# TODO: {problem.field}{where}: {' '.join(problem.message.split())}\n"


def write_directive_yaml(
    directive: dict[str, Any],
    out: Path,
    *,
    source: str | None = None,
    problems: Sequence[ImportProblem] = (),
) -> None:
    """Write the directive file (UTF-8, diacritics kept, no YAML aliases, the body as a block)."""
    out.write_text(directive_yaml(directive, source=source, problems=problems), encoding="utf-8")


def directive_yaml(
    directive: dict[str, Any], *, source: str | None = None, problems: Sequence[ImportProblem] = ()
) -> str:
    """The directive file's text, as write_directive_yaml writes it (the console keeps it in the database)."""
    if problems:
        header = (
            f"# Imported from {source} by `cascade import-document --partial`: {len(problems)} problem(s) to resolve"
            " (each `# TODO:` below), then check it before use.\n"
        )
    else:
        header = f"# Imported from {source} by `cascade import-document`: check it before use.\n" if source else ""
    loose = [p for p in problems if p.field not in directive]
    parts = [header, *(_todo(p) for p in loose)]
    for key, value in directive.items():
        parts.extend(_todo(p) for p in problems if p.field == key)
        parts.append(_dump({key: value}))
    return "".join(parts)
