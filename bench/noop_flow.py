"""The floor of bench.passon: a flow that does nothing, deployed with a deployment trigger of its own
(bench/noop.prefect.yaml) on the same pool and workers as the project's `pass-on`. The time from its event to the
end of its run is what Prefect itself takes to turn an event into a finished run on a worker here."""

from __future__ import annotations

from prefect import flow

EVENT = "cascade.bench.noop"  # bench/noop.prefect.yaml's trigger expects it


@flow(name="bench-noop")
def noop(n: int = 0) -> int:
    """Nothing but the run itself: `n` is the event's number, so the bench can tell the runs apart."""
    return n
