"""The kill-and-rerun scenario shared by bench/faults.py and tests/test_faults.py.

A separate aiosmtpd process (cascade.dev.smtp_sink) keeps every accepted message in a maildir and survives the
kills; a child process runs the same plain functions as the Prefect tasks and is SIGKILLed at a failpoint
(cascade.core.failpoints) or from outside. The maildir is the server's own record and the only oracle:
delivered, duplicated and lost are counted from it by Message-ID, and the sender never reads it. With
`adapter="jsonl"` the server also writes an acceptance log (one JSON line per accepted message, before its 250),
which the sender reads through CASCADE_DELIVERY_LOG=jsonl:…, as it would read a relay's.
"""

from __future__ import annotations

import json
import os
import re
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
    deferred: int = 30  # addresses answered 450 (mailbox busy) twice, then accepted
    stubborn: int = 5  # addresses answered 450 more often than a batch retries
    drop_every: int = 97  # the server drops the connection at every n-th message
    database_url: str = ""
    adapter: str = "jsonl"  # the relay's acceptance log the sender reads: "jsonl", or "" for none
    connections: int = 4  # CASCADE_SMTP_CONNECTIONS of the dispatching processes
    port: int = 0
    sink: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def maildir(self) -> Path:
        return self.workdir / "mail"

    @property
    def acceptance_log(self) -> Path:
        return self.workdir / "relay-accepted.jsonl"

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
        cmd += ["--faults", str(faults)] + (["--acceptance-log", str(self.acceptance_log)] if self.adapter else [])
        self.sink = subprocess.Popen(cmd, cwd=PROJECT, stdout=subprocess.PIPE)
        assert self.sink.stdout is not None
        self.sink.stdout.readline()  # "listening on …"
        # The fault state (450 counts, drop counter) lives in the sink: a restart starts it afresh.

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
            "CASCADE_DELIVERY_LOG": f"{self.adapter}:{self.acceptance_log}" if self.adapter else "",
            "CASCADE_SMTP_CONNECTIONS": str(self.connections),
            "CASCADE_SMTP_SECURITY": "none",
            "CASCADE_DATA_DIR": str(self.workdir / "data"),  # the send journal's folder
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

    def in_doubt(self) -> Counter[str]:
        """Rows left 'sending' (in doubt) by each holder: what a dead sender may have had accepted, unrecorded."""
        with Session(get_engine(self.database_url)) as session:
            query = select(OutboxMessage.claimed_by).where(OutboxMessage.status == MailStatus.sending.value)
            return Counter(str(holder) for holder in session.exec(query).all())

    def received(self) -> tuple[Counter[str], dict[str, set[str]], int]:
        """What the server kept: copies per Message-ID, the Message-IDs seen per outbox key, and how many kept
        messages had their 250 dropped by the server (a fault the sender cannot see)."""
        copies: Counter[str] = Counter()
        ids_by_key: dict[str, set[str]] = {}
        for eml in self.maildir.glob("*.eml"):
            head = eml.read_bytes().split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
            message_id, key = _header(head, "Message-ID"), _header(head, "X-Cascade-Key")
            copies[message_id] += 1
            ids_by_key.setdefault(key, set()).add(message_id)
        return copies, ids_by_key, len(list(self.maildir.glob("*-reply-dropped.eml")))

    def tally(self) -> dict[str, int]:
        """Owed, delivered, duplicated, lost and bounced-and-escalated: the server's record against the outbox."""
        copies, ids_by_key, replies_dropped = self.received()
        with Session(get_engine(self.database_url)) as session:
            rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        got = {r.id: copies[r.message_id] if r.message_id else 0 for r in rows}
        bounced = {r.id for r in rows if r.status == MailStatus.bounced.value}
        owed = [r for r in rows if r.id not in bounced]
        escalated = {r.key.split(":")[1] for r in rows if r.kind == "bad_address" and got[r.id]}
        notices = [r for r in rows if r.kind == "notice"]
        known = {r.message_id for r in rows}
        return {
            "notices owed": len(notices),
            "delivered": sum(1 for r in notices if got[r.id]),
            "duplicated": sum(n - 1 for n in copies.values() if n > 1),
            "lost": sum(1 for r in owed if not got[r.id]),
            "bounced": len(bounced),
            "bounced-and-escalated": sum(1 for b in bounced if str(b) in escalated),
            "marked sent, never received": sum(1 for r in owed if r.status == "sent" and not got[r.id]),
            "keys under several Message-IDs": sum(1 for ids in ids_by_key.values() if len(ids) > 1),
            "received, no such outbox row": sum(1 for mid in copies if mid not in known),
            "kept, 250 dropped by the server": replies_dropped,
        }


def _header(head: str, name: str) -> str:
    found = re.search(rf"^{re.escape(name)}:[ \t]*(.*)$", head, re.MULTILINE | re.IGNORECASE)
    return found.group(1).strip() if found else ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
