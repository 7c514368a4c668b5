"""Connection balancing: a server process accepts only while no other has fewer connections open.

The kernel alone spreads a few long-lived keep-alive connections unevenly (in 20 trials of
4 connections over 2 processes, 4 times all 4 landed on one).
"""

from __future__ import annotations

import contextlib
import select
import time
from collections.abc import Callable
from typing import Any

#: The connection count that marks a slot as not accepting (starting, retiring or gone).
NOT_ACCEPTING = 1 << 30
#: How long waitress's loop may wait before it asks again whether to accept: a process that
#: declined while another had fewer connections takes them again within this.
LOOP_TIMEOUT = 0.05
#: The wait instead while connections are waiting to be accepted and this process declines
#: them: none, so that it asks again at once (the sibling that takes one may then have more),
#: and a backlog drains as fast as the processes can accept, not one per LOOP_TIMEOUT.
BACKLOG_WAIT = 0.0


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
        self.listening: Any = None
        self.server: Any = None

    def install(self, server: Any) -> None:
        """Wrap `server.readable` (waitress's own test of whether to accept)."""
        original = server.readable
        self.listening = getattr(server, "socket", None)
        self.server = server

        def readable() -> bool:
            return not self.stopped and original() and not self._declines()

        server.readable = readable

    def _declines(self) -> bool:
        """Write this process's count; True when a live sibling has fewer connections."""
        counts, slot = self.counts, self.slot
        mine, now = len(self.server.active_channels), self.clock()
        counts[slot], self.stamps[slot] = mine, now
        return not all(mine <= other for i, other in enumerate(counts)
                       if i != slot and now - self.stamps[i] <= STALE)

    def wait(self) -> float:
        """How long the loop may wait now: short while it declines connections that are
        waiting in the backlog (so that it asks again soon), else LOOP_TIMEOUT (idle, a
        process wakes 20 times a second and does next to nothing)."""
        if not self.stopped and self.listening is not None and self._declines():
            with contextlib.suppress(OSError, ValueError):
                if select.select([self.listening], [], [], 0)[0]:
                    return BACKLOG_WAIT
        return LOOP_TIMEOUT

    def stop(self) -> None:
        """Accept no more (the process is retiring): the others take every new connection."""
        self.stopped = True
        self.counts[self.slot] = NOT_ACCEPTING


