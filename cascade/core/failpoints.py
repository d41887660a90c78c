"""Named crash points for the fault bench and its test: `CASCADE_FAILPOINTS=after-accept@3` SIGKILLs there.

The points are read through `Settings.faults` (cached), so a failpoint costs an attribute lookup when none is
set. `name@n` acts on the n-th hit in this process; `name@n:raise` raises FailpointError instead of killing (a
lost database connection, seen from inside). Several points are separated by commas. Production never sets it.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from functools import lru_cache

from cascade.core.settings import get_settings

_hits: Counter[str] = Counter()


class FailpointError(RuntimeError):
    """Raised by a `:raise` failpoint."""


@lru_cache(maxsize=8)
def _parse(spec: str) -> dict[str, tuple[int, str]]:
    points: dict[str, tuple[int, str]] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, rest = item.partition("@")
        count, _, action = (rest or "1").partition(":")
        points[name] = (int(count), action or "kill")
    return points


def failpoint(name: str) -> None:
    spec = get_settings().faults.failpoints
    if not spec:
        return
    point = _parse(spec).get(name)
    if point is None:
        return
    _hits[name] += 1
    if _hits[name] != point[0]:
        return
    if point[1] == "raise":
        raise FailpointError(f"failpoint {name}@{point[0]}")
    os.kill(os.getpid(), signal.SIGKILL)
