"""National scale, measured side by side in one run on this machine (not part of the test suite).

    .venv/bin/python -m bench.scale [--units 100000] [--workdir bench-out/scale] [--acks 3000] [--ack-rounds 3] [--json]

Raw SMTP limit, the engine's full cascade (database + render + send), a naive one-task-per-unit flow,
acknowledgement POSTs against a bare endpoint, one overdue scan and the dispatch's peak RSS. With --json the
last line is one JSON object of the figures: sqlite_raw_ratio (the engine's notices/s over the raw msg/s),
ack_ratio (acknowledgement POSTs/s, the app's over the bare endpoint's), and the rates they come from."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import aiosmtplib
from sqlalchemy import func, text

from bench.acks import bare_load, paired_ratio, post_all, serve, server_args, urls_for
from bench.sink import CountingSink
from cascade.dev.orggen import generate, shape

PROJECT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-0123456789abcdef"
OVERDUE_SQL = "SELECT id, unit_id, ack_due FROM assignment WHERE status IN ('queued', 'arrived') AND ack_due < :today"


def child_env(db: Path, smtp_port: int, home: Path, public_port: int = 8000) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASCADE_", "PREFECT_"))}
    env.update(
        CASCADE_DATABASE_URL=f"sqlite:///{db}",
        CASCADE_SMTP_HOST="127.0.0.1",
        CASCADE_SMTP_PORT=str(smtp_port),
        CASCADE_SMTP_SECURITY="none",  # the local sink speaks plain SMTP
        CASCADE_DATA_DIR=str(home / "data"),
        CASCADE_SECRET_KEY=SECRET,
        CASCADE_PUBLIC_URL=f"http://127.0.0.1:{public_port}",
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
        PYTHONPATH=str(PROJECT),
    )
    return env


def run_child(module: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", module, *args], env=env, cwd=PROJECT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def prepare(workdir: Path, name: str, units: int) -> tuple[Path, Path, Path]:
    """An org file, a directive to every unit, and a fresh SQLite database with the tree imported."""
    org, directive, db = workdir / f"{name}-org.yaml", workdir / f"{name}-directive.yaml", workdir / f"{name}.db"
    generate(org, shape(units), directive)
    for stale in workdir.glob(f"{name}.db*"):
        stale.unlink()
    started = time.perf_counter()
    cli = str(Path(sys.executable).with_name("cascade"))
    env = {**os.environ, "CASCADE_DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([cli, "org", "import", str(org)], env=env, check=True, capture_output=True)
    print(f"  {name}: {units:,} grassroots units generated and imported in {time.perf_counter() - started:.1f} s")
    return org, directive, db


async def _raw(port: int, message: bytes, total: int, connections: int) -> float:
    """Seconds for a bare aiosmtplib sender to send `total` copies over `connections` reused connections."""
    per = [total // connections + (1 if i < total % connections else 0) for i in range(connections)]

    async def one(count: int) -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await smtp.connect()
        for _ in range(count):
            await smtp.sendmail("no-reply@cascade.example", ["unit@congdoan.example"], message)
        await smtp.quit()

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in per))
    return time.perf_counter() - started


def sample_message(db: Path) -> bytes:
    """One of the engine's own notices, as bytes: the raw sender sends messages of the same size."""
    return sample_message_at(f"sqlite:///{db}")


def sample_message_at(url: str) -> bytes:
    """As sample_message, from the database at `url`."""
    from sqlmodel import Session

    from cascade.core.db import get_engine
    from cascade.core.settings import Settings, WebSettings
    from cascade.delivery.shared_documents import stored_email

    with Session(get_engine(url)) as session:
        first = session.execute(text("SELECT min(id) FROM outboxmessage")).scalar_one()
        return stored_email(session, Settings(web=WebSettings(secret_key=SECRET)), first)


