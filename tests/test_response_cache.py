"""The server's cache of whole answers (`server/cache.py`): what is kept, under which request
headers, what is answered from it, and that a kept answer is the app's answer."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from s3graph.server.cache import ResponseCache
from s3graph.server.wsgi import Limits, Server
from tests.helpers import split_response

PUBLIC = [("Content-Type", "text/plain"), ("ETag", '"v1"'), ("Cache-Control", "public, max-age=300"),
          ("Vary", "Accept"), ("X-Request-Id", "first"), ("Access-Control-Allow-Origin", "*")]


def headers(pairs: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.encode(), v.encode()) for k, v in pairs.items()]


class Cache(ResponseCache):
    """A cache that keeps answers from the first request on (the real one from the second)."""

    def offer(self, target: bytes, *args: Any) -> None:
        self._seen.add(hash(target))
        super().offer(target, *args)


def test_an_answer_is_kept_when_its_target_comes_a_second_time() -> None:
    cache = ResponseCache(1 << 20)
    cache.offer(b"/q", headers({"Accept": "a"}), "200 OK", PUBLIC, [b"x"])
    assert cache.find(b"/q", headers({"Accept": "a"})) is None  # asked once: not kept
    cache.offer(b"/q", headers({"Accept": "a"}), "200 OK", PUBLIC, [b"x"])
    assert cache.find(b"/q", headers({"Accept": "a"})) is not None


def test_a_public_tagged_answer_is_kept_by_target_and_varied_headers() -> None:
    cache = Cache(1 << 20)
    cache.offer(b"/q?x=1", headers({"Accept": "text/csv", "Host": "a"}), "200 OK", PUBLIC, [b"body"])
    kept = cache.find(b"/q?x=1", headers({"Host": "b", "Accept": "text/csv"}))  # Host is not in Vary
    assert kept is not None and kept[0].body == b"body" and kept[1] is False
    assert b"X-Request-Id" not in kept[0].head  # the server writes its own per request
    assert kept[0].head.startswith(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: \"v1\"\r\n")
    assert cache.find(b"/q?x=1", headers({"Accept": "application/json"})) is None  # another Accept
    assert cache.find(b"/q?x=1", headers({})) is None  # no Accept is a value of its own
    assert cache.find(b"/q?x=2", headers({"Accept": "text/csv"})) is None


@pytest.mark.parametrize(("status", "response"), [
    ("404 NOT FOUND", PUBLIC),
    ("200 OK", [h for h in PUBLIC if h[0] != "ETag"]),
    ("200 OK", [*PUBLIC[:2], ("Cache-Control", "no-cache"), *PUBLIC[3:]]),
    ("200 OK", [*PUBLIC[:2], ("Cache-Control", "public, no-store"), *PUBLIC[3:]]),
    ("200 OK", [*PUBLIC[:2], ("Cache-Control", "private"), *PUBLIC[3:]]),
    ("200 OK", [h for h in PUBLIC if h[0] != "Cache-Control"]),
    ("200 OK", [*PUBLIC, ("Set-Cookie", "a=b")]),
    ("200 OK", [*PUBLIC, ("Vary", "*")]),
])
def test_other_answers_are_never_kept(status: str, response: list[tuple[str, str]]) -> None:
    cache = Cache(1 << 20)
    cache.offer(b"/q", headers({"Accept": "a"}), status, response, [b"x"])
    assert cache.find(b"/q", headers({"Accept": "a"})) is None and len(cache) == 0


@pytest.mark.parametrize("name", ["Range", "If-Modified-Since", "If-Match", "Authorization", "Cookie"])
def test_requests_with_conditions_or_credentials_go_to_the_app(name: str) -> None:
    cache = Cache(1 << 20)
    cache.offer(b"/q", headers({"Accept": "a"}), "200 OK", PUBLIC, [b"x"])
    assert cache.find(b"/q", headers({"Accept": "a", name: "v"})) is None
    cache.offer(b"/r", headers({"Accept": "a", name: "v"}), "200 OK", PUBLIC, [b"x"])
    assert cache.find(b"/r", headers({"Accept": "a"})) is None


def test_if_none_match_naming_the_tag_is_a_304() -> None:
    cache = Cache(1 << 20)
    cache.offer(b"/q", headers({"Accept": "a"}), "200 OK", PUBLIC, [b"x"])
    for condition, expected in (('"v1"', True), ('W/"v1"', True), ('"v0", "v1"', True), ("*", True),
                                ('"v2"', False)):
        kept = cache.find(b"/q", headers({"Accept": "a", "If-None-Match": condition}))
        assert kept is not None and kept[1] is expected, condition
    kept = cache.find(b"/q", headers({"Accept": "a"}))
    assert kept is not None
    assert kept[0].not_modified == (b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nCache-Control: public, '
                                    b'max-age=300\r\nVary: Accept\r\nAccess-Control-Allow-Origin: *\r\n')


def test_kept_answers_are_bounded_in_bytes_least_recently_used_first() -> None:
    probe = Cache(1 << 20)
    probe.offer(b"/a", headers({}), "200 OK", PUBLIC, [b"x" * 500])
    cost = probe.size  # what one answer of 500 bytes takes, head included
    cache = Cache(3 * cost, max_entry=1100)
    cache.offer(b"/big", headers({}), "200 OK", PUBLIC, [b"x" * 2000])  # over the entry bound
    assert len(cache) == 0
    for name in (b"/a", b"/b", b"/c"):
        cache.offer(name, headers({}), "200 OK", PUBLIC, [b"x" * 500])
    assert len(cache) == 3 and cache.find(b"/a", headers({})) is not None  # used: /b is now the oldest
    cache.offer(b"/d", headers({}), "200 OK", PUBLIC, [b"x" * 500])
    assert cache.find(b"/b", headers({})) is None
    assert all(cache.find(t, headers({})) is not None for t in (b"/a", b"/c", b"/d"))
    assert cache.size == 3 * cost


# --- through the server: the app is asked once, the answers are the same -------------------

@pytest.fixture()
def counted() -> Iterator[tuple[Server, list[str]]]:
    calls: list[str] = []
    refused: set[str] = {"nobody"}

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        calls.append(environ["PATH_INFO"])
        body = json.dumps({"accept": environ.get("HTTP_ACCEPT", "")}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                                  ("ETag", '"t"'), ("Cache-Control", "public, max-age=300"), ("Vary", "Accept"),
                                  ("X-Request-Id", environ.get("HTTP_X_REQUEST_ID", "app"))])
        return [body]

    listening = socket.create_server(("127.0.0.1", 0))
    server = Server(app, listening, Limits(), cache=ResponseCache(1 << 20),
                    admits=lambda client: client not in refused)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.refused = refused  # type: ignore[attr-defined]
    yield server, calls
    server.close()


def exchange(port: int, request: bytes) -> tuple[str, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return split_response(received)


def test_a_repeated_request_is_answered_without_the_app(counted: tuple[Server, list[str]]) -> None:
    server, calls = counted
    ask = b"GET /x?q=1 HTTP/1.1\r\nHost: h\r\nAccept: text/csv\r\nX-Request-Id: %s\r\nConnection: close\r\n\r\n"
    first = exchange(server.port, ask % b"one")
    exchange(server.port, ask % b"again")  # kept from the second time on
    second = exchange(server.port, ask % b"two")
    assert calls == ["/x", "/x"]
    assert first[2] == second[2] == b'{"accept": "text/csv"}'
    assert first[1]["X-Request-Id"] == "one" and second[1]["X-Request-Id"] == "two"
    assert {k: v for k, v in first[1].items() if k not in ("X-Request-Id", "Date")} == \
        {k: v for k, v in second[1].items() if k not in ("X-Request-Id", "Date")}
    head = exchange(server.port, ask.replace(b"GET", b"HEAD") % b"three")
    assert head[2] == b"" and head[1]["Content-Length"] == str(len(first[2])) and calls == ["/x", "/x"]
    other = exchange(server.port, ask.replace(b"text/csv", b"text/plain") % b"four")
    assert other[2] == b'{"accept": "text/plain"}' and calls == ["/x", "/x", "/x"]
    revalidated = exchange(server.port, ask.replace(b"\r\n\r\n", b'\r\nIf-None-Match: "t"\r\n\r\n') % b"five")
    assert revalidated[0] == "HTTP/1.1 304 Not Modified" and revalidated[2] == b""
    assert calls == ["/x", "/x", "/x"]
    assert revalidated[1]["ETag"] == '"t"' and revalidated[1]["X-Request-Id"] == "five"


def test_a_client_past_its_rate_limit_is_sent_to_the_app(counted: tuple[Server, list[str]]) -> None:
    server, calls = counted
    ask = b"GET /y HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
    for _ in range(3):
        exchange(server.port, ask)
    assert calls == ["/y", "/y"]  # kept from the second on
    server.refused.add("127.0.0.1")  # type: ignore[attr-defined]
    exchange(server.port, ask)
    assert calls == ["/y", "/y", "/y"]  # the app answers it (the service's 429)


# --- the app's Vary is what a kept answer relies on ---------------------------------------

PAGES = ["/", "/sparql", "/sparql?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%203", "/queries",
         "/queries/region-profile?region=SE312", "/id/territory/SE312", "/id/authority/region-dalarna",
         "/ontology", "/ontology/Participation", "/classes", "/dumps", "/.well-known/void",
         "/graph/sweden"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("accept", ["text/html", "*/*", "text/turtle"])
def test_an_answer_that_differs_by_a_request_header_names_it_in_vary(client, path: str, accept: str) -> None:  # type: ignore[no-untyped-def]
    """Every cacheable 200 the app gives: asked with other values of the headers a client may
    send, a different body means the header is in Vary (else a kept answer would be wrong)."""
    base = client.get(path, headers={"Accept": accept})
    if base.status_code != 200 or "public" not in base.headers.get("Cache-Control", ""):
        return
    vary = {v.strip().lower() for v in base.headers.get("Vary", "").split(",")}
    others = {"Accept-Language": ["sv", "en;q=0.5, sv", "de"], "Origin": ["https://elsewhere.example"],
              "User-Agent": ["curl/8", "Mozilla/5.0"], "X-Request-Id": ["other-id"],
              "Accept-Encoding": ["gzip"], "Referer": ["https://elsewhere.example/"]}
    for name, values in others.items():
        for value in values:
            again = client.get(path, headers={"Accept": accept, name: value})
            if again.data != base.data or again.headers.get("Content-Type") != base.headers.get("Content-Type"):
                assert name.lower() in vary, (path, accept, name, value)


def test_a_kept_answer_is_charged_for_its_key_too() -> None:
    """A long query string with a tiny answer costs the bytes of the query string (found in
    review: 3,000 such answers were counted as 1.5 MB and held 565 MB)."""
    cache = Cache(1 << 20)
    target = b"/sparql?query=" + b"x" * 100_000
    cache.offer(target, headers({"Accept": "text/csv"}), "200 OK", PUBLIC, [b"yes"])
    assert cache.size > 100_000
    for n in range(30):  # 30 such targets do not fit in 1 MB: the oldest go
        cache.offer(target + str(n).encode(), headers({"Accept": "text/csv"}), "200 OK", PUBLIC, [b"yes"])
    assert cache.size <= 1 << 20 and len(cache) < 11


def test_a_request_with_a_body_is_not_answered_from_the_kept_ones(counted: tuple[Server, list[str]]) -> None:
    server, calls = counted
    ask = b"GET /z HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
    exchange(server.port, ask)
    exchange(server.port, ask)
    exchange(server.port, b"GET /z HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
    assert calls == ["/z", "/z", "/z"]
