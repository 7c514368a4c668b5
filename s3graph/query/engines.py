"""Engines in a registry (Oxigraph, the default, and rdflib) running a query on the built dataset,
giving one result model."""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import IO, Protocol, cast

import pyoxigraph as ox
import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from ..build.store import ASSERTED_MERGE, BuiltGraph
from ..errors import Code, QueryError
from ..registry import Registry
from ..results import Bindings, Boolean, Result, Triples
from ..terms import Term, from_rdflib, to_rdflib
from .guard import describe_syntax_error
from .inline import inline
from .second_reading import parse_with_rdflib

#: Stands, in a DatasetSpec, for the store's own default graph: the merge (set union) of every
#: asserted graph and the inferred graph, materialised at build time. A union of named graphs
#: would repeat a triple stated by two sources (Oxigraph joins the listed graphs without
#: removing duplicates) and is slower to query than one graph.
EVERYTHING = ""


@dataclass(frozen=True)
class DatasetSpec:
    """The RDF dataset a query sees: which stored graphs form the default graph, which are named."""

    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]

    def __repr__(self) -> str:
        return self._short

    @cached_property
    def _short(self) -> str:
        """A short text naming exactly these graphs (entity tags are made from it, one a request;
        the graphs written out are over a kilobyte)."""
        digest = hashlib.sha256(repr((self.default_graphs, self.named_graphs)).encode()).hexdigest()[:24]
        return f"DatasetSpec({len(self.default_graphs)} default, {len(self.named_graphs)} named, {digest})"


def select_dataset(built: BuiltGraph, *, infer: bool = True,
                   default_graph_uris: Iterable[str] = (),
                   named_graph_uris: Iterable[str] = ()) -> DatasetSpec:
    """The dataset for a request: stored graphs only, never fetched; unknown graphs are a 400.

    Without dataset parameters the default graph is the merge of the asserted graphs, with
    the inferred graph when `infer` is true, and every stored graph is available by name.
    """
    defaults, named = tuple(default_graph_uris), tuple(named_graph_uris)
    known = set(built.graph_iris())
    for iri in defaults + named:
        if iri not in known:
            raise QueryError(f"unknown graph <{iri}>: only stored graphs can be used "
                             "(the service description lists them)", code=Code.UNKNOWN_GRAPH)
    if defaults or named:
        return DatasetSpec(defaults, named)
    return DatasetSpec((EVERYTHING if infer else ASSERTED_MERGE,), built.graph_iris())


class Engine(Protocol):
    """What every engine offers: run one query on one dataset."""

    name: str

    def execute(self, query: str, dataset: DatasetSpec,
                bindings: Mapping[str, Term] | None = None,
                max_results: int = 10000) -> Result:
        """Run `query`; rows or triples past `max_results` are cut and marked truncated."""
        ...


_OX_POSITION = re.compile(r"(\d+):(\d+)")


