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
#: How long waitress's loop may wait before it asks again whether to accept: a process that
#: declined while another had fewer connections takes them again within this.
LOOP_TIMEOUT = 0.05


#: A process whose count is older than this (stopped, hung) is left out of the comparison.
STALE = 1.0


class Balance:
    """Accept new connections only while no other live server process has fewer open.

    Each process has a slot in shared arrays of connection counts and of when it last
    wrote its count; waitress's loop asks its listening server `readable()` before every
    wait (at least every `LOOP_TIMEOUT`), and the answer is made to depend on the counts.
    A process never waits on another that has stopped answering: a slot not written for
    `STALE` seconds is left out, so a process that is stopped or hung cannot make the
    others refuse connections.
    """

    def __init__(self, counts: Any, slot: int, stamps: Any = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.counts = counts
        self.stamps = stamps if stamps is not None else [clock()] * len(counts)
        self.slot = slot
        self.clock = clock
        self.stopped = False

    def install(self, server: Any) -> None:
        """Wrap `server.readable` (waitress's own test of whether to accept)."""
        original = server.readable
        counts, slot = self.counts, self.slot

        stamps, clock = self.stamps, self.clock

        def readable() -> bool:
            if self.stopped or not original():
                return False
            mine, now = len(server.active_channels), clock()
            counts[slot], stamps[slot] = mine, now
            return all(mine <= other for i, other in enumerate(counts)
                       if i != slot and now - stamps[i] <= STALE)

        server.readable = readable

    def stop(self) -> None:
        """Accept no more (the process is retiring): the others take every new connection."""
        self.stopped = True
        self.counts[self.slot] = NOT_ACCEPTING


