"""`cascade import-document FILE [--org ORG.yaml] [--out OUT] [--issuer CODE] [--report-due DATE]
[--map NAME=CODE|NAME=-] [--partial]`.

A document that cannot be read whole is bad input: every problem is printed as FILE:LINE [field]: message,
the exit code is 2 and nothing is written, unless `--partial` asks for what could be read (with a `# TODO:`
on each field to complete; the exit code is still 2, as the file is not ready to launch).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.markup import escape

from cascade.directives.docimport.importer import import_document, load_units
from cascade.directives.docimport.output import with_original, write_directive_yaml
from cascade.directives.docimport.problems import ImportProblem
from cascade.directives.docimport.resolve import UnitRef, alias_key

BAD_INPUT = 2


def _units(org: Path | None, problems: list[ImportProblem]) -> list[UnitRef]:
    if org is None:
        return _units_from_database(problems)
    try:
        return load_units(yaml.safe_load(org.read_text(encoding="utf-8-sig")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, KeyError) as exc:
        problems.append(ImportProblem("org", f"cannot read the org tree {org}: {exc}"))
        return []


def _units_from_database(problems: list[ImportProblem]) -> list[UnitRef]:
    """The organisation tree imported with `cascade org import` (active units only)."""
    from sqlmodel import select

    from cascade.core.db import session_scope
    from models import Unit
    from models.schema import init_db

    init_db()
    with session_scope() as session:
        units = list(session.exec(select(Unit).where(Unit.active == True)).all())  # noqa: E712
        parents = {u.id: u.code for u in units}
        refs = [UnitRef(u.code, u.name, u.kind, parents.get(u.parent_id), u.symbol) for u in units]
    if not refs:
        message = "no organisation tree imported yet: run `cascade org import FILE` or pass --org FILE"
        problems.append(ImportProblem("org", message))
    return refs


PRINTED_ONLY = "-"  # --map "Bộ Y tế=-": a name printed in the Nơi nhận, no unit of the tree to send to


def parse_maps(maps: Sequence[str], units: list[UnitRef], problems: list[ImportProblem]) -> dict[str, list[str]]:
    """--map "LĐLĐ tỉnh=LDLD_LC" (or NAME=CODE,CODE for a group): the clerk says which unit a name means;
    NAME=- that it means none (printed in the Nơi nhận only)."""
    codes = {u.code for u in units}
    aliases: dict[str, list[str]] = {}
    for entry in maps:
        name, sep, value = entry.partition("=")
        if sep and name.strip() and value.strip() == PRINTED_ONLY:
            aliases[alias_key(name)] = []
            continue
        targets = [c.strip() for c in value.split(",") if c.strip()]
        unknown = [c for c in targets if c not in codes]
        if not sep or not name.strip() or not targets:
            problems.append(ImportProblem("map", f"--map '{entry}' is not NAME=CODE (e.g. 'LĐLĐ tỉnh=LDLD_LC')"))
        elif unknown and units:
            problems.append(
                ImportProblem("map", f"--map '{entry}': {', '.join(unknown)} is not a unit of the org tree")
            )
        else:
            aliases[alias_key(name)] = targets
    return aliases


def import_document_command(
    file: Path,
    out: Path | None,
    org: Path | None,
    issuer: str | None,
    report_due: str | None,
    maps: Sequence[str] = (),
    partial: bool = False,
) -> int:
    """Import a directive from its document into a directive YAML file; 2 and nothing written on problems."""
    console = Console(stderr=True, soft_wrap=True)  # a problem on one line, whatever the terminal's width
    problems: list[ImportProblem] = []
    due: date | None = None
    if report_due:
        try:
            due = date.fromisoformat(report_due)
        except ValueError:
            problems.append(ImportProblem("report_due", f"--report-due '{report_due}' is not a date YYYY-MM-DD"))
    units = _units(org, problems)
    aliases = parse_maps(maps, units, problems)
    if not file.is_file():
        problems.append(ImportProblem("file", f"{file} does not exist"))
    directive: dict[str, object] = {}
    if not problems:
        result = import_document(file, units, issuer=issuer, report_due=due, aliases=aliases)
        problems, directive = result.problems, result.directive
    target = out or file.with_name(f"{file.stem}.directive.yaml")
    if problems:
        written = partial and bool(directive)
        what = f"wrote what it could read to {escape(str(target))}" if written else "nothing written"
        console.print(f"[bold red]Cannot import {escape(str(file))}[/]: {len(problems)} problem(s); {what}.")
        for problem in problems:
            console.print(f"  - {escape(problem.render(str(file)))}")
        if written:
            write_directive_yaml(with_original(directive, file, target), target, source=file.name, problems=problems)
        return BAD_INPUT
    write_directive_yaml(with_original(directive, file, target), target, source=file.name)
    counts = f"{len(directive['recipients'])} recipients, {len(directive['tasks'])} tasks"  # type: ignore[arg-type]
    if printed := directive.get("printed"):  # never left out unsaid: the clerk checks these are meant so
        counts += f", {len(printed)} Nơi nhận lines printed only (`printed`)"  # type: ignore[arg-type]
    number = escape(str(directive["number"]))
    console.print(f"[green]Wrote {escape(str(target))}[/]: {number}, {counts}; check it before use.")
    return 0


def import_document_cli(
    file: Annotated[Path, typer.Argument(help="The directive document: .txt, .md, .docx or .pdf (with text).")],
    out: Annotated[Path | None, typer.Option("--out", help="Where to write (default FILE.directive.yaml).")] = None,
    org: Annotated[Path | None, typer.Option("--org", help="Org tree YAML (units: code, name, kind...).")] = None,
    issuer: Annotated[str | None, typer.Option("--issuer", help="Issuer unit code, if not told.")] = None,
    report_due: Annotated[str | None, typer.Option("--report-due", help="Report due date YYYY-MM-DD.")] = None,
    maps: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="NAME=CODE: the unit a name of the document means; NAME=- a name printed in the Nơi nhận only, "
            "sent to no unit (repeatable).",
        ),
    ] = None,
    partial: Annotated[
        bool, typer.Option("--partial", help="On problems, still write what was read, with # TODO: comments.")
    ] = False,
) -> None:
    """Import a directive from its document into a directive YAML file to check and launch."""
    code = import_document_command(file, out, org, issuer, report_due, maps or (), partial)
    if code:
        raise typer.Exit(code)
