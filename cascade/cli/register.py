"""`cascade register set|show`: where a unit's register of outgoing documents stands, which the numbers of the
documents the system issues for it (its pass-ons) continue."""

from __future__ import annotations

from typing import Annotated

import typer

from cascade.cli.common import console, fail
from cascade.core.errors import InputError

register_app = typer.Typer(
    help="A unit's register of outgoing documents (sổ đăng ký văn bản đi).", no_args_is_help=True
)

Issuer = Annotated[str, typer.Option("--issuer", help="The unit's code in the organisation tree")]


def _cong_van_number(sequence: int, symbol: str, party: bool) -> str:
    from cascade.directives.numbers import CONG_VAN, document_number

    return document_number(sequence, CONG_VAN, symbol, party=party)


@register_app.command("set")
def register_set(
    issuer: Issuer,
    year: Annotated[int, typer.Option("--year", help="The year of the register (YYYY)")],
    next_number: Annotated[int, typer.Option("--next", help="The number the unit's next document gets")],
) -> None:
    """Say where a unit's register stands: its next document that year gets number N. Refused below a number
    the unit already used that year."""
    from cascade.core.db import session_scope
    from cascade.documents.register import find_issuer, set_register
    from models.schema import init_db

    init_db()
    try:
        with session_scope() as session:
            unit = find_issuer(session, issuer)
            state = set_register(session, unit, year, next_number, actor="cascade register set")
            name, number = unit.name, _cong_van_number(state.next_number, unit.number_symbol, unit.numbers_party_style)
    except InputError as exc:
        raise fail(exc) from None
    console.print(
        f"Register of {name} for {year}: the next document gets number {state.next_number} (a công văn {number})."
    )


@register_app.command("show")
def register_show(
    issuer: Issuer,
    year: Annotated[int | None, typer.Option("--year", help="The year (default: this year)")] = None,
) -> None:
    """Where a unit's register stands for a year, and the highest number already used."""
    from cascade.core.db import session_scope
    from cascade.core.workdays import local_date
    from cascade.documents.register import find_issuer, register_state
    from models import utcnow
    from models.schema import init_db

    init_db()
    year = year or local_date(utcnow()).year
    try:
        with session_scope() as session:
            unit = find_issuer(session, issuer)
            state = register_state(session, unit, year)
    except InputError as exc:
        raise fail(exc) from None
    used = f"highest number used: {state.highest_used}" if state.highest_used else "no number used yet"
    console.print(f"Register of {unit.name} for {year}: next number {state.next_number} ({used}).")
