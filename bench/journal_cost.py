"""What the fsynced send journal costs the sender (not part of the test suite).

    .venv/bin/python -m bench.journal_cost [--units 20000] [--rounds 3] [--body short|plan] [--json]

A tree of `--units` units (bench.scenario's shape) with a directive to each, stored and its notices rendered into
the outbox once. Each run then sends every notice (`send_outbox_batch`, the default batches and 4 connections) to
the counting sink from a fresh copy of that database, with the send journal synced one of three ways, taken in
turn in each round:

- line: on this machine's disk, every acceptance line fdatasynced before the sender goes on;
- group: on the same disk, one fdatasync per group, before the group's 'sent' commit;
- tmpfs: in /dev/shm, where fdatasync returns at once: the same code with the cost of the sync taken away.

line / tmpfs and group / tmpfs, the means over the rounds, are what each costs the send; the latency of one
append + fdatasync on each is measured in the same run. Only the send is timed: rendering is the same for all."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.scenario import PROJECT, SECRET, Scenario
from bench.sink import CountingSink

TMPFS = Path("/dev/shm")


def fdatasync_micros(directory: Path, lines: int = 2000) -> float:
    """Mean microseconds of one append + fdatasync of a journal-sized line in `directory`."""
    fd, name = tempfile.mkstemp(dir=directory, suffix=".log")
    try:
        started = time.perf_counter()
        for i in range(lines):
            os.write(fd, b"<notice-%d.1622174400000000@laichau.example>\n" % i)
            os.fdatasync(fd)
        return (time.perf_counter() - started) / lines * 1e6
    finally:
        os.close(fd)
        os.unlink(name)


def render(scenario: Scenario, short: bool) -> Path:
    """The directive stored, its assignments made and its notices rendered: the database every run copies.
    `short`: a two-line body instead of Plan 252's (a small message is where a sync per line weighs most)."""
    import yaml
    from sqlmodel import Session

    from cascade.core.db import get_engine
    from cascade.core.settings import get_settings
    from cascade.core.workdays import WorkCalendar
    from cascade.directives.directivefile import parse_directive
    from cascade.directives.store import store_directive
    from cascade.dispatch.notices import create_assignments, enqueue_notices, notice_batches

    scenario.prepare()
    if short:
        spec = yaml.safe_load(scenario.directive.read_text(encoding="utf-8"))
        spec["body"] = "Đề nghị các đơn vị triển khai thực hiện.\n\nBáo cáo kết quả về Liên đoàn Lao động tỉnh."
        scenario.directive.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    engine = get_engine(scenario.database_url)
    with Session(engine, expire_on_commit=False) as session:
        directive, _ = store_directive(session, parse_directive(scenario.directive))
        create_assignments(session, directive, WorkCalendar())
        assert directive.id is not None
        for batch in notice_batches(session, directive.id, 1000):
            enqueue_notices(session, get_settings(), directive.id, batch)
        session.commit()
    engine.dispose()
    return Path(scenario.database_url.removeprefix("sqlite:///"))


def send_all(db: Path, port: int, journal: Path, each_line: bool = True) -> tuple[int, float]:
    """Send every owed notice of `db`; returns how many were sent and the seconds the sends took."""
    from sqlmodel import Session

    from cascade.core.db import get_engine
    from cascade.core.settings import get_settings, reset_settings
    from cascade.delivery.mailer import send_outbox_batch
    from cascade.delivery.send_journal import SendJournal
    from cascade.dispatch.notices import outbox_batches

    SendJournal.sync_each_line = each_line

    os.environ.update(CASCADE_DATABASE_URL=f"sqlite:///{db}", CASCADE_SMTP_PORT=str(port),
                      CASCADE_SEND_JOURNAL=str(journal))  # fmt: skip
    reset_settings()
    settings, sent, seconds = get_settings(), 0, 0.0
    engine = get_engine(settings.database_url)
    with Session(engine, expire_on_commit=False) as session:
        for ids in list(outbox_batches(session, None, settings.delivery.batch_size)):
            started = time.perf_counter()
            sent += send_outbox_batch(session, settings, ids).sent
            seconds += time.perf_counter() - started
    engine.dispose()
    return sent, seconds


