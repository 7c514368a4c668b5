"""Connection balancing: a server process accepts only while no other has fewer connections open.

The kernel alone spreads a few long-lived keep-alive connections unevenly (in 20 trials of
4 connections over 2 processes, 4 times all 4 landed on one).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

#: The connection count that marks a slot as not accepting (starting, retiring or gone).
NOT_ACCEPTING = 1 << 30
#: A process whose count is older than this (stopped, hung) is left out of the comparison.
STALE = 1.0


class Balance:
    """Accept new connections only while no other live server process has fewer open.

    Each process has a slot in shared arrays of connection counts and of when it last
    wrote its count; the server's accept loop calls `declines` on every turn (at least every
    50 ms). A process never waits on another that has stopped answering: a slot not written
    for `STALE` seconds is left out, so a process that is stopped or hung cannot make the
    others refuse connections.
    """

    def __init__(self, counts: Any, slot: int, stamps: Any = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.counts = counts
        self.stamps = stamps if stamps is not None else [clock()] * len(counts)
        self.slot = slot
        self.clock = clock
        self.stopped = False

    def declines(self, mine: int) -> bool:
        """Write this process's count (`mine` open connections); True when it should leave the
        next connection to a live sibling with fewer (always, once stopped)."""
        if self.stopped:
            return True
        counts, slot, now = self.counts, self.slot, self.clock()
        counts[slot], self.stamps[slot] = mine, now
        return not all(mine <= other for i, other in enumerate(counts)
                       if i != slot and now - self.stamps[i] <= STALE)

    def stop(self) -> None:
        """Accept no more (the process is retiring): the others take every new connection."""
        self.stopped = True
        self.counts[self.slot] = NOT_ACCEPTING
