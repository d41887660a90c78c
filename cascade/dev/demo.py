"""`cascade demo`: the seed directive end to end on the embedded default, then a status table."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from cascade.core.settings import get_settings, reset_settings
from cascade.dev.smtp_sink import Received

# The demo runs from a checkout: its sample tree and directive are the files under examples/.
PROJECT_DIR = Path(__file__).resolve().parents[2]
SAMPLE_ORG = PROJECT_DIR / "examples" / "laichau-2021.yaml"
SAMPLE_DIRECTIVE = PROJECT_DIR / "examples" / "252-KH-LDLD.yaml"
# The console's account the demo makes: an administrator of the seed's issuer, the provincial federation.
DEMO_ADMIN = "admin@ldld-laichau.demo"
DEMO_ADMIN_UNIT = "LDLD_LC"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configure(workdir: Path) -> None:
    """Point every setting at the demo's own database, mail sink and web port."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    os.environ["CASCADE_DATABASE_URL"] = f"sqlite:///{(workdir / 'demo.db').resolve()}"
    # Its data folder (originals, send journals) with the rest of the demo, not in the working directory.
    os.environ["CASCADE_DATA_DIR"] = str((workdir / "data").resolve())
    os.environ["CASCADE_SMTP_HOST"] = "127.0.0.1"
    os.environ["CASCADE_SMTP_PORT"] = str(_free_port())
    # The demo's sink speaks plain SMTP and asks for no login, whatever relay this shell is set up for.
    os.environ["CASCADE_SMTP_SECURITY"] = "none"
    for name in ("CASCADE_SMTP_USERNAME", "CASCADE_SMTP_PASSWORD", "CASCADE_SMTP_PASSWORD_FILE"):
        os.environ.pop(name, None)
    os.environ["CASCADE_PUBLIC_URL"] = f"http://127.0.0.1:{_free_port()}"
    # The web app passes each confirmed directive on at once, which the demo shows (web/passon_trigger.py).
    os.environ["CASCADE_PASSON_DISPATCH"] = "now"
    # The demo signs with a throw-away key; every other command refuses to start without one.
    os.environ.setdefault("CASCADE_SECRET_KEY", secrets.token_urlsafe(32))
    # The demo replays the seed on its own dates: the units answer on the day the plan was issued.
    os.environ.setdefault("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")
    reset_settings()


def confirm_share(messages: list[Received], public_url: str, share: float) -> tuple[int, int]:
    """The chosen part of the recipients of these messages follow their link and confirm (real HTTP)."""
    from cascade.dev.links import confirm_receipt, links_in

    links = {}
    for message in messages:
        found = links_in(message.text(), public_url)
        if found:
            links[message.rcpt_tos[0]] = found[0]
    confirmed = 0
    with httpx.Client(timeout=30) as client:
        for address in chosen(list(links), share):
            confirm_receipt(client, links[address]).raise_for_status()
            confirmed += 1
    return confirmed, len(links)


def chosen(addresses: list[str], share: float) -> list[str]:
    """A deterministic part of the units: the same ones confirm on every run."""
    ordered = sorted(addresses)
    return ordered[: round(len(ordered) * share)]


def demo_admin(console: Console) -> str:
    """The administrator of the seed's issuer (the top of its cascade), with a random password, returned. A demo
    account: its password is not forced to change at the first login, as a real account's initial one is."""
    from cascade.accounts.users import add_user
    from cascade.core.db import session_scope
    from models import UserRole

    password = secrets.token_urlsafe(12)
    with session_scope() as session:
        user = add_user(
            session, email=DEMO_ADMIN, role=UserRole.admin, password=password, unit_code=DEMO_ADMIN_UNIT,
            name="Quản trị (thử nghiệm)", actor="cascade demo",
        )  # fmt: skip
        user.must_change_password = False
        session.add(user)
    console.print(
        f"    Console account {DEMO_ADMIN} (administrator of Liên đoàn Lao động tỉnh Lai Châu), password "
        f"{password}: a demo account, so this password need not be changed at the first login.",
        highlight=False,
    )
    return password


def wait_for_ctrl_c() -> None:
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass


