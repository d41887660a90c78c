"""What compressing a notice's bodies costs PostgreSQL, pglz against lz4 (not part of the test suite).

    .venv/bin/python -m bench.body_compression [--rows 50000] [--rounds 3] [--url postgresql://…/test] [--json]

A notice's two bodies (models.OutboxBody) are over PostgreSQL's 2 KB threshold, so every body row is
compressed as it is written; schema revision 0004 has PostgreSQL compress them with lz4 rather than its
default pglz. The bench renders 200 real notices of a generated tree (the national shape's proportions, the
directive of examples/) in a scratch SQLite file, then in a scratch PostgreSQL database writes `--rows` body
rows made of them, 1,000 a statement as the dispatch writes them (one array per column), into a table like
outbox_body whose columns are compressed one way, then the other, in each round. Printed: the CPU the
database's backend spent per row (read from /proc), and lz4's as a ratio to pglz's, the median of the rounds."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

import psycopg

from bench.scale import SECRET
from cascade.dev import topology
from cascade.dev.orggen import generate, shape

METHODS = ("pglz", "lz4")
SAMPLES = 200


def real_bodies(workdir: Path) -> list[tuple[str, str]]:
    """The bodies of the first SAMPLES notices of a generated directive, rendered by the engine."""
    from sqlmodel import Session, col, select

    from cascade.core.db import get_engine
    from cascade.core.settings import Settings, WebSettings
    from cascade.core.workdays import work_calendar
    from cascade.directives.directivefile import parse_directive
    from cascade.directives.store import store_directive
    from cascade.dispatch.notices import create_assignments, enqueue_notices
    from cascade.org.orgtree import import_org, parse_org
    from models import Assignment, OutboxBody
    from models.schema import init_db

    org, directive = workdir / "org.yaml", workdir / "directive.yaml"
    generate(org, shape(SAMPLES), directive)
    settings = Settings(web=WebSettings(secret_key=SECRET, public_url="http://127.0.0.1:8000"))
    with Session(init_db(get_engine(f"sqlite:///{workdir / 'bodies.db'}"))) as session:
        import_org(session, parse_org(org), source=str(org))
        stored, _ = store_directive(session, parse_directive(directive))
        assert stored.id is not None
        create_assignments(session, stored, work_calendar())
        ids = session.exec(select(Assignment.id).where(Assignment.directive_id == stored.id)).all()
        enqueue_notices(session, settings, stored.id, [i for i in ids if i is not None][:SAMPLES])
        session.commit()
        rows = session.exec(select(OutboxBody.body_text, OutboxBody.body_html).order_by(col(OutboxBody.message_id)))
        return [(text, html) for text, html in rows.all()]


def backend_cpu_per_row(url: str, method: str, bodies: list[tuple[str, str]], rows: int) -> float:
    """Milliseconds of the backend's CPU per body row written with `method`."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_body")
        conn.execute("CREATE TABLE bench_body (message_id integer PRIMARY KEY, body_text text NOT NULL, "
                     "body_html text NOT NULL)")  # fmt: skip
        conn.execute(f"ALTER TABLE bench_body ALTER COLUMN body_text SET COMPRESSION {method}, "
                     f"ALTER COLUMN body_html SET COMPRESSION {method}")  # fmt: skip
        conn.execute("CHECKPOINT")
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        comm = Path(f"/proc/{pid}/comm")
        if not comm.is_file() or comm.read_text().strip() != "postgres":
            raise SystemExit(f"the backend's process {pid} is not on this machine's /proc (another PID namespace?)")
        before = topology.cpu_seconds(pid)
        for start in range(0, rows, 1000):
            ids = list(range(start, min(rows, start + 1000)))
            texts, htmls = [bodies[i % len(bodies)][0] for i in ids], [bodies[i % len(bodies)][1] for i in ids]
            conn.execute("INSERT INTO bench_body SELECT * FROM unnest(%s::int[], %s::text[], %s::text[])",
                         (ids, texts, htmls))  # fmt: skip
        spent = topology.cpu_seconds(pid) - before
        conn.execute("DROP TABLE bench_body")
    return spent * 1000 / rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000, help="body rows written each way in each round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test", help="a PostgreSQL database")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object, last")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-bodies-") as tmp:
        bodies = real_bodies(Path(tmp))
    sizes = [len(text.encode()) + len(html.encode()) for text, html in bodies]
    print(f"bench.body_compression on {os.cpu_count()} cores: {len(bodies)} rendered notices, bodies of "
          f"{min(sizes):,}–{max(sizes):,} bytes (text and HTML together); {opts.rows:,} rows each way a "
          "round")  # fmt: skip
    figures: dict[str, Any] = {method: [] for method in METHODS}
    with topology.scratch_database(opts.url, f"bench_body_compression_{os.getpid()}") as url:
        for round_ in range(1, opts.rounds + 1):
            for method in METHODS if round_ % 2 else reversed(METHODS):  # each first in every other round
                figures[method].append(backend_cpu_per_row(url, method, bodies, opts.rows))
            print(f"round {round_}: " + ", ".join(f"{m} {figures[m][-1]:.3f} ms" for m in METHODS) + " of the "
                  "backend's CPU a row")  # fmt: skip
    ratios = [lz4 / pglz for pglz, lz4 in zip(figures["pglz"], figures["lz4"], strict=True)]
    result = {"pglz_cpu_ms": statistics.median(figures["pglz"]), "lz4_cpu_ms": statistics.median(figures["lz4"]),
              "lz4_pglz_ratio": statistics.median(ratios), "body_bytes_mean": statistics.mean(sizes)}  # fmt: skip
    print(f"lz4 / pglz, the backend's CPU per body row: {result['lz4_pglz_ratio']:.2f} (median of the rounds)")
    if opts.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
