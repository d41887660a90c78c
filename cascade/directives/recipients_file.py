"""A file of recipients added to a directive already sent (`cascade add-recipients`): its `recipients` and
`tasks`, read and checked as a directive file's are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cascade.core.errors import InputError, Problem
from cascade.core.yamlfile import MARKERS, read_yaml
from cascade.directives.directivefile import Reader, TaskSpec, read_recipients, read_tasks, unique_problems
from models import CascadeMode, Role


@dataclass
class RecipientsSpec:
    """A file of recipients added to a directive already sent (`cascade add-recipients`): its `recipients` and
    `tasks`, in the shapes of a directive file's."""

    recipients: list[tuple[str, Role]]
    modes: dict[str, CascadeMode]
    tasks: list[TaskSpec]
    source: str


def parse_recipients_file(path: Path) -> RecipientsSpec:
    """`recipients` (required) and `tasks` (optional) of a file, each entry checked as a directive file's are."""
    data = read_yaml(path)
    name = str(path)
    if not isinstance(data, dict):
        raise InputError([Problem(name, "expected a mapping with `recipients` (and `tasks`) at the top level")])
    r = Reader(name, data)
    unknown = sorted(str(k) for k in set(data) - {"recipients", "tasks", *MARKERS})
    if unknown:
        r.fail(f"only `recipients` and `tasks` are read here, not {', '.join(unknown)}", entry=unknown[0])
    if "recipients" not in data:
        r.fail("missing required field `recipients`", entry="recipients")
    recipients, modes = read_recipients(r)
    tasks = read_tasks(r)
    if r.problems:
        raise InputError(unique_problems(r.problems))
    return RecipientsSpec(recipients, modes, tasks, name)
