"""Pass-on latency in the production topology, against Prefect's own floor measured in the same run.

    .venv/bin/python -m bench.passon [--acks 50] [--units N] [--url postgresql://postgres@127.0.0.1:5432/test] [--json]

`prefect server` on a scratch PostgreSQL database, the project on another, `prefect deploy --all` of prefect.yaml
and of bench/noop.prefect.yaml, two process workers, `cascade web` with the server's PREFECT_API_URL (so it emits
`cascade.pass-on.owed`), and an SMTP sink that records when it accepted each recipient's message. A generated tree
of `--acks` intermediate units with a few grassroots units each (`--units` in all, 3 each by default); the root's
directive (forward mode) goes to the intermediates. Then, one at a time, each intermediate acknowledges over HTTP
and the bench times the HTTP response → the sink accepting the last of that unit's children's notices (pass-on);
after each, it posts one `cascade.bench.noop` event and times the event → the end of the no-op run its trigger
starts (floor: the same kind of trigger, same pool and workers). Prints p50/p95 of both and passon_ratio =
passon_p95 / floor_p95 (goal <= 2). With --json the last line is one JSON object of the figures."""

from __future__ import annotations

import argparse
import json
import math
import shutil
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bench.noop_flow import EVENT as NOOP_EVENT
from cascade.dev import topology
from cascade.dev.links import confirm_receipt, links_in
from cascade.dev.orggen import ROOT, Shape, generate, units
from cascade.dev.smtp_sink import SinkHandler

PROJECT = topology.PROJECT
DIRECTIVE_RUN = "cascade-directive/cascade-directive"


class TimedHandler(SinkHandler):
    """The SMTP sink's handler, plus the moment it first accepted a message for each recipient."""

    def __init__(self) -> None:
        super().__init__()
        self.accepted_at: dict[str, float] = {}

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        reply = await super().handle_DATA(server, session, envelope)
        now = time.time()
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.accepted_at.setdefault(rcpt.lower(), now)
        return reply


