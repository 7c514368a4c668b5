"""The HTTP/1.1 server of `s3graph serve`: WSGI, a thread per connection, requests parsed by
llhttp (the parser of Node.js, through `httptools`).

Why this and not waitress (used before) or granian: on 2 cores with the same client
(`bench/versus.py`), waitress spent about 275 µs of CPU on a request the app answers from
memory, granian's WSGI interface about 46 µs, a thread per connection reading with llhttp
about 20 µs. A thread per connection also keeps the deadline simple: a query runs in the
thread of its connection, and the watchdog that answers an overrun writes the 503 to that
connection's socket (`watchdog.py`) while the thread is still inside the engine.

The parts a client could abuse are bounded here: connections per process (`connections`),
requests handled at once (`concurrency`; the others wait for a turn), the request line and
headers (`max_head`), the body (`max_body`: 413 before it is read, then the connection is
drained and closed so that the client can read the answer), the time a whole request may take
to arrive from its first byte (`read_timeout`: a slowloris client is cut off) and the time a
connection may stay idle (`idle_timeout`). Errors the server answers itself (a request llhttp
refuses, one too large) are the service's JSON errors under the same header policy.
"""

from __future__ import annotations

import contextlib
import io
import logging
import select
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote_to_bytes

import httptools

from ..errors import Code, S3GraphError
from ..service.http import error_response, headers_for, request_id_from, status_line
from ..settings import Settings
from .cache import HOP_BY_HOP, Kept, ResponseCache

log = logging.getLogger("s3graph.server")
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
#: How long the accept loop waits for a connection before it looks at its state again.
LOOP_SECONDS = 0.05
#: How long it waits while another process is to take the connection waiting in the backlog.
DECLINED_SECONDS = 0.001
RECV_BYTES = 65536
#: A connection accepted this recently is not closed as idle when its process retires: its
#: first request may be on its way (a retiring process answers it, and closes then).
FRESH_SECONDS = 1.0
#: The slowest a client may read an answer, in bytes a second (beyond the idle timeout).
MIN_READ_RATE = 16 << 10
#: After refusing a request whose body is still coming, read and drop at most this much of
#: it (and for at most `DRAIN_SECONDS`) so that closing does not reset the connection before
#: the client has read the refusal.
DRAIN_BYTES = 4 << 20
DRAIN_SECONDS = 2.0
NO_BODY = frozenset({204, 304})

_current = threading.local()


def current() -> Connection | None:
    """The connection this thread is answering a request of (None outside one)."""
    return getattr(_current, "connection", None)


@dataclass(frozen=True)
class Limits:
    """What clients may hold of one server process."""

    connections: int = 1000
    concurrency: int = 4  # requests handled at once; the others wait for a turn
    idle_timeout: float = 30.0
    read_timeout: float = 20.0  # for a whole request, from its first byte
    max_head: int = 256 << 10  # request line and headers, in bytes
    max_body: int = 1 << 20

    @classmethod
    def from_settings(cls, settings: Settings, max_body: int) -> Limits:
        """The limits the settings give; the head has room for a percent-encoded query of the
        longest length in the URL, so that the service itself can say it is too long."""
        return cls(connections=settings.connection_limit, concurrency=settings.threads,
                   idle_timeout=settings.idle_timeout, read_timeout=settings.request_read_timeout,
                   max_head=3 * settings.max_query_length + (64 << 10), max_body=max_body)


class Refused(S3GraphError):
    """A request the server answers itself, then closes the connection."""


class _Message:
    """One request as parsed."""

    __slots__ = ("body", "headers", "keep_alive", "method", "url", "version")

    def __init__(self, method: bytes, url: bytes, headers: list[tuple[bytes, bytes]], body: bytes,
                 version: str, keep_alive: bool) -> None:
        self.method, self.url, self.headers, self.body = method, url, headers, body
        self.version, self.keep_alive = version, keep_alive