class OxigraphEngine:
    """Queries answered by Oxigraph from the read-only on-disk store."""

    name = "oxigraph"

    def __init__(self, built: BuiltGraph, base_iri: str | None = None, in_memory: bool = False,
                 inline_bindings: bool = True) -> None:
        if in_memory:
            # Several times faster than the on-disk store for scans and joins, at the cost of
            # memory and of a load at start (the query workers use it).
            self.store = ox.Store()
            self.store.bulk_load(path=built.nquads_path, format=ox.RdfFormat.N_QUADS)
        else:
            self.store = built.open_store()
        self.base_iri = base_iri
        #: per query text and kinds of bound terms: whether the bindings can be written in
        #: (query.inline) or need Oxigraph's substitution
        self._inlines: dict[tuple[str, tuple[tuple[str, str], ...]], bool] = {}
        self.inline_bindings = inline_bindings
        self._datasets: dict[DatasetSpec, tuple[list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph],
                                                list[ox.NamedNode | ox.BlankNode]]] = {}

    def execute(self, query: str, dataset: DatasetSpec,
                bindings: Mapping[str, Term] | None = None,
                max_results: int = 10000) -> Result:
        """Run `query` with Oxigraph; bindings are written into it as constants (query.inline),
        or, where that rewrite does not parse, given to Oxigraph as substitutions."""
        return _collect(self._evaluate(query, dataset, bindings), max_results)

    def answer(self, query: str, dataset: DatasetSpec, bindings: Mapping[str, Term] | None = None,
               max_results: int = 10000, max_bytes: int = 1 << 62) -> Result | Solutions:
        """`execute`, but a SELECT's rows stay Oxigraph's: read as its TSV serialisation (one
        line a row, so they are counted and cut at `max_results` exactly, and at about
        `max_bytes`), for Oxigraph to write in the format asked for. A point lookup's answer
        costs a third of reading its terms into Python and rendering them there."""
        result = self._evaluate(query, dataset, bindings)
        if not isinstance(result, ox.QuerySolutions):
            return _collect(result, max_results)
        target = _Rows(max_results, max_bytes)
        with contextlib.suppress(_Enough):
            result.serialize(cast(IO[bytes], target), format=ox.QueryResultsFormat.TSV)
        return target.solutions()

    def _evaluate(self, query: str, dataset: DatasetSpec,
                  bindings: Mapping[str, Term] | None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        default_graph, named_graphs = self._graphs(dataset)
        shape = (query, tuple(sorted((k, type(v).__name__) for k, v in bindings.items()))) if bindings else None
        if bindings and shape is not None and self.inline_bindings and self._inlines.get(shape, True):
            try:
                result = self.store.query(inline(query, bindings), base_iri=self.base_iri,
                                          default_graph=default_graph, named_graphs=named_graphs)
                self._inlines[shape] = True
                return result
            except SyntaxError:
                self._inlines[shape] = False  # e.g. a literal that would land in a subject
        substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        try:
            return self.store.query(query, base_iri=self.base_iri, default_graph=default_graph,
                                    named_graphs=named_graphs, substitutions=substitutions or None)
        except SyntaxError as exc:
            raise QueryError(describe_syntax_error(exc), code=Code.SYNTAX_ERROR) from None

    def _graphs(self, dataset: DatasetSpec) -> tuple[list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph],
                                                   list[ox.NamedNode | ox.BlankNode]]:
        """A dataset's graphs as Oxigraph's terms, made once per dataset (most queries use one
        of two datasets, and making the terms cost as much as a point lookup's evaluation)."""
        found = self._datasets.get(dataset)
        if found is None:
            found = ([ox.DefaultGraph() if g == EVERYTHING else ox.NamedNode(g) for g in dataset.default_graphs],
                     [ox.NamedNode(g) for g in dataset.named_graphs])
            if len(self._datasets) >= REMEMBERED_DATASETS:
                self._datasets.clear()
            self._datasets[dataset] = found
        return found


#: How many datasets an engine keeps the Oxigraph terms of (most queries use the default ones).
REMEMBERED_DATASETS = 64


class _Enough(Exception):
    """Raised from inside Oxigraph's writer: no more rows are wanted."""


class _Rows:
    """Where Oxigraph writes a SELECT's TSV: counts its lines (a header, then one a row: the
    format escapes tabs and line breaks inside terms) and stops it past `limit` rows, or when
    more comes after `max_bytes` bytes (so that `stopped` means rows were left out)."""

    def __init__(self, limit: int, max_bytes: int) -> None:
        self.limit = limit
        self.max_bytes = max_bytes
        self.parts: list[bytes] = []
        self.lines = 0
        self.size = 0
        self.stopped = False

    def write(self, data: bytes) -> int:
        if self.stopped:  # Oxigraph writes what it holds once more as it gives up: not wanted
            raise _Enough
        if self.size > self.max_bytes:  # the bytes already read were too many, and more come
            self.stopped = True
            raise _Enough
        chunk = bytes(data)
        self.parts.append(chunk)
        self.lines += chunk.count(b"\n")
        self.size += len(chunk)
        if self.lines > self.limit + 1:  # a row more than wanted: the answer is cut
            self.stopped = True
            raise _Enough
        return len(chunk)

    def flush(self) -> None:
        """Nothing is buffered here."""

    def solutions(self) -> Solutions:
        """The rows read, whole lines only, at most `limit`."""
        tsv = b"".join(self.parts)
        if not self.stopped:
            return Solutions(tsv, self.lines - 1, False)
        kept = min(self.limit, max(0, self.lines - 1))
        lines = tsv.split(b"\n", kept + 1)[:kept + 1]
        return Solutions(b"\n".join(lines) + b"\n", kept, True)


@dataclass(frozen=True)
class Solutions:
    """A SELECT's answer as Oxigraph's TSV (`OxigraphEngine.answer`): rows counted, written in
    another results format by Oxigraph itself, read into `Bindings` only where our own
    renderers need the terms."""

    tsv: bytes
    count: int
    truncated: bool

    def serialize(self, fmt: ox.QueryResultsFormat) -> bytes:
        """The rows in one of Oxigraph's query results formats."""
        if fmt == ox.QueryResultsFormat.TSV:
            return self.tsv
        body = ox.parse_query_results(self.tsv, format=ox.QueryResultsFormat.TSV).serialize(format=fmt)
        assert body is not None  # no output given: the bytes are returned
        return body

    def bindings(self) -> Bindings:
        """The rows as terms."""
        solutions = ox.parse_query_results(self.tsv, format=ox.QueryResultsFormat.TSV)
        assert isinstance(solutions, ox.QuerySolutions)
        variables = tuple(v.value for v in solutions.variables)
        return Bindings(variables, tuple(tuple(row) for row in solutions), self.truncated)


