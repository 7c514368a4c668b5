"""Connection balancing: a server process accepts only while no other has fewer connections open.

The kernel alone spreads a few long-lived keep-alive connections unevenly (in 20 trials of
4 connections over 2 processes, 4 times all 4 landed on one).
"""

from __future__ import annotations

from typing import Any

#: The connection count that marks a slot as not accepting (starting, retiring or gone).
NOT_ACCEPTING = 1 << 30


class Balance:
    """Accept new connections only while no other server process has fewer open.

    Each process has a slot in a shared array of connection counts; waitress's loop asks
    its listening server `readable()` before every wait, and the answer is made to depend
    on the counts.
    """

    def __init__(self, counts: Any, slot: int) -> None:
        self.counts = counts
        self.slot = slot
        self.stopped = False

    def install(self, server: Any) -> None:
        """Wrap `server.readable` (waitress's own test of whether to accept)."""
        original = server.readable
        counts, slot = self.counts, self.slot

        def readable() -> bool:
            if self.stopped or not original():
                return False
            mine = len(server.active_channels)
            counts[slot] = mine
            return all(mine <= other for i, other in enumerate(counts) if i != slot)

        server.readable = readable

    def stop(self) -> None:
        """Accept no more (the process is retiring): the others take every new connection."""
        self.stopped = True
        self.counts[self.slot] = NOT_ACCEPTING


