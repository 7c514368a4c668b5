"""s3graph's HTTP server (`server/wsgi.py`): HTTP/1.1 framing as clients send it, the limits,
errors in the service's JSON form, and a property test against Python's own HTTP client."""

from __future__ import annotations

import http.client
import io
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s3graph.server import wsgi
from s3graph.server.wsgi import Limits, Server
from tests.helpers import split_response, wait_for

Environ = dict[str, Any]


def echo(environ: Environ, start_response: Callable[..., Any]) -> list[bytes]:
    """What the server handed the app, as JSON."""
    body = environ["wsgi.input"].read()
    seen = {"method": environ["REQUEST_METHOD"], "path": environ["PATH_INFO"], "query": environ["QUERY_STRING"],
            "body": body.decode("latin-1"), "length": environ["CONTENT_LENGTH"],
            "type": environ.get("CONTENT_TYPE", ""), "protocol": environ["SERVER_PROTOCOL"],
            "headers": {k: v for k, v in environ.items() if k.startswith("HTTP_")}}
    if environ["PATH_INFO"] == "/fail":
        raise RuntimeError("a bug in the app")
    data = json.dumps(seen).encode()
    if environ["PATH_INFO"] == "/stream":  # no Content-Length from the app
        start_response("200 OK", [("Content-Type", "application/json")])
        return [data[:5], b"", data[5:]]
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


@dataclass
class Running:
    server: Server
    thread: threading.Thread

    @property
    def port(self) -> int:
        return self.server.port

    def connect(self, timeout: float = 5) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)


