"""Failed logins counted per key (a client address, an account): after a few in a window, that key is refused for
a while.

Kept in the web process's memory: several web processes each count their own failures (docs/operations.md)."""

from __future__ import annotations

import threading
import time
from collections import deque

SWEEP_AT = 10_000  # keys kept before the stale ones are dropped


class LoginThrottle:
    def __init__(self, max_failures: int = 5, window_seconds: float = 900.0) -> None:
        self.max_failures, self.window = max_failures, window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str, now: float | None = None) -> int:
        """Seconds until `client` may try again (0: now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if client not in self._failures:  # asked for every login: no entry made for it
                return 0
            recent = self._recent(client, now)
            if len(recent) < self.max_failures:
                return 0
            return max(1, int(recent[0] + self.window - now) + 1)

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._failures) >= SWEEP_AT:
                self._sweep(now)
            self._recent(client, now).append(now)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)

    def _sweep(self, now: float) -> None:
        """Forget the keys whose failures are all past the window (made-up addresses must not fill memory)."""
        for key in [k for k, times in self._failures.items() if not times or times[-1] <= now - self.window]:
            del self._failures[key]

    def _recent(self, client: str, now: float) -> deque[float]:
        recent = self._failures.setdefault(client, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        return recent
