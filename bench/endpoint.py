#!/usr/bin/env python3
"""Benchmark s3graph's SPARQL endpoint against rdflib-endpoint on the same data.

In one run, on 127.0.0.1 only, for each dataset (the bundled data, and synthetic graphs
made by bench/generate.py):

* starts s3graph with 2 server processes (the production set-up: `--workers 2`), with 1
  server process (`--workers 1`), with 1 process calling the engine directly (`--workers
  0`, no deadline) and rdflib-endpoint
  (uvicorn) serving the same triples;
* drives each with the same bounded load: a fixed number of concurrent clients, each
  sending requests back to back over a kept-alive connection for a fixed duration, with a
  per-request timeout, for: a point lookup (one resource's triples, a different resource
  each request), each canned query in queries/*.rq (not the federated ones), a join with
  FILTER, a GROUP BY aggregate and OPTIONAL with a language filter;
* prints, per dataset, requests/s, p50 and p99 latency and errors per server, the ratio
  s3graph/rdflib-endpoint of requests/s and the cost of s3graph's query isolation (1
  process with the deadline against 1 without), then the targets as PASS/FAIL lines.

Nothing is sent anywhere but 127.0.0.1; every loop is bounded in requests and time.

    python bench/endpoint.py                       # bundled, 10^5 and 10^6 triples
    python bench/endpoint.py --quick               # a fast smoke run on the bundled data
    python bench/endpoint.py --sizes 100000 --duration 3 --clients 4
    python bench/endpoint.py --measure-owlrl 10000 # time owlrl's closure on synthetic data

Generated data and s3graph's build cache are kept under bench/.work/ and reused.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing
import os
import platform
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
JSON_RESULTS = "application/sparql-results+json"

sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (bench/generate.py, next to this file)

PREFIXES = """PREFIX s3: <https://w3id.org/s3graph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

#: The fixed queries (besides the point lookup and the canned ones). The first three are
#: the "join/aggregate mix" of the targets.
FIXED_QUERIES: dict[str, str] = {
    "join + FILTER": PREFIXES + """SELECT ?authority ?collaboration ?code WHERE {
  ?participation a s3:Participation ; org:member ?authority ; org:organization ?collaboration .
  ?authority s3:governs ?territory .
  ?territory s3:nutsCode ?code .
  FILTER(STRSTARTS(?code, "SE"))
}""",
    "GROUP BY aggregate": PREFIXES + """SELECT ?type (COUNT(DISTINCT ?participation) AS ?participations)
       (COUNT(DISTINCT ?member) AS ?members) WHERE {
  ?participation a s3:Participation ; org:organization ?collaboration ; org:member ?member .
  ?collaboration a ?type .
} GROUP BY ?type ORDER BY ?type""",
    "OPTIONAL + lang": PREFIXES + """SELECT ?territory ?code ?en ?sv WHERE {
  ?territory s3:nutsLevel 2 ; s3:nutsCode ?code .
  OPTIONAL { ?territory rdfs:label ?en FILTER(LANG(?en) = "en") }
  OPTIONAL { ?territory rdfs:label ?sv FILTER(LANG(?sv) = "sv") }
} ORDER BY ?code LIMIT 100""",
}
MIX = tuple(FIXED_QUERIES)
POINT = "point lookup"
POINT_QUERY = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
#: Counts the calls of `load`: a query text made from it and the request number is new to the
#: server under load (the client processes are forked after it is counted).
LOAD_NUMBER = [0]


def distinct_point(iris: list[str]) -> Callable[[int], str]:
    """Point lookups that are each new to the server: the IRIs in turn, each text numbered by a
    trailing comment, so that no cache of either server (whole answers, results, the guard's
    verdicts) can answer it: every request is read, checked, evaluated and written."""
    return lambda n: POINT_QUERY.format(iri=iris[(n * 7) % len(iris)]) + f" # {LOAD_NUMBER[0]}.{n}"


def distinct(text: str) -> Callable[[int], str]:
    """The same query, each request's text new to the server (a numbered trailing comment)."""
    return lambda n: f"{text} # {LOAD_NUMBER[0]}.{n}"

S3_W2 = "s3graph-w2"
S3_W1 = "s3graph-w1"
S3_W0 = "s3graph-w0"
RDFLIB = "rdflib-endpoint"
SERVER_TITLES = {S3_W2: "s3graph, 2 processes", S3_W1: "s3graph, 1 process",
                 S3_W0: "s3graph, 1 process, no deadline", RDFLIB: "rdflib-endpoint"}
S3_SERVERS = (S3_W2, S3_W1, S3_W0)

TARGET_POINT_RATIO = 1.5
TARGET_MIX_RATIO = 10.0
TARGET_POINT_P99_MS = 15.0
TARGET_ISOLATION_PCT = 15.0
TARGET_SIZE = "100000"


def log(message: str) -> None:
    """Progress to standard error, with the time of day."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- servers -------------------------------------------------------------------------------

def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """A server process we started (in its own process group), its port and its log."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_path: Path,
                 sparql_path: str = "/sparql") -> None:
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_path
        self.sparql_path = sparql_path
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.ready_seconds = 0.0

    def start(self) -> None:
        """Start the process (it may first build or load data; see wait_ready)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        handle = self.log_path.open("ab")
        handle.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(command)}\n".encode())
        handle.flush()
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(command, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=ROOT, start_new_session=True)
        handle.close()

    def wait_ready(self, timeout: float) -> None:
        """Wait until the endpoint answers ASK {} with 200; raise with the log's tail if not."""
        deadline = time.monotonic() + timeout
        path = self.sparql_path + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                status, _ = fetch(self.port, path, timeout=5)
                if status == 200:
                    self.ready_seconds = time.perf_counter() - self.started
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} did not answer within {timeout:g} s:\n{self.tail()}")

    def tail(self, lines: int = 15) -> str:
        """The end of the server's log."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """Stop the process group we started (TERM, then KILL after 10 s)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        else:
            # The leader is gone; make sure no worker of its group is left behind.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc = None

    def restart(self, timeout: float) -> None:
        """Stop and start again (used when a server stays busy after a timed-out request)."""
        self.stop()
        self.start()
        self.wait_ready(timeout)


def s3graph_server(name: str, workers: int, data_dir: Path, synthetic: bool, queries_dir: Path,
                   timeout: float, window: float | None) -> Server:
    """s3graph serve on a free port, with limits so high that the rate limiter never refuses
    (all our clients are one client to it: 127.0.0.1)."""
    env = dict(os.environ)
    if window is not None:
        env["S3GRAPH_RATE_LIMIT_WINDOW"] = f"{window:g}"
    env.update({
        "S3GRAPH_CACHE_DIR": str(WORK / "cache"),
        "S3GRAPH_RATE_LIMIT_SECONDS": "1e9",
        "S3GRAPH_RATE_LIMIT_ERRORS": "1000000000",
        "S3GRAPH_MAX_RESULTS": "1000000",
        "S3GRAPH_QUERY_TIMEOUT": f"{timeout:g}",
    })
    if synthetic:
        env.update({"S3GRAPH_REASONER": "none", "S3GRAPH_VALIDATE_ON_BUILD": "false"})
    command = [str(BIN / "s3graph"), "serve", "--host", HOST, "--port", "{port}", "--data-dir",
               str(data_dir), "--queries-dir", str(queries_dir), "--workers", str(workers)]
    return Server(name, command, env, WORK / "logs" / f"{name}.log")


