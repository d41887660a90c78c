"""`cascade status`: a directive's status as a tree, or as figures and its first units when it is big."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from cascade.cli.common import console, err, fail
from cascade.core.errors import InputError

if TYPE_CHECKING:
    from sqlmodel import Session

    from models import Directive


def status(
    number: str,
    issuer: Annotated[str | None, typer.Option(help="Issuer code, when several issuers used this number")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object (every unit)")] = False,
    limit: Annotated[int, typer.Option(min=0, help="Units listed for a big directive (the tree above 500)")] = 50,
    overdue: Annotated[bool, typer.Option("--overdue", help="List only the units late to acknowledge")] = False,
) -> None:
    """Show every unit's status under a directive (and the directives issued below it); a big one as figures
    and its first --limit units."""
    from cascade.cli.statusview import overview, print_overview
    from cascade.core.db import session_scope
    from cascade.status.oversight import today_vn
    from cascade.status.tree import directive_status, find_directive
    from models.schema import init_db

    init_db()
    try:
        with session_scope() as session:
            directive = find_directive(session, number, issuer)
            if as_json:
                json_fits(session, directive)
            big = None if as_json else overview(session, directive, today_vn(), limit=limit, overdue=overdue)
            data = directive_status(session, directive) if big is None else {}
    except InputError as exc:
        raise fail(exc) from None
    if big is not None:
        print_overview(big, console)
    elif as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        print_status(data)


def json_fits(session: Session, directive: Directive) -> None:
    """--json builds every row of the tree in memory: above TREE_LIMIT units it stops with a pointer to the
    streamed CSV export and to --limit instead (650 MiB and 40 s at 100,000 units)."""
    from cascade.core.settings import get_settings
    from cascade.status.page import TREE_LIMIT
    from cascade.status.summary import tree_size

    assert directive.id is not None
    size = tree_size(session, directive_id=directive.id)
    if size > TREE_LIMIT:
        url = f"{get_settings().web.public_url}/admin/directives/{directive.id}/export.csv"
        err.print(
            f"[bold red]Error:[/] {directive.number} has {size:,} units, more than {TREE_LIMIT}: --json would hold "
            f"every one in memory. Download the CSV export ({url}), or drop --json and use --limit N / --overdue.",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=2)


def print_status(data: dict[str, object], out: Console | None = None) -> None:
    """The status as a coloured tree (cascade.cli.statusview); units late to acknowledge are marked."""
    from cascade.cli.statusview import print_status as print_tree

    print_tree(data, out or console)
