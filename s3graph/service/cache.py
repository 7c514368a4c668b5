"""Answers kept in memory: the dataset never changes while a build is served, so the same
query on the same dataset in the same format always has the same answer."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import NamedTuple

from ..query.executors import Outcome


class Kept(NamedTuple):
    """An answer kept: the outcome and its entity tag."""

    outcome: Outcome
    etag: str


class ResultCache:
    """A least-recently-used store of successful outcomes with their entity tags, bounded in bytes."""

    def __init__(self, max_bytes: int, max_entry: int = 1 << 20) -> None:
        self.max_bytes = max_bytes
        self.max_entry = min(max_entry, max_bytes)
        self.size = 0
        self._entries: OrderedDict[Hashable, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Kept | None:
        """The kept answer for `key`, or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, outcome: Outcome, etag: str) -> None:
        """Keep a successful outcome (not one too long to be worth its room)."""
        cost = _cost(key, outcome)
        if not outcome.ok or cost > self.max_entry:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = Kept(outcome, etag)
            self.size += cost
            while self.size > self.max_bytes:
                dropped_key, dropped = self._entries.popitem(last=False)
                self.size -= _cost(dropped_key, dropped.outcome)

    def __len__(self) -> int:
        return len(self._entries)


def _cost(key: Hashable, outcome: Outcome) -> int:
    """The bytes an entry holds: its answer and the texts of its key (a query can be 64 KB)."""
    parts = key if isinstance(key, tuple) else (key,)
    return len(outcome.body) + 256 + sum(len(p) for p in parts if isinstance(p, str | bytes))