def sample_before(db: Path, directive: Path, scratch: Path) -> bytes:
    """The engine's first notice before its run: the directive stored and one notice rendered in a copy of the
    database, so that the raw limit is measured before the engine's run as well as after it."""
    from sqlmodel import Session, col, select

    from cascade.core.db import get_engine
    from cascade.core.settings import Settings, WebSettings
    from cascade.core.workdays import work_calendar
    from cascade.delivery.shared_documents import stored_email
    from cascade.directives.directivefile import parse_directive
    from cascade.directives.store import store_directive
    from cascade.dispatch.notices import create_assignments, enqueue_notices
    from models import Assignment, OutboxMessage

    shutil.copy(db, scratch)
    settings = Settings(
        web=WebSettings(secret_key=SECRET, public_url="http://127.0.0.1:8000")
    )  # as child_env sets them
    with Session(get_engine(f"sqlite:///{scratch}")) as session:
        stored, _ = store_directive(session, parse_directive(directive))
        assert stored.id is not None
        create_assignments(session, stored, work_calendar())
        first = session.exec(select(func.min(Assignment.id)).where(Assignment.directive_id == stored.id)).one()
        assert first is not None
        enqueue_notices(session, settings, stored.id, [first])
        message = session.exec(select(OutboxMessage.id).where(col(OutboxMessage.assignment_id) == first)).one()
        assert message is not None
        return stored_email(session, settings, message)


def overdue_scan(db: Path) -> tuple[float, int, str]:
    from cascade.core.db import get_engine

    engine = get_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        plan = " / ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + OVERDUE_SQL), {"today": "x"}))
        started = time.perf_counter()
        rows = conn.execute(text(OVERDUE_SQL), {"today": date(2099, 1, 1).isoformat()}).all()
        return time.perf_counter() - started, len(rows), plan


def ack_urls(db: Path, base: str, count: int) -> list[str]:
    from cascade.core.db import get_engine
    from cascade.core.settings import Settings, WebSettings
    from cascade.dispatch.tokens import Purpose, expiry_for, make_token

    settings = Settings(web=WebSettings(secret_key=SECRET))
    with get_engine(f"sqlite:///{db}").connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM assignment"))]
    expires = expiry_for(date(2099, 1, 1), 0)
    picked = random.Random(6).sample(ids, min(count, len(ids)))
    return [f"{base}/u/{make_token(settings, i, Purpose.ack, expires)}/ack" for i in picked]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=100_000, help="grassroots units of the national tree")
    parser.add_argument("--naive-units", type=int, default=2_000, help="grassroots units for the naive flow")
    parser.add_argument("--acks", type=int, default=3_000, help="acknowledgement POSTs to time, per round")
    parser.add_argument("--ack-rounds", type=int, default=3, help="rounds of app and bare POSTs (their median)")
    parser.add_argument("--workdir", type=Path, default=PROJECT / "bench-out" / "scale")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object, last")
    opts = parser.parse_args()
    workdir = opts.workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    connections = int(os.environ.get("CASCADE_SMTP_CONNECTIONS", "4"))
    print(f"bench.scale on {os.cpu_count()} cores (shared: figures are noisy), {connections} SMTP connections")
    _, directive, db = prepare(workdir, "national", opts.units)
    naive_runs = [prepare(workdir, f"naive-{when}", opts.naive_units)[1:] for when in ("before", "after")]
    early = sample_before(db, directive, workdir / "sample.db")
    raw_total = min(opts.units, 20_000)
    with CountingSink() as sink:
        asyncio.run(_raw(sink.port, early, 1000, connections))  # warm-up: the sink's first messages are slower
        # Both baselines just before and just after the engine's run: this machine's speed drifts.
        raw_before = raw_total / asyncio.run(_raw(sink.port, early, raw_total, connections))
        naive_before = run_naive(sink, *naive_runs[0], workdir)
        before = sink.count
        engine_env = child_env(db, sink.port, workdir / "prefect-engine")  # each run its own Prefect database
        engine = run_child("bench.engine_run", [str(directive)], engine_env)
        sent = int(engine["totals"]["sent"])
        assert sink.count - before == sent, (sink.count - before, sent)
        message = sample_message(db)
        raw_after = raw_total / asyncio.run(_raw(sink.port, message, raw_total, connections))
        naive_after = run_naive(sink, *naive_runs[1], workdir)
    raw_rate, engine_rate = (raw_before + raw_after) / 2, sent / engine["seconds"]
    naive_rate = (naive_before[1] + naive_after[1]) / 2
    print(
        f"raw limit (bare aiosmtplib, {len(message):,}-byte notice, {len(early):,} before the engine's run): "
        f"{raw_rate:8.0f} msg/s, the mean of {raw_before:.0f} before the engine's run and {raw_after:.0f} after"
    )
    print(f"engine, full cascade of {sent:,} notices:  {engine_rate:8.0f} notices/s in {engine['seconds']:.0f} s")
    print(f"  ratio to the raw limit: {engine_rate / raw_rate:.2f} (goal ≥ 0.85)")
    print(
        f"  per notice: {engine['cpu_seconds'] / sent * 1000:.2f} ms of CPU in the dispatch process, "
        f"{engine['written_mib'] * 1024 / sent:.1f} KiB written; "
        f"{engine['server_cpu_seconds'] / sent * 1000:.2f} ms of CPU in the Prefect server"
    )
    print(
        f"naive flow, one task per unit ({naive_before[0]:,}): {naive_rate:8.1f} notices/s, "
        f"the mean of {naive_before[1]:.1f} before the engine's run and {naive_after[1]:.1f} after"
    )
    print(f"  engine / naive: {engine_rate / naive_rate:.0f}× (goal ≥ 20)")
    figures: dict[str, Any] = {
        "units": opts.units,
        "notices": sent,
        "raw_rate": raw_rate,
        "raw_before": raw_before,
        "raw_after": raw_after,
        "engine_rate": engine_rate,
        "engine_seconds": engine["seconds"],
        "sqlite_raw_ratio": engine_rate / raw_rate,
        "cpu_ms_per_notice": engine["cpu_seconds"] / sent * 1000,
        "naive_rate": naive_rate,
        "engine_naive_ratio": engine_rate / naive_rate,
        "ack_ratio": None,
    }
    try:
        figures.update(measure_acks(db, workdir, opts.acks, sent, opts.ack_rounds))
    except Exception as exc:  # noqa: BLE001 - the other figures still stand
        print(f"acknowledgement POSTs: not measured ({type(exc).__name__}: {exc})")
    seconds, rows, plan = overdue_scan(db)
    print(f"overdue scan over {sent:,} assignments: {seconds:.3f} s for {rows:,} rows (goal ≤ 1 s); plan: {plan}")
    print(f"peak RSS of the dispatch process: {engine['peak_rss_mib']:.0f} MiB (goal ≤ 1024)")
    figures.update(overdue_scan_seconds=seconds, peak_rss_mib=engine["peak_rss_mib"])
    if opts.json:
        print(json.dumps(figures))


