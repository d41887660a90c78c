"""A thousand email bodies bound as one array parameter, in psycopg's text format and in its binary format.

    .venv/bin/python -m bench.array_format [--url postgresql://postgres@127.0.0.1:5432/test] [--rows 1000] [--json]

The outbox and audit batches bind one array per column (`INSERT … SELECT unnest(…)`); cascade/core/db.py has
psycopg send them in binary. Prints the seconds per statement in each format and their ratio (text ÷ binary)."""

from __future__ import annotations

import argparse
import json
import time

import psycopg
from psycopg.types.array import ListBinaryDumper

# a reminder's HTML body is about 3.6 KB, with quotes and a backslash that the text format must escape
BODY = '<p class="note">Kính gửi: Công đoàn cơ sở "Trường Tiểu học" \\ số 12</p>\n' * 60
ROUNDS = 10


def seconds_per_statement(conn: psycopg.Connection, bodies: list[str]) -> float:
    started = time.perf_counter()
    for _ in range(ROUNDS):
        count, total = conn.execute("SELECT count(*), sum(length(b)) FROM unnest(%s::text[]) b", [bodies]).fetchone()
        assert count == len(bodies) and total == sum(len(b) for b in bodies)  # what went in came out
    return (time.perf_counter() - started) / ROUNDS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test", help="a PostgreSQL database")
    parser.add_argument("--rows", type=int, default=1000, help="bodies in the array")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object, last")
    opts = parser.parse_args()
    bodies = [f"{BODY}{i}" for i in range(opts.rows)]
    with psycopg.connect(opts.url) as conn:
        text = seconds_per_statement(conn, bodies)
        conn.adapters.register_dumper(list, ListBinaryDumper)
        binary = seconds_per_statement(conn, bodies)
    print(f"{opts.rows:,} bodies of {len(bodies[0]):,} characters: text format {text:.3f} s, binary {binary:.3f} s "
          f"a statement ({text / binary:.1f}×)")  # fmt: skip
    if opts.json:
        print(json.dumps({"rows": opts.rows, "text_seconds": text, "binary_seconds": binary, "ratio": text / binary}))


if __name__ == "__main__":
    main()
