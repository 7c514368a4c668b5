"""rdflib's SPARQL parser: the rdflib engine's front, and the guard's second reading.

The guard reads a query with its own lexer; a query that names SERVICE anywhere (the
engine can only call a service when the letters of the keyword stand in the text: it
processes no escapes outside strings and IRIs) is read a second time by this parser, an
implementation of the grammar independent of both the guard and the engine, and every
SERVICE it finds must be on the allow-list too.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from typing import Any

import rdflib
from pyparsing import ParseException
from rdflib.plugins.sparql import algebra, parser
from rdflib.plugins.sparql.parserutils import CompValue

from ..errors import Code, QueryError

#: rdflib's parser recurses about 60 Python frames per bracket of an expression: a query at
#: the guard's depth limit (64) needs some 4,000 frames, more than a request thread has left.
_READER_FRAMES = 10000
_READER_STACK = 256 << 20


class _Reader:
    """One thread with a deep stack that runs every rdflib parse, one at a time (rdflib's
    parser is not thread-safe, RDFLib/rdflib#1282)."""

    def __init__(self) -> None:
        self.jobs: queue.Queue[tuple[Callable[[], Any], queue.Queue[tuple[bool, Any]]]] = queue.Queue()
        self.lock = threading.Lock()
        self.started = False

    def run(self, job: Callable[[], Any]) -> Any:
        with self.lock:
            if not self.started:
                previous = threading.stack_size(_READER_STACK)
                try:
                    threading.Thread(target=self._loop, name="s3graph-rdflib-reader", daemon=True).start()
                finally:
                    threading.stack_size(previous)
                self.started = True
        answer: queue.Queue[tuple[bool, Any]] = queue.Queue(1)
        self.jobs.put((job, answer))
        ok, value = answer.get()
        if not ok:
            raise value
        return value

    def _loop(self) -> None:
        # The limit is the interpreter's; raising it lets this thread's deep stack be used.
        sys.setrecursionlimit(max(sys.getrecursionlimit(), _READER_FRAMES))
        while True:
            job, answer = self.jobs.get()
            try:
                answer.put((True, job()))
            except Exception as exc:  # noqa: BLE001 (a thread boundary: handed back, raised in the caller)
                answer.put((False, exc))


_READER = _Reader()


def _parse(query: str) -> algebra.Query:
    try:
        return algebra.translateQuery(parser.parseQuery(query))
    except ParseException as exc:
        raise QueryError(f"syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}",
                         code=Code.SYNTAX_ERROR) from None
    except RecursionError:
        raise QueryError("the query nests too deeply to be read", code=Code.QUERY_TOO_DEEP) from None


def parse_with_rdflib(query: str) -> algebra.Query:
    """Parse and translate a query with rdflib (in the reader thread); syntax errors are a QueryError."""
    result: algebra.Query = _READER.run(lambda: _parse(query))
    return result


def mentions_service(text: str) -> bool:
    """True when the letters of SERVICE (in any ASCII case) stand anywhere in the text."""
    return b"service" in text.encode("utf-8", "surrogatepass").lower()


def service_targets(text: str) -> list[str | None]:
    """Every SERVICE target rdflib reads in the query: its IRI, or None for a variable."""
    found: list[str | None] = []

    def walk(node: object) -> None:
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                term = node.get("term")
                found.append(str(term) if isinstance(term, rdflib.URIRef) else None)
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    # rdflib ends a comment at a line feed only; SPARQL at a carriage return too. Line ends
    # carry no structure anywhere else (in a string a raw one only changes the value).
    walk(parse_with_rdflib(text.replace("\r", "\n")).algebra)
    return found
