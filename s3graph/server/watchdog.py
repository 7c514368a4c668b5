"""The deadline in a server process: queries run in the HTTP thread, a watchdog answers overruns.

A watchdog thread looks at the running queries every 50 ms; one past `query_timeout`
cannot be stopped, so the watchdog answers its client itself (a 503 written to that
connection, which is then closed), charges the client and has the process retire.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from ..errors import Code, S3GraphError
from ..query.engines import Engine
from ..query.executors import Deadline, Job, Outcome, run_job_safely, timeout_error
from ..service.http import error_response, headers_for, request_id_from
from .wsgi import current

log = logging.getLogger("s3graph.server")
#: A body this long is followed by handing freed memory back to the system.
BIG_BODY = 8 << 20
#: Past this many times the memory limit the process ends at once (the retirement would
#: wait for its other requests, and the query goes on eating memory meanwhile).
HARD_FACTOR = 1.5

@dataclass
class _Running:
    deadline: float
    timeout: float
    connection: Any  # what the watchdog uses of the server's Connection: socket, request_id, abandoned
    client: str
    started: float = field(default_factory=time.monotonic)
    error: S3GraphError | None = None  # what the watchdog answered
    handled: threading.Event = field(default_factory=threading.Event)


def resident_bytes() -> int:
    """This process's resident memory (Linux: /proc/self/statm), 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def too_large_error(limit: int) -> S3GraphError:
    """The error a client gets for a query that took its process past the memory ceiling."""
    return S3GraphError(f"the query needed more than the {limit >> 20} MB a server process may use and was "
                        "stopped", status=503, code=Code.QUERY_TOO_LARGE)


def give_back_memory() -> None:
    """Hand freed memory back to the system (glibc keeps it otherwise); nothing elsewhere."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Watchdog:
    """Runs each job in the calling HTTP thread; a watchdog thread answers those that overrun.

    On an overrun the watchdog writes the 503 to the client's connection and closes it,
    then calls `on_overrun` (the process retires): the query itself cannot be stopped. The
    client is charged then (`charge(client, seconds)`: the rate limiter's query time and
    error count), since the request may never return. A job from a thread that is not
    answering a connection of the server (`wsgi.current`) goes to `fallback`.
    """

    def __init__(self, engine: Engine, on_overrun: Callable[[], None], fallback: Deadline, *,
                 charge: Callable[[str, float], None] | None = None,
                 memory_limit: int = 0, interval: float = 0.05) -> None:
        self.engine = engine
        self.on_overrun = on_overrun
        self.fallback = fallback
        self.interval = interval
        self.charge = charge  # called with (client, seconds) for each overrun
        self.memory_limit = memory_limit  # bytes of resident memory; 0: not watched
        self.memory_overrun = False  # a query was answered for the memory (the process retires)
        self._running: dict[int, _Running] = {}
        self._lock = threading.Lock()
        threading.Thread(target=self._watch, name="s3graph-watchdog", daemon=True).start()

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run `job` here; if the watchdog answered meanwhile, the outcome goes nowhere."""
        connection = current()
        if connection is None:
            return self.fallback.run(job, timeout)
        entry = _Running(time.monotonic() + timeout, timeout, connection, job.client)
        with self._lock:
            self._running[id(entry)] = entry
        try:
            outcome = run_job_safely(self.engine, job)
        finally:
            with self._lock:
                answered = self._running.pop(id(entry), None) is None
        if answered:  # the client has its 503 (and was charged) and the connection is closed
            entry.handled.wait(10)
            error = entry.error or timeout_error(timeout)
            error.charged = True
            raise error
        if len(outcome.body) > BIG_BODY:
            give_back_memory()
        return outcome

    def close(self) -> None:
        """Nothing to stop: the watchdog ends with the process."""
        self.fallback.close()

    def _watch(self) -> None:
        while True:
            time.sleep(self.interval)
            now = time.monotonic()
            rss = resident_bytes() if self.memory_limit else 0
            if rss > HARD_FACTOR * self.memory_limit > 0:
                log.error("resident memory %d MB is past %g times the limit; ending the process at once",
                          rss >> 20, HARD_FACTOR)
                os._exit(3)
            with self._lock:
                late = [e for e in self._running.values() if e.deadline <= now]
                if rss > self.memory_limit > 0 and self._running and not late and not self.memory_overrun:
                    # The query that has run longest is taken to be the one eating the memory;
                    # once it is answered the process retires, and no other query is taken for
                    # it while the memory it holds is not given back.
                    late = [min(self._running.values(), key=lambda e: e.started)]
                    self.memory_overrun = True
                for entry in late:
                    del self._running[id(entry)]
            for entry in late:
                entry.error = timeout_error(entry.timeout) if entry.deadline <= now else too_large_error(
                    self.memory_limit)
                try:
                    self._answer(entry)
                    if self.charge is not None:
                        self.charge(entry.client, entry.timeout)
                    self.on_overrun()
                except Exception:  # keep watching whatever went wrong here
                    log.exception("answering an overrun failed")
                finally:
                    entry.handled.set()

    def _answer(self, entry: _Running) -> None:
        """Write the 503 for an overrun query to its connection, then close the connection."""
        connection = entry.connection
        connection.abandoned = True
        request_id = request_id_from(connection.request_id)
        error = entry.error or timeout_error(entry.timeout)
        response = error_response(error, request_id)
        log.warning("request %s: %s; answered 503", request_id, error.message)
        headers = [("Date", formatdate(usegmt=True)), *headers_for(response, request_id),
                   ("Connection", "close"), ("Server", "s3graph")]
        head = "HTTP/1.1 503 Service Unavailable\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        data = head.encode("latin-1") + response.body
        sock = connection.socket
        with contextlib.suppress(OSError):
            sock.settimeout(2.0)  # a blocking send of a few hundred bytes to an idle connection
            sock.sendall(data)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


