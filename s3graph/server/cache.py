"""Whole responses kept by the server, so that a repeated request is answered without the app.

An HTTP cache in front of the app (RFC 9111), with the rules of a shared cache for data that
never changes while a build is served: a 200 answer to a GET that the app marked
`Cache-Control: public` and gave an ETag is kept under its request target and the values of
the request headers its `Vary` names (§4.1), and given to the next request that matches, as
a 304 when that request's If-None-Match names its ETag (§4.3.2). Nothing else is kept: no
other status, no answer with a `Set-Cookie`, none the app marked otherwise (a federated
query's answer is `no-cache`). A request with a body, a `Range` or an `If-Modified-Since`
goes to the app. An answer is kept when its request target comes a second time (a target
asked once, the common case of a crawl, costs a set look-up, not a copy), and kept answers
are bounded in bytes, the least recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

#: A header's name in lower case as bytes, and its value.
RawHeaders = list[tuple[bytes, bytes]]
#: Request headers that send a request to the app whatever is kept.
BYPASS = frozenset({b"range", b"if-modified-since", b"if-range", b"if-match", b"if-unmodified-since",
                    b"authorization", b"cookie"})
#: How many targets asked for once are remembered (to keep their answer if they come again).
SEEN = 1 << 16
#: Headers of a connection, not of an answer: the server decides them, never the app.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te",
                        "trailer"})
#: Response headers the server sets itself on every answer (never kept).
OWN = HOP_BY_HOP | {"x-request-id", "date", "server"}


@dataclass(frozen=True)
class Kept:
    """One kept answer: its head (status line and headers but the server's own, encoded) and body."""

    head: bytes
    body: bytes
    etag: str
    not_modified: bytes  # the head of the 304 for a request that has it already


class ResponseCache:
    """Kept answers by request target and the values of the headers their `Vary` names."""

    def __init__(self, max_bytes: int, max_entry: int = 1 << 20) -> None:
        self.max_bytes = max_bytes
        self.max_entry = min(max_entry, max_bytes)
        self.size = 0
        self.hits = 0
        # target -> the lower-case names its answers vary on, and how many answers are kept for it
        self._vary: dict[bytes, tuple[tuple[bytes, ...], int]] = {}
        self._kept: OrderedDict[tuple[bytes, tuple[bytes, ...]], Kept] = OrderedDict()
        self._seen: set[int] = set()  # hashes of the targets asked for once (forgotten all at once when full)
        self._lock = threading.Lock()

    def find(self, target: bytes, headers: RawHeaders) -> tuple[Kept, bool] | None:
        """The answer kept for a GET or HEAD of `target` with these request headers, and
        whether it is to be a 304 (If-None-Match names it); None: ask the app."""
        known = self._vary.get(target)
        if known is None:
            return None
        values = _values(known[0], headers)
        if values is None:
            return None
        condition = _value(headers, b"if-none-match")
        key = (target, values)
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return None
            self._kept.move_to_end(key)
            self.hits += 1
        return kept, condition is not None and _names(condition, kept.etag)

    def offer(self, target: bytes, request: RawHeaders, status: str, headers: list[tuple[str, str]],
              chunks: list[bytes]) -> None:
        """Keep the app's answer to a GET of `target` if it may be kept (see the module)."""
        if not status.startswith("200 ") or sum(map(len, chunks)) + 512 > self.max_entry:
            return
        seen = hash(target)
        if seen not in self._seen:
            if len(self._seen) >= SEEN:
                self._seen.clear()
            self._seen.add(seen)
            return
        body = b"".join(chunks)
        etag, public, vary = None, False, []
        for name, value in headers:
            lower = name.lower()
            if lower == "etag":
                etag = value
            elif lower == "cache-control":
                directives = {d.strip().lower() for d in value.split(",")}
                public = "public" in directives and not directives & {"no-cache", "no-store", "private"}
            elif lower == "vary":
                vary += [v.strip().lower() for v in value.split(",") if v.strip()]
            elif lower == "set-cookie":
                return
        if etag is None or not public or "*" in vary:
            return
        names = tuple(sorted({v.encode("latin-1") for v in vary}))
        values = _values(names, request)
        if values is None:
            return
        kept_headers = [(k, v) for k, v in headers if k.lower() not in OWN]
        kept = Kept(_head("200 OK", kept_headers), body, etag, _head("304 Not Modified", [
            (k, v) for k, v in kept_headers if k.lower() in NOT_MODIFIED or k.lower().startswith("access-control-")]))
        key = (target, values)
        with self._lock:
            known = self._vary.get(target)
            if (known is not None and known[0] != names) or key in self._kept:
                return  # the answers of one target vary on the same headers; the first is kept
            self._vary[target] = (names, (known[1] if known else 0) + 1)
            self._kept[key] = kept
            self.size += _cost(key, kept)
            while self.size > self.max_bytes and self._kept:
                (old, values), dropped = self._kept.popitem(last=False)
                self.size -= _cost((old, values), dropped)
                vary_names, count = self._vary[old]
                if count > 1:
                    self._vary[old] = (vary_names, count - 1)
                else:
                    del self._vary[old]

    def __len__(self) -> int:
        return len(self._kept)


#: The headers of a kept answer that its 304 repeats (RFC 9110 §15.4.5), with the CORS ones.
NOT_MODIFIED = frozenset({"etag", "cache-control", "vary", "content-location", "expires", "last-modified",
                          "x-content-type-options"})


def _cost(key: tuple[bytes, tuple[bytes, ...]], kept: Kept) -> int:
    """The bytes a kept answer holds: its key (a target can be 200 KB) and its answer."""
    return len(key[0]) + sum(map(len, key[1])) + len(kept.head) + len(kept.body) + len(kept.not_modified) + 256


def _value(headers: RawHeaders, name: bytes) -> bytes | None:
    """A request header's values joined (None when absent)."""
    found = [value for key, value in headers if key.lower() == name]
    return b", ".join(found) if found else None


def _values(names: tuple[bytes, ...], headers: RawHeaders) -> tuple[bytes, ...] | None:
    """The values of the named request headers (empty when absent); None when the request
    has a header that sends it to the app."""
    if any(key.lower() in BYPASS for key, _ in headers):
        return None
    return tuple(_value(headers, name) or b"" for name in names)


def _head(status: str, headers: list[tuple[str, str]]) -> bytes:
    return (f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)).encode("latin-1")


def _names(condition: bytes, etag: str) -> bool:
    """True when an If-None-Match value names `etag` or is `*` (weak comparison, RFC 9110 §13.1.2)."""
    tags = [t.strip().removeprefix(b"W/") for t in condition.split(b",")]
    return b"*" in tags or etag.encode("latin-1") in tags
