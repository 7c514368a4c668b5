"""`s3graph serve`: waitress in several server processes that share one listening socket.

The supervisor (the process `serve` runs in) opens the listening socket and starts
`workers` server processes. Each loads the built dataset into memory, runs the app under
waitress on the shared socket (the kernel hands each new connection to one of them) and
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
Meanwhile the other processes go on serving. With `workers` = 0 a single waitress process
answers queries with no deadline (for tests and for measuring what the isolation costs).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

import waitress
from waitress.channel import HTTPChannel

from .build import build
from .engine import Engine, make_engine
from .errors import S3GraphError
from .fastpath import EXPOSED, content_type_of, request_id_from
from .protocol import error_response
from .settings import Settings, resolve_paths
from .web import create_app, max_body
from .workers import Deadline, Job, Outcome, run_job_safely, timeout_error

log = logging.getLogger("s3graph.server")

#: How long a retiring process may take to finish its other requests, beyond query_timeout.
RETIRE_GRACE = 5.0
#: The connection count that marks a slot as not accepting (starting, retiring or gone).
NOT_ACCEPTING = 1 << 30


def waitress_options(settings: Settings) -> dict[str, Any]:
    """waitress's settings: threads, and a body limit just above what the app reads."""
    return {"threads": settings.threads, "ident": "s3graph",
            "max_request_body_size": max_body(settings) + 1024}


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted: `workers` supervised processes, or one when `workers` is 0."""
    settings = resolve_paths(settings)
    if settings.workers == 0:
        app = create_app(settings)
        _announce(settings, host, port, "1 process, no query deadline")
        try:
            waitress.serve(app, host=host, port=port, _quiet=True, **waitress_options(settings))
        finally:
            app.extensions["s3graph"].service.executor.close()
        return
    supervisor = Supervisor(settings, host, port)
    supervisor.run(lambda: _announce(settings, host, port,
                                     f"{settings.workers} server processes x {settings.threads} threads"))


def _announce(settings: Settings, host: str, port: int, how: str) -> None:
    print(f"s3graph: serving http://{host}:{port}/ (SPARQL at /sparql; {how}; engine "
          f"{settings.engine})", file=sys.stderr, flush=True)


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on host:port (IPv4 or IPv6, as the host is)."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family, backlog=1024)


# --- the server processes ---------------------------------------------------------------------

_current = threading.local()  # the waitress channel (connection) an HTTP thread is serving


class TrackedChannel(HTTPChannel):
    """waitress's connection, remembered by the thread serving its request (for Watchdog)."""

    def service(self) -> None:
        _current.channel = self
        try:
            super().service()
        finally:
            _current.channel = None


@dataclass
class _Running:
    deadline: float
    timeout: float
    channel: Any
    client: str
    handled: threading.Event = field(default_factory=threading.Event)