def start(app: Callable[..., Any] = echo, **limits: Any) -> Running:
    listening = socket.create_server(("127.0.0.1", 0))
    server = Server(app, listening, Limits(**{"max_body": 1000, "max_head": 4000, **limits}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return Running(server, thread)


@pytest.fixture(scope="module")
def running() -> Iterator[Running]:
    served = start()
    yield served
    served.server.close()
    served.thread.join(5)


def read_all(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


class _Reader:
    """One buffered reader of a connection for several HTTPResponse objects in turn (each
    would make its own, and lose what the one before had read ahead), never closed by them."""

    def __init__(self, sock: socket.socket) -> None:
        self.file = sock.makefile("rb")

    def makefile(self, *args: Any, **kwargs: Any) -> Any:
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self.file, name)

    def close(self) -> None:
        pass


def responses(sock: socket.socket, count: int, methods: list[str] | None = None) -> list[http.client.HTTPResponse]:
    """`count` responses read one after another from a connection by Python's HTTP client."""
    out = []
    reader = _Reader(sock)
    for i in range(count):
        response = http.client.HTTPResponse(reader, method=(methods[i] if methods else "GET"))  # type: ignore[arg-type]
        response.begin()
        response.body = response.read()  # type: ignore[attr-defined]
        out.append(response)
    reader.file.close()  # the socket's own close then closes it (a makefile left open keeps it)
    return out


def test_keep_alive_and_pipelined_requests_are_answered_in_order(running: Running) -> None:
    with running.connect() as sock:
        sock.sendall(b"GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"
                     b"POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc")
        first, second, third = responses(sock, 3)
        assert [json.loads(r.body)["path"] for r in (first, second, third)] == ["/a", "/b", "/c"]  # type: ignore[attr-defined]
        assert json.loads(first.body)["query"] == "x=1" and json.loads(third.body)["body"] == "abc"  # type: ignore[attr-defined]
        assert not third.will_close  # HTTP/1.1: the connection stays
        sock.sendall(b"GET /d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        (last,) = responses(sock, 1)
        assert last.getheader("Connection") == "close" and sock.recv(10) == b""


def test_http_1_0_closes_unless_asked_to_keep_alive(running: Running) -> None:
    with running.connect() as sock:
        sock.sendall(b"GET /a HTTP/1.0\r\n\r\n")
        status, headers, body = split_response(read_all(sock))
        assert status == "HTTP/1.1 200 OK" and headers["Connection"] == "close"
        assert json.loads(body)["protocol"] == "HTTP/1.0"
    with running.connect() as sock:
        sock.sendall(b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n")
        first, second = responses(sock, 2)
        assert first.getheader("Connection") == "keep-alive" and second.getheader("Connection") == "close"


def test_a_chunked_body_reaches_the_app_decoded(running: Running) -> None:
    with running.connect() as sock:
        sock.sendall(b"POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
                     b"3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\n\r\n")
        (response,) = responses(sock, 1)
        seen = json.loads(response.body)  # type: ignore[attr-defined]
        assert (seen["body"], seen["length"], seen["type"]) == ("abcdefg", "7", "text/plain")
        assert "HTTP_TRANSFER_ENCODING" in seen["headers"]


def test_expect_100_continue_gets_the_interim_answer_before_the_body(running: Running) -> None:
    with running.connect() as sock:
        sock.sendall(b"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"hello")
        (response,) = responses(sock, 1)
        assert json.loads(response.body)["body"] == "hello"  # type: ignore[attr-defined]


@pytest.mark.parametrize("request_bytes", [
    b"POST /p HTTP/1.1\r\nHost: h\r\nX-Request-Id: big-2\r\nContent-Length: 5000\r\n\r\n" + b"x" * 3000,
    b"POST /p HTTP/1.1\r\nHost: h\r\nX-Request-Id: big-2\r\nTransfer-Encoding: chunked\r\n\r\n"
    + b"200\r\n" + b"y" * 512 + b"\r\n" + b"200\r\n" + b"y" * 512 + b"\r\n",
    b"POST /p HTTP/1.1\r\nHost: h\r\nX-Request-Id: big-2\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n",
])
def test_a_body_over_the_limit_is_our_json_413_and_the_client_can_read_it(running: Running,
                                                                           request_bytes: bytes) -> None:
    with running.connect() as sock:
        sock.sendall(request_bytes)
        status, headers, body = split_response(read_all(sock))
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert headers["Content-Type"] == "application/json; charset=utf-8" and headers["Connection"] == "close"
    assert headers["X-Request-Id"] == "big-2" and headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(body) == {"error": "body-too-large", "status": 413, "request_id": "big-2",
                                "message": "the request body is larger than 1000 bytes"}


def test_headers_over_the_limit_are_a_431(running: Running) -> None:
    with running.connect() as sock:
        sock.sendall(b"GET /a HTTP/1.1\r\nHost: h\r\n" + b"X-Long: " + b"z" * 5000 + b"\r\n\r\n")
        status, _, body = split_response(read_all(sock))
    assert status == "HTTP/1.1 431 Request Header Fields Too Large"
    assert json.loads(body)["message"] == "the request line and headers are longer than 4000 bytes"


@pytest.mark.parametrize("garbage", [b"HELLO\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /\x00 HTTP/1.1\r\n\r\n",
                                     b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                                     b"GET / HTTP/1.1\r\nBad Header\r\n\r\n"])
def test_what_is_not_http_is_a_json_400_and_the_server_goes_on(running: Running, garbage: bytes) -> None:
    with running.connect() as sock:
        sock.sendall(garbage)
        status, headers, body = split_response(read_all(sock))
    assert status == "HTTP/1.1 400 Bad Request" and headers["Connection"] == "close"
    answer = json.loads(body)
    assert answer["error"] == "bad-request" and answer["message"].startswith("the request is not valid HTTP/1.1: ")
    with running.connect() as sock:
        sock.sendall(b"GET /still HTTP/1.1\r\nHost: h\r\n\r\n")
        assert json.loads(responses(sock, 1)[0].body)["path"] == "/still"  # type: ignore[attr-defined]


def test_head_sends_no_body_and_a_streamed_body_gets_its_length(running: Running) -> None:
    with running.connect() as sock:
        sock.sendall(b"HEAD /a HTTP/1.1\r\nHost: h\r\n\r\nGET /stream HTTP/1.1\r\nHost: h\r\n\r\n")
        head, streamed = responses(sock, 2, ["HEAD", "GET"])
        assert head.body == b"" and int(head.getheader("Content-Length") or 0) > 0  # type: ignore[attr-defined]
        assert int(streamed.getheader("Content-Length") or 0) == len(streamed.body)  # type: ignore[attr-defined]
        assert json.loads(streamed.body)["path"] == "/stream"  # type: ignore[attr-defined]


def test_the_environ_follows_pep_3333(running: Running) -> None:
    with running.connect() as sock:
        sock.sendall(b"GET http://example.org/id/V%C3%A4rmland?q=%C3%A4&x HTTP/1.1\r\nHost: h\r\n"
                     b"X-Request-Id: mine\r\nX_Request_Id: spoofed\r\nAccept: a\r\nAccept: b\r\n\r\n")
        seen = json.loads(responses(sock, 1)[0].body)  # type: ignore[attr-defined]
    assert seen["path"] == "/id/Värmland".encode().decode("latin-1")  # decoded, as latin-1 text
    assert seen["query"] == "q=%C3%A4&x"  # as sent
    assert seen["headers"]["HTTP_X_REQUEST_ID"] == "mine"  # the one with underscores is dropped
    assert seen["headers"]["HTTP_ACCEPT"] == "a, b"


def test_a_bug_in_the_app_is_a_json_500_and_the_connection_goes_on(running: Running) -> None:
    with running.connect() as sock:
        sock.sendall(b"GET /fail HTTP/1.1\r\nHost: h\r\nX-Request-Id: r-500\r\n\r\n"
                     b"GET /after HTTP/1.1\r\nHost: h\r\n\r\n")
        failed, after = responses(sock, 2)
    assert failed.status == 500 and json.loads(failed.body) == {  # type: ignore[attr-defined]
        "error": "internal-error", "status": 500, "request_id": "r-500",
        "message": "internal error; quote the request id when reporting it"}
    assert json.loads(after.body)["path"] == "/after"  # type: ignore[attr-defined]


def test_connections_past_the_limit_wait_until_one_closes() -> None:
    served = start(connections=2)
    try:
        first, second = served.connect(), served.connect()
        assert wait_for(lambda: len(served.server.connections) == 2, 5)
        third = served.connect()  # taken by the kernel's backlog, not by the server
        third.sendall(b"GET /third HTTP/1.1\r\nHost: h\r\n\r\n")
        third.settimeout(0.5)
        with pytest.raises(TimeoutError):
            third.recv(10)
        first.close()
        third.settimeout(5)
        assert json.loads(responses(third, 1)[0].body)["path"] == "/third"  # type: ignore[attr-defined]
        for sock in (second, third):
            sock.close()
    finally:
        served.server.close()


def test_no_more_requests_run_at_once_than_the_concurrency() -> None:
    running_now, most = [0], [0]
    lock = threading.Lock()

    def slow(environ: Environ, start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            running_now[0] += 1
            most[0] = max(most[0], running_now[0])
        time.sleep(0.1)
        with lock:
            running_now[0] -= 1
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    served = start(slow, concurrency=2)
    try:
        socks = [served.connect() for _ in range(6)]
        for sock in socks:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        assert [responses(sock, 1)[0].body for sock in socks] == [b"ok"] * 6  # type: ignore[attr-defined]
        assert most[0] == 2
        for sock in socks:
            sock.close()
    finally:
        served.server.close()


def test_an_idle_connection_is_closed_after_the_idle_timeout() -> None:
    served = start(idle_timeout=0.3)
    try:
        with served.connect() as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            responses(sock, 1)
            started = time.monotonic()
            assert sock.recv(10) == b""  # closed by the server
            assert 0.2 < time.monotonic() - started < 2
    finally:
        served.server.close()


# --- property: whatever way a client frames and splits its requests, each is read as sent ---

TOKEN = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
PATH = st.lists(st.text("abcxyz019-._~%!$&'()*+,;=:@ä", min_size=1, max_size=8), min_size=1, max_size=4)
QUERY = st.lists(st.tuples(TOKEN, st.text(min_size=0, max_size=20)), max_size=4)
BODY = st.binary(max_size=300)


@st.composite
def requests(draw: st.DrawFn) -> tuple[bytes, dict[str, Any]]:
    """One request as bytes, and what the app should see of it."""
    from urllib.parse import quote, unquote_to_bytes, urlencode

    method = draw(st.sampled_from(["GET", "POST", "DELETE", "PUT"]))
    segments = draw(PATH)
    raw_path = "/" + "/".join(quote(s, safe="!$&'()*+,;=:@") for s in segments)
    query = urlencode(draw(QUERY))
    target = raw_path + ("?" + query if query else "")
    headers = draw(st.dictionaries(TOKEN.map(lambda t: "x-" + t), st.text("abc XYZ019;=,/", max_size=20),
                                   max_size=3))
    body = draw(BODY) if method in ("POST", "PUT") else b""
    chunked = bool(body) and draw(st.booleans())
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"] + [f"{k}: {v}" for k, v in headers.items()]
    if chunked:
        cut = draw(st.integers(0, len(body)))
        pieces = [p for p in (body[:cut], body[cut:]) if p]
        framed = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        lines.append("Transfer-Encoding: chunked")
    else:
        framed = body
        if method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(body)}")
    data = ("\r\n".join(lines) + "\r\n\r\n").encode() + framed
    expected = {"method": method, "path": unquote_to_bytes(raw_path).decode("latin-1"), "query": query,
                "body": body.decode("latin-1"),
                "headers": {"HTTP_" + k.upper().replace("-", "_"): v.strip() for k, v in headers.items()}}
    return data, expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(requests(), min_size=1, max_size=4), cuts=st.lists(st.integers(0, 2000), max_size=4))
def test_requests_framed_and_split_any_way_are_read_as_sent(running: Running,
                                                            batch: list[tuple[bytes, dict[str, Any]]],
                                                            cuts: list[int]) -> None:
    stream = b"".join(data for data, _ in batch)
    points = sorted({min(c, len(stream)) for c in cuts} | {0, len(stream)})
    with running.connect() as sock:
        for start_at, end in itertools.pairwise(points):
            sock.sendall(stream[start_at:end])
            time.sleep(0.0005)  # separate reads on the server, most of the time
        answers = responses(sock, len(batch))
    for answer, (_, expected) in zip(answers, batch, strict=True):
        seen = json.loads(answer.body)  # type: ignore[attr-defined]
        assert answer.status == 200
        assert {k: seen[k] for k in ("method", "path", "query", "body")} == \
            {k: expected[k] for k in ("method", "path", "query", "body")}
        for name, value in expected["headers"].items():
            assert seen["headers"][name] == value


def test_wsgi_input_reads_like_a_file(running: Running) -> None:
    def lines(environ: Environ, start_response: Callable[..., Any]) -> list[bytes]:
        stream: io.BytesIO = environ["wsgi.input"]
        got = [stream.readline(), stream.read(2), stream.read()]
        data = json.dumps([g.decode() for g in got]).encode()
        start_response("200 OK", [("Content-Length", str(len(data)))])
        return [data]

    served = start(lines)
    try:
        with served.connect() as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\nab\ncdefg\n")
            assert json.loads(responses(sock, 1)[0].body) == ["ab\n", "cd", "efg\n"]  # type: ignore[attr-defined]
    finally:
        served.server.close()


# --- found in review: framing and limits an attacker would try ------------------------------

def test_a_header_field_that_never_ends_is_cut_off_at_the_limit(running: Running) -> None:
    with running.connect() as sock:
        sock.sendall(b"GET /a HTTP/1.1\r\nHost: h\r\nX-Endless: ")
        for _ in range(40):  # 40 KB of one field, never finished: refused long before the end
            try:
                sock.sendall(b"a" * 1024)
            except OSError:
                break
        status, _, body = split_response(read_all(sock))
    assert status == "HTTP/1.1 431 Request Header Fields Too Large"
    assert json.loads(body)["message"] == "the request line and headers are longer than 4000 bytes"


def test_trailers_of_a_chunked_body_are_not_headers(running: Running) -> None:
    with running.connect() as sock:
        sock.sendall(b"POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"3\r\nabc\r\n0\r\nX-Injected: yes\r\nAccept: trailer/x\r\n\r\n")
        seen = json.loads(responses(sock, 1)[0].body)  # type: ignore[attr-defined]
    assert seen["body"] == "abc"
    assert "HTTP_X_INJECTED" not in seen["headers"] and "HTTP_ACCEPT" not in seen["headers"]


def test_an_http_1_0_message_framed_by_transfer_encoding_closes_the_connection(running: Running) -> None:
    with running.connect() as sock:
        sock.sendall(b"POST /p HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"3\r\nabc\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n")
        received = read_all(sock)
    assert received.count(b"HTTP/1.1 200 OK") == 1 and b"/smuggled" not in received
    assert b"Connection: close" in received


@pytest.mark.parametrize("target", [b"http://", b"http://[::1", b"a://b:99999/x"])
def test_a_request_target_that_is_not_a_url_is_a_json_400(running: Running, target: bytes) -> None:
    with running.connect() as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: h\r\n\r\n")
        status, _, body = split_response(read_all(sock))
    assert status == "HTTP/1.1 400 Bad Request" and json.loads(body)["error"] == "bad-request"


def test_a_transfer_coding_other_than_chunked_is_a_501(running: Running) -> None:
    with running.connect() as sock:
        sock.sendall(b"POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        status, _, body = split_response(read_all(sock))
    assert status == "HTTP/1.1 501 Not Implemented"
    assert json.loads(body)["message"] == ("the transfer coding gzip, chunked is not supported; send the body "
                                           "chunked or with a Content-Length")


def test_a_request_pipelined_behind_a_slow_one_has_its_full_time() -> None:
    def slow(environ: Environ, start_response: Callable[..., Any]) -> list[bytes]:
        if environ["PATH_INFO"] == "/slow":
            time.sleep(1.0)
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    served = start(slow, read_timeout=0.5)
    try:
        with served.connect() as sock:
            sock.sendall(b"GET /slow HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\n")  # the second, half sent
            time.sleep(1.2)
            sock.sendall(b"Host: h\r\n\r\n")  # its rest, 1.2 s after its first byte but 0.2 s after the answer
            assert [r.body for r in responses(sock, 2)] == [b"ok", b"ok"]  # type: ignore[attr-defined]
    finally:
        served.server.close()


def test_a_client_that_does_not_read_its_answer_is_cut_off() -> None:
    big = b"x" * (8 << 20)

    def large(environ: Environ, start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Length", str(len(big)))])
        return [big]

    served = start(large, idle_timeout=0.3)
    try:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: the server's writes wait
        sock.connect(("127.0.0.1", served.port))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        started = time.monotonic()
        assert wait_for(lambda: len(served.server.connections) == 1, 5)
        assert wait_for(lambda: not served.server.connections, 5)  # it reads nothing: given up on
        assert time.monotonic() - started < 3
        sock.close()
    finally:
        served.server.close()


def test_an_app_that_never_starts_its_response_is_a_500() -> None:
    served = start(lambda environ, start_response: [b"no start_response"])
    try:
        with served.connect() as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: r-1\r\n\r\n")
            (response,) = responses(sock, 1)
        assert response.status == 500 and json.loads(response.body)["request_id"] == "r-1"  # type: ignore[attr-defined]
    finally:
        served.server.close()


def test_head_without_a_length_from_the_app_sends_none() -> None:
    def headless(environ: Environ, start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return []

    served = start(headless)
    try:
        with served.connect() as sock:
            sock.sendall(b"HEAD / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            _, headers, body = split_response(read_all(sock))
        assert "Content-Length" not in headers and body == b""
    finally:
        served.server.close()


def test_retiring_closes_idle_keep_alive_connections_but_not_one_just_accepted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Found as a flake in CI: a retiring process closed a connection whose first request was
    on its way, and its client saw a reset. One just accepted is answered, and closed then.
    ("Just": within FRESH_SECONDS, made long here, since a loaded machine can take a second
    between the two connections and the retirement.)"""
    monkeypatch.setattr(wsgi, "FRESH_SECONDS", 60.0)
    served = start()
    try:
        used, fresh = served.connect(), served.connect()
        used.sendall(b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
        responses(used, 1)
        assert wait_for(lambda: len(served.server.connections) == 2, 5)
        served.server.retire()
        assert used.recv(10) == b""  # idle after an answer: closed
        fresh.sendall(b"GET /b HTTP/1.1\r\nHost: h\r\n\r\n")
        (answer,) = responses(fresh, 1)
        assert json.loads(answer.body)["path"] == "/b" and answer.getheader("Connection") == "close"  # type: ignore[attr-defined]
        used.close()
        fresh.close()
    finally:
        served.server.close()
