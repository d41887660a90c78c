"""The production topology on one machine, for tests and benches: `prefect server` on a PostgreSQL database of its
own, a process work pool, `prefect deploy --all` of prefect.yaml, process workers, and the processes around them.

    with scratch_database(admin_url, "bench_prefect") as url, prefect_server(url, logs) as server:
        procs = server.processes(logs, CASCADE_DATABASE_URL=project_url)
        try:
            server.start_workers(procs, ["worker-1", "worker-2"])
            ...
        finally:
            procs.stop()

Everything started here runs in a process group of its own and is stopped (SIGTERM, then SIGKILL) on the way
out. The server keeps its event services (the event persister and the triggers): deployment triggers of
prefect.yaml start runs from events. Only services no caller needs are off, for a quicker start."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

PROJECT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
CASCADE = str(Path(sys.executable).with_name("cascade"))
POOL = "cascade-pool"
SERVER_SETTINGS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_WORKER_QUERY_SECONDS": "1",  # a worker polls for scheduled runs every second (default 10)
    "PREFECT_WORKER_PREFETCH_SECONDS": "1",
    "PREFECT_LOGGING_LEVEL": "INFO",
    # Services no caller needs (no cron schedule is awaited, no run goes late, no worker is marked offline by the
    # server): a quicker start on a busy machine. The event persister and the triggers stay on.
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], Any], what: str, timeout: float = 60, process: Any = None) -> Any:
    """Poll `check` until it gives a true value (a readiness poll, not a timing assertion); with `process`, fail
    at once if that process exits first, with its output when it was captured."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            output = process.communicate()[0] if process.stdout is not None else ""
            raise RuntimeError(f"{what}: the process exited ({process.returncode}): {output}")
        try:
            value = check()
        except (httpx.HTTPError, OSError):
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError(f"timed out waiting for {what}")


