"""What every `cascade` command shares: the consoles, and how bad input ends a command."""

from __future__ import annotations

import typer
from rich.console import Console

from cascade.core.errors import InputError

console = Console()
err = Console(stderr=True)


def fail(exc: InputError) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {len(exc.problems)} problem(s), nothing was written:")
    for problem in exc.problems:
        err.print(f"  • {problem}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code=2)
