"""The monitor's three days at scale for bench.pg_scale (due, parent, escalate), each against the bare sender
sending as many of the due day's reminders right after it: monitor_due_ratio, monitor_escalate_ratio and the
days' peak RSS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from bench.pg_runs import bare, child_with_cpu
from bench.scale import SECRET
from bench.sink import CountingSink
from cascade.core.db import get_engine, normalise_url


def first_reminder(url: str) -> bytes:
    """One of the due day's reminders as the sender sends it: the bare sender's message on the monitor's days."""
    from cascade.core.settings import Settings, WebSettings
    from cascade.delivery.shared_documents import stored_email

    with Session(get_engine(url)) as session:
        first = session.execute(text("SELECT min(id) FROM outboxmessage WHERE kind = 'reminder'")).scalar_one()
        return stored_email(session, Settings(web=WebSettings(secret_key=SECRET)), first)


def reminders_of(days: dict[str, dict[str, Any]]) -> int:
    """How many reminders the due day sent: the bare sender sends as many after each day it is compared with."""
    return max(1, int(days["due"]["totals"]["sent"]))


def monitor_days(
    env: dict[str, str], sink: CountingSink, workdir: Path, admin: str, url: str, connections: int
) -> dict[str, Any]:
    """Run the three days on the dispatched directive; their figures."""
    figures: dict[str, Any] = {}
    days: dict[str, dict[str, Any]] = {}
    raw_after: dict[str, float] = {}  # the bare sender right after a day: these machines' speed drifts
    reminder = b""
    for step in ("due", "parent", "escalate"):
        day_env = {**env, "PREFECT_HOME": str(workdir / f"prefect-{step}")}
        day, postgresql_cpu, sink_cpu = child_with_cpu("bench.monitor_run", [step], day_env, sink, admin, url)
        days[step] = day
        totals = day["totals"]
        largest = ", ".join(f"{kind} {size / 1024:.0f} KiB" for kind, size in sorted(day["largest_html"].items()))
        print(f"monitor, {step} day ({day['now'][:10]}): {day['seconds']:.0f} s, {totals['steps']:,} steps, "
              f"{totals['sent']:,} emails sent, {totals['bounced']} bounced, peak RSS "
              f"{day['peak_rss_mib']:.0f} MiB; largest HTML body by kind: {largest}")  # fmt: skip
        figures[f"monitor_{step}_seconds"] = day["seconds"]
        figures[f"monitor_{step}_sent"] = totals["sent"]
        figures[f"monitor_{step}_peak_rss_mib"] = day["peak_rss_mib"]
        emails = max(1, totals["sent"])
        cpu = {"monitor": day["cpu_seconds"], "prefect_server": day["server_cpu_seconds"],
               "postgresql": postgresql_cpu, "sink": sink_cpu}  # fmt: skip
        print("  CPU per email sent: " + ", ".join(f"{part} {1000 * s / emails:.2f} ms" for part, s in cpu.items()))
        figures[f"monitor_{step}_cpu_seconds"] = cpu
        if step in ("due", "escalate"):
            reminder = reminder or first_reminder(normalise_url(url))
            get_engine(normalise_url(url)).dispose()
            bare_rate, bare_cpu = bare(sink, reminder, reminders_of(days), connections)
            raw_after[step] = reminders_of(days) / bare_rate  # seconds
            print(f"  bare sender after it: {raw_after[step]:.1f} s; CPU per email: sender "
                  f"{1000 * bare_cpu['sender'] / reminders_of(days):.2f} ms, sink "
                  f"{1000 * bare_cpu['sink'] / reminders_of(days):.2f}")  # fmt: skip
            figures[f"bare_after_{step}_cpu_seconds"] = bare_cpu
    reminders = days["due"]["totals"]["sent"]
    due_ratio = raw_after["due"] / days["due"]["seconds"]
    escalate_ratio = days["escalate"]["seconds"] / raw_after["escalate"]
    peak = max(day["peak_rss_mib"] for day in days.values())
    print(f"bare sender, {reminders:,} reminders of {len(reminder):,} bytes: {raw_after['due']:.1f} s after the "
          f"due day, {raw_after['escalate']:.1f} s after the escalate day")  # fmt: skip
    print(f"monitor: due day {due_ratio:.2f} of the bare sender's rate (goal >= 0.8), escalate day "
          f"{escalate_ratio:.2f} of its time (goal <= 0.15), peak RSS {peak:.0f} MiB (goal <= 300)")  # fmt: skip
    figures.update(
        monitor_raw_seconds=raw_after["due"],
        monitor_raw_seconds_after_escalate=raw_after["escalate"],
        monitor_due_ratio=due_ratio,
        monitor_escalate_ratio=escalate_ratio,
        monitor_peak_rss_mib=peak,
    )
    return figures