def run(sink: CountingSink, db: Path, workdir: Path, name: str, journal: Path, each_line: bool) -> dict[str, Any]:
    copy = workdir / f"{name}.db"
    shutil.copy(db, copy)
    shutil.rmtree(journal, ignore_errors=True)
    before = sink.count
    sent, seconds = send_all(copy, sink.port, journal, each_line)
    assert sink.count - before == sent, (sink.count - before, sent)
    for leftover in workdir.glob(f"{name}.db*"):
        leftover.unlink()
    return {"name": name, "sent": sent, "rate": sent / seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--body", choices=["short", "plan"], default="short", help="two lines, or Plan 252's body")
    parser.add_argument("--workdir", type=Path, default=PROJECT / "bench-out" / "journal")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of the table")
    opts = parser.parse_args()
    workdir = opts.workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    if not TMPFS.is_dir():
        raise SystemExit(f"{TMPFS} is needed for the baseline (a tmpfs, where fdatasync costs nothing)")
    os.environ.update(CASCADE_SECRET_KEY=SECRET, CASCADE_SMTP_SECURITY="none", CASCADE_DATA_DIR=str(workdir / "data"),
                      CASCADE_FAILPOINTS="", CASCADE_DELIVERY_LOG="")  # fmt: skip
    db = render(Scenario(workdir / "tree", units=opts.units), short=opts.body == "short")
    tmpfs = TMPFS / f"cascade-bench-journal-{os.getpid()}"
    # name: (journal folder, fdatasync each line)
    places = {
        "line": (workdir / "send-journal", True),
        "group": (workdir / "send-journal", False),
        "tmpfs": (tmpfs, True),
    }
    rows: list[dict[str, Any]] = []
    try:
        with CountingSink() as sink:
            for round_ in range(opts.rounds):
                for name, (journal, each_line) in places.items():
                    rows.append({**run(sink, db, workdir, f"{name}-{round_}", journal, each_line), "place": name})
    finally:
        shutil.rmtree(tmpfs, ignore_errors=True)
    rates = {p: [r["rate"] for r in rows if r["place"] == p] for p in places}
    ratios = {p: [r / t for r, t in zip(rates[p], rates["tmpfs"], strict=True)] for p in ("line", "group")}
    summary = {
        "units": opts.units, "rounds": opts.rounds, "cores": os.cpu_count(),
        "fdatasync_us_disk": round(fdatasync_micros(workdir), 1),
        "fdatasync_us_tmpfs": round(fdatasync_micros(TMPFS), 1),
        **{f"notices_per_s_{p}": [round(r) for r in rates[p]] for p in places},
        **{f"{p}_over_tmpfs": round(statistics.mean(ratios[p]), 3) for p in ratios},
        **{f"{p}_over_tmpfs_each": [round(r, 3) for r in ratios[p]] for p in ratios},
    }  # fmt: skip
    if opts.json:
        print(json.dumps(summary))
        return 0
    print(f"bench.journal_cost: {opts.units:,} units, {opts.rounds} rounds, {os.cpu_count()} cores (shared: noisy)")
    print(f"  one append + fdatasync: {summary['fdatasync_us_disk']} µs on disk, "
          f"{summary['fdatasync_us_tmpfs']} µs on tmpfs")  # fmt: skip
    for r in rows:
        print(f"  {r['name']:<10} {r['sent']:>8,} notices {r['rate']:>8.0f}/s")
    for p in ratios:
        each = ", ".join(f"{r:.3f}" for r in ratios[p])
        print(f"  fdatasync per {p:<5} / on tmpfs: {summary[f'{p}_over_tmpfs']:.3f} (each round: {each})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
