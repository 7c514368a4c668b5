"""Per-client rate limiting on query time and on errors, over a sliding window."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from ..errors import Code, S3GraphError
from ..settings import Settings


class Limiter(Protocol):
    """What the service asks of a rate limiter."""

    def check(self, client: str) -> None:
        """Raise 429 when the client has used up its allowance."""
        ...

    def record(self, client: str, seconds: float, failed: bool) -> None:
        """Count a finished request against the client."""
        ...


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


#: Slots of the shared table, and how far a key may land from its home slot.
SHARED_SLOTS = 8192
_PROBES = 16
_FIELDS = 5  # window start, seconds and errors in that window, seconds and errors in the one before


class SharedRateLimiter:
    """One rate limit per client across every server process of `s3graph serve`.

    The counts live in shared memory made by the supervisor (`shared_tables`), so that a
    client gets one allowance however its connections are spread, and a charge made by a
    process that then retires is kept. Each client has a slot (open addressing by a hash of
    its address) holding two fixed windows; the use over the last `window` seconds is the
    current window's plus the part of the previous one still inside it (the usual
    sliding-window estimate). A full neighbourhood gives up its stalest slot.
    """

    def __init__(self, seconds: float, errors: int, window: float, tables: tuple[Any, Any, Any],
                 clock: Callable[[], float] = time.time) -> None:
        self.seconds = seconds
        self.errors = errors
        self.window = window
        self.keys, self.values, self.lock = tables
        self.clock = clock  # wall time: shared by every process

    @classmethod
    def from_settings(cls, settings: Settings, tables: tuple[Any, Any, Any]) -> SharedRateLimiter:
        """The limiter the settings ask for, over the supervisor's tables."""
        return cls(settings.rate_limit_seconds, settings.rate_limit_errors, settings.rate_limit_window, tables)

    def _slot(self, client: str, now: float) -> int:
        """The slot of `client` (made when new), its windows moved on to `now` (under the lock)."""
        key = int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(), "big", signed=True) or 1
        home = key % len(self.keys)
        stalest, stalest_start = home, math.inf
        for probe in range(_PROBES):
            slot = (home + probe) % len(self.keys)
            if self.keys[slot] == key:
                break
            start = self.values[slot * _FIELDS] if self.keys[slot] else -math.inf
            if start < stalest_start:
                stalest, stalest_start = slot, start
        else:
            slot = stalest  # a new client takes an empty slot, or the stalest one near its home
            self.keys[slot] = key
            self.values[slot * _FIELDS: slot * _FIELDS + _FIELDS] = [now, 0.0, 0.0, 0.0, 0.0]
        base = slot * _FIELDS
        start = self.values[base]
        if now - start >= 2 * self.window:
            self.values[base: base + _FIELDS] = [now, 0.0, 0.0, 0.0, 0.0]
        elif now - start >= self.window:
            self.values[base: base + _FIELDS] = [start + self.window, 0.0, 0.0, self.values[base + 1],
                                                 self.values[base + 2]]
        return base

    def _used(self, base: int, now: float) -> tuple[float, float]:
        previous = max(0.0, 1.0 - (now - self.values[base]) / self.window)
        return (self.values[base + 1] + previous * self.values[base + 3],
                self.values[base + 2] + previous * self.values[base + 4])

    def check(self, client: str) -> None:
        """Raise 429 (with the seconds to wait) when the client has used up its allowance."""
        with self.lock:
            now = self.clock()
            base = self._slot(client, now)
            seconds, errors = self._used(base, now)
            wait = self.values[base] + self.window - now
        if seconds >= self.seconds:
            raise _too_many(f"query time used up ({self.seconds:g} s per {self.window:g} s)", wait)
        if errors >= self.errors:
            raise _too_many(f"too many failed requests ({self.errors} per {self.window:g} s)", wait)

    def record(self, client: str, seconds: float, failed: bool) -> None:
        """Count a finished request against the client."""
        with self.lock:
            base = self._slot(client, self.clock())
            self.values[base + 1] += seconds
            self.values[base + 2] += 1.0 if failed else 0.0


def shared_tables(context: Any, slots: int = SHARED_SLOTS) -> tuple[Any, Any, Any]:
    """The shared memory of a SharedRateLimiter, made by the supervisor before its processes."""
    return context.RawArray("q", slots), context.RawArray("d", slots * _FIELDS), context.Lock()
