"""Small helpers for tests: run a query and get plain Python values back."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

from s3graph.query.engines import Bindings, DatasetSpec, Engine
from s3graph.terms import Term

PREFIXES = """
PREFIX s3: <https://w3id.org/s3graph/ontology#>
PREFIX territory: <https://w3id.org/s3graph/id/territory/>
PREFIX authority: <https://w3id.org/s3graph/id/authority/>
PREFIX collab: <https://w3id.org/s3graph/id/collaboration/>
PREFIX part: <https://w3id.org/s3graph/id/participation/>
PREFIX role: <https://w3id.org/s3graph/id/role/>
PREFIX topic: <https://w3id.org/s3graph/id/topic/>
PREFIX src: <https://w3id.org/s3graph/id/source/>
PREFIX claim: <https://w3id.org/s3graph/id/claim/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def value(term: Term | None) -> str | None:
    """The lexical value of a term (IRI string, literal text), None when unbound."""
    return None if term is None else str(getattr(term, "value", term))


def rows(engine: Engine, dataset: DatasetSpec, query: str,
         bindings: dict[str, Term] | None = None) -> list[tuple[str | None, ...]]:
    """Run a SELECT (common prefixes added) and return its rows as tuples of plain values."""
    result = engine.execute(PREFIXES + query, dataset, bindings)
    assert isinstance(result, Bindings)
    return [tuple(value(t) for t in row) for row in result.rows]


def column(engine: Engine, dataset: DatasetSpec, query: str) -> list[str | None]:
    """The first column of a SELECT's rows."""
    return [row[0] for row in rows(engine, dataset, query)]


def unordered(row: tuple[object, ...]) -> tuple[str, ...]:
    """A result row with each value's space-separated words sorted: two plans (or two stores)
    may join GROUP_CONCAT's values in another order, which SPARQL leaves open."""
    return tuple(" ".join(sorted(str(getattr(v, "value", v)).split(" "))) for v in row)


def wait_for(condition: Callable[[], object], seconds: float = 60, interval: float = 0.02) -> bool:
    """Poll `condition` until it holds (True) or `seconds` pass (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


class Listener:
    """A TCP socket on 127.0.0.1 that counts every connection made to it (and closes it)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        """Stop listening."""
        self.running = False
        self.thread.join(2)
        self.sock.close()


def split_response(received: bytes) -> tuple[str, dict[str, str], bytes]:
    """A raw HTTP/1.1 response as (status line, headers, body)."""
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    return lines[0], dict(line.split(": ", 1) for line in lines[1:]), body
