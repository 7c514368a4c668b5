"""Talking to an existing SPARQL 1.1 store: the protocol's query and update operations over HTTP,
with authentication, a deadline on the whole exchange and a cap on the answer's size.

The standard library's `urllib` does the HTTP (it knows Basic and Digest authentication);
no other dependency is needed to reach Oxigraph's server, Virtuoso, Fuseki, GraphDB or QLever.
"""

from __future__ import annotations

import base64
import copy
import logging
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from ..errors import Code, S3GraphError

log = logging.getLogger("s3graph.remote")

#: The media types asked for: results of SELECT and ASK, graphs of CONSTRUCT and DESCRIBE.
RESULTS_JSON = "application/sparql-results+json"
TURTLE = "text/turtle"
AUTH_SCHEMES = ("basic", "digest")


class StoreError(S3GraphError):
    """The store could not be reached, refused a request or answered something unusable.

    The message names the store and what happened, never the store's own reply (it is
    logged): a client of ours must learn nothing about the store's software or network.
    """

    status = 502
    code = Code.BACKEND_FAILED


@dataclass(frozen=True)
class Answer:
    """A store's answer: its media type (without parameters) and body."""

    media_type: str
    body: bytes


class StoreClient:
    """One store's SPARQL endpoint (queries) or update endpoint, with its credentials."""

    def __init__(self, url: str, *, user: str = "", password: str = "", auth: str = "basic",
                 max_bytes: int = 256 << 20) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise S3GraphError(f"the store's URL must be an http or https URL, not {url!r}",
                               code=Code.BAD_SETTING)
        if auth not in AUTH_SCHEMES:
            raise S3GraphError(f"authentication must be one of {', '.join(AUTH_SCHEMES)}, not {auth!r}",
                               code=Code.BAD_SETTING)
        self.url = url
        self.max_bytes = max_bytes
        handlers: list[Any] = []
        self._authorization = ""
        if user and auth == "basic":
            # Sent with every request (a store answers 401 only to a request without it).
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            self._authorization = "Basic " + token
        elif user:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, url, user, password)
            handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
        # No proxy from the environment: the store is named by its URL and nothing else.
        handlers.append(urllib.request.ProxyHandler({}))
        self._handlers = handlers
        self._local = threading.local()

    def query(self, sparql: str, *, default_graphs: tuple[str, ...] = (), named_graphs: tuple[str, ...] = (),
              timeout: float = 30.0) -> Answer:
        """Run a query (SPARQL 1.1 Protocol, POST of a form) and return the answer."""
        form = [("query", sparql)] + [("default-graph-uri", g) for g in default_graphs] + \
               [("named-graph-uri", g) for g in named_graphs]
        return self._post(form, f"{RESULTS_JSON}, {TURTLE};q=0.9", timeout)

    def update(self, sparql: str, *, timeout: float = 600.0) -> None:
        """Run an update request; any answer but 2xx is a StoreError."""
        self._post([("update", sparql)], "*/*", timeout)

    def _opener(self) -> urllib.request.OpenerDirector:
        """This thread's opener (urllib's digest handler counts nonces and retries in itself:
        one per thread, so that requests from several threads do not share them)."""
        opener: urllib.request.OpenerDirector | None = getattr(self._local, "opener", None)
        if opener is None:
            handlers = [copy.copy(h) for h in self._handlers]
            opener = self._local.opener = urllib.request.build_opener(*handlers)
        return opener

    def _post(self, form: list[tuple[str, str]], accept: str, timeout: float) -> Answer:
        deadline = time.monotonic() + timeout
        body = urllib.parse.urlencode(form).encode("utf-8")
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        if self._authorization:
            headers["Authorization"] = self._authorization
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with self._opener().open(request, timeout=timeout) as response:
                media_type = response.headers.get_content_type()
                return Answer(media_type, self._read(response, deadline, timeout))
        except urllib.error.HTTPError as exc:
            try:
                detail = exc.read(2000).decode("utf-8", "replace").strip().splitlines()
            finally:
                exc.close()  # the answer's connection; left open, it leaks a socket
            log.warning("the store at %s answered %s: %s", self.url, exc.code, " ".join(detail[:3]))
            if exc.code in (401, 403):
                raise StoreError(f"the store at {self.url} refused our credentials (HTTP {exc.code})") from None
            raise StoreError(f"the store at {self.url} refused the request (HTTP {exc.code}); "
                             "the server's log has its message") from None
        except TimeoutError:
            raise _timeout(timeout) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError | socket.timeout):
                raise _timeout(timeout) from None
            log.warning("the store at %s cannot be reached: %s", self.url, reason)
            raise StoreError(f"the store at {self.url} cannot be reached") from None

    def _read(self, response: Any, deadline: float, timeout: float) -> bytes:
        """The body, read against the deadline (each read may wait only for what is left of
        it) and the size cap."""
        raw = getattr(getattr(response, "fp", None), "raw", None)
        sock = getattr(raw, "_sock", None)
        chunks: list[bytes] = []
        size = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _timeout(timeout)
            if sock is not None:
                sock.settimeout(left)
            chunk = response.read1(1 << 16) if hasattr(response, "read1") else response.read(1 << 16)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_bytes:
                raise S3GraphError(f"the store's answer is over {self.max_bytes >> 20} MB; "
                                   "ask for fewer rows (LIMIT)", status=503, code=Code.QUERY_TOO_LARGE)
            chunks.append(chunk)


def _timeout(timeout: float) -> S3GraphError:
    return S3GraphError(f"the query ran past the {timeout:g} s limit and was stopped",
                        status=503, code=Code.QUERY_TIMEOUT)
