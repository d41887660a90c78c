"""`cascade edxml export NUMBER --issuer CODE --out DIR` and `cascade edxml import FILE [--out DRAFT.yaml]`:
a directive to edXML packages (QCVN 102:2016) and an incoming package to a directive file (cascade/edxml/).

Bad input (no such directive, a package not well-formed or missing an element) prints every problem as
FILE:LINE [element]: message, exits with 2 and writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cascade.cli.common import console, err, fail
from cascade.core.errors import InputError

edxml_app = typer.Typer(help="edXML packages (QCVN 102:2016): export a directive, import an incoming one.",
                        no_args_is_help=True)  # fmt: skip


@edxml_app.command("export")
def export_cli(
    number: Annotated[str, typer.Argument(help="The directive's number, e.g. 252/KH-LĐLĐ.")],
    issuer: Annotated[str, typer.Option("--issuer", help="The issuing unit's code.")],
    out: Annotated[Path, typer.Option("--out", help="The folder to write (one subfolder per recipient).")],
) -> None:
    """Write each recipient's edXML package of a directive and the status messages of its assignment."""
    from cascade.core.clock import utcnow
    from cascade.core.db import session_scope
    from cascade.core.settings import get_settings
    from cascade.edxml.export import export_directive
    from models.schema import init_db

    init_db()
    try:
        with session_scope() as session:
            result = export_directive(
                session, get_settings().documents, number=number, issuer_code=issuer, out=out, now=utcnow()
            )
    except InputError as exc:
        raise fail(exc) from None
    console.print(
        f"Wrote {result.packages} edXML package(s) and {result.statuses} status message(s) of {result.number} "
        f"to {out} (one folder per recipient).",
        highlight=False,
        soft_wrap=True,
    )
    if result.fallback:
        named = "; ".join(f"{code} ({name})" for code, name in result.fallback.items())
        err.print(
            f"[bold yellow]Warning:[/] {len(result.fallback)} unit(s) have no organ_id (national organ code) in "
            f"the org tree, so their packages carry the marked fallback cascade-local:CODE, which no exchange "
            f"system accepts: {named}. Add `organ_id:` to them in the tree file and run `cascade org import`.",
            highlight=False,
            soft_wrap=True,
        )


@edxml_app.command("import")
def import_cli(
    file: Annotated[Path, typer.Argument(help="The incoming edXML package (.edxml, .xml).")],
    out: Annotated[Path | None, typer.Option("--out", help="Where to write (default FILE.directive.yaml).")] = None,
) -> None:
    """Read an incoming package into the directive file of the plan that implements it (its basis)."""
    from cascade.core.db import session_scope
    from cascade.edxml.draft import draft_directive, write_draft
    from cascade.edxml.reader import read_package_file
    from models.schema import init_db

    target = out or file.with_name(f"{file.stem}.directive.yaml")
    try:
        package = read_package_file(file)
        init_db()
        with session_scope() as session:
            draft = draft_directive(session, package)
    except InputError as exc:
        raise fail(exc) from None
    saved = write_draft(draft, target, source=file.name)
    d = draft.directive
    console.print(
        f"Wrote {target}: the plan implementing {d['basis']} of {d['basis_issuer']} ({d['basis_issued_on']}), "
        f"{len(draft.todos)} field(s) to complete (# TODO:).",
        highlight=False,
        soft_wrap=True,
    )
    for path in saved:
        console.print(f"Saved the basis's original beside it: {path}", highlight=False, soft_wrap=True)