@contextmanager
def scratch_database(server_url: str, name: str) -> Iterator[str]:
    """A PostgreSQL database of its own (created, then dropped) on the server of `server_url`; yields its URL."""
    import psycopg

    admin = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Processes:
    """Processes started from the project directory, each in its own process group, stopped in reverse order."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Start `args` with its output in `logs/<name>.log`."""
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(args, cwd=PROJECT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
        self.started.append(proc)
        return proc

    def run(self, *args: str, timeout: float = 60) -> str:
        """Run `args` to its end; its standard output, or RuntimeError with both outputs if it failed."""
        done = subprocess.run(args, cwd=PROJECT, env=self.env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{args}: {done.stdout}\n{done.stderr}")
        return done.stdout

    def stop(self) -> None:
        for proc in reversed(self.started):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.started):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


@dataclass
class PrefectServer:
    api: str
    settings: dict[str, str]  # the PREFECT_* variables of every process that talks to it
    logs: Path
    pid: int = 0  # the `prefect server start` process (its CPU time: cpu_seconds(pid))

    def processes(self, logs: Path, **cascade: str) -> Processes:
        """Processes talking to this server: its PREFECT_* settings, the caller's environment without its own
        PREFECT_* variables, and `cascade` (CASCADE_* settings) on top."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        return Processes({**env, **self.settings, **cascade}, logs)

    def deploy(self, prefect_file: Path | None = None, timeout: float = 120) -> None:
        """`prefect --no-prompt deploy --all` of prefect.yaml (or of `prefect_file`) from the project directory."""
        chosen = ("--prefect-file", str(prefect_file)) if prefect_file else ()
        self.processes(self.logs).run(PREFECT, "--no-prompt", "deploy", *chosen, "--all", timeout=timeout)

    def start_workers(self, procs: Processes, names: list[str], *args: str, pool: str = POOL,
                      timeout: float = 90) -> list[subprocess.Popen[bytes]]:  # fmt: skip
        """Process workers of `pool` named `names` (and `args`, e.g. "--limit", "2"), started by `procs`;
        returns once all of them are ONLINE."""
        started = [procs.start(name, PREFECT, "worker", "start", "--pool", pool, "--name", name, *args)
                   for name in names]  # fmt: skip
        wait_until(lambda: set(names) <= online_workers(self.api, pool), f"workers {names} online", timeout)
        return started


@contextmanager
def prefect_server(database_url: str, logs: Path, pool: str = POOL, deploy: bool = True) -> Iterator[PrefectServer]:
    """`prefect server start` on the (empty) PostgreSQL database `database_url`, the process work pool `pool`, and,
    with `deploy`, the deployments of prefect.yaml; stopped on the way out."""
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    settings = {
        **SERVER_SETTINGS,
        "PREFECT_HOME": str(logs / "prefect-home"),
        "PREFECT_API_URL": api,
        "PREFECT_API_DATABASE_CONNECTION_URL": database_url.replace("postgresql://", "postgresql+asyncpg://", 1),
    }
    server = PrefectServer(api, settings, logs)
    procs = server.processes(logs)
    try:
        started = procs.start(
            "server", PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"
        )
        server.pid = started.pid
        wait_until(lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200, "prefect server", 120, started)
        procs.run(PREFECT, "work-pool", "create", pool, "--type", "process")
        if deploy:
            server.deploy()
        yield server
    finally:
        procs.stop()


def cascade_settings(
    database_url: str, smtp_port: int, public_port: int, data_dir: Path, **more: str
) -> dict[str, str]:
    """The CASCADE_* settings of the project's processes (web, workers): its database, the local SMTP sink (plain
    SMTP), the web app listening on `public_port` of loopback; `more` on top (e.g. CASCADE_PARTITION_SIZE="0")."""
    return {
        "CASCADE_DATABASE_URL": database_url,
        "CASCADE_SMTP_HOST": "127.0.0.1",
        "CASCADE_SMTP_PORT": str(smtp_port),
        "CASCADE_SMTP_SECURITY": "none",
        "CASCADE_PUBLIC_URL": f"http://127.0.0.1:{public_port}",
        "CASCADE_LISTEN_PORT": str(public_port),
        "CASCADE_SECRET_KEY": "topology-secret-key-0123456789abcdef",
        "CASCADE_MAIL_FROM": "Tổng Liên đoàn Lao động Việt Nam <no-reply@congdoan.example>",
        "CASCADE_DATA_DIR": str(data_dir),
        **more,
    }


def start_web(procs: Processes, timeout: float = 90) -> subprocess.Popen[bytes]:
    """`cascade web` started by `procs` (its CASCADE_LISTEN_PORT and CASCADE_PUBLIC_URL); returns once /healthz
    answers."""
    web = procs.start("web", CASCADE, "web")
    health = f"{procs.env['CASCADE_PUBLIC_URL'].rstrip('/')}/healthz"
    wait_until(lambda: httpx.get(health, timeout=2).status_code == 200, "cascade web", timeout, web)
    return web


def online_workers(api: str, pool: str = POOL) -> set[str]:
    """The names of the workers of `pool` the server sees ONLINE."""
    response = httpx.post(f"{api}/work_pools/{pool}/workers/filter", json={}, timeout=5)
    response.raise_for_status()
    return {w["name"] for w in response.json() if w.get("status") == "ONLINE"}


def flow_runs(api: str, flow: str) -> list[dict[str, Any]]:
    """The runs of the flow named `flow` (at most 200), oldest first."""
    body = {"flows": {"name": {"any_": [flow]}}, "sort": "EXPECTED_START_TIME_ASC", "limit": 200}
    response = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=10)
    response.raise_for_status()
    runs: list[dict[str, Any]] = response.json()
    return runs


def children(pid: int) -> list[int]:
    """The live processes `pid` started (those of every one of its threads)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def descendants(pid: int) -> list[int]:
    """`pid` and every live process below it."""
    family, queue = [], [pid]
    while queue:
        parent = queue.pop()
        family.append(parent)
        queue += children(parent)
    return family


def own_cpu_seconds(pid: int) -> float:
    """CPU seconds of one process: its own (user + system) and its waited-for children's; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime, stime, cutime, cstime


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of a process tree: its live members' own, plus the children they have
    waited for (a worker's finished flow-run processes)."""
    return sum(own_cpu_seconds(member) for member in descendants(pid))


def kill_tree(pid: int) -> None:
    """SIGKILL a process and everything below it (the worker and the flow-run process it started, which Prefect
    puts in a session of its own), as when the machine or container running them is lost."""
    family = descendants(pid)
    for member in family:
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            continue
    wait_until(lambda: all(_gone(member) for member in family), "the killed processes to be gone", 20)


def _gone(pid: int) -> bool:
    try:
        state = re.search(r"^State:\s+(\S)", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state is not None and state.group(1) in "ZX"  # a zombie has stopped: only its exit status is left
