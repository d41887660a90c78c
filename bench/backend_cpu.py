"""CPU seconds of the PostgreSQL backends serving one database, sampled while a run lasts (Linux only)."""

from __future__ import annotations

import threading

import psycopg

from cascade.dev import topology


class BackendCpu:
    """Samples the CPU seconds of the client backends serving database `name` while a run lasts (a backend's time
    is lost when it exits, so the last sample of each is kept; a backend already there counts from the start).
    Autovacuum and other background workers are left out."""

    QUERY = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'"

    def __init__(self, admin_url: str, name: str) -> None:
        self.admin, self.name = admin_url, name
        self.seen: dict[int, float] = {}
        self.before: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _pids(self, conn: psycopg.Connection[tuple[int]]) -> list[int]:
        return [pid for (pid,) in conn.execute(self.QUERY, (self.name,)).fetchall()]

    def _sample(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            while not self.stop.wait(0.5):
                for pid in self._pids(conn):
                    self.seen[pid] = max(self.seen.get(pid, 0.0), topology.cpu_seconds(pid))

    def __enter__(self) -> BackendCpu:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            self.before = {pid: topology.cpu_seconds(pid) for pid in self._pids(conn)}
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)

    @property
    def seconds(self) -> float:
        return sum(cpu - self.before.get(pid, 0.0) for pid, cpu in self.seen.items())
