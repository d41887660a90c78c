"""The kill-and-rerun scenario shared by bench/faults.py and tests/test_faults.py.

A separate aiosmtpd process (cascade.dev.smtp_sink) keeps every accepted message in a maildir and survives the
kills; a child process runs the same plain functions as the Prefect tasks and is SIGKILLed at a failpoint
(cascade.core.failpoints) or from outside; the maildir is the ground truth for delivered and duplicated.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlmodel import Session, col, select

from cascade.core.db import get_engine
from cascade.org.orgtree import import_org, parse_org
from models import MailStatus, OutboxMessage
from models.schema import init_db

PROJECT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-0123456789abcdef"


@dataclass
class Scenario:
    workdir: Path
    units: int = 1000
    bad: int = 10  # addresses the server refuses with 550
    deferred: int = 30  # addresses answered 451 twice, then accepted
    stubborn: int = 5  # addresses answered 451 more often than a batch retries
    drop_every: int = 97  # the server drops the connection at every n-th message
    database_url: str = ""
    delivery_log: bool = True
    port: int = 0
    sink: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def maildir(self) -> Path:
        return self.workdir / "mail"

    def email(self, i: int) -> str:
        return f"u{i:04d}@bench.example"

    def prepare(self) -> None:
        """Write the org (a root, districts of 50 grassroots units each) and the directive; import the org."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.database_url = self.database_url or f"sqlite:///{self.workdir / 'bench.db'}"
        units = [{"code": "ROOT", "name": "LĐLĐ tỉnh (bench)", "kind": "federation", "parent": None,
                  "email": "root@bench.example"}]  # fmt: skip
        for i in range(1, self.units + 1):
            district = i % 50 == 1
            parent = "ROOT" if district else f"U{(i - 1) // 50 * 50 + 1:04d}"
            kind = "district_federation" if district else "grassroots_union"
            units.append({"code": f"U{i:04d}", "name": f"Đơn vị {i}", "kind": kind, "parent": parent,
                          "email": self.email(i)})  # fmt: skip
        org = self.workdir / "org.yaml"
        org.write_text(yaml.safe_dump({"units": units}, allow_unicode=True), encoding="utf-8")
        spec = yaml.safe_load((PROJECT / "examples" / "252-KH-LDLD.yaml").read_text(encoding="utf-8"))
        spec.update(issuer="ROOT", number="999/KH-LĐLĐ", tasks=[], report_to=None)
        spec["recipients"] = [{"unit": f"U{i:04d}", "role": "act"} for i in range(1, self.units + 1)]
        self.directive.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        engine = init_db(get_engine(self.database_url))
        with Session(engine) as session:
            import_org(session, parse_org(org), source=str(org))
            session.commit()

    @property
    def directive(self) -> Path:
        return self.workdir / "directive.yaml"

    def faults(self) -> dict[str, object]:
        """Grassroots units only (i % 50 != 1), so every bad address has a parent that can be told."""
        grassroots = [i for i in range(2, self.units + 1) if i % 50 != 1]
        bad = grassroots[7 :: max(1, len(grassroots) // max(1, self.bad))][: self.bad]
        rest = [i for i in grassroots if i not in bad]
        deferred = rest[3 :: max(1, len(rest) // max(1, self.deferred))][: self.deferred]
        stubborn = [i for i in rest if i not in deferred][5 :: max(1, len(rest) // max(1, self.stubborn))]
        return {
            "refuse": {self.email(i): "550 5.1.1 Mailbox does not exist" for i in bad},
            "defer": {**{self.email(i): 2 for i in deferred}, **{self.email(i): 6 for i in stubborn[: self.stubborn]}},
            "drop_every": self.drop_every,
        }

    def start_sink(self) -> None:
        faults = self.workdir / "faults.json"
        faults.write_text(json.dumps(self.faults()), encoding="utf-8")
        self.port = self.port or _free_port()
        cmd = [sys.executable, "-m", "cascade.dev.smtp_sink", "--port", str(self.port), "--maildir", str(self.maildir)]
        self.sink = subprocess.Popen([*cmd, "--faults", str(faults)], cwd=PROJECT, stdout=subprocess.PIPE)
        assert self.sink.stdout is not None
        self.sink.stdout.readline()  # "listening on …"
        # The fault state (451 counts, drop counter) lives in the sink: a restart starts it afresh.

    def stop_sink(self) -> None:
        if self.sink is not None:
            self.sink.terminate()
            self.sink.wait(timeout=10)
            self.sink = None

    def run_child(
        self, failpoints: str = "", kill_after: float | None = None, cut_db_after: float | None = None
    ) -> int:
        """One dispatch attempt in its own process; returns its exit code (-9: killed).

        `cut_db_after`: on PostgreSQL, terminate the child's database connections after that many seconds
        (a real lost connection, seen by the child in the middle of whatever it is doing)."""
        child = self._spawn(failpoints)
        if cut_db_after is not None:
            try:
                return child.wait(timeout=cut_db_after)
            except subprocess.TimeoutExpired:
                self._terminate_db_connections()
        if kill_after is not None:
            try:
                return child.wait(timeout=kill_after)
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGKILL)
        return child.wait(timeout=600)

    def _spawn(self, failpoints: str = "") -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "CASCADE_DATABASE_URL": self.database_url,
            "CASCADE_SMTP_PORT": str(self.port),
            "CASCADE_SECRET_KEY": SECRET,
            "CASCADE_BATCH_SIZE": "250",
            "CASCADE_RETRY_DELAYS": "[0.05, 0.2]",
            "CASCADE_FAILPOINTS": failpoints,
            "CASCADE_DELIVERY_LOG": str(self.maildir) if self.delivery_log else "",
        }
        return subprocess.Popen([sys.executable, "-m", "bench.child", str(self.directive)], cwd=PROJECT, env=env)

    def run_side_by_side(self, count: int) -> list[int]:
        """Several dispatchers of the same directive at once: the claims keep them off each other's rows."""
        children = [self._spawn() for _ in range(count)]
        return [child.wait(timeout=600) for child in children]

    def _terminate_db_connections(self) -> None:
        from sqlalchemy import text

        with get_engine(self.database_url).connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND pid <> pg_backend_pid()")
            )  # fmt: skip

    def tally(self) -> dict[str, int]:
        """Owed, delivered, duplicated, lost and bounced-and-escalated, from the maildir and the outbox."""
        received: Counter[str] = Counter()
        for eml in self.maildir.glob("*.eml"):
            for line in eml.read_bytes().split(b"\r\n\r\n", 1)[0].splitlines():
                if line.lower().startswith(b"x-cascade-key:"):
                    received[line.split(b":", 1)[1].strip().decode()] += 1
        with Session(get_engine(self.database_url)) as session:
            rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        bounced = {r.id for r in rows if r.status == MailStatus.bounced.value}
        owed = [r for r in rows if r.id not in bounced]
        escalated = {r.key.split(":")[1] for r in rows if r.kind == "bad_address" and received[r.key]}
        notices = [r for r in rows if r.kind == "notice"]
        return {
            "notices owed": len(notices),
            "delivered": sum(1 for r in notices if received[r.key]),
            "duplicated": sum(n - 1 for n in received.values() if n > 1),
            "lost": sum(1 for r in owed if not received[r.key]),
            "bounced": len(bounced),
            "bounced-and-escalated": sum(1 for b in bounced if str(b) in escalated),
            "marked sent, never received": sum(1 for r in owed if r.status == "sent" and not received[r.key]),
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
