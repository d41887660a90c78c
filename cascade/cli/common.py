"""What every `cascade` command shares: the consoles, and how bad input ends a command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from cascade.core.errors import InputError
from cascade.delivery.relay import RelayError

# sysexits.h: a service manager or cron job can tell "try again later" from "fix the configuration".
EX_TEMPFAIL, EX_CONFIG = 75, 78

console = Console()
err = Console(stderr=True)


def fail(exc: InputError) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {len(exc.problems)} problem(s), nothing was written:")
    for problem in exc.problems:
        err.print(f"  • {problem}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@contextmanager
def mail_stops() -> Iterator[None]:
    """A send the mail relay stopped ends the command with its cause (and what was kept), not a traceback."""
    try:
        yield
    except RelayError as exc:
        err.print("[bold red]Error:[/]", end=" ")
        err.print(str(exc), markup=False, highlight=False, soft_wrap=True)  # "[SSL: …]" is not markup
        err.print(
            "Nothing was bounced: every message not sent is still owed. "
            + (
                "Run `cascade dispatch` again later."
                if exc.temporary
                else "Fix the setting, then run `cascade dispatch`."
            ),
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=EX_TEMPFAIL if exc.temporary else EX_CONFIG) from None
