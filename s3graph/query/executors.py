"""Run queries with a hard deadline, in processes that are replaced when a query overruns.

Neither Oxigraph nor rdflib can be interrupted from Python, so a query that runs too long
(or crashes its process) must cost a process, never the service. Two executors do that:

* `Deadline` hands each query to a query thread of the calling process (Oxigraph releases
  the GIL while it evaluates) and waits with a timeout; past the deadline the caller gets
  a 503 at once and `on_overrun` is called, so that the process is replaced once its other
  requests are done. `s3graph serve` uses it only as a fallback: its server processes run
  a query in the HTTP thread itself and a watchdog answers overruns (`server.watchdog.Watchdog`),
  which saves the two thread hand-offs per query.
* `WorkerPool` sends each query to one of a few worker processes and kills the worker on
  overrun: for the app embedded in another WSGI server, which cannot replace its process.

`InProcess` runs in the calling process without a deadline: for tests and for measuring
what the isolation costs.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import queue
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Protocol

import pyoxigraph as ox

from ..build.store import BuiltGraph
from ..errors import Code, S3GraphError
from ..formats.registry import of_kind, render
from ..terms import Term
from .engines import Bindings, DatasetSpec, Engine, Result, Solutions, Triples, make_engine

log = logging.getLogger("s3graph.workers")
#: How Oxigraph says that a query calls a function it does not have.
_UNKNOWN_FUNCTION = re.compile(r"custom function <([^>]*)> is not supported")


@dataclass(frozen=True)
class Job:
    """One query to run: text, dataset, bound parameters (N-Triples terms), output format."""

    query: str
    dataset: DatasetSpec
    bindings: tuple[tuple[str, str], ...] = ()
    format: str = "json"
    max_results: int = 10000
    client: str = ""  # who asked (for rate limits), not sent to a worker's engine
    max_bytes: int = 1 << 62  # the longest body; a longer result is cut (rows or triples) and marked truncated
    services: tuple[str, ...] = ()  # the allow-listed SERVICE endpoints the query calls (for errors)


@dataclass(frozen=True)
class Outcome:
    """What a job produced: a rendered body, or an error with status and code."""

    ok: bool
    media_type: str = ""
    body: bytes = b""
    truncated: bool = False
    count: int = 0
    status: int = 200
    code: str = ""
    message: str = ""
    seconds: float = 0.0


def encode_bindings(bindings: Mapping[str, Term]) -> tuple[tuple[str, str], ...]:
    """Bindings as (name, N-Triples text) pairs, to send to a worker."""
    return tuple((name, str(term)) for name, term in sorted(bindings.items()))


def _decode_term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    quad = next(iter(ox.parse(f"<urn:s> <urn:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES)))
    return quad.object


def run_job(engine: Engine, job: Job) -> Outcome:
    """Execute and render one job (in whichever process holds the engine)."""
    started = time.perf_counter()
    try:
        bindings = {name: _decode_term(text) for name, text in job.bindings}
        answer = getattr(engine, "answer", None)
        if answer is not None and job.format != "table":  # Oxigraph writes a SELECT's answer itself
            found: Result | Solutions = answer(job.query, job.dataset, bindings, job.max_results, job.max_bytes)
            if isinstance(found, Solutions):
                fmt = of_kind("bindings").get(job.format)
                if fmt is not None and fmt.results_format is not None:
                    body = found.serialize(fmt.results_format)
                    if len(body) <= job.max_bytes:
                        return Outcome(True, fmt.media_type, body, found.truncated, found.count,
                                       seconds=time.perf_counter() - started)
                found = found.bindings()  # cut to fit by our own renderer, below
            result = found
        else:
            result = engine.execute(job.query, job.dataset, bindings, job.max_results)
        if job.format == "table":  # for HTML pages: any result as SPARQL JSON bindings
            result = as_table(result)
        result, media_type, body = _render_within(result, "json" if job.format == "table" else job.format,
                                                  job.max_bytes)
    except S3GraphError as exc:
        return Outcome(False, status=exc.status, code=exc.code, message=exc.message,
                       seconds=time.perf_counter() - started)
    except RuntimeError as exc:
        unknown = _UNKNOWN_FUNCTION.search(str(exc))
        if unknown is None:
            raise  # not the client's fault: reported as an internal error
        return Outcome(False, status=400, code=Code.UNKNOWN_FUNCTION,
                       message=f"the function <{unknown.group(1)}> is not known to this endpoint",
                       seconds=time.perf_counter() - started)
    except OSError:
        # Oxigraph reports a failed SERVICE call (unreachable, bad answer) as an OSError. Its
        # text is not passed on: it would tell open ports from closed ones, and quote the reply.
        called = ", ".join(f"<{s}>" for s in job.services) or "an allow-listed endpoint"
        return Outcome(False, status=502, code=Code.FEDERATION_FAILED,
                       message=f"a federated (SERVICE) call to {called} failed",
                       seconds=time.perf_counter() - started)
    count = len(result.rows) if isinstance(result, Bindings) else \
        len(result.triples) if isinstance(result, Triples) else 1
    truncated = bool(getattr(result, "truncated", False))
    return Outcome(True, media_type, body, truncated, count, seconds=time.perf_counter() - started)


def _render_within(result: Result, fmt: str, max_bytes: int) -> tuple[Result, str, bytes]:
    """Render; a body longer than `max_bytes` is rendered again from fewer rows (or triples),
    marked truncated, until it fits."""
    media_type, body = render(result, fmt)
    while len(body) > max_bytes and isinstance(result, Bindings | Triples):
        items = result.rows if isinstance(result, Bindings) else result.triples
        keep = min(len(items) - 1, int(len(items) * max_bytes / len(body) * 0.9))
        if keep < 0:
            break
        if isinstance(result, Bindings):
            result = Bindings(result.variables, result.rows[:keep], True)
        else:
            result = Triples(result.triples[:keep], True)
        media_type, body = render(result, fmt)
    return result, media_type, body


def as_table(result: Result) -> Result:
    """A CONSTRUCT/DESCRIBE result as subject/predicate/object rows (others unchanged)."""
    if isinstance(result, Triples):
        rows = tuple((t.subject, t.predicate, t.object) for t in result.triples)
        return Bindings(("subject", "predicate", "object"), rows, result.truncated)
    return result


class Executor(Protocol):
    """Something that runs jobs: a pool of worker processes, or the calling process."""

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run `job`, giving up after `timeout` seconds."""
        ...

    def close(self) -> None:
        """Stop whatever the executor started."""
        ...


