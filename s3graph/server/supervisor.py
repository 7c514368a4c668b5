"""`s3graph serve`: several server processes that share one listening socket.

The supervisor (the process `serve` runs in) opens the listening socket and starts
`workers` server processes. Each loads the built dataset, runs the app under s3graph's
HTTP server (`wsgi.py`) on the shared socket (the kernel hands each new connection to one of them) and
answers queries in its own threads with a deadline (`workers.Deadline`): no round trip to
another process on the request path, and no process's GIL shared by all requests.

New connections go to the process with the fewest open connections: each process writes
its count into shared memory and only offers to accept while no other has fewer (the
kernel alone spreads a few long-lived keep-alive connections unevenly: in 20 trials of 4
connections over 2 processes, 4 times all 4 landed on one).

Queries run in the HTTP thread that received them (`Watchdog`): nothing is handed to
another thread or process on the request path. A watchdog thread per process looks at the
running queries every 50 ms; one past `query_timeout` cannot be stopped, so the watchdog
answers its client itself (a 503 written to that connection, which is then closed) and
the process retires: it stops accepting connections, finishes the requests it has in hand
(closing idle keep-alive connections) and exits. The supervisor starts the
replacement as soon as it hears of the overrun, and also replaces a process that dies.
Meanwhile the other processes go on serving. With `workers` = 0 a single process answers
queries with no deadline (for tests and for measuring what the isolation costs).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from ..errors import Code, S3GraphError
from ..service.ratelimit import shared_tables
from ..settings import Settings
from ..web import create_app
from .balance import NOT_ACCEPTING
from .process import serve_child, serving


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted: `workers` supervised processes, or one when `workers` is 0."""
    if settings.workers == 0:
        sock = listening_socket(host, port)
        app = create_app(settings)
        server = serving(app, app.extensions["s3graph"].service, sock)
        _announce(settings, host, port, "1 process, no query deadline")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
            app.extensions["s3graph"].service.close()
        return
    supervisor = Supervisor(settings, host, port)
    supervisor.run(lambda: _announce(settings, host, port,
                                     f"{settings.workers} server processes x {settings.threads} threads"))


def _announce(settings: Settings, host: str, port: int, how: str) -> None:
    print(f"s3graph: serving http://{host}:{port}/ (SPARQL at /sparql; {how}; engine "
          f"{'backend ' + settings.backend if settings.backend else settings.engine})", file=sys.stderr, flush=True)


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on host:port (IPv4 or IPv6, as the host is); a port in use or
    a host that is not this machine's is an error naming them."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family, backlog=1024)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise S3GraphError(f"cannot listen on {host}:{port}: {reason}", code=Code.CANNOT_LISTEN) from None


@dataclass
class _Child:
    process: BaseProcess
    conn: Connection
    slot: int
    ready: bool = False
    retiring: bool = False
    conn_open: bool = True


class ServerFailed(S3GraphError):
    """A server process could not start."""

    code = Code.SERVER_FAILED


class Supervisor:
    """Keeps `settings.workers` server processes running on one listening socket."""

    def __init__(self, settings: Settings, host: str, port: int, start_timeout: float = 900.0) -> None:
        self.settings = settings
        self.sock = listening_socket(host, port)
        self.context = multiprocessing.get_context("spawn")
        # open connections per server process (shared memory), for Balance
        self.counts = self.context.RawArray("i", [NOT_ACCEPTING] * settings.workers)
        self.stamps = self.context.RawArray("d", [0.0] * settings.workers)  # when each count was written
        self.limits = shared_tables(self.context)  # one rate limit per client, whichever process serves it
        self.children: list[_Child] = []
        self.replaced = 0
        self.start_timeout = start_timeout

    def _start_child(self, slot: int) -> None:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=serve_child, name="s3graph-server",
                                       args=(self.settings, self.sock, child, (self.counts, self.stamps, self.limits),
                                             slot, os.getpid()))
        process.start()
        child.close()
        self.children.append(_Child(process, parent, slot))

    def run(self, announce: Any = None) -> None:
        """Start the processes, wait until they serve, then keep them going until interrupted."""
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            for slot in range(self.settings.workers):
                self._start_child(slot)
            started = time.monotonic()
            while not all(c.ready for c in self.children):
                if time.monotonic() - started > self.start_timeout:
                    raise ServerFailed("the server processes did not start in time")
                self.step(1.0)
            if announce:
                announce()
            while True:
                self.step(5.0)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.stop()

    def step(self, timeout: float) -> None:
        """Handle what the processes report (ready, retiring) and replace those that ended."""
        waitables: dict[Any, _Child] = {}
        for child in self.children:
            waitables[child.process.sentinel] = child
            if child.conn_open:
                waitables[child.conn] = child
        for item in wait(list(waitables), timeout):
            child = waitables[item]
            if item is child.conn:
                self._message(child)
            elif child in self.children:
                self._ended(child)

    def _message(self, child: _Child) -> None:
        try:
            message = child.conn.recv()
        except (EOFError, OSError):
            child.conn_open = False
            return
        if message == "ready":
            child.ready = True
            if self.replaced:
                print(f"s3graph: server process {child.process.pid} is serving (a replacement)",
                      file=sys.stderr, flush=True)
        elif message == "retiring" and not child.retiring:
            child.retiring = True
            self.replaced += 1
            print(f"s3graph: server process {child.process.pid} is retiring (a query ran past "
                  "the deadline or the memory limit); starting its replacement", file=sys.stderr, flush=True)
            self._start_child(child.slot)
        elif isinstance(message, tuple) and message[0] == "failed":
            raise ServerFailed(f"a server process could not start: {message[1]}")

    def _ended(self, child: _Child) -> None:
        child.process.join()
        self.children.remove(child)
        child.conn.close()
        if not child.retiring:
            self.counts[child.slot] = NOT_ACCEPTING  # until its replacement serves
        if not child.ready:
            raise ServerFailed(f"a server process exited (code {child.process.exitcode}) before it "
                               "was ready")
        if not child.retiring:
            self.replaced += 1
            print(f"s3graph: server process {child.process.pid} ended (code "
                  f"{child.process.exitcode}); starting its replacement", file=sys.stderr, flush=True)
            self._start_child(child.slot)

    def stop(self) -> None:
        """End every server process and close the socket."""
        for child in self.children:
            if child.process.is_alive():
                child.process.terminate()
        for child in self.children:
            child.process.join(5)
            if child.process.is_alive():
                child.process.kill()
                child.process.join(5)
        self.children.clear()
        self.sock.close()


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