class _Clock:
    """The Date header, made once a second."""

    def __init__(self) -> None:
        self.second = 0
        self.value = ""

    def date(self) -> str:
        now = int(time.time())
        if now != self.second:
            self.second, self.value = now, formatdate(now, usegmt=True)
        return self.value


class Connection:
    """One client connection, served by its own thread; also the parser's callbacks."""

    def __init__(self, server: Server, sock: socket.socket, addr: Any) -> None:
        self.server = server
        self.socket = sock
        self.addr = addr
        self.request_id: str | None = None  # the client's X-Request-Id of the request in hand
        self.abandoned = False  # the watchdog answered the request in hand and shut the socket
        self.began: float | None = None  # when the first byte of the request being read came
        self.waiting = False  # blocked reading, with nothing of a request read or in hand
        self.since = time.monotonic()  # when it was accepted, or its last answer was sent
        self.answered = 0  # requests answered on it
        self.ready: deque[_Message] = deque()
        self._parser = httptools.HttpRequestParser(self)
        self._url: list[bytes] = []
        self._headers: list[tuple[bytes, bytes]] = []
        self._head = 0  # bytes of the request line and headers (counted as they are fed)
        self._in_head = False  # between a request's first byte and the end of its headers
        self._body: list[bytes] = []
        self._body_size = 0

    @property
    def idle(self) -> bool:
        """Waiting for a next request, nothing of it read and nothing in hand, and not one that
        was just accepted (its first request may be on its way: closing it would reset it)."""
        if not (self.waiting and (self.answered > 0 or time.monotonic() - self.since > FRESH_SECONDS)):
            return False
        try:  # bytes the kernel holds that the thread has not read yet: a request is coming
            return not select.select([self.socket], [], [], 0)[0]
        except (OSError, ValueError):  # closed meanwhile: nothing to keep
            return True

    # --- llhttp's callbacks (in this connection's thread, inside feed_data) ---------------

    def on_message_begin(self) -> None:
        if self.began is None:
            self.began = time.monotonic()
        self._url, self._headers, self._head, self._body, self._body_size = [], [], 0, [], 0
        self._in_head = True

    def on_url(self, url: bytes) -> None:
        self._url.append(url)
        self._grow(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._in_head:  # not a chunked body's trailer: those are never headers (RFC 9110 §6.5.1)
            self._headers.append((name, value.strip(b" \t")))  # the value without its whitespace (§5.5)
            self._grow(len(name) + len(value) + 4)

    def _grow(self, size: int) -> None:
        """Count bytes of the request line and headers against `max_head`: the parts llhttp hands
        over, and (`_serve`) every read that comes while the headers are not complete, since it
        hands a header field over only once it has all of it."""
        self._head += size
        if self._head > self.server.limits.max_head:
            raise Refused(f"the request line and headers are longer than {self.server.limits.max_head} bytes",
                          status=431, code=Code.BAD_REQUEST)

    def on_headers_complete(self) -> None:
        self._in_head = False
        length, expect, coding = None, b"", None
        for name, value in self._headers:
            lower = name.lower()
            if lower == b"content-length":
                length = int(value)  # llhttp has checked it is a number
            elif lower == b"expect":
                expect = value.lower()
            elif lower == b"transfer-encoding":
                coding = value.lower()
        if coding is not None and coding != b"chunked":  # llhttp reads chunked; it would pass gzip on as is
            raise Refused(f"the transfer coding {coding.decode('latin-1')} is not supported; send the body chunked "
                          "or with a Content-Length", status=501, code=Code.BAD_REQUEST)
        if length is not None and length > self.server.limits.max_body:
            raise _too_large(self.server.limits.max_body)
        if expect == b"100-continue" and self._parser.get_http_version() == "1.1" and not self.ready:
            # (with answers to earlier pipelined requests still to send, the client sends the body anyway)
            self.socket.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        self._body_size += len(body)
        if self._body_size > self.server.limits.max_body:  # a chunked body says its size as it comes
            raise _too_large(self.server.limits.max_body)
        self._body.append(body)

    def on_message_complete(self) -> None:
        parser = self._parser
        url, version = b"".join(self._url), parser.get_http_version()
        if url[:1] != b"/" and url != b"*":
            try:
                httptools.parse_url(url)  # the absolute form (http://host/path); llhttp takes more
            except httptools.HttpParserInvalidURLError:
                raise _bad(ValueError(f"the request target {url[:100]!r} is not a URL")) from None
        # An HTTP/1.0 message framed by Transfer-Encoding is closed after (RFC 9112 §6.1), and
        # what follows an upgrade request is another protocol.
        keep = parser.should_keep_alive() and not parser.should_upgrade() and not (
            version == "1.0" and _header(self._headers, b"transfer-encoding") is not None)
        self.ready.append(_Message(parser.get_method(), url, self._headers, b"".join(self._body), version, keep))
        self.began = None

    # --- the connection's thread -----------------------------------------------------

    def serve(self) -> None:
        """Read requests and answer them until the client leaves, a limit is reached or the
        server closes the connection."""
        try:
            self._serve()
        except Exception:  # our own bug: the connection goes, the server stays
            log.exception("serving a connection from %s failed", self._peer())
        finally:
            self.server.forget(self)
            with contextlib.suppress(OSError):
                self.socket.close()

    def _serve(self) -> None:
        limits, sock = self.server.limits, self.socket
        # A blocking socket whose waits the kernel bounds (SO_RCVTIMEO, SO_SNDTIMEO): one system
        # call a read or a write. Python's own timeouts poll() before each, and every call
        # releases the GIL: with a few connections busy, the hand-offs cost more than the request.
        sock.setblocking(True)
        _wait_at_most(sock, socket.SO_SNDTIMEO, limits.idle_timeout)
        waiting = _wait_at_most(sock, socket.SO_RCVTIMEO, limits.idle_timeout)
        while True:
            if self.began is None:
                # Retiring: a kept-alive connection ends between requests; a new one reads its
                # first request (it may be on its way: ending it would reset it), unless it stays
                # silent past FRESH_SECONDS (close_idle).
                if self.server.retiring and self.answered:
                    return
                timeout = limits.idle_timeout
            else:
                timeout = self.began + limits.read_timeout - time.monotonic()
                if timeout <= 0:
                    return self._slow()
            if abs(timeout - waiting) > 0.1:  # a request half read: what is left of its time
                waiting = _wait_at_most(sock, socket.SO_RCVTIMEO, timeout)
            self.waiting = self.began is None
            try:
                data = sock.recv(RECV_BYTES)
            except (BlockingIOError, TimeoutError):  # the kernel's wait ran out
                return self._slow() if self.began is not None else None
            except OSError:
                return None
            finally:
                self.waiting = False
            if not data:
                return None
            refusal: S3GraphError | None = None
            upgrade = False
            try:
                in_head = self._in_head
                self._parser.feed_data(data)
                if in_head and self._in_head:  # all of it was headers, and they go on
                    self._grow(len(data))
            except httptools.HttpParserUpgrade:
                upgrade = True  # what follows the request is another protocol: answer, then close
            except httptools.HttpParserCallbackError as exc:
                refusal = exc.__context__ if isinstance(exc.__context__, S3GraphError) else _bad(exc)
            except httptools.HttpParserError as exc:
                refusal = _bad(exc)
            except Refused as exc:
                refusal = exc
            answered = False
            while self.ready:
                answered = True
                if not self._answer(self.ready.popleft()):
                    return None
                self.answered += 1
                self.since = time.monotonic()
            if refusal is not None:
                return self._refuse(refusal)
            if upgrade:
                return None
            if answered and self.began is not None:
                # a next request begun while the earlier ones were answered: its time counts from now
                self.began = time.monotonic()

    def _slow(self) -> None:
        log.info("closing a connection from %s: its request took more than %.0f s to arrive", self._peer(),
                 self.server.limits.read_timeout)

    def _peer(self) -> str:
        return str(self.addr[0]) if isinstance(self.addr, tuple) and self.addr else "?"

    def _answer(self, message: _Message) -> bool:
        """Answer one request (from the kept answers, or by the app); True when the connection
        stays open for the next."""
        server = self.server
        try:
            keep = message.keep_alive and not server.retiring
            kept = server.cache.find(message.url, message.headers) if server.cache is not None and (
                message.method == b"GET" or message.method == b"HEAD") and not message.body else None
            if kept is not None and server.admits(self._peer()):
                sent = self._send_kept(*kept, keep, message)
                if sent and not keep:
                    server.drain(self.socket)
                return sent and keep
            environ = server.environ(message, self)
            self.request_id = environ.get("HTTP_X_REQUEST_ID")
            with server.turns:
                _current.connection = self
                try:
                    status, headers, body = server.call(environ)
                finally:
                    _current.connection = None
            if self.abandoned:
                return False
            sent = self._send(status, headers, body, keep, message)  # (checks the headers first)
            if server.cache is not None and message.method == b"GET" and not message.body:
                server.cache.offer(message.url, message.headers, status, headers, body)
            if sent and not keep:  # what the client sent after this is not read: let it read the answer
                server.drain(self.socket)
            return sent and keep
        finally:
            self.request_id = None

    def _send_kept(self, kept: Kept, not_modified: bool, keep: bool, message: _Message) -> bool:
        """A kept answer (or its 304), with this request's id and the server's own headers."""
        request_id = request_id_from(_header(message.headers, b"x-request-id"))
        tail = f"X-Request-Id: {request_id}\r\nDate: {self.server.clock.date()}\r\nServer: s3graph\r\n"
        if not keep:
            tail += "Connection: close\r\n"
        elif message.version == "1.0":
            tail += "Connection: keep-alive\r\n"
        head = (kept.not_modified if not_modified else kept.head) + tail.encode("latin-1") + b"\r\n"
        return self._write(head, [] if not_modified or message.method == b"HEAD" else [kept.body])

    def _send(self, status: str, headers: list[tuple[str, str]], body: list[bytes], keep: bool,
              message: _Message) -> bool:
        code = int(status[:3])
        lines = [f"HTTP/1.1 {status}"]
        length = None
        for name, value in headers:
            lower = name.lower()
            if lower in HOP_BY_HOP:
                continue
            if lower == "content-length":
                length = value
            if "\n" in value or "\r" in value or "\n" in name or "\r" in name:
                raise ValueError(f"a line break in the response header {name}")  # never sent
            lines.append(f"{name}: {value}")
        bare = code in NO_BODY or code < 200
        if length is None and not bare and message.method != b"HEAD":  # (HEAD: the app's length or none)
            lines.append(f"Content-Length: {sum(map(len, body))}")
        lines.append(f"Date: {self.server.clock.date()}")
        lines.append("Server: s3graph")
        if not keep:
            lines.append("Connection: close")
        elif message.version == "1.0":
            lines.append("Connection: keep-alive")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if bare or message.method == b"HEAD":
            body = []
        return self._write(head, body)

    def _write(self, head: bytes, body: list[bytes]) -> bool:
        """Send an answer; False when the client is gone or reads too slowly. Each write waits at
        most the idle timeout (SO_SNDTIMEO) and the whole answer must go within the idle timeout
        plus a second for each MIN_READ_RATE bytes: a client reading a byte now and then cannot
        hold its connection (and thread) for ever."""
        data = head + body[0] if len(body) == 1 else head + b"".join(body)
        deadline = time.monotonic() + self.server.limits.idle_timeout + len(data) / MIN_READ_RATE
        sock, view = self.socket, memoryview(data)
        try:
            while view:
                sent = sock.send(view)
                view = view[sent:]
                if view and time.monotonic() > deadline:
                    log.info("closing a connection from %s: it reads its answer too slowly", self._peer())
                    return False
            return True
        except OSError:
            return False

    def _refuse(self, error: S3GraphError) -> None:
        """Answer a request the server refuses (JSON, the header policy), then drain and close."""
        request_id = request_id_from(_header(self._headers, b"x-request-id"))
        response = error_response(error, request_id)
        headers = [(k, v) for k, v in headers_for(response, request_id)]
        message = _Message(b"GET", b"", [], b"", "1.1", False)
        if self._send(status_line(error.status), headers, [response.body], False, message):
            self.server.drain(self.socket)


def _wait_at_most(sock: socket.socket, option: int, seconds: float) -> float:
    """Have the kernel end a blocking read (SO_RCVTIMEO) or write (SO_SNDTIMEO) after
    `seconds` (at least a millisecond: zero would mean never); returns the seconds set."""
    seconds = max(0.001, seconds)
    whole = int(seconds)
    sock.setsockopt(socket.SOL_SOCKET, option, struct.pack("ll", whole, int((seconds - whole) * 1e6)))
    return seconds


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _too_large(limit: int) -> Refused:
    return Refused(f"the request body is larger than {limit} bytes", status=413, code=Code.BODY_TOO_LARGE)


def _bad(exc: Exception) -> Refused:
    reason = str(exc).strip() or type(exc).__name__
    return Refused(f"the request is not valid HTTP/1.1: {reason}", status=400, code=Code.BAD_REQUEST)


class Server:
    """A WSGI server on a listening socket (shared with other processes or not)."""

    def __init__(self, app: WSGIApp, listening: socket.socket, limits: Limits, *,
                 declines: Callable[[int], bool] | None = None, cache: ResponseCache | None = None,
                 admits: Callable[[str], bool] = lambda client: True) -> None:
        self.app = app
        self.listening = listening
        self.limits = limits
        self.declines = declines  # given the open connections: True when another process takes the next
        self.cache = cache  # answers kept for repeated requests (None: every request goes to the app)
        self.admits = admits  # whether a client may have a kept answer (False: the app answers, 429)
        self.turns = threading.BoundedSemaphore(limits.concurrency)
        self.connections: set[Connection] = set()
        self.retiring = False
        self.clock = _Clock()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._stopped = threading.Event()
        host, port = listening.getsockname()[:2]
        self._base = {"SERVER_NAME": str(host), "SERVER_PORT": str(port), "SCRIPT_NAME": "",
                      "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
                      "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False}

    @property
    def port(self) -> int:
        """The port listened on."""
        return int(self.listening.getsockname()[1])

    def serve_forever(self) -> None:
        """Accept connections until `close` (or `retire`), each served by a thread of its own."""
        self.listening.setblocking(False)
        poller = select.poll()
        poller.register(self.listening, select.POLLIN)
        try:
            while not self._closed.is_set() and not self.retiring:
                ready = poller.poll(LOOP_SECONDS * 1000)
                count = len(self.connections)
                declined = self.declines is not None and self.declines(count)
                if not ready or self._closed.is_set() or self.retiring:
                    continue
                if count >= self.limits.connections:
                    time.sleep(LOOP_SECONDS)  # at the limit: new connections wait in the backlog
                    continue
                if declined:
                    time.sleep(DECLINED_SECONDS)  # another process has fewer: it takes this one
                    continue
                self._accept()
        finally:
            self._stopped.set()

    def _accept(self) -> None:
        try:
            sock, addr = self.listening.accept()
        except (BlockingIOError, InterruptedError):
            return  # another process took it
        except OSError as exc:  # out of file descriptors and the like: wait, then try again
            log.warning("cannot accept a connection: %s", exc)
            time.sleep(LOOP_SECONDS)
            return
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = Connection(self, sock, addr)
        with self._lock:
            self.connections.add(connection)
        self._publish()
        try:
            threading.Thread(target=connection.serve, name="s3graph-connection", daemon=True).start()
        except RuntimeError:  # no thread to be had: the connection is closed
            self.forget(connection)
            sock.close()

    def forget(self, connection: Connection) -> None:
        """A connection has ended."""
        with self._lock:
            self.connections.discard(connection)
        self._publish()

    def _publish(self) -> None:
        """Tell the other processes the open connections now (the balance reads them before
        each accept: a count written only on the accept loop's next turn would be stale)."""
        if self.declines is not None:
            self.declines(len(self.connections))

    def environ(self, message: _Message, connection: Connection) -> dict[str, Any]:
        """The WSGI environ of a request (PEP 3333: the path decoded, as latin-1 text)."""
        url = message.url
        if url[:1] != b"/" and url != b"*":
            parsed = httptools.parse_url(url)  # absolute form: http://host/path?query
            path, query = parsed.path or b"/", parsed.query or b""
        else:
            path, _, query = url.partition(b"#")[0].partition(b"?")
        environ = dict(self._base)
        environ.update({"REQUEST_METHOD": message.method.decode("latin-1"),
                        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
                        "QUERY_STRING": query.decode("latin-1"), "RAW_URI": url.decode("latin-1"),
                        "SERVER_PROTOCOL": f"HTTP/{message.version}", "REMOTE_ADDR": "", "REMOTE_PORT": "",
                        "wsgi.input": io.BytesIO(message.body), "CONTENT_LENGTH": str(len(message.body))})
        if isinstance(connection.addr, tuple) and connection.addr:
            environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = str(connection.addr[0]), str(connection.addr[1])
        for name, value in message.headers:
            key = name.decode("latin-1").upper()
            if "_" in key:  # X_Request_Id would pass for X-Request-Id: dropped, as by other servers
                continue
            text = value.decode("latin-1")
            if key == "CONTENT-TYPE":
                environ["CONTENT_TYPE"] = text
                continue
            if key == "CONTENT-LENGTH":
                continue  # the body as read (chunked or not) is what counts
            key = "HTTP_" + key.replace("-", "_")
            environ[key] = f"{environ[key]}, {text}" if key in environ else text
        return environ

    def call(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], list[bytes]]:
        """Run the app: its status, headers and the whole body (read while this request has its
        turn, sent after it: a slow reader holds no turn)."""
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
            if started and exc_info is None:
                raise RuntimeError("start_response was called twice without exc_info (PEP 3333)")
            started[:] = [status, headers]
            return _no_write

        try:
            result = self.app(environ, start_response)
            try:
                body = [bytes(chunk) for chunk in result if chunk]
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            if not started:
                raise RuntimeError("the app returned without calling start_response")
        except Exception:  # the app's own bug: logged, the client gets a plain 500
            request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
            log.exception("request %s failed", request_id)
            error = S3GraphError("internal error; quote the request id when reporting it", status=500,
                                 code=Code.INTERNAL)
            response = error_response(error, request_id)
            return status_line(500), headers_for(response, request_id), [response.body]
        return started[0], started[1], body

    def drain(self, sock: socket.socket) -> None:
        """After an answer that closes the connection (a refusal, `Connection: close`): stop
        writing, read and drop what the client still sends (bounded), so that closing does not
        reset the connection before the client has read the answer."""
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
            deadline, left = time.monotonic() + DRAIN_SECONDS, DRAIN_BYTES
            while left > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                sock.settimeout(remaining)
                data = sock.recv(RECV_BYTES)
                if not data:
                    break
                left -= len(data)

    def retire(self) -> None:
        """Accept no more connections, close the idle ones; the others close after the request in hand."""
        self.retiring = True
        self.close_idle()

    def close_idle(self) -> None:
        """Close the connections with nothing in hand (their threads then end)."""
        with self._lock:
            idle = [c for c in self.connections if c.idle]
        for connection in idle:
            with contextlib.suppress(OSError):
                connection.socket.shutdown(socket.SHUT_RDWR)

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting, close every connection and the listening socket (tests, `workers=0`)."""
        self._closed.set()
        self._stopped.wait(timeout)
        with self._lock:
            everyone = list(self.connections)
        for connection in everyone:
            with contextlib.suppress(OSError):
                connection.socket.shutdown(socket.SHUT_RDWR)
        self.listening.close()


def _no_write(data: bytes) -> None:
    raise NotImplementedError("s3graph's server takes the body from the app's return value only")

