"""Engines in a registry (Oxigraph, the default, and rdflib) running a query on the built dataset,
giving one result model."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

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

    def execute(self, query: str, dataset: DatasetSpec,
                bindings: Mapping[str, Term] | None = None,
                max_results: int = 10000) -> Result:
        """Run `query` with Oxigraph; bindings are written into it as constants (query.inline),
        or, where that rewrite does not parse, given to Oxigraph as substitutions."""
        default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
            ox.DefaultGraph() if g == EVERYTHING else ox.NamedNode(g) for g in dataset.default_graphs]
        named_graphs: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in dataset.named_graphs]
        shape = (query, tuple(sorted((k, type(v).__name__) for k, v in bindings.items()))) if bindings else None
        if bindings and shape is not None and self.inline_bindings and self._inlines.get(shape, True):
            try:
                result = self.store.query(inline(query, bindings), base_iri=self.base_iri,
                                          default_graph=default_graph, named_graphs=named_graphs)
                self._inlines[shape] = True
                return _collect(result, max_results)
            except SyntaxError:
                self._inlines[shape] = False  # e.g. a literal that would land in a subject
        substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        try:
            result = self.store.query(query, base_iri=self.base_iri, default_graph=default_graph,
                                      named_graphs=named_graphs, substitutions=substitutions or None)
        except SyntaxError as exc:
            raise QueryError(describe_syntax_error(exc), code=Code.SYNTAX_ERROR) from None
        return _collect(result, max_results)


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
            rows.append(tuple(solution[v] for v in variables))
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