def _collect(result: object, max_results: int) -> Result:
    """Read an Oxigraph result into the result model, up to max_results items."""
    if isinstance(result, ox.QueryBoolean):
        return Boolean(bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = tuple(v.value for v in result.variables)
        rows: list[tuple[Term | None, ...]] = []
        for solution in result:
            if len(rows) == max_results:
                return Bindings(variables, tuple(rows), True)
            rows.append(tuple(solution))  # the values in the order of the variables
        return Bindings(variables, tuple(rows))
    triples: list[ox.Triple] = []
    for triple in result:  # type: ignore[attr-defined]
        if len(triples) == max_results:
            return Triples(tuple(triples), True)
        triples.append(triple)
    return Triples(tuple(triples))


class RdflibEngine:
    """Queries answered by rdflib's own engine (slow; kept for cross-checking)."""

    name = "rdflib"

    def __init__(self, built: BuiltGraph, base_iri: str | None = None) -> None:
        self.source = built.rdflib_dataset()
        self.base_iri = base_iri
        self._views: dict[DatasetSpec, rdflib.Dataset] = {}
        self._lock = threading.Lock()

    def _view(self, spec: DatasetSpec) -> rdflib.Dataset:
        """A dataset holding exactly `spec`: the default graph a copy of the union."""
        with self._lock:
            view = self._views.get(spec)
            if view is None:
                view = rdflib.Dataset()
                default = view.graph(DATASET_DEFAULT_GRAPH_ID)
                for iri in spec.default_graphs:
                    name = DATASET_DEFAULT_GRAPH_ID if iri == EVERYTHING else rdflib.URIRef(iri)
                    for triple in self.source.graph(name):
                        default.add(triple)
                for iri in spec.named_graphs:
                    target = view.graph(rdflib.URIRef(iri))
                    for triple in self.source.graph(rdflib.URIRef(iri)):
                        target.add(triple)
                self._views[spec] = view
            return view

    def execute(self, query: str, dataset: DatasetSpec,
                bindings: Mapping[str, Term] | None = None,
                max_results: int = 10000) -> Result:
        """Run `query` with rdflib; FROM clauses are never loaded (the dataset is given)."""
        parsed = parse_with_rdflib(query)
        # The dataset is chosen by the caller; a FROM clause must never make rdflib fetch.
        parsed.algebra["datasetClause"] = None
        init = {k: to_rdflib(v) for k, v in (bindings or {}).items()}
        result = self._view(dataset).query(parsed, initBindings=init, base=self.base_iri)
        if result.type == "ASK":
            return Boolean(bool(result.askAnswer))
        if result.type == "SELECT":
            variables = tuple(str(v) for v in (result.vars or ()))
            rows: list[tuple[Term | None, ...]] = []
            for row in result:
                if len(rows) == max_results:
                    return Bindings(variables, tuple(rows), True)
                rows.append(tuple(None if row[i] is None else from_rdflib(row[i])  # type: ignore[index]
                                  for i in range(len(variables))))
            return Bindings(variables, tuple(rows))
        triples: list[ox.Triple] = []
        for s, p, o in result.graph or ():
            if len(triples) == max_results:
                return Triples(tuple(triples), True)
            triples.append(ox.Triple(from_rdflib(s), from_rdflib(p), from_rdflib(o)))  # type: ignore[arg-type]
        return Triples(tuple(triples))


class EngineFactory(Protocol):
    """Makes an engine over a built dataset (`in_memory`: load it into memory, where offered)."""

    def __call__(self, built: BuiltGraph, base_iri: str | None = None, in_memory: bool = False) -> Engine:
        """The engine."""
        ...


def _rdflib(built: BuiltGraph, base_iri: str | None = None, in_memory: bool = False) -> Engine:
    return RdflibEngine(built, base_iri)  # rdflib always holds the dataset in memory


ENGINES: Registry[EngineFactory] = Registry("engine", {"oxigraph": OxigraphEngine, "rdflib": _rdflib})


def make_engine(name: str, built: BuiltGraph, base_iri: str | None = None,
                in_memory: bool = False) -> Engine:
    """The engine called `name` over `built`; an unknown name is an error listing the engines."""
    return ENGINES.pick(name)(built, base_iri, in_memory)