class RdflibServer(Server):
    """rdflib-endpoint started through serve_rdflib, which loads the data once and serves from
    a forked child: a restart (after a timed-out query, which rdflib-endpoint would go on
    computing) kills the child and the loader forks a fresh one in about a second."""

    def restart(self, timeout: float) -> None:
        pid_file = self.log_path.with_suffix(".child")
        try:
            child = int(pid_file.read_text())
        except (OSError, ValueError):
            super().restart(timeout)
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # wait for the loader to fork the next child
            with contextlib.suppress(OSError, ValueError):
                if int(pid_file.read_text()) != child:
                    break
            time.sleep(0.1)
        self.wait_ready(timeout)


def rdflib_server(files: list[Path]) -> Server:
    """rdflib-endpoint (uvicorn) serving the union of `files`, started through serve_rdflib."""
    log_path = WORK / "logs" / f"{RDFLIB}.log"
    command = [sys.executable, str(Path(__file__).resolve()), "serve-rdflib", "{port}",
               str(log_path.with_suffix(".child")), *[str(f) for f in files]]
    return RdflibServer(RDFLIB, command, dict(os.environ), log_path)


def serve_rdflib(port: int, pid_file: str, files: list[str]) -> None:
    """Serve `files` with rdflib-endpoint as its own CLI does (`rdflib-endpoint serve`):
    a Dataset with default_union, SparqlEndpoint, uvicorn.run; at /sparql, without the
    per-request access log (s3graph's server writes none either). The data is loaded
    once; uvicorn runs in a forked child, forked again whenever it ends."""
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    for path in files:
        dataset.parse(path)
    print(f"rdflib-endpoint: loaded {len(dataset)} triples from {len(files)} files in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    app = SparqlEndpoint(graph=dataset, path="/sparql")
    while True:
        child = os.fork()
        if child == 0:
            uvicorn.run(app, host=HOST, port=port, access_log=False, log_level="warning")
            os._exit(0)
        Path(pid_file).write_text(str(child))
        _, status = os.waitpid(child, 0)
        print(f"rdflib-endpoint: server process {child} ended ({status}); forking a fresh one", flush=True)


# --- HTTP client -----------------------------------------------------------------------------

def fetch(port: int, path: str, timeout: float) -> tuple[int, bytes]:
    """One GET on a fresh connection: (status, body)."""
    client = RawHTTP(port, timeout)
    try:
        return client.get(path)
    finally:
        client.close()


def sparql_path(server: Server, query: str) -> str:
    """The GET path that sends `query` to the server's SPARQL endpoint."""
    return server.sparql_path + "?" + urllib.parse.urlencode({"query": query})


def count_rows(body: bytes) -> int | None:
    """Rows of a SPARQL JSON result (1 for ASK), None if it is not one."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if "boolean" in data:
        return 1
    try:
        return len(data["results"]["bindings"])
    except (KeyError, TypeError):
        return None


@dataclass
class Measure:
    """What one server did on one query."""

    server: str
    query: str
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = math.nan
    p99_ms: float = math.nan
    mean_ms: float = math.nan
    rows: int | None = None
    probe_ms: float = math.nan
    rps_bound: float | None = None  # timed out (or would have): requests/s is at most this
    client_cpu_ms: float = math.nan  # CPU our client processes spent per request
    clients: int = 0
    capped: int | None = None
    note: str = ""
    skipped: bool = False

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def usable(self) -> bool:
        return not self.skipped and self.ok > 0


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0-100) of `values`."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


_FORK = multiprocessing.get_context("fork")
LAST_CLIENT_CPU = [0.0]  # CPU seconds the client processes of the last load() used per request


class RawHTTP:
    """A minimal HTTP/1.1 client on one kept-alive connection (GET only).

    http.client costs about 0.5 ms of CPU per request (its header parsing goes through the
    email package); on a 2-core machine the client would take that from the servers. This
    one costs a fraction of it. It understands Content-Length, chunked bodies and close.
    """

    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.host = f"Host: {HOST}:{port}\r\nAccept: {JSON_RESULTS}\r\n\r\n".encode()

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None
        self.buffer = b""

    def _fill(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionResetError("server closed the connection")
        self.buffer += chunk

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self._fill()
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            self._fill()
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line

    def get(self, path: str) -> tuple[int, bytes]:
        """GET `path`; returns (status, body). Raises OSError (TimeoutError on timeout)."""
        if self.sock is None:
            self.sock = socket.create_connection((HOST, self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\n" + self.host)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(None, 2)[1])
        length, chunked, close = None, False, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            parts = []
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():
                        pass
                    break
                parts.append(self._take(size))
                self._take(2)
            body = b"".join(parts)
        elif length is not None:
            body = self._take(length)
        else:
            with contextlib.suppress(ConnectionResetError):
                while True:
                    self._fill()
            body, close = self.buffer, True
        if close:
            self.close()
        return status, body


def _client(port: int, paths: Callable[[int], str], start: float, deadline: float, timeout: float,
            max_requests: int | None, counter: Any, out: Connection) -> None:
    """One client process: GETs back to back on a kept-alive connection until `deadline`."""
    client = RawHTTP(port, timeout)
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    time.sleep(max(0.0, start - time.monotonic()))
    while time.monotonic() < deadline:
        with counter.get_lock():
            n = counter.value
            counter.value += 1
        if max_requests is not None and n >= max_requests:
            break
        path = paths(n)
        t0 = time.monotonic()
        try:
            status, _ = client.get(path)
            elapsed = time.monotonic() - t0
            if status == 200:
                latencies.append(elapsed)
            else:
                errors[f"HTTP {status}"] += 1
        except TimeoutError:
            errors["timeout"] += 1
            client.close()
        except (OSError, ValueError, IndexError) as exc:
            errors[type(exc).__name__] += 1
            client.close()
    client.close()
    out.send((latencies, dict(errors), time.monotonic()))
    out.close()


def load(port: int, paths: Callable[[int], str], clients: int, duration: float, timeout: float,
         max_requests: int | None = None) -> tuple[list[float], Counter[str], float]:
    """`clients` client processes (forked, so that no client waits for another's GIL) send
    GETs back to back until `duration` is over (or `max_requests` have been sent in all);
    returns the OK latencies (s), error counts and the elapsed wall time."""
    LOAD_NUMBER[0] += 1
    counter = _FORK.Value("q", 0)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic() + 0.1 + 0.02 * clients
    deadline = start + duration
    procs = []
    for i in range(clients):
        receiver, sender = _FORK.Pipe(duplex=False)
        proc = _FORK.Process(target=_client, name=f"bench-client-{i}",
                             args=(port, paths, start, deadline, timeout, max_requests, counter, sender))
        proc.start()
        sender.close()
        procs.append((proc, receiver))
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    finished = start
    for proc, receiver in procs:
        try:
            got, errs, last = receiver.recv()
            latencies.extend(got)
            errors.update(errs)
            finished = max(finished, last)
        except EOFError:
            errors["client process died"] += 1
        proc.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    LAST_CLIENT_CPU[0] = cpu / max(1, len(latencies) + sum(errors.values()))
    return latencies, errors, finished - start


# --- the queries -----------------------------------------------------------------------------

@dataclass
class Query:
    """One benchmark query: how to ask each server, and what to say about it."""

    name: str
    sparql: Callable[[int], str] | None = None  # the text for /sparql, per request number
    s3graph_path: Callable[[int], str] | None = None  # instead of /sparql on s3graph
    rdflib: bool = True  # False: not sent to rdflib-endpoint
    note: str = ""

    def path(self, server: Server) -> Callable[[int], str]:
        if server.name != RDFLIB and self.s3graph_path is not None:
            return self.s3graph_path
        assert self.sparql is not None
        text = self.sparql
        return lambda n: sparql_path(server, text(n))


def sample_iris(files: list[Path], limit: int = 256) -> list[str]:
    """IRIs that are subjects in `files`, evenly spread over their sorted list (deterministic)."""
    import pyoxigraph as ox

    subjects: set[str] = set()
    for path in files:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if isinstance(quad.subject, ox.NamedNode):
                subjects.add(quad.subject.value)
    ordered = sorted(subjects)
    step = max(1, len(ordered) // limit)
    return ordered[::step][:limit]


def values_clause(bindings: dict[str, Any]) -> str:
    """A VALUES block binding each parameter to its term (N-Triples syntax is SPARQL syntax)."""
    names = sorted(bindings)
    return (" VALUES (" + " ".join(f"?{n}" for n in names) + ") { (" +
            " ".join(str(bindings[n]) for n in names) + ") } ")


def with_values(text: str, bindings: dict[str, Any]) -> str:
    """`text` with a VALUES block at the start of its WHERE group (so FILTERs see the values);
    `text` itself when nothing is bound (parameters without defaults)."""
    from s3graph.query.guard import tokens

    if not bindings:
        return text

    brace = next(t for t in tokens(text) if t.kind == "open" and t.text == "{")
    cut = brace.offset + 1
    return text[:cut] + values_clause(bindings) + text[cut:]


def canned_queries(queries_dir: Path, data_dir: Path, synthetic: bool,
                   notes: list[str]) -> list[Query]:
    """The canned queries of `queries_dir`, federated ones skipped; parameterised ones go to
    s3graph's /queries/<slug> (defaults) and to rdflib-endpoint as SPARQL with VALUES."""
    from s3graph.query.catalog import load_catalog

    catalog = load_catalog(str(queries_dir))
    out: list[Query] = []
    resolver = None
    for canned in catalog.queries:
        if canned.federation:
            notes.append(f"canned {canned.slug}: skipped (federated: {', '.join(canned.federation)})")
            continue
        text = canned.sparql
        if not canned.parameters:
            out.append(Query(f"canned {canned.slug}", sparql=lambda n, t=text: t))
            continue
        if resolver is None:
            resolver = _region_resolver(data_dir, synthetic)
        slug = canned.slug
        try:
            bindings = canned.bind({}, resolver)
        except Exception as exc:  # noqa: BLE001 - any failure is reported, not fatal
            notes.append(f"canned {slug}: defaults do not bind on this data ({exc}); "
                         "rdflib-endpoint skipped, s3graph gets /queries/{slug} as is")
            out.append(Query(f"canned {slug}*", s3graph_path=lambda n, s=slug: f"/queries/{s}",
                             rdflib=False))
            continue
        values = with_values(text, bindings)
        shown = ", ".join(f"{p.name}={p.default}" for p in canned.parameters)
        out.append(Query(f"canned {slug}*", sparql=lambda n, t=values: t,
                         s3graph_path=lambda n, s=slug: f"/queries/{s}",
                         note=f"defaults {shown}"))
    return out


def _region_resolver(data_dir: Path, synthetic: bool) -> Any:
    """s3graph's own region resolver over the (cached) build of this dataset."""
    from s3graph.build.pipeline import build
    from s3graph.query.regions import region_resolver
    from s3graph.settings import load_settings

    overrides: dict[str, Any] = {"data_dir": str(data_dir), "cache_dir": str(WORK / "cache")}
    if synthetic:
        overrides.update(reasoner="none", validate_on_build=False)
    settings = load_settings(environ={}, **overrides)
    built = build(settings)
    return region_resolver(built.open_store())


def query_set(files: list[Path], queries_dir: Path, data_dir: Path, synthetic: bool,
              notes: list[str], only: set[str] | None) -> list[Query]:
    """Point lookup, the canned queries, then the fixed queries."""
    iris = sample_iris(files, limit=4096)
    queries = [Query(POINT, sparql=distinct_point(iris),
                     note=f"{len(iris)} resources in turn, every text new (no cache answers it)")]
    queries += canned_queries(queries_dir, data_dir, synthetic, notes)
    queries += [Query(name, sparql=lambda n, t=text: t) for name, text in FIXED_QUERIES.items()]
    if only:
        queries = [q for q in queries if any(o.lower() in q.name.lower() for o in only)]
    return queries


# --- one measurement -------------------------------------------------------------------------

@dataclass
class Plan:
    """The bounds of a run."""

    clients: int
    duration: float
    timeout: float
    warmup: float
    slow_seconds: float  # a probe slower than this makes the measurement capped
    slow_cap: int  # at most this many requests for a slow query
    slow_budget: float  # and about this many seconds of requests


def measure(server: Server, query: Query, plan: Plan) -> Measure:
    """Probe once, warm up, then run the load; errors and timeouts are recorded, not raised."""
    result = Measure(server.name, query.name, clients=plan.clients)
    if server.name == RDFLIB and not query.rdflib:
        result.skipped = True
        result.note = "not sent (see notes)"
        return result
    paths = query.path(server)
    started = time.perf_counter()
    try:
        status, body = fetch(server.port, paths(0), plan.timeout)
    except TimeoutError:
        result.skipped = True
        result.errors["timeout"] = 1
        result.rps_bound = 1 / plan.timeout
        result.note = f"timed out (> {plan.timeout:g} s)"
        settle(server, plan)
        return result
    except OSError as exc:
        result.skipped = True
        result.errors[type(exc).__name__] = 1
        result.note = f"failed: {exc}"
        settle(server, plan)
        return result
    result.probe_ms = (time.perf_counter() - started) * 1000
    if status != 200:
        result.skipped = True
        result.errors[f"HTTP {status}"] = 1
        result.note = f"HTTP {status}: {body[:160].decode('utf-8', 'replace')}"
        return result
    result.rows = count_rows(body)
    probe = result.probe_ms / 1000
    max_requests = None
    clients = plan.clients
    if probe > plan.slow_seconds:
        max_requests = max(1, min(plan.slow_cap, int(plan.slow_budget / probe)))
        result.capped = max_requests
        if max_requests == 1:
            # Slower than the whole budget: the first request is the only sample.
            result.ok, result.clients, result.seconds, result.rps = 1, 1, probe, 1 / probe
            result.p50_ms = result.p99_ms = result.mean_ms = result.probe_ms
            result.note = f"slow: one request only ({probe:.1f} s)"
            return result
        if probe * clients > plan.timeout / 2:
            clients = 1  # queued behind each other the later requests could time out
        result.note = f"slow (first request {probe:.1f} s): {max_requests} requests, {clients} client(s)"
    elif plan.warmup > 0:
        load(server.port, paths, clients, plan.warmup, plan.timeout)
    result.clients = clients
    latencies, errors, elapsed = load(server.port, paths, clients, plan.duration, plan.timeout,
                                      max_requests)
    result.ok = len(latencies)
    result.errors.update(errors)
    result.seconds = elapsed
    result.rps = len(latencies) / elapsed if elapsed > 0 else 0.0
    result.p50_ms = percentile(latencies, 50) * 1000
    result.p99_ms = percentile(latencies, 99) * 1000
    result.mean_ms = statistics.fmean(latencies) * 1000 if latencies else math.nan
    result.client_cpu_ms = LAST_CLIENT_CPU[0] * 1000
    if errors.get("timeout"):
        settle(server, plan)
    return result


def settle(server: Server, plan: Plan) -> None:
    """After a timed-out request the server may still be working on it (rdflib-endpoint runs
    queries on its event loop, one at a time): wait until it answers again, but no longer
    than a restart would take, else restart it."""
    wait = 5.0 if isinstance(server, RdflibServer) else max(30.0, server.ready_seconds)
    log(f"  {server.name}: waiting up to {wait:.0f} s for the server to finish abandoned work")
    try:
        status, _ = fetch(server.port, sparql_path(server, "ASK {}"), timeout=wait)
        if status == 200:
            return
    except OSError:
        pass
    log(f"  {server.name}: still busy; restarting it")
    server.restart(timeout=1800)


#: (server, query) -> (triples, seconds of one request) at the last synthetic size measured.
PREVIOUS: dict[tuple[str, str], tuple[int, float]] = {}


def remember(dataset: BenchData, m: Measure, plan: Plan) -> None:
    """Keep how long one request took, to foresee timeouts on larger data."""
    if not dataset.synthetic:
        return
    if "timeout" in m.errors or m.rps_bound is not None:
        PREVIOUS[(m.server, m.query)] = (int(dataset.label), plan.timeout)
    elif not math.isnan(m.probe_ms):
        PREVIOUS[(m.server, m.query)] = (int(dataset.label), m.probe_ms / 1000)


def expected_timeout(dataset: BenchData, server: str, query: Query, plan: Plan) -> Measure | None:
    """A 'not run' measurement when one request took so long on smaller data that, growing
    with the data, it would exceed the per-request timeout here (each such timeout would cost
    a minute for nothing); None when the query is to be measured."""
    known = PREVIOUS.get((server, query.name))
    if not dataset.synthetic or known is None:
        return None
    size, seconds = known
    expected = seconds * int(dataset.label) / size
    if size >= int(dataset.label) or expected <= plan.timeout:
        return None
    was = f"timed out (> {seconds:g} s)" if seconds >= plan.timeout else f"took {seconds:.1f} s"
    return Measure(server, query.name, skipped=True, rps_bound=1 / plan.timeout,
                   note=f"not run: one request {was} at {size:,} triples, so ~{expected:.0f} s expected "
                        f"here, over the {plan.timeout:g} s timeout")


# --- datasets --------------------------------------------------------------------------------

@dataclass
class BenchData:
    """A dataset to serve: its label, data folder and the files rdflib-endpoint gets."""

    label: str
    data_dir: Path
    synthetic: bool
    files: list[Path]
    triples_in_files: int = 0
    generated_seconds: float | None = None


def prepare_dataset(size: str, seed: int) -> BenchData:
    """The bundled data, or a synthetic file of `size` triples (generated once, then reused)."""
    ontology = ROOT / "ontology" / "s3.ttl"
    if size == "bundled":
        files = sorted((ROOT / "data").glob("*.ttl"))
        return BenchData("bundled", ROOT / "data", False, [*files, ontology])
    triples = int(size)
    data_dir = WORK / "data" / f"synthetic-{triples}-seed{seed}"
    path = data_dir / "synthetic.ttl"
    seconds = None
    if not path.is_file():
        log(f"generating {triples} synthetic triples into {path}")
        started = time.perf_counter()
        generate.generate(triples, seed, path)
        seconds = time.perf_counter() - started
    return BenchData(size, data_dir, True, [path, ontology], generated_seconds=seconds)


def count_triples(files: list[Path]) -> int:
    """Triples in the files (parsed with pyoxigraph)."""
    import pyoxigraph as ox

    return sum(sum(1 for _ in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)) for f in files)


def served_triples(server: Server, timeout: float) -> str:
    """How many triples the server's default graph has (asked with COUNT)."""
    try:
        status, body = fetch(server.port, sparql_path(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
                             timeout)
    except OSError as exc:
        return f"? ({type(exc).__name__})"
    if status != 200:
        return f"? (HTTP {status})"
    data = json.loads(body)
    return data["results"]["bindings"][0]["n"]["value"]


def run_dataset(dataset: BenchData, args: argparse.Namespace, plan: Plan) -> dict[str, Any]:
    """Start the three servers on one dataset, measure every query on each, stop them."""
    notes: list[str] = []
    if dataset.synthetic:
        dataset.triples_in_files = count_triples(dataset.files)
        notes.append(f"synthetic data, seed {args.seed}: {dataset.triples_in_files} triples in "
                     f"{dataset.files[0].name} + ontology/s3.ttl; s3graph with reasoner=none and "
                     "validate_on_build=false, so both servers serve exactly the same triples")
    else:
        notes.append("bundled data: rdflib-endpoint gets data/*.ttl + ontology/s3.ttl; s3graph also "
                     "serves the triples it infers with OWL-RL, so results of queries that touch "
                     "inferred properties or classes differ")
    servers = {
        S3_W2: s3graph_server(S3_W2, 2, dataset.data_dir, dataset.synthetic, args.queries_dir, plan.timeout,
                              args.rate_limit_window),
        S3_W1: s3graph_server(S3_W1, 1, dataset.data_dir, dataset.synthetic, args.queries_dir, plan.timeout,
                              args.rate_limit_window),
        S3_W0: s3graph_server(S3_W0, 0, dataset.data_dir, dataset.synthetic, args.queries_dir, plan.timeout,
                              args.rate_limit_window),
        RDFLIB: rdflib_server(dataset.files),
    }
    info: dict[str, Any] = {"label": dataset.label, "notes": notes, "servers": {}}
    try:
        log(f"[{dataset.label}] starting {S3_W2} (builds or reuses the cached build) and {RDFLIB}")
        servers[S3_W2].start()
        servers[RDFLIB].start()
        servers[S3_W2].wait_ready(timeout=1800)
        log(f"[{dataset.label}] {S3_W2} ready after {servers[S3_W2].ready_seconds:.1f} s; starting "
            f"{S3_W1} and {S3_W0}")
        servers[S3_W1].start()
        servers[S3_W0].start()
        servers[S3_W1].wait_ready(timeout=600)
        servers[S3_W0].wait_ready(timeout=600)
        servers[RDFLIB].wait_ready(timeout=1800)
        log(f"[{dataset.label}] all servers ready ({RDFLIB} after {servers[RDFLIB].ready_seconds:.1f} s)")
        for name, server in servers.items():
            info["servers"][name] = {"ready_seconds": round(server.ready_seconds, 1),
                                     "triples": served_triples(server, max(plan.timeout, 120))}
        queries = query_set(dataset.files[:-1] if dataset.synthetic else dataset.files, args.queries_dir,
                            dataset.data_dir, dataset.synthetic, notes, args.only)
        results: list[Measure] = []
        for query in queries:
            for name in (*S3_SERVERS, RDFLIB):
                server = servers[name]
                if not server.alive():
                    log(f"  {name} died; restarting it:\n{server.tail()}")
                    notes.append(f"{name} died during the run and was restarted")
                    server.restart(timeout=1800)
                m = expected_timeout(dataset, name, query, plan) or measure(server, query, plan)
                remember(dataset, m, plan)
                results.append(m)
                log(f"[{dataset.label}] {query.name:<28} {name:<16} {m.rps:9.1f} req/s  p50 {m.p50_ms:8.2f} ms  "
                    f"p99 {m.p99_ms:8.2f} ms  ok {m.ok}  err {m.error_count}  "
                    f"client cpu {m.client_cpu_ms:.2f} ms/req {m.note}")
            if query.note:
                notes.append(f"{query.name}: {query.note}")
        info["queries"] = [q.name for q in queries]
        info["results"] = [asdict(r) for r in results]
        if args.profile_size == dataset.label:
            point = next((q for q in queries if q.name == POINT), None)
            if point is not None:
                info["profile"] = profile_point(servers, point, plan, dataset.label)
                profile_stages(dataset, info["profile"], point)
    finally:
        for server in servers.values():
            server.stop()
    return info


# --- profile of the point lookup --------------------------------------------------------------

#: Where a sample's time goes: the first of these found walking a stack from its leaf up.
CATEGORIES = (
    ("query in pyoxigraph (query/engines.py)", ("s3graph/query/engines.py",)),
    ("rendering (formats/)", ("s3graph/formats/",)),
    ("guard (query/guard.py, second_reading.py)", ("s3graph/query/guard.py", "s3graph/query/second_reading.py")),
    ("rate limiter (service/ratelimit.py)", ("s3graph/service/ratelimit.py",)),
    ("deadline (server/watchdog.py, query/executors.py)",
     ("s3graph/server/watchdog.py", "s3graph/query/executors.py", "multiprocessing/")),
    ("the service (service/: protocol, negotiation, caches, headers)", ("s3graph/service/",)),
    ("WSGI front and pages (web/)", ("s3graph/web/",)),
    ("Flask and Werkzeug", ("flask/", "werkzeug/", "blinker/", "jinja2/")),
    ("HTTP server (server/wsgi.py, cache.py; llhttp through httptools)",
     ("s3graph/server/wsgi.py", "s3graph/server/cache.py", "httptools/")),
)


def categorise(stack: list[str]) -> str:
    """The category of one sampled stack (frames root first, as py-spy writes them)."""
    for frame in reversed(stack):
        for name, needles in CATEGORIES:
            if any(n in frame for n in needles):
                return name
    return "other (interpreter, threading, queue)"


def process_cpu(pid: int) -> dict[int, float]:
    """CPU seconds used so far by `pid` and every process below it."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    family = {pid}
    changed = True
    while changed:
        changed = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                changed = True
    return {p: used[p] for p in family if p in used}


def profile_point(servers: dict[str, Server], query: Query, plan: Plan, label: str) -> dict[str, Any]:
    """For the point lookup: latency with one client, CPU per request per process with the
    usual clients, and (if py-spy is installed) where the server's samples fall."""
    out: dict[str, Any] = {"label": label, "clients": plan.clients, "servers": {}}
    spy = BIN / "py-spy"
    for name in (*S3_SERVERS, RDFLIB):
        server = servers[name]
        assert server.proc is not None
        paths = query.path(server)
        entry: dict[str, Any] = {}
        lat, errs, elapsed = load(server.port, paths, 1, plan.duration, plan.timeout)
        entry["one_client"] = {"rps": len(lat) / elapsed, "p50_ms": percentile(lat, 50) * 1000,
                               "p99_ms": percentile(lat, 99) * 1000, "errors": sum(errs.values())}
        before = process_cpu(server.proc.pid)
        lat, errs, elapsed = load(server.port, paths, plan.clients, plan.duration, plan.timeout)
        after = process_cpu(server.proc.pid)
        n = max(1, len(lat))
        per_process = {}
        for pid, seconds in after.items():
            role = "main" if pid == server.proc.pid else f"child {pid}"
            per_process[role] = (seconds - before.get(pid, 0.0)) / n * 1000
        entry["loaded"] = {"rps": len(lat) / elapsed, "p50_ms": percentile(lat, 50) * 1000,
                           "p99_ms": percentile(lat, 99) * 1000, "cpu_ms_per_request": per_process,
                           "client_cpu_ms_per_request": LAST_CLIENT_CPU[0] * 1000}
        if spy.exists() and name != RDFLIB:
            raw = WORK / "profiles" / f"{label}-{name}.raw"
            raw.parent.mkdir(parents=True, exist_ok=True)
            # --gil: only threads holding their process's GIL, i.e. Python CPU (py-spy cannot
            # tell idle threads here: without it, waits in poll/Condition.wait count as busy).
            cmd = [str(spy), "record", "--pid", str(server.proc.pid), "--subprocesses", "--gil",
                   "--rate", "200", "--format", "raw", "--output", str(raw),
                   "--duration", str(int(plan.duration) + 2)]
            spy_proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(1.0)
            load(server.port, paths, plan.clients, plan.duration, plan.timeout)
            try:
                _, err = spy_proc.communicate(timeout=plan.duration + 30)
            except subprocess.TimeoutExpired:
                spy_proc.kill()
                _, err = spy_proc.communicate()
            counts: Counter[str] = Counter()
            if raw.exists():
                for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
                    stack, _, count = line.rpartition(" ")
                    if stack and count.isdigit():
                        counts[categorise(stack.split(";"))] += int(count)
            total = sum(counts.values())
            entry["py_spy"] = {"samples": total, "raw": str(raw), "stderr": err.decode(errors="replace")[-300:],
                               "share": {k: v / total * 100 for k, v in counts.most_common()} if total else {}}
        out["servers"][name] = entry
        log(f"[{label}] profiled {name}: {json.dumps(entry, default=str)[:300]}")
    return out


def profile_stages(dataset: BenchData, profile: dict[str, Any], query: Query) -> None:
    """Add the stage costs of the point lookup (first resource) to `profile`."""
    assert query.sparql is not None
    try:
        profile["stages_us"] = stage_costs(dataset.data_dir, dataset.synthetic, query.sparql(0))
    except Exception as exc:  # noqa: BLE001 - the profile is extra; report and go on
        profile["stages_error"] = repr(exc)


def stage_costs(data_dir: Path, synthetic: bool, query: str, repeat: int = 2000) -> dict[str, float]:
    """Microseconds per call of each stage of s3graph's request path for `query`, measured
    in this process on the same cached build: the guard, the query in pyoxigraph, JSON
    rendering, the same job in-process, through the deadline executor (a query thread, as
    `s3graph serve` runs it) and through one worker process of the embedded app (pipes,
    pickling), and a whole GET /sparql through the app (test client, in-process executor;
    no HTTP server, no sockets)."""
    from s3graph.build.pipeline import build
    from s3graph.formats.registry import render
    from s3graph.query.engines import OxigraphEngine, select_dataset
    from s3graph.query.executors import Deadline, InProcess, Job, WorkerPool
    from s3graph.query.guard import check
    from s3graph.settings import load_settings
    from s3graph.web import create_app

    overrides: dict[str, Any] = {"data_dir": str(data_dir), "cache_dir": str(WORK / "cache"),
                                 "rate_limit_seconds": 1e9, "rate_limit_errors": 10**9}
    if synthetic:
        overrides.update(reasoner="none", validate_on_build=False)
    settings = load_settings(environ={}, **overrides)
    built = build(settings)
    engine = OxigraphEngine(built, settings.base_iri, in_memory=True)  # as the server processes hold it
    dataset = select_dataset(built)

    def per_call(fn: Callable[[], object], n: int = repeat) -> float:
        fn()
        started = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - started) / n * 1e6

    result = engine.execute(query, dataset)
    job = Job(query, dataset, (), "json", settings.max_results)
    costs = {
        "guard.check": per_call(lambda: check(query, max_length=settings.max_query_length,
                                              max_depth=settings.max_nesting_depth,
                                              allowlist=settings.federation_allowlist, base=settings.base_iri)),
        "engine.execute (pyoxigraph)": per_call(lambda: engine.execute(query, dataset)),
        "render json": per_call(lambda: render(result, "json")),
        "job in-process (execute + render)": per_call(lambda: InProcess(engine).run(job, 60)),
    }
    deadline = Deadline(engine, lambda: None)
    try:
        costs["job through the deadline executor (query thread)"] = per_call(lambda: deadline.run(job, 60))
    finally:
        deadline.close()
    pool = WorkerPool(built, settings.engine, settings.base_iri, 1)
    try:
        costs["job through 1 worker process (embedded app)"] = per_call(lambda: pool.run(job, 60))
    finally:
        pool.close()
    app = create_app(settings, built=built, executor=InProcess(engine))
    client = app.test_client()
    path = "/sparql?" + urllib.parse.urlencode({"query": query})
    costs["GET /sparql via the app's test client (in-process)"] = per_call(
        lambda: client.get(path, headers={"Accept": JSON_RESULTS}), repeat // 2)
    return costs


def profile_text(profile: dict[str, Any]) -> list[str]:
    label = profile["label"]
    where = "bundled data" if label == "bundled" else f"{int(label):,} triples"
    lines = [f"== profile: point lookup on {where} =="]
    for name, entry in profile["servers"].items():
        one, loaded = entry["one_client"], entry["loaded"]
        cpu = loaded["cpu_ms_per_request"]
        server_ms = cpu.get("main", cpu.get("server", math.nan))
        children = sum(v for k, v in cpu.items() if k not in ("main", "server"))
        lines.append(f"{SERVER_TITLES[name]}: 1 client {fmt_rps(one['rps'])} req/s, p50 {one['p50_ms']:.1f} ms, "
                     f"p99 {one['p99_ms']:.1f} ms; {profile['clients']} clients "
                     f"{fmt_rps(loaded['rps'])} req/s, p50 {loaded['p50_ms']:.1f} ms, p99 {loaded['p99_ms']:.1f} ms")
        lines.append(f"    CPU per request: main process {server_ms:.2f} ms, child processes "
                     f"{children:.2f} ms, client {loaded['client_cpu_ms_per_request']:.2f} ms")
        spy = entry.get("py_spy")
        if spy and spy["samples"]:
            lines.append(f"    py-spy --gil ({spy['samples']} samples of GIL-holding threads, all processes):")
            for category, share in spy["share"].items():
                lines.append(f"      {share:5.1f}%  {category}")
    if "stages_us" in profile:
        lines.append("stages of one point lookup, measured alone in the benchmark process (microseconds per call):")
        for stage, us in profile["stages_us"].items():
            lines.append(f"    {us:8.0f}  {stage}")
    if "stages_error" in profile:
        lines.append(f"stages not measured: {profile['stages_error']}")
    return lines


# --- reporting -------------------------------------------------------------------------------

def fmt_rps(x: float) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 1 else f"{x:.2f}"


def fmt_ms(x: float) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:.1f}" if x < 1000 else f"{x / 1000:.1f}s"


def by_query(info: dict[str, Any]) -> dict[str, dict[str, Measure]]:
    table: dict[str, dict[str, Measure]] = {}
    for raw in info["results"]:
        m = Measure(**raw)
        table.setdefault(m.query, {})[m.server] = m
    return table


def bound_rps(m: Measure) -> float | None:
    """Requests/s of a measurement; for one that timed out (or was not run because it would
    have), the most it can be: 1 / timeout. None when it failed otherwise."""
    if m.usable:
        return m.rps
    if m.rps_bound is not None:
        return m.rps_bound
    return None


def ratio(a: Measure | None, b: Measure | None) -> tuple[float, bool] | None:
    """(a's requests/s over b's, True when that is only a lower bound since b timed out)."""
    if a is None or b is None or not a.usable:
        return None
    rb = bound_rps(b)
    if rb is None or rb <= 0:
        return None
    return a.rps / rb, not b.usable


def fmt_ratio(r: tuple[float, bool] | None) -> str:
    if r is None:
        return "-"
    x, lower = r
    text = f"{x:.1f}x" if x < 100 else f"{x:.0f}x"
    return (">" + text) if lower else text


def isolation_cost(w1: Measure | None, w0: Measure | None) -> float | None:
    """How much fewer requests/s one server process with the query deadline (queries in a
    thread of their own, the process replaced on overrun) gives than one process calling the
    engine directly, in % (negative: faster)."""
    if w1 is None or w0 is None or not w1.usable or not w0.usable:
        return None
    return (1 - w1.rps / w0.rps) * 100


def cell(m: Measure | None) -> list[str]:
    if m is None:
        return ["-", "-", "-", "-"]
    if m.skipped:
        label = ("TIMEOUT" if "timeout" in m.errors else "not run" if m.rps_bound is not None
                 else "ERR" if m.errors else "n/a")
        return [label, "-", "-", str(m.error_count) if m.errors else "-"]
    p99 = fmt_ms(m.p99_ms) + ("~" if m.ok < 100 else "")
    return [fmt_rps(m.rps), fmt_ms(m.p50_ms), p99, str(m.error_count)]


def table_text(info: dict[str, Any]) -> str:
    """The per-dataset table."""
    table = by_query(info)
    head1 = [""]
    head2 = ["query"]
    for name in (*S3_SERVERS, RDFLIB):
        head1 += [SERVER_TITLES[name], "", "", ""]
        head2 += ["req/s", "p50 ms", "p99 ms", "err"]
    head1 += ["s3graph/", "isolation"]
    head2 += ["rdflib", "cost"]
    rows = []
    for query in info["queries"]:
        ms = table.get(query, {})
        cost = isolation_cost(ms.get(S3_W1), ms.get(S3_W0))
        rows.append([query, *cell(ms.get(S3_W2)), *cell(ms.get(S3_W1)), *cell(ms.get(S3_W0)), *cell(ms.get(RDFLIB)),
                     fmt_ratio(ratio(ms.get(S3_W2), ms.get(RDFLIB))),
                     "-" if cost is None else f"{cost:+.0f}%"])
    widths = [max(len(r[i]) for r in [head1, head2, *rows]) for i in range(len(head2))]
    lines = []
    for r in [head1, head2, *rows]:
        cells = [r[0].ljust(widths[0])] + [r[i].rjust(widths[i]) for i in range(1, len(r))]
        lines.append("  ".join(cells).rstrip())
    lines.insert(2, "-" * len(lines[1]))
    return "\n".join(lines)


def rows_text(info: dict[str, Any]) -> list[str]:
    """Notes on result sizes: rows per server (from the first request) and where they differ."""
    out = []
    for query, ms in by_query(info).items():
        counts = {name: m.rows for name, m in ms.items() if m.rows is not None}
        if not counts:
            continue
        shown = ", ".join(f"{name} {n}" for name, n in counts.items())
        differ = len(set(counts.values())) > 1
        out.append(f"{query}: rows {shown}" + ("  <- differ" if differ else ""))
    return out


def harmonic_mix(ms: dict[str, dict[str, Measure]], server: str) -> tuple[float, bool] | None:
    """Requests/s of the mix (equal shares of each mix query): n / sum(1/rps); True when an
    upper bound (a query timed out, counted at 1 / timeout)."""
    values = []
    bound = False
    for name in MIX:
        m = ms.get(name, {}).get(server)
        rps = None if m is None else bound_rps(m)
        if m is None or rps is None or rps <= 0:
            return None
        bound = bound or not m.usable
        values.append(rps)
    return len(values) / sum(1 / v for v in values), bound


def targets(info: dict[str, Any]) -> list[tuple[str, bool | None, str]]:
    """(target, passed, figure) for one dataset."""
    ms = by_query(info)
    out: list[tuple[str, bool | None, str]] = []
    point = ms.get(POINT, {})
    r = ratio(point.get(S3_W2), point.get(RDFLIB))
    out.append((f"point lookup: s3graph >= {TARGET_POINT_RATIO}x rdflib-endpoint req/s",
                None if r is None else r[0] >= TARGET_POINT_RATIO, fmt_ratio(r)))
    s3_mix, rdf_mix = harmonic_mix(ms, S3_W2), harmonic_mix(ms, RDFLIB)
    mix_ratio = None
    if s3_mix is not None and rdf_mix is not None and not s3_mix[1]:
        mix_ratio = (s3_mix[0] / rdf_mix[0], rdf_mix[1])
    out.append((f"join/aggregate mix ({', '.join(MIX)}): s3graph >= {TARGET_MIX_RATIO:g}x rdflib-endpoint",
                None if mix_ratio is None else mix_ratio[0] >= TARGET_MIX_RATIO,
                f"{fmt_ratio(mix_ratio)} (mix req/s {fmt_rps(s3_mix[0] if s3_mix else math.nan)} vs "
                f"{'<=' if rdf_mix and rdf_mix[1] else ''}{fmt_rps(rdf_mix[0] if rdf_mix else math.nan)})"))
    w2 = point.get(S3_W2)
    p99 = w2.p99_ms if w2 is not None and w2.usable else None
    out.append((f"point lookup p99 < {TARGET_POINT_P99_MS:g} ms (s3graph, 2 processes, 2 cores)",
                None if p99 is None else p99 < TARGET_POINT_P99_MS,
                "-" if p99 is None else f"{p99:.1f} ms (p50 {w2.p50_ms:.1f} ms)"))  # type: ignore[union-attr]
    costs = []
    for query in info["queries"]:
        c = isolation_cost(ms.get(query, {}).get(S3_W1), ms.get(query, {}).get(S3_W0))
        if c is not None:
            costs.append(1 - c / 100)
    if costs:
        geo = (1 - math.exp(statistics.fmean(math.log(max(x, 1e-9)) for x in costs))) * 100
        pc = isolation_cost(point.get(S3_W1), point.get(S3_W0))
        out.append((f"isolation (query deadline) costs <= {TARGET_ISOLATION_PCT:g}% req/s against the engine "
                    f"called in-process, 1 process each (geometric mean over {len(costs)} queries)",
                    geo <= TARGET_ISOLATION_PCT,
                    f"{geo:+.1f}% (point lookup {'-' if pc is None else f'{pc:+.1f}%'})"))
    else:
        out.append((f"isolation (query deadline) costs <= {TARGET_ISOLATION_PCT:g}%", None, "-"))
    return out


def report(infos: list[dict[str, Any]], plan: Plan, machine: dict[str, Any]) -> str:
    lines = [f"machine: {machine['cpus']} CPUs ({machine['cpu']}), {machine['memory_gb']} GB, "
             f"Python {machine['python']}; " + ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
             + f"; s3graph commit {machine['commit']}",
             f"load: {plan.clients} concurrent clients, {plan.duration:g} s per query and server after "
             f"{plan.warmup:g} s warm-up, per-request timeout {plan.timeout:g} s; slow queries (first "
             f"request > {plan.slow_seconds:g} s) get at most {plan.slow_cap} requests and ~{plan.slow_budget:g} s "
             "(one request only if it takes longer than that)",
             "p99 marked ~ comes from fewer than 100 requests; a ratio >N is a lower bound: rdflib-endpoint timed out "
             "(or was not run, expected to time out) and is counted at 1/timeout req/s; "
             "isolation cost = 1 - req/s(1 process) / req/s(1 process, no deadline); * after a canned query: "
             "parameterised (s3graph gets /queries/<slug>, rdflib-endpoint the SPARQL with VALUES)", ""]
    for info in infos:
        title = "bundled data" if info["label"] == "bundled" else f"synthetic, {int(info['label']):,} triples"
        lines.append(f"== {title} ==")
        served = ", ".join(f"{name} {s['triples']} (ready after {s['ready_seconds']} s)"
                           for name, s in info.get("servers", {}).items())
        lines.append(f"triples in the default graph: {served}")
        if "results" not in info:
            lines.append(f"FAILED: {info.get('error', 'no results')}")
            lines.append("")
            continue
        lines.append(table_text(info))
        for note in info["notes"]:
            lines.append(f"  note: {note}")
        for m in (Measure(**raw) for raw in info["results"]):
            if m.note or m.errors:
                errs = ", ".join(f"{k} x{v}" for k, v in m.errors.items())
                lines.append(f"  {m.server} / {m.query}: {m.note}" + (f" [errors: {errs}]" if errs else ""))
        for text in rows_text(info):
            lines.append(f"  {text}")
        if "profile" in info:
            lines.extend(profile_text(info["profile"]))
        lines.append("targets on this dataset:")
        for name, passed, figure in targets(info):
            verdict = "n/a " if passed is None else "PASS" if passed else "FAIL"
            lines.append(f"  {verdict}  {name}: {figure}")
        lines.append("")
    chosen = next((i for i in infos if i["label"] == TARGET_SIZE and "results" in i), None)
    if chosen is None:
        chosen = next((i for i in infos if "results" in i), None)
    if chosen is not None:
        where = "10^5 triples" if chosen["label"] == TARGET_SIZE else f"{chosen['label']} (10^5 not measured)"
        lines.append(f"== TARGETS (at {where}) ==")
        for name, passed, figure in targets(chosen):
            verdict = "n/a " if passed is None else "PASS" if passed else "FAIL"
            lines.append(f"{verdict}  {name}: {figure}")
    return "\n".join(lines)


def markdown(path: Path) -> str:
    """The tables of a results file (--json) as Markdown, for bench/README.md."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for info in data["datasets"]:
        if "results" not in info:
            continue
        title = "Bundled data" if info["label"] == "bundled" else f"Synthetic, {int(info['label']):,} triples"
        out.append(f"### {title}\n")
        out.append("| query | s3graph 2 processes req/s | p50 ms | p99 ms | 1 process req/s | p50 ms | p99 ms "
                   "| 1 process, no deadline req/s | p50 ms | p99 ms "
                   "| rdflib-endpoint req/s | p50 ms | p99 ms | s3graph / rdflib | isolation cost |")
        out.append("|---|" + "---:|" * 14)
        table = by_query(info)
        for query in info["queries"]:
            ms = table.get(query, {})
            cells = []
            for name in (*S3_SERVERS, RDFLIB):
                rps, p50, p99, errors = cell(ms.get(name))
                cells += [rps + (f" ({errors} err)" if errors not in ("0", "-") else ""), p50, p99]
            cost = isolation_cost(ms.get(S3_W1), ms.get(S3_W0))
            out.append(f"| {query} | " + " | ".join(cells) + f" | {fmt_ratio(ratio(ms.get(S3_W2), ms.get(RDFLIB)))} | "
                       + ("-" if cost is None else f"{cost:+.0f}%") + " |")
        out.append("")
        for name, passed, figure in targets(info):
            verdict = "n/a" if passed is None else "PASS" if passed else "FAIL"
            out.append(f"- **{verdict}** {name}: {figure}")
        out.append("")
    return "\n".join(out)


def machine_info() -> dict[str, Any]:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f"{kb / 1024 / 1024:.0f}"
    versions = {}
    for name in ("s3graph", "pyoxigraph", "rdflib", "flask", "httptools", "rdflib-endpoint", "fastapi",
                 "uvicorn", "h11"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "missing"
    commit = "?"
    with contextlib.suppress(OSError, subprocess.SubprocessError):  # read-only git commands
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip() or "?"
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "s3graph"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        commit += " (s3graph/ has uncommitted changes)" if dirty else ""
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": memory, "python": platform.python_version(),
            "versions": versions, "commit": commit}


# --- owlrl -----------------------------------------------------------------------------------

def measure_owlrl(triples: int, seed: int) -> None:
    """Time s3graph.build.reasoners.closure (owlrl) on the ontology plus `triples` synthetic triples."""
    import rdflib

    from s3graph.build.reasoners import closure

    dataset = prepare_dataset(str(triples), seed)
    graph = rdflib.Graph()
    for path in dataset.files:
        graph.parse(str(path))
    log(f"owlrl: closure of {len(graph)} asserted triples (ontology + {triples} synthetic) ...")
    started = time.perf_counter()
    inferred = closure(iter(graph))
    seconds = time.perf_counter() - started
    print(f"owlrl closure (s3graph.build.reasoners.closure) of {len(graph)} asserted triples: "
          f"{seconds:.1f} s, {len(inferred)} triples inferred")


# --- main ------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="bundled,100000,1000000",
                        help="comma-separated: bundled and/or triple counts (default bundled,100000,1000000)")
    parser.add_argument("--duration", type=float,
                        help="seconds of load per query and server (default 3; 1 with --quick)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--timeout", type=float, default=60.0, help="per-request timeout in seconds (default 60)")
    parser.add_argument("--warmup", type=float, help="seconds of untimed load first (default 0.5; 0.3 with --quick)")
    parser.add_argument("--slow-cap", type=int, default=20, help="most requests for a slow query (default 20)")
    parser.add_argument("--rate-limit-window", type=float,
                        help="s3graph's rate_limit_window in seconds (default: s3graph's own)")
    parser.add_argument("--profile", nargs="?", const="auto", metavar="SIZE",
                        help="also profile the point lookup (CPU per process, py-spy) on this dataset "
                             "(default: 100000 if measured, else the first)")
    parser.add_argument("--quick", action="store_true", help="a fast smoke run on the bundled data only")
    parser.add_argument("--seed", type=int, default=20261124, help="seed of the synthetic data")
    parser.add_argument("--queries-dir", type=Path, default=ROOT / "queries", help="canned queries (default queries/)")
    parser.add_argument("--only", help="comma-separated substrings: run only the queries whose name has one")
    parser.add_argument("--json", type=Path,
                        help="also write the raw results here (default bench/.work/results-<time>.json)")
    parser.add_argument("--markdown", type=Path, metavar="RESULTS_JSON",
                        help="only print the tables of a results file as Markdown, then exit")
    parser.add_argument("--measure-owlrl", type=int, metavar="TRIPLES",
                        help="only time owlrl's closure on this many synthetic triples, then exit")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = "bundled"
    args.duration = args.duration if args.duration is not None else (1.0 if args.quick else 3.0)
    args.warmup = args.warmup if args.warmup is not None else (0.3 if args.quick else 0.5)
    args.only = {s.strip() for s in args.only.split(",")} if args.only else None
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for s in sizes:
        if s != "bundled" and not re.fullmatch(r"[0-9]+", s):
            parser.error(f"--sizes: {s!r} is neither bundled nor a number of triples")
    args.size_list = sizes
    args.profile_size = None
    if args.profile:
        args.profile_size = (TARGET_SIZE if TARGET_SIZE in sizes else sizes[0]) if args.profile == "auto" \
            else args.profile
    if args.clients < 1 or args.duration <= 0 or args.timeout <= 0:
        parser.error("--clients, --duration and --timeout must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve-rdflib"]:
        serve_rdflib(int(argv[1]), argv[2], argv[3:])
        return 0
    args = parse_args(argv)
    if args.measure_owlrl:
        measure_owlrl(args.measure_owlrl, args.seed)
        return 0
    if args.markdown:
        print(markdown(args.markdown))
        return 0
    plan = Plan(clients=args.clients, duration=args.duration, timeout=args.timeout, warmup=args.warmup,
                slow_seconds=1.0, slow_cap=args.slow_cap, slow_budget=max(3 * args.duration, 10.0))
    machine = machine_info()
    started = time.perf_counter()
    infos = []
    for size in args.size_list:
        dataset = prepare_dataset(size, args.seed)
        try:
            infos.append(run_dataset(dataset, args, plan))
        except Exception as exc:  # noqa: BLE001 - one dataset failing must not lose the others
            log(f"[{size}] failed: {exc}")
            infos.append({"label": size, "notes": [], "error": str(exc)})
    text = report(infos, plan, machine)
    print(text)
    print(f"\n(total run time {(time.perf_counter() - started) / 60:.1f} min)")
    out = args.json or WORK / f"results-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "plan": asdict(plan), "datasets": infos}, indent=1,
                              default=str), encoding="utf-8")
    log(f"raw results in {out}")
    return 0 if all("results" in i for i in infos) else 1


if __name__ == "__main__":
    sys.exit(main())