def run_demo(
    *,
    workdir: Path,
    ack_share: float,
    console: Console,
    show_status: Callable[[dict[str, Any], Console], None],
    serve: bool = False,
    until: Callable[[], None] = wait_for_ctrl_c,
) -> None:
    """The seed end to end; with `serve`, keeps the sink and web app up for a person until `until` returns.
    `show_status` prints the directive's status tree (the command line's own view of it)."""
    started = time.monotonic()
    configure(workdir)
    # The web app also serves the local inbox (/inbox) and the console (which needs an account: made below).
    base = get_settings()
    web = base.web.model_copy(update={"inbox_dir": str((workdir / "mail").resolve())})
    settings = base.model_copy(update={"web": web})
    from cascade.core.db import session_scope
    from cascade.dev.inbox_pages import create_app_with_inbox
    from cascade.dev.smtp_sink import SmtpSink
    from cascade.dev.webserver import BackgroundServer
    from cascade.org.orgtree import import_org, parse_org
    from cascade.status.tree import directive_status, find_directive
    from flows.cascade_directive import cascade_directive
    from flows.dispatch_pending import dispatch_pending
    from models.schema import init_db
    from web.passon_trigger import notifier_of

    init_db()
    with session_scope() as session:
        counts = import_org(session, parse_org(SAMPLE_ORG), source=str(SAMPLE_ORG))
    console.print(f"[bold]1.[/] Imported the sample tree: {counts['units']} units (Lai Châu, 2021 shape).")
    password = demo_admin(console)
    application = create_app_with_inbox(settings)
    with (
        SmtpSink(port=settings.delivery.smtp_port, maildir=workdir / "mail") as sink,
        BackgroundServer(application, settings.web.public_host, settings.web.public_port),
    ):
        console.print(f"    SMTP sink on :{settings.delivery.smtp_port}, web app on {settings.web.public_url}")
        totals = cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
        console.print(
            f"[bold]2.[/] Launched 252/KH-LĐLĐ through the `cascade-directive` flow: {totals['sent']} emails sent."
        )
        seen = len(sink.messages)
        confirmed, total = confirm_share(sink.messages[:seen], settings.web.public_url, ack_share)
        console.print(f"[bold]3.[/] {confirmed} of {total} units opened the link in their email and confirmed receipt.")
        # Each confirmation in forward mode issued a Công văn, passed on at once by the web app (web/passon_trigger.py).
        if not notifier_of(application.state).wait_idle(300):
            console.print("    [yellow]The web app's pass-on is still running; dispatch-pending sends what is left.[/]")
        safety_net = dispatch_pending()  # the hourly safety net: finds nothing owed
        with session_scope() as session:
            plans = passed_on(session, find_directive(session, "252/KH-LĐLĐ").id)
        console.print(
            f"[bold]4.[/] The federations that confirmed passed it on at once: {plans} implementing plans (the "
            f"`pass-on` flow, run by the web app), {len(sink.messages) - seen} emails to the units under them; "
            f"`dispatch-pending` found {safety_net['directives']} left."
        )
        confirmed, total = confirm_share(sink.messages[seen:], settings.web.public_url, ack_share)
        console.print(f"[bold]5.[/] {confirmed} of those {total} grassroots units confirmed receipt.")
        with session_scope() as session:
            directive = find_directive(session, "252/KH-LĐLĐ")
            data = directive_status(session, directive)
        show_status(data, console)
        if serve:
            url = settings.web.public_url
            console.print(
                f"\n[bold]Open the inbox:[/] {url}/inbox — open a message and click its link to confirm as a unit.\n"
                f"[bold]Console:[/] {url}/admin/login — sign in as {DEMO_ADMIN} with the password {password}, "
                f"then open {url}/admin/directives/{directive.id}\n"
                "Press Ctrl-C to stop."
            )
            until()
    console.print(
        f"Demo finished in {time.monotonic() - started:.1f} s. Mail received: {workdir / 'mail'}; "
        f"database: {workdir / 'demo.db'}."
    )


def passed_on(session: Any, directive_id: int | None) -> int:
    """The implementing directives issued under this one and dispatched."""
    from sqlmodel import col, func, select

    from models import Directive

    query = select(func.count()).where(
        col(Directive.parent_directive_id) == directive_id, col(Directive.dispatched_at).is_not(None)
    )
    return int(session.exec(query).one())
