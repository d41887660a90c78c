"""The Prefect events a monitor run emits for the steps it took: one per step, or one per directive and step
when a run takes more steps than a person reads in the UI's event feed (a national directive's due day)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any, NotRequired, TypedDict

# Above this many steps in one run, events summarise: a national due day is 100,000 steps, and one event each
# took 15 s to emit at 70,544 and buried everything else in the event feed. The audit log keeps every step.
PER_STEP_LIMIT = 500
UNITS_NAMED = 100  # unit codes a summary event lists (the count says how many in all)


class EventSpec(TypedDict):
    """Keyword arguments of prefect.events.emit_event (the domain does not import Prefect itself)."""

    event: str
    resource: dict[str, str]
    related: NotRequired[list[dict[str, str]]]
    payload: dict[str, Any]


def escalation_events(steps: list[dict[str, Any]], limit: int = PER_STEP_LIMIT) -> list[EventSpec]:
    """Keyword arguments for prefect.events.emit_event, one dict per event to emit."""
    log = StepLog(limit)
    for step in steps:
        log.add(step)
    return log.events()


class StepLog:
    """The events of a run's steps as they are taken, in bounded memory: each step's own while there are at
    most `limit`, then one summary per directive and step (what escalation_events makes of the whole list)."""

    def __init__(self, limit: int = PER_STEP_LIMIT) -> None:
        self.limit = limit
        self.count = 0
        self._steps: list[dict[str, Any]] = []
        self._groups: dict[tuple[int, str], _Group] | None = None

    def add(self, step: dict[str, Any]) -> None:
        self.count += 1
        if self._groups is None:
            self._steps.append(step)
            if len(self._steps) <= self.limit:
                return
            self._groups = {}
            steps, self._steps = self._steps, []
        else:
            steps = [step]
        for one in steps:
            key = (one["directive_id"], one["event"])
            self._groups.setdefault(key, _Group(one)).add(one)

    def add_more(self, like: dict[str, Any], count: int) -> None:
        """`count` more steps of the directive, step and item of `like` (one step's event), not read one by one:
        the log summarises from here on (the caller reads each step while the log is below its limit)."""
        if count <= 0:
            return
        if self._groups is None:
            self._groups = {}
            steps, self._steps = self._steps, []
            for one in steps:
                self._groups.setdefault((one["directive_id"], one["event"]), _Group(one)).add(one)
        group = self._groups.setdefault((like["directive_id"], like["event"]), _Group(like))
        group.count += count
        group.items[like["item"]] += count
        self.count += count

    @property
    def room(self) -> int:
        """Steps that may still be added before the log summarises."""
        return self.limit - self.count if self._groups is None else 0

    def events(self) -> list[EventSpec]:
        if self._groups is None:
            return [_per_step(step) for step in self._steps]
        return [group.summary() for group in self._groups.values()]

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Each step's event; a log summarised (above `limit`) has kept them no more."""
        if self._groups is not None:
            raise ValueError(f"{self.count} steps were summarised: their events one by one were not kept")
        return iter(self._steps)


class _Group:
    """The summary of one directive's steps of one kind, as it grows."""

    def __init__(self, first: dict[str, Any]) -> None:
        self.first = first
        self.count = 0
        self.items: dict[str, int] = defaultdict(int)
        self.units: list[str] = []

    def add(self, step: dict[str, Any]) -> None:
        self.count += 1
        self.items[step["item"]] += 1
        if len(self.units) < UNITS_NAMED:
            self.units.append(step["unit"])

    def summary(self) -> EventSpec:
        first = self.first
        return {
            "event": first["event"],
            "resource": _directive(first),
            "payload": {
                "directive_id": first["directive_id"],
                "number": first["number"],
                "step": first["step"],
                "count": self.count,
                "items": dict(self.items),
                "units": self.units,
                "units_not_listed": self.count - len(self.units),
            },
        }


def _directive(step: dict[str, Any]) -> dict[str, str]:
    return {"prefect.resource.id": f"cascade.directive.{step['directive_id']}", "prefect.resource.name": step["number"]}


def _per_step(step: dict[str, Any]) -> EventSpec:
    return {
        "event": step["event"],
        "resource": {"prefect.resource.id": f"cascade.assignment.{step['assignment_id']}", "unit": step["unit"]},
        "related": [{**_directive(step), "prefect.resource.role": "directive"}],
        "payload": step,
    }
