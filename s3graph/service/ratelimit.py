"""Per-client rate limiting on query time and on errors, over a sliding window."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from ..errors import Code, S3GraphError
from ..settings import Settings


class RateLimiter:
    """Tracks, per client, the query seconds used and the errors made in the last window."""

    def __init__(self, seconds: float, errors: int, window: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.errors = errors
        self.window = window
        self.clock = clock
        self._time: dict[str, deque[tuple[float, float]]] = {}
        self._spent: dict[str, float] = {}  # running sum of each client's deque, kept O(1)
        self._errors: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        """The limiter the settings ask for."""
        return cls(settings.rate_limit_seconds, settings.rate_limit_errors, settings.rate_limit_window)

    def _trim(self, client: str, now: float) -> None:
        horizon = now - self.window
        spent = self._time.get(client)
        while spent and spent[0][0] < horizon:
            self._spent[client] -= spent.popleft()[1]
        errs = self._errors.get(client)
        while errs and errs[0] < horizon:
            errs.popleft()

    def check(self, client: str) -> None:
        """Raise 429 (with the seconds to wait) when the client has used up its allowance."""
        with self._lock:
            now = self.clock()
            self._trim(client, now)
            spent = self._time.get(client, deque())
            errs = self._errors.get(client, deque())
            if spent and self._spent[client] >= self.seconds:
                wait = spent[0][0] + self.window - now
                raise _too_many(f"query time used up ({self.seconds:g} s per {self.window:g} s)", wait)
            if len(errs) >= self.errors:
                wait = errs[0] + self.window - now
                raise _too_many(f"too many failed requests ({self.errors} per {self.window:g} s)", wait)

    def record(self, client: str, seconds: float, failed: bool) -> None:
        """Count a finished request against the client."""
        with self._lock:
            now = self.clock()
            if seconds > 0:
                self._time.setdefault(client, deque()).append((now, seconds))
                self._spent[client] = self._spent.get(client, 0.0) + seconds
            if failed:
                self._errors.setdefault(client, deque()).append(now)
            if len(self._time) + len(self._errors) > 10000:
                self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        """Drop clients with nothing left in the window, so memory stays bounded."""
        for client in list(self._time) + list(self._errors):
            self._trim(client, now)
            if not self._time.get(client):
                self._time.pop(client, None)
                self._spent.pop(client, None)
            if not self._errors.get(client):
                self._errors.pop(client, None)


def _too_many(reason: str, wait: float) -> S3GraphError:
    seconds = math.ceil(max(wait, 1))
    return S3GraphError(f"rate limit: {reason}; retry in {seconds} s", status=429,
                        code=Code.RATE_LIMITED, headers={"Retry-After": str(seconds)})
