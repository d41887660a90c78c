"""The Prefect events a monitor run emits for the steps it took: one per step, or one per directive and step
when a run takes more steps than a person reads in the UI's event feed (a national directive's due day)."""

from __future__ import annotations

from collections import defaultdict
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
    if len(steps) <= limit:
        return [_per_step(step) for step in steps]
    groups: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for step in steps:
        groups[(step["directive_id"], step["event"])].append(step)
    return [_summary(group) for group in groups.values()]


def _directive(step: dict[str, Any]) -> dict[str, str]:
    return {"prefect.resource.id": f"cascade.directive.{step['directive_id']}", "prefect.resource.name": step["number"]}


def _per_step(step: dict[str, Any]) -> EventSpec:
    return {
        "event": step["event"],
        "resource": {"prefect.resource.id": f"cascade.assignment.{step['assignment_id']}", "unit": step["unit"]},
        "related": [{**_directive(step), "prefect.resource.role": "directive"}],
        "payload": step,
    }


def _summary(group: list[dict[str, Any]]) -> EventSpec:
    first = group[0]
    items: dict[str, int] = defaultdict(int)
    for step in group:
        items[step["item"]] += 1
    units = [step["unit"] for step in group[:UNITS_NAMED]]
    return {
        "event": first["event"],
        "resource": _directive(first),
        "payload": {
            "directive_id": first["directive_id"],
            "number": first["number"],
            "step": first["step"],
            "count": len(group),
            "items": dict(items),
            "units": units,
            "units_not_listed": len(group) - len(units),
        },
    }
