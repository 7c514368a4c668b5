"""One server process: load the dataset, compose the service, serve on the shared socket; retire
after an overrun (stop accepting, finish what is in hand, exit)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

import waitress
from waitress import wasyncore

from ..build.pipeline import build
from ..errors import S3GraphError
from ..query.executors import Deadline
from ..remote.store import engine_for
from ..service.compose import compose
from ..service.http import max_body
from ..service.ratelimit import SharedRateLimiter
from ..settings import Settings
from ..web import create_app
from .balance import Balance
from .watchdog import TrackedChannel, Watchdog

#: How long a retiring process may take to finish its other requests, beyond query_timeout.
RETIRE_GRACE = 5.0


def waitress_options(settings: Settings) -> dict[str, Any]:
    """waitress's settings: threads, connections, idle timeout, and a body limit just above
    what the app reads. poll(), not select(): select() cannot watch more than 1,024 sockets."""
    return {"threads": settings.threads, "ident": "s3graph",
            "max_request_body_size": max_body(settings) + 1024,
            "connection_limit": settings.connection_limit, "channel_timeout": settings.idle_timeout,
            "cleanup_interval": max(1, min(30, settings.idle_timeout // 2)),
            "asyncore_use_poll": True}


class Retirement:
    """Ends a server process after an overrun: stop accepting, finish what is in hand, exit."""

    def __init__(self, conn: Connection, grace: float, balance: Balance | None = None) -> None:
        self.conn = conn
        self.grace = grace
        self.balance = balance
        self.abandoned: set[Any] = set()  # connections already answered by the watchdog
        self.server: Any = None  # the waitress server (see attach)
        self._begun = False
        self._lock = threading.Lock()
        self._swept = threading.Event()

    def attach(self, server: Any) -> None:
        """The waitress server to drain (it exists only once the app does)."""
        self.server = server

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


def end_with(parent: int, interval: float = 0.5) -> None:
    """Exit as soon as the supervisor (`parent`) is gone, even when it was killed with no
    chance to stop us: a process left without it would go on serving the port unsupervised."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(0)

    threading.Thread(target=watch, name="s3graph-orphan-watch", daemon=True).start()


def serve_child(settings: Settings, sock: socket.socket, conn: Connection, shared: tuple[Any, Any, Any],
                slot: int, parent: int) -> None:
    """The body of one server process: load, report ready, serve until ended."""
    end_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the supervisor, which ends us
    logging.basicConfig(format="s3graph[%(process)d] %(levelname)s %(name)s: %(message)s")
    try:
        built = build(settings)  # from the cache the supervisor's build left
        engine = engine_for(settings, built, in_memory=settings.keeps_in_memory(built.triples))
        counts, stamps, limits = shared
        balance = Balance(counts, slot, stamps)
        retirement = Retirement(conn, settings.query_timeout + RETIRE_GRACE, balance)
        limiter = SharedRateLimiter.from_settings(settings, limits)
        watchdog = Watchdog(engine, retirement.begin, fallback=Deadline(engine, retirement.begin),
                            abandoned=retirement.abandoned,
                            charge=lambda client, seconds: limiter.record(client, seconds, True),
                            memory_limit=settings.memory_limit_bytes())
        service = compose(settings, built=built, executor=watchdog, limiter=limiter)
        server = waitress.create_server(create_app(service=service), sockets=[sock], **waitress_options(settings))
        server.channel_class = TrackedChannel.with_read_timeout(settings.request_read_timeout)
    except S3GraphError as exc:
        conn.send(("failed", exc.message))
        return
    retirement.attach(server)
    balance.install(server)
    conn.send("ready")
    run_loop(server, balance)


def run_loop(server: Any, balance: Balance) -> None:
    """waitress's loop, with the wait the balance asks for on each turn. (waitress's own
    `run` takes a fixed wait that it reads as an int: 0.05 s became 0, and every idle server
    process spun on poll() at 100% of a core.)"""
    try:
        while server._map:
            wasyncore.poll2(balance.wait(), server._map)
    except (SystemExit, KeyboardInterrupt):
        server.task_dispatcher.shutdown()