def run_naive(sink: CountingSink, directive: Path, db: Path, workdir: Path) -> tuple[int, float]:
    """(notices sent, notices/s) of the naive flow on its own fresh database."""
    before = sink.count
    naive = run_child("bench.naive", [str(directive)], child_env(db, sink.port, workdir / f"prefect-{db.stem}"))
    assert sink.count - before == naive["sent"]
    return int(naive["sent"]), naive["sent"] / naive["seconds"]


def measure_acks(db: Path, workdir: Path, count: int, sent: int, rounds: int = 3) -> dict[str, float]:
    """`rounds` times: `count` acknowledgements to the app, then as many POSTs to the bare endpoint."""
    env = child_env(db, 0, workdir / "prefect")
    apps: list[float] = []
    bares: list[float] = []
    for round_ in range(rounds):
        args, port = server_args("app")
        with serve(args, port, env) as base:
            step = urls_for(count)
            urls = ack_urls(db, base, step * rounds + 1)  # the same sample each time: every round its own part
            part = urls[1 + round_ * step : 1 + (round_ + 1) * step]
            posted = post_all(part, form_page=urls[0].removesuffix("/ack"))
        apps.append(posted.rate)
        posted_bare = bare_load(env, count)
        bares.append(posted_bare.rate)
        print(f"  round {round_ + 1}: app {apps[-1]:6.0f}/s ({posted.ok} answered 200), bare {bares[-1]:6.0f}/s;"
              f" wrk's CPU {posted.client_cpu:.0%} and {posted_bare.client_cpu:.0%} of a core")  # fmt: skip
    ratio = paired_ratio(apps, bares)
    app_rate, bare = statistics.median(apps), statistics.median(bares)
    print(f"acknowledgement POSTs over HTTP, {sent:,} assignments: {app_rate:6.0f}/s (median of {rounds} rounds)")
    print(f"  bare FastAPI endpoint: {bare:6.0f}/s; ratio {ratio:.2f} (median of the rounds' ratios; goal ≥ 0.8)")
    return {"ack_rate": app_rate, "bare_ack_rate": bare, "ack_ratio": ratio}


if __name__ == "__main__":
    main()