def write_tree(workdir: Path, acks: int, grassroots: int) -> tuple[Path, Path, dict[str, tuple[str, list[str]]]]:
    """The org file, the root's directive to the `acks` intermediate units, and each intermediate's
    (email, its children's emails)."""
    size = Shape(federations=max(1, min(54, acks // 10)), intermediates=acks, units=grassroots)
    org, directive = workdir / "org.yaml", workdir / "directive.yaml"
    generate(org, size)
    tree: dict[str, tuple[str, list[str]]] = {}
    for unit in units(size):
        code, parent = str(unit["code"]), unit["parent"]
        if unit["kind"] != "grassroots_union" and parent not in (None, ROOT):
            tree[code] = (str(unit["email"]), [])
        if isinstance(parent, str) and parent in tree:
            tree[parent][1].append(str(unit["email"]))
    today = datetime.now(UTC).astimezone().date()
    head = {
        "number": "77/KH-TLĐ",
        "type": "KẾ HOẠCH",
        "issuer": ROOT,
        "issued_on": today.isoformat(),
        "place": "Hà Nội",
        "summary": "Triển khai Tháng Công nhân đến đoàn viên, người lao động",
        "signer": {"on_behalf": "TM. ĐOÀN CHỦ TỊCH", "title": "CHỦ TỊCH", "name": "Nguyễn Đình Khang"},
        "body": "Các cấp công đoàn triển khai ngay đến công đoàn cơ sở.\n",
        "report_due": (today + timedelta(days=90)).isoformat(),
        "tasks": [{"to_kinds": ["grassroots_union"], "text": "Tổ chức tuyên truyền đến toàn thể đoàn viên."}],
        "recipients": [{"unit": code, "role": "act"} for code in tree],
    }
    directive.write_text(json.dumps(head, ensure_ascii=False, indent=1), encoding="utf-8")  # JSON is YAML
    return org, directive, tree


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def acknowledge(handler: TimedHandler, public_url: str, email: str) -> float:
    """The unit opens the link of its notice and confirms; the moment the POST's response arrived."""
    message = next(m for m in handler.to(email))
    link = links_in(message.text(), public_url)[0]
    with httpx.Client(timeout=60) as client:
        response = confirm_receipt(client, link)
        answered = time.time()
    response.raise_for_status()
    return answered


def last_accepted(handler: TimedHandler, emails: list[str], what: str) -> float:
    """When the sink accepted the last of the messages to `emails` (waiting for them)."""
    wanted = [e.lower() for e in emails]
    topology.wait_until(lambda: all(e in handler.accepted_at for e in wanted), what, 180)
    return max(handler.accepted_at[e] for e in wanted)


def stages(run: dict[str, Any], began: float, ended: float) -> tuple[float, float, float]:
    """Where the seconds from `began` to `ended` went: to the run's creation (the event, the trigger), from it to
    the run's start (the worker's poll, its flow-run process starting), and from there to `ended` (the run)."""
    created = datetime.fromisoformat(run["created"]).timestamp()
    started = datetime.fromisoformat(run["start_time"]).timestamp()
    return created - began, started - created, ended - started


def noop_latency(api: str, n: int) -> tuple[float, tuple[float, float, float]]:
    """Post one `cascade.bench.noop` event; seconds from it to the end of the no-op run it started, and stages."""
    event = {
        "id": str(uuid.uuid4()),
        "occurred": datetime.now(UTC).isoformat(),
        "event": NOOP_EVENT,
        "resource": {"prefect.resource.id": f"{NOOP_EVENT}.{n}"},
        "payload": {"n": n},
    }
    sent = time.time()
    httpx.post(f"{api}/events", json=[event], timeout=10).raise_for_status()

    def ended() -> dict[str, Any] | None:
        for run in topology.flow_runs(api, "bench-noop"):
            if run["parameters"].get("n") == n and run["state_type"] == "COMPLETED" and run["end_time"]:
                return run
        return None

    run = topology.wait_until(ended, f"the no-op run {n}", 120)
    end = datetime.fromisoformat(run["end_time"]).timestamp()
    return end - sent, stages(run, sent, end)


def measure(opts: argparse.Namespace, workdir: Path, handler: TimedHandler, smtp_port: int) -> dict[str, Any]:
    grassroots = opts.units or 3 * opts.acks
    org, directive, tree = write_tree(workdir, opts.acks, grassroots)
    with (
        topology.scratch_database(opts.url, "bench_passon_project") as project_url,
        topology.scratch_database(opts.url, "bench_passon_prefect") as prefect_url,
        topology.prefect_server(prefect_url, workdir / "prefect") as server,
    ):
        server.deploy(PROJECT / "bench" / "noop.prefect.yaml")
        port = topology.free_port()
        cascade = topology.cascade_settings(project_url, smtp_port, port, workdir / "data",
                                            CASCADE_PASSON_DISPATCH="now")  # fmt: skip
        procs = server.processes(workdir, **cascade)
        try:
            procs.run(topology.CASCADE, "org", "import", str(org), timeout=600)
            server.start_workers(procs, ["bench-1", "bench-2"])
            topology.start_web(procs)
            public_url = cascade["CASCADE_PUBLIC_URL"]
            run = (topology.PREFECT, "deployment", "run", DIRECTIVE_RUN, "--param", f"directive_file={directive}")
            procs.run(*run, "--watch", "--watch-timeout", "600", timeout=660)
            emails = [email for email, _ in tree.values()]
            topology.wait_until(lambda: all(handler.to(e) for e in emails), "the intermediates' notices", 120)
            passon, floor, passon_stages, floor_stages = [], [], [], []
            for n, (code, (email, children)) in enumerate(tree.items(), start=1):
                answered = acknowledge(handler, public_url, email)
                last = last_accepted(handler, children, f"{code}'s pass-on")
                passon.append(last - answered)
                passon_stages.append(stages(topology.flow_runs(server.api, "pass-on")[-1], answered, last))
                time.sleep(opts.gap)
                seconds, where = noop_latency(server.api, n)
                floor.append(seconds)
                floor_stages.append(where)
                time.sleep(opts.gap)
                if not opts.json or n % 10 == 0:
                    print(
                        f"  {n:3d}/{len(tree)} {code}: pass-on {passon[-1]:.2f} s, floor {floor[-1]:.2f} s", flush=True
                    )
        finally:
            procs.stop()
    figures = {
        "passon_p50_s": percentile(passon, 0.5),
        "passon_p95_s": percentile(passon, 0.95),
        "floor_p50_s": percentile(floor, 0.5),
        "floor_p95_s": percentile(floor, 0.95),
        "acks": len(passon),
        "children_per_ack": grassroots / opts.acks,
        # medians of (to the run's creation, to its start, to the end): where the time goes
        "passon_stages_p50_s": [percentile([s[i] for s in passon_stages], 0.5) for i in range(3)],
        "floor_stages_p50_s": [percentile([s[i] for s in floor_stages], 0.5) for i in range(3)],
    }
    figures["passon_ratio"] = figures["passon_p95_s"] / figures["floor_p95_s"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--acks", type=int, default=50, help="intermediate units, each acknowledging once")
    parser.add_argument("--units", type=int, default=0, help="grassroots units in all (default: 3 per intermediate)")
    parser.add_argument("--gap", type=float, default=2.0, help="seconds of quiet after each measurement")
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test", help="a PostgreSQL database")
    parser.add_argument("--workdir", type=Path, default=PROJECT / "bench-out" / "passon")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object, last")
    opts = parser.parse_args()
    workdir = opts.workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    handler = TimedHandler()
    sink = Controller(handler, hostname="127.0.0.1", port=topology.free_port(), decode_data=False, enable_SMTPUTF8=True)
    sink.start()
    try:
        figures = measure(opts, workdir, handler, int(sink.port))
    finally:
        sink.stop()
    print(f"bench.passon, {figures['acks']} acknowledgements ({figures['children_per_ack']:.0f} children each), "
          f"{date.today()}: pass-on p50 {figures['passon_p50_s']:.2f} s, p95 {figures['passon_p95_s']:.2f} s; "
          f"floor (no-op run by trigger) p50 {figures['floor_p50_s']:.2f} s, p95 {figures['floor_p95_s']:.2f} s; "
          f"passon_ratio {figures['passon_ratio']:.2f} (goal <= 2)")  # fmt: skip
    for name in ("passon", "floor"):
        trigger, start, work = figures[f"{name}_stages_p50_s"]
        print(f"  {name} medians: to the run's creation {trigger:.2f} s, to its start {start:.2f} s, "
              f"to the end {work:.2f} s")  # fmt: skip
    if opts.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