class Watchdog:
    """Runs each job in the calling HTTP thread; a watchdog thread answers those that overrun.

    On an overrun the watchdog writes the 503 to the client's connection and closes it,
    then calls `on_overrun` (the process retires): the query itself cannot be stopped. The
    client is charged then (`charge(client, seconds)`: the rate limiter's query time and
    error count), since the request may never return. A job from a thread that is not
    serving a waitress connection goes to `fallback`.
    """

    def __init__(self, engine: Engine, on_overrun: Any, fallback: Deadline, interval: float = 0.05) -> None:
        self.engine = engine
        self.on_overrun = on_overrun
        self.fallback = fallback
        self.interval = interval
        self.abandoned: set[Any] = set()  # channels answered by the watchdog
        self.charge: Any = None  # called with (client, seconds) for each overrun
        self._running: dict[int, _Running] = {}
        self._lock = threading.Lock()
        threading.Thread(target=self._watch, name="s3graph-watchdog", daemon=True).start()

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run `job` here; if the watchdog answered meanwhile, the outcome goes nowhere."""
        channel = getattr(_current, "channel", None)
        if channel is None:
            return self.fallback.run(job, timeout)
        entry = _Running(time.monotonic() + timeout, timeout, channel, job.client)
        with self._lock:
            self._running[id(entry)] = entry
        try:
            outcome = run_job_safely(self.engine, job)
        finally:
            with self._lock:
                answered = self._running.pop(id(entry), None) is None
        if answered:  # the client has its 503 (and was charged) and the connection is closed
            entry.handled.wait(10)
            error = timeout_error(timeout)
            error.charged = True
            raise error
        return outcome

    def close(self) -> None:
        """Nothing to stop: the watchdog ends with the process."""
        self.fallback.close()

    def _watch(self) -> None:
        while True:
            time.sleep(self.interval)
            now = time.monotonic()
            with self._lock:
                late = [e for e in self._running.values() if e.deadline <= now]
                for entry in late:
                    del self._running[id(entry)]
            for entry in late:
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
        channel = entry.channel
        self.abandoned.add(channel)
        request = channel.requests[0] if channel.requests else None
        request_id = request_id_from(request.headers.get("X_REQUEST_ID") if request is not None else None)
        response = error_response(timeout_error(entry.timeout), request_id)
        log.warning("request %s ran past the %g s limit; answered 503", request_id, entry.timeout)
        head = (f"HTTP/1.1 503 Service Unavailable\r\nDate: {formatdate(usegmt=True)}\r\n"
                f"Content-Type: {content_type_of(response.media_type)}\r\n"
                f"Content-Length: {len(response.body)}\r\nConnection: close\r\nVary: Accept\r\n"
                f"Access-Control-Allow-Origin: *\r\nAccess-Control-Expose-Headers: {EXPOSED}\r\n"
                f"X-Request-Id: {request_id}\r\nServer: s3graph\r\n\r\n")
        data = head.encode("latin-1") + response.body
        sock = channel.socket
        with contextlib.suppress(OSError):
            sock.settimeout(2.0)  # a blocking send of a few hundred bytes to an idle connection
            sock.sendall(data)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


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


class Retirement:
    """Ends a server process after an overrun: stop accepting, finish what is in hand, exit."""

    def __init__(self, conn: Connection, grace: float, balance: Balance | None = None) -> None:
        self.conn = conn
        self.grace = grace
        self.balance = balance
        self.abandoned: set[Any] = set()  # connections already answered by the watchdog
        self.server: Any = None  # the waitress server, set once it exists
        self._begun = False
        self._lock = threading.Lock()
        self._swept = threading.Event()

    def begin(self) -> None:
        """Called by the executor on an overrun (from a request thread): start retiring."""
        with self._lock:
            if self._begun:
                return
            self._begun = True
        if self.balance is not None:
            self.balance.stop()
        with contextlib.suppress(OSError):
            self.conn.send("retiring")  # the supervisor starts the replacement now
        threading.Thread(target=self._drain, name="s3graph-retire", daemon=True).start()

    def _sweep(self) -> None:
        """In waitress's loop thread: accept no more, close connections with nothing in hand."""
        server = self.server
        server.accepting = False
        for channel in list(server.active_channels.values()):
            if not channel.requests and not channel.total_outbufs_len:
                channel.will_close = True
        self._swept.set()

    def _drain(self) -> None:
        deadline = time.monotonic() + self.grace
        while time.monotonic() < deadline:
            self._swept.clear()
            self.server.trigger.pull_trigger(self._sweep)
            self._swept.wait(1.0)
            time.sleep(0.05)
            if self._swept.is_set() and all(channel in self.abandoned for channel
                                            in list(self.server.active_channels.values())):
                break
        os._exit(0)  # the overrunning query's thread cannot be stopped any other way


def _serve_child(settings: Settings, sock: socket.socket, conn: Connection, counts: Any, slot: int) -> None:
    """The body of one server process: load, report ready, serve until ended."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the supervisor, which ends us
    logging.basicConfig(format="s3graph[%(process)d] %(levelname)s %(name)s: %(message)s")
    try:
        built = build(settings)  # from the cache the supervisor's build left
        engine = make_engine(settings.engine, built, settings.base_iri, in_memory=True)
        balance = Balance(counts, slot)
        retirement = Retirement(conn, settings.query_timeout + RETIRE_GRACE, balance)
        executor = Watchdog(engine, retirement.begin, fallback=Deadline(engine, retirement.begin))
        retirement.abandoned = executor.abandoned
        app = create_app(settings, built=built, executor=executor)
        limiter = app.extensions["s3graph"].service.limiter
        executor.charge = lambda client, seconds: limiter.record(client, seconds, True)
        server = waitress.create_server(app, sockets=[sock], **waitress_options(settings))
        server.channel_class = TrackedChannel
    except S3GraphError as exc:
        conn.send(("failed", exc.message))
        return
    retirement.server = server
    balance.install(server)
    conn.send("ready")
    server.run()


# --- the supervisor ---------------------------------------------------------------------------

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

    code = "server-failed"


class Supervisor:
    """Keeps `settings.workers` server processes running on one listening socket."""

    def __init__(self, settings: Settings, host: str, port: int, start_timeout: float = 900.0) -> None:
        self.settings = settings
        self.sock = listening_socket(host, port)
        self.context = multiprocessing.get_context("spawn")
        # open connections per server process (shared memory), for Balance
        self.counts = self.context.RawArray("i", [NOT_ACCEPTING] * settings.workers)
        self.children: list[_Child] = []
        self.replaced = 0
        self.start_timeout = start_timeout

    def _start_child(self, slot: int) -> None:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_serve_child, name="s3graph-server",
                                       args=(self.settings, self.sock, child, self.counts, slot))
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
        elif message == "retiring" and not child.retiring:
            child.retiring = True
            self.replaced += 1
            print(f"s3graph: server process {child.process.pid} is retiring (a query ran past "
                  "the deadline); starting its replacement", file=sys.stderr, flush=True)
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
