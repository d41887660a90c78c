"""`cascade render` and `cascade report`: a stored directive, and the consolidated results of one of its report
cycles as a BÁO CÁO, written as .docx files laid out as Decree 30/2020/NĐ-CP lays a document out."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cascade.cli.common import console, err, fail
from cascade.core.errors import InputError, Problem

if TYPE_CHECKING:
    from sqlmodel import Session

    from models import Directive

Number = Annotated[str, typer.Argument(help="The directive's number and symbol, e.g. 252/KH-LĐLĐ")]
Issuer = Annotated[str, typer.Option("--issuer", help="The issuer's unit code (a number is unique per issuer)")]
Out = Annotated[Path, typer.Option("--out", help="The .docx file to write")]


def _check_out(out: Path) -> None:
    problems = []
    if out.suffix.lower() != ".docx":
        problems.append(Problem(str(out), "--out must name a .docx file"))
    elif out.is_dir():
        problems.append(Problem(str(out), "--out is a folder, not a file"))
    elif not out.parent.is_dir():
        problems.append(Problem(str(out), f"the folder {out.parent} does not exist"))
    if problems:
        raise InputError(problems)


def _write(out: Path, data: bytes) -> None:
    """Through a temporary file beside it and a rename: a failed write never leaves half a document."""
    temp = out.with_name(f".{out.name}.part")
    try:
        temp.write_bytes(data)
        temp.replace(out)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        err.print(f"[bold red]Error:[/] cannot write {out}: {exc.strerror or exc}")
        raise typer.Exit(code=2) from None


def _find(session: Session, number: str, issuer: str, command: str) -> Directive:
    """The directive with this number from this issuer; the error names the command, not `status`."""
    from cascade.status.tree import find_directive

    try:
        return find_directive(session, number, issuer)
    except InputError as exc:
        raise InputError([replace(p, file=command) for p in exc.problems]) from None


def render_cli(number: Number, issuer: Issuer, out: Out) -> None:
    """Write a stored directive as a .docx (A4, Times New Roman, the decree's heading, signer and Nơi nhận)."""
    from cascade.core.db import session_scope
    from cascade.documents.docx_writer import directive_docx
    from models.schema import init_db

    try:
        _check_out(out)
        init_db()
        with session_scope() as session:
            directive = _find(session, number, issuer, "cascade render")
            data, found = directive_docx(session, directive), directive.number
    except InputError as exc:
        raise fail(exc) from None
    _write(out, data)
    console.print(f"Wrote {found} to {out} ({len(data):,} bytes).")


def report_cli(
    number: Number,
    issuer: Issuer,
    out: Out,
    cycle: Annotated[
        int | None, typer.Option("--cycle", help="The report cycle (default: the last one already due)")
    ] = None,
) -> None:
    """Write the consolidated results of a directive as a BÁO CÁO .docx, addressed to the basis issuer, with the
    rolled-up figures and the units that did and did not report; number and signer left for the issuer."""
    from cascade.chasing.report_document import report_docx
    from cascade.core.clock import utcnow
    from cascade.core.db import session_scope
    from cascade.core.settings import get_settings
    from cascade.core.workdays import local_date, work_calendar
    from models.schema import init_db

    try:
        _check_out(out)
        init_db()
        with session_scope() as session:
            directive = _find(session, number, issuer, "cascade report")
            try:
                data, chosen = report_docx(
                    session, directive, work_calendar(get_settings()), local_date(utcnow()), cycle
                )
            except LookupError as exc:
                raise InputError([Problem("cascade report", str(exc), entry="--cycle")]) from None
            seq = chosen.seq
    except InputError as exc:
        raise fail(exc) from None
    _write(out, data)
    console.print(f"Wrote the report on {number} (cycle {seq}) to {out} ({len(data):,} bytes).")