class InProcess:
    """Runs jobs in the calling process (no deadline): for tests and for measuring isolation."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run `job` now; `timeout` cannot be enforced here."""
        return run_job(self.engine, job)

    def close(self) -> None:
        """Nothing to stop."""


def run_job_safely(engine: Engine, job: Job) -> Outcome:
    """`run_job`, with our own bugs reported as a 500 outcome (logged) instead of raised."""
    try:
        return run_job(engine, job)
    except Exception:  # a process or thread boundary: report, keep serving
        log.exception("query failed")
        return Outcome(False, status=500, code=Code.INTERNAL,
                       message="the query failed inside the server")


def timeout_error(timeout: float) -> S3GraphError:
    """The error a client gets for a query that ran past the deadline."""
    return S3GraphError(f"the query ran past the {timeout:g} s limit and was stopped",
                        status=503, code=Code.QUERY_TIMEOUT)


class Deadline:
    """Runs jobs in threads of this process, answering 503 for any that runs past its deadline.

    Each calling thread (an HTTP thread) hands its jobs to a query thread of its own and
    waits for the outcome with a timeout: two lock operations, about half the cost of a
    thread pool's futures. An overrunning query goes on in its thread (it cannot be
    stopped), so that thread is given up, `on_overrun` is called to have the process
    replaced, and until then the caller gets a fresh query thread for its next job.
    """

    def __init__(self, engine: Engine, on_overrun: Callable[[], None]) -> None:
        self.engine = engine
        self.on_overrun = on_overrun
        self.overruns = 0
        self._local = threading.local()
        self._closed = False

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run `job` in the caller's query thread; past `timeout` give up on it and report."""
        if self._closed:
            raise S3GraphError("the server is shutting down", status=503, code=Code.BUSY)
        runner: _QueryThread | None = getattr(self._local, "runner", None)
        if runner is None:
            runner = self._local.runner = _QueryThread(self.engine)
        outcome = runner.run(job, timeout)
        if outcome is None:
            self._local.runner = None  # stuck in the query: never used again
            self.overruns += 1
            self.on_overrun()
            raise timeout_error(timeout)
        return outcome

    def close(self) -> None:
        """Take no more jobs (a running query cannot be stopped; its thread is abandoned)."""
        self._closed = True


