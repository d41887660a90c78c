"""The `cascade` command line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from cascade.cli.common import console, err, fail, mail_stops
from cascade.cli.db import db_app
from cascade.cli.docimport import import_document_cli
from cascade.cli.edxml import edxml_app
from cascade.cli.lifecycle import add_recipients_cli, amend_cli, recall_cli
from cascade.cli.register import register_app
from cascade.cli.render import render_cli, report_cli
from cascade.cli.status import status
from cascade.cli.users import user_app
from cascade.core.errors import InputError

app = typer.Typer(
    help="Carry a directive down the organisation tree and bring the answers back up.",
    no_args_is_help=True,
    add_completion=False,
)
org_app = typer.Typer(help="The organisation tree.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(db_app, name="db")
app.add_typer(register_app, name="register")
app.add_typer(edxml_app, name="edxml")
app.add_typer(user_app, name="user")
app.command("import-document")(import_document_cli)
app.command("status")(status)
app.command("render")(render_cli)
app.command("report")(report_cli)
# a directive's life after launch (cascade/lifecycle); one that replaces another is launched
app.command("recall")(recall_cli)
app.command("amend")(amend_cli)
app.command("add-recipients")(add_recipients_cli)


def quiet_prefect() -> None:
    # The SQLite-backed ephemeral server logs "database is locked" from its telemetry otherwise.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@org_app.command("import")
def org_import(file: Path) -> None:
    """Import (or update) the organisation tree from a YAML file."""
    from cascade.core.db import session_scope
    from cascade.core.settings import get_settings
    from cascade.org.orgtree import import_org, parse_org
    from cascade.org.restructure import move_to_successors
    from models.schema import init_db

    try:
        specs = parse_org(file)
        init_db()
        with session_scope() as session:
            counts = import_org(session, specs, source=str(file))
            moved = move_to_successors(session, get_settings()) if any(s.dissolved for s in specs) else 0
    except InputError as exc:
        raise fail(exc) from None
    console.print(
        f"Imported {counts['units']} units from {file} ({counts['created']} new, {counts['updated']} changed)."
    )
    if moved:
        console.print(
            f"{moved} open assignment(s) of dissolved units moved to their successors; "
            "run `cascade dispatch` to send them their notices."
        )


@org_app.command("generate")
def org_generate(
    out: Annotated[Path, typer.Option("--out", help="The org file to write")],
    shape: Annotated[str, typer.Option(help="national: 1 → 54 → ~700 → 100,000 units")] = "national",
    units: Annotated[int, typer.Option(help="Grassroots units (the other levels scale with it)")] = 100_000,
    directive: Annotated[Path | None, typer.Option(help="Also write a directive to every unit here")] = None,
    seed: Annotated[int, typer.Option(help="Random seed for the names")] = 2025,
) -> None:
    """Write a synthetic organisation tree (valid unique codes and emails, Vietnamese names) for scale work."""
    from cascade.dev.orggen import generate
    from cascade.dev.orggen import shape as national

    if shape != "national" or units < 1:
        err.print("[bold red]Error:[/] only --shape national is known, with --units ≥ 1")
        raise typer.Exit(code=2)
    size = national(units)
    count, recipients = generate(out, size, directive, seed)
    console.print(f"Wrote {count} units to {out} ({size.federations} federations, {size.intermediates} intermediate).")
    if directive is not None:
        console.print(f"Wrote a directive to {recipients} units to {directive}.")


@app.command()
def launch(file: Path) -> None:
    """Validate a directive file, store it and dispatch it through the `cascade-directive` flow (through
    `replace-directive` when the file says `replaces:`: the old one is closed and its units told)."""
    from cascade.core.db import session_scope
    from cascade.core.settings import get_settings
    from cascade.directives.closing import issued_directive
    from cascade.directives.specfile import parse_directive_file
    from cascade.directives.unit_check import check_units
    from cascade.documents.originals import check_original
    from models.schema import init_db

    try:
        spec = parse_directive_file(file)  # the flow below reuses this parse (same process, same file)
        check_original(spec, get_settings().documents)  # the flow checks it again as it stores it
        init_db()
        with session_scope() as session:
            check_units(session, spec)
            if spec.replaces:  # the directive it replaces: the issuer's, still in force
                issued_directive(session, spec.replaces, spec.issuer, source=spec.source, entry="replaces")
    except InputError as exc:
        raise fail(exc) from None
    quiet_prefect()
    from cascade.cli.progress import dispatch_progress
    from flows.cascade_directive import cascade_directive
    from flows.replace import replace_directive

    console.print(f"Dispatching {spec.number} to {len(spec.recipients)} recipients…")
    with mail_stops(), dispatch_progress(console, spec.number, spec.issuer, len(spec.recipients)):
        if spec.replaces:  # the `replace-directive` flow closes the old one, tells its units, then cascades this
            replaced = replace_directive(directive_file=str(file.resolve()))
            totals = replaced["dispatch"]
            console.print(f"{spec.replaces} replaced: {replaced['replaced_sent']} unit(s) told what replaced it.")
        else:
            totals = cascade_directive(directive_file=str(file.resolve()))
    console.print(
        f"[green]{spec.number}[/] dispatched: {totals['sent']} emails sent, {totals['failed']} to retry, "
        f"{totals['bounced']} bounced."
    )
    console.print("[bold]Next steps:[/]")
    console.print(f"  • cascade web   — serve the links in the emails ({get_settings().web.public_url}/u/…)")
    console.print(f"  • cascade status '{spec.number}'   — follow the acknowledgements, as a tree")
    console.print(
        f"  • {get_settings().web.public_url}/admin   — the console (sign in with an account: `cascade user add`)"
    )
    console.print("  • prefect server start   — with PREFECT_API_URL set, its UI shows the run and its artifacts")


@app.command()
def monitor(
    now: Annotated[
        str | None, typer.Option(help="Run as if it were this ISO time (naive = Vietnam time); default: now")
    ] = None,
) -> None:
    """Run the `monitor-deadlines` flow once: reminders, escalations, consolidated reports."""
    quiet_prefect()
    from flows.monitor import monitor_deadlines

    with mail_stops():
        totals = monitor_deadlines(now=now)
    console.print(
        f"{totals['steps']} reminder/escalation steps, {totals['consolidated']} consolidated reports, "
        f"{totals['sent']} emails sent, {totals['failed']} to retry."
    )


@app.command()
def web(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default CASCADE_LISTEN_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default CASCADE_LISTEN_PORT).")] = None,
) -> None:
    """Serve the unit pages and the console (accounts: `cascade user add`; behind a proxy: docs/operations.md)."""
    import uvicorn

    from cascade.core.settings import MissingSecretKey, get_settings
    from cascade.dev.inbox_pages import create_app_with_inbox
    from web.access_log import log_config

    settings = get_settings()
    try:
        application = create_app_with_inbox(settings)
    except MissingSecretKey as exc:
        err.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(code=2) from None
    trusted = settings.web.trusted_proxies.strip()
    uvicorn.run(
        application,
        host=host or settings.web.listen_host,
        port=port or settings.web.listen_port,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        log_config=log_config(),
    )


@app.command()
def demo(
    workdir: Annotated[Path, typer.Option(help="Where the demo keeps its database and received mail")] = Path(
        "demo-out"
    ),
    ack_share: Annotated[float, typer.Option(help="Share of units that confirm receipt")] = 0.6,
    serve: Annotated[
        bool, typer.Option("--serve", help="Keep the mail sink and web app up (inbox, supervisor view) until Ctrl-C")
    ] = False,
) -> None:
    """Run the whole sample on the embedded default: SQLite, ephemeral Prefect, a local SMTP sink."""
    quiet_prefect()
    from cascade.cli.status import print_status

    try:
        from cascade.dev.demo import run_demo
    except ModuleNotFoundError as exc:  # its SMTP sink is aiosmtpd, an optional extra
        if (exc.name or "").partition(".")[0] != "aiosmtpd":
            raise
        err.print(
            "[bold red]Error:[/] `cascade demo` runs a local SMTP sink, which needs aiosmtpd (the `demo` extra): "
            "pip install 'directive-cascade\\[demo]'"  # rich prints "\\[" as "["
        )
        raise typer.Exit(code=2) from None

    run_demo(workdir=workdir, ack_share=ack_share, console=console, show_status=print_status, serve=serve)


@app.command()
def inbox(
    folder: Annotated[
        Path | None, typer.Option("--dir", help="The maildir (default: CASCADE_INBOX_DIR, else demo-out/mail)")
    ] = None,
) -> None:
    """List the mail the local SMTP sink received (the demo's inbox), with the links to click."""
    from cascade.core.settings import get_settings
    from cascade.dev.inbox import print_inbox

    maildir = folder or Path(get_settings().web.inbox_dir or "demo-out/mail")
    if not print_inbox(maildir, console):
        raise typer.Exit(code=1)


@app.command()
def dispatch() -> None:
    """Send the directives units issued below them (and any other mail still owed): the `dispatch-pending` flow."""
    quiet_prefect()
    from flows.dispatch_pending import dispatch_pending

    with mail_stops(), console.status("Dispatching pending directives…"):
        totals = dispatch_pending()
    console.print(f"{totals['directives']} directive(s) dispatched, {totals['other_messages']} other message(s) sent.")


@app.command()
def reroute(
    number: str,
    from_unit: Annotated[str, typer.Option("--from", help="The unit that refused")],
    to_unit: Annotated[str, typer.Option("--to", help="The unit it should go to")],
    issuer: Annotated[str | None, typer.Option(help="Issuer code, when several issuers used this number")] = None,
) -> None:
    """Send a refused directive to another unit instead (same role), in one command."""
    from cascade.core.db import session_scope
    from cascade.replies.refusal import reroute as reroute_directive
    from cascade.status.tree import find_directive
    from models.schema import init_db

    init_db()
    try:
        with session_scope() as session:
            directive = find_directive(session, number, issuer)
            reroute_directive(session, directive, from_unit, to_unit)
            directive_id = directive.id
    except InputError as exc:
        raise fail(exc) from None
    quiet_prefect()
    from flows.cascade_directive import cascade_directive

    with mail_stops():
        totals = cascade_directive(directive_id=directive_id)
    console.print(f"{number}: rerouted from {from_unit} to {to_unit}; {totals['sent']} email(s) sent.")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
