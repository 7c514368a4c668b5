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
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from ..build.pipeline import build
from ..errors import S3GraphError
from ..query.executors import Deadline
from ..remote.store import engine_for
from ..service.compose import compose
from ..service.http import max_body
from ..service.ratelimit import SharedRateLimiter
from ..service.service import Service
from ..settings import Settings
from ..web import create_app
from .balance import Balance
from .cache import ResponseCache
from .watchdog import Watchdog
from .wsgi import Limits, Server, WSGIApp

#: How long a retiring process may take to finish its other requests, beyond query_timeout.
RETIRE_GRACE = 5.0


class Retirement:
    """Ends a server process after an overrun: stop accepting, finish what is in hand, exit."""

    def __init__(self, conn: Connection, grace: float, balance: Balance | None = None) -> None:
        self.conn = conn
        self.grace = grace
        self.balance = balance
        self.server: Server | None = None  # see attach
        self._begun = False
        self._lock = threading.Lock()

    def attach(self, server: Server) -> None:
        """The server to drain (it exists only once the app does)."""
        self.server = server

    def begin(self) -> None:
        """Called on an overrun (from a request thread or the watchdog's): start retiring."""
        with self._lock:
            if self._begun:
                return
            self._begun = True
        if self.balance is not None:
            self.balance.stop()
        with contextlib.suppress(OSError):
            self.conn.send("retiring")  # the supervisor starts the replacement now
        threading.Thread(target=self._drain, name="s3graph-retire", daemon=True).start()

    def _drain(self) -> None:
        server = self.server
        deadline = time.monotonic() + self.grace
        if server is not None:
            server.retire()
            while time.monotonic() < deadline:
                time.sleep(0.05)
                server.close_idle()  # keep-alive connections whose request was answered meanwhile
                if all(connection.abandoned for connection in list(server.connections)):
                    break
        os._exit(0)  # the overrunning query's thread cannot be stopped any other way


def serving(app: WSGIApp, service: Service, sock: socket.socket,
            declines: Callable[[int], bool] | None = None) -> Server:
    """The HTTP server of one process over the app, with the limits of the settings and, unless
    `result_cache_mb` is 0, a cache of whole answers in front (answered only to clients within
    their rate limits)."""
    settings = service.settings
    cache = ResponseCache(settings.result_cache_mb << 20) if settings.result_cache_mb else None
    return Server(app, sock, Limits.from_settings(settings, max_body(settings)), declines=declines, cache=cache,
                  admits=service.admits)


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
                            charge=lambda client, seconds: limiter.record(client, seconds, True),
                            memory_limit=settings.memory_limit_bytes())
        service = compose(settings, built=built, executor=watchdog, limiter=limiter)
        server = serving(create_app(service=service), service, sock, declines=balance.declines)
    except S3GraphError as exc:
        conn.send(("failed", exc.message))
        return
    retirement.attach(server)
    conn.send("ready")
    server.serve_forever()
    threading.Event().wait()  # retiring: the drain thread ends the process

