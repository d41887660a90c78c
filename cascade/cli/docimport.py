"""`cascade import-document FILE [--org ORG.yaml] [--out OUT] [--issuer CODE] [--report-due DATE]`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.markup import escape

from cascade.directives.docimport.importer import import_document, load_units
from cascade.directives.docimport.output import write_directive_yaml
from cascade.directives.docimport.resolve import UnitRef


def _units(org: Path | None, problems: list[str]) -> list[UnitRef]:
    if org is None:
        return _units_from_database(problems)
    try:
        return load_units(yaml.safe_load(org.read_text(encoding="utf-8-sig")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, KeyError) as exc:
        problems.append(f"org: cannot read the org tree {org}: {exc}")
        return []


def _units_from_database(problems: list[str]) -> list[UnitRef]:
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
        problems.append("org: no organisation tree imported yet: run `cascade org import FILE` or pass --org FILE")
    return refs


def import_document_command(
    file: Annotated[Path, typer.Argument(help="The directive document: .txt, .md or .docx.")],
    out: Annotated[Path | None, typer.Option("--out", help="Where to write (default FILE.directive.yaml).")] = None,
    org: Annotated[Path | None, typer.Option("--org", help="Org tree YAML (units: code, name, kind...).")] = None,
    issuer: Annotated[str | None, typer.Option("--issuer", help="Issuer unit code, if not told.")] = None,
    report_due: Annotated[str | None, typer.Option("--report-due", help="Report due date YYYY-MM-DD.")] = None,
) -> int:
    """Import a directive from its document into a directive YAML file; 1 and nothing written on problems."""
    console = Console(stderr=True)
    problems: list[str] = []
    due: date | None = None
    if report_due:
        try:
            due = date.fromisoformat(report_due)
        except ValueError:
            problems.append(f"report_due: '{report_due}' is not a date YYYY-MM-DD")
    units = _units(org, problems)
    if not file.is_file():
        problems.append(f"file: {file} does not exist")
    if not problems:
        result = import_document(file, units, issuer=issuer, report_due=due)
        problems = result.problems
    if problems:
        console.print(f"[bold red]Cannot import {escape(str(file))}[/]: {len(problems)} problem(s); nothing written.")
        for problem in problems:
            console.print(f"  - {escape(problem)}")
        return 1
    target = out or file.with_name(f"{file.stem}.directive.yaml")
    write_directive_yaml(result.directive, target, source=file.name)
    d = result.directive
    counts = f"{len(d['recipients'])} recipients, {len(d['tasks'])} tasks"
    console.print(f"[green]Wrote {escape(str(target))}[/]: {escape(str(d['number']))}, {counts}; check it before use.")
    return 0


def import_document_cli(
    file: Annotated[Path, typer.Argument(help="The directive document: .txt, .md or .docx.")],
    out: Annotated[Path | None, typer.Option("--out", help="Where to write (default FILE.directive.yaml).")] = None,
    org: Annotated[Path | None, typer.Option("--org", help="Org tree YAML (units: code, name, kind...).")] = None,
    issuer: Annotated[str | None, typer.Option("--issuer", help="Issuer unit code, if not told.")] = None,
    report_due: Annotated[str | None, typer.Option("--report-due", help="Report due date YYYY-MM-DD.")] = None,
) -> None:
    """Import a directive from its .txt/.md/.docx document into a directive YAML file."""
    code = import_document_command(file, out, org, issuer, report_due)
    if code:
        raise typer.Exit(code)