class _QueryThread:
    """One daemon thread that runs one job at a time for one caller."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._go = threading.Lock()
        self._go.acquire()
        self._done = threading.Lock()
        self._done.acquire()
        self._job: Job | None = None
        self._outcome: Outcome | None = None
        threading.Thread(target=self._loop, name="s3graph-query", daemon=True).start()

    def _loop(self) -> None:
        while True:
            self._go.acquire()
            assert self._job is not None
            self._outcome = run_job_safely(self.engine, self._job)
            self._job = None
            self._done.release()

    def run(self, job: Job, timeout: float) -> Outcome | None:
        """The job's outcome, or None when it is still running after `timeout` seconds."""
        self._job = job
        self._go.release()
        if not self._done.acquire(timeout=timeout):
            return None
        outcome, self._outcome = self._outcome, None
        return outcome


def _worker_main(conn: Connection, built: BuiltGraph, engine_name: str, base_iri: str, in_memory: bool) -> None:
    """The loop of a worker process: receive jobs, send outcomes, until told to stop."""
    engine = make_engine(engine_name, built, base_iri, in_memory=in_memory)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        conn.send(run_job_safely(engine, job))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection


class WorkerPool:
    """A fixed number of worker processes, each with its own read-only engine."""

    def __init__(self, built: BuiltGraph, engine_name: str, base_iri: str, size: int,
                 start_timeout: float = 120.0, in_memory: bool = True) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._args = (built, engine_name, base_iri, in_memory)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._start_timeout = start_timeout
        self._closed = False
        self._all: set[int] = set()
        self._lock = threading.Lock()
        self.replaced = 0
        starters = [self._start() for _ in range(size)]
        for worker in starters:
            self._await_ready(worker)
            self._idle.put(worker)

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker_main, args=(child, *self._args), daemon=True,
                                        name="s3graph-worker")
        process.start()
        child.close()
        with self._lock:
            self._all.add(id(process))
        return _Worker(process, parent)

    def _await_ready(self, worker: _Worker) -> None:
        try:  # a worker that dies while starting closes its end of the pipe: EOF, not "ready"
            ready = worker.conn.poll(self._start_timeout) and worker.conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            worker.process.kill()
            raise S3GraphError("a query worker did not start", status=503, code=Code.WORKER_START)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker and start its replacement in the background."""
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self.replaced += 1

        def start_new() -> None:
            # In a thread of its own: nothing may escape it. A replacement that does not start
            # is tried again (three times in all); the pool being closed meanwhile ends it.
            for attempt in range(1, 4):
                if self._closed:
                    return
                fresh = self._start()
                try:
                    self._await_ready(fresh)
                except S3GraphError:
                    if not self._closed:
                        log.warning("a replacement query worker did not start (attempt %d of 3)", attempt)
                    continue
                if self._closed:
                    fresh.process.kill()
                    return
                self._idle.put(fresh)
                return

        threading.Thread(target=start_new, name="s3graph-respawn", daemon=True).start()

    def idle(self) -> int:
        """How many workers are free now."""
        return self._idle.qsize()

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run `job` on a free worker; past `timeout` the worker is killed and 503 returned."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise S3GraphError("all query workers are busy; try again shortly", status=503,
                               code=Code.BUSY) from None
        try:
            worker.conn.send(job)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                outcome: Outcome = worker.conn.recv()
                self._idle.put(worker)
                return outcome
        except (EOFError, OSError):
            self._replace(worker)
            raise S3GraphError("the query crashed its worker process; the worker was replaced",
                               status=500, code=Code.WORKER_CRASHED) from None
        self._replace(worker)
        raise timeout_error(timeout)

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            with contextlib.suppress(OSError):
                worker.conn.send(None)
            worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()


def make_executor(built: BuiltGraph, engine_name: str, base_iri: str, workers: int,
                  engine_factory: Callable[[], Engine] | None = None, in_memory: bool = True) -> Executor:
    """A worker pool of `workers` processes, or in-process execution when `workers` is 0
    (`in_memory`: each loads the build into memory, or opens the on-disk store)."""
    if workers == 0:
        engine = engine_factory() if engine_factory else make_engine(engine_name, built, base_iri, in_memory=in_memory)
        return InProcess(engine)
    return WorkerPool(built, engine_name, base_iri, workers, in_memory=in_memory)
