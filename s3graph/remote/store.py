"""An existing SPARQL 1.1 store in place of the embedded one: the engine the endpoint and the
canned queries use, and a read-only store the pages read, both over the SPARQL Protocol.

`s3graph publish` writes the built dataset into the store under the same graph names; two
graphs the embedded store keeps implicitly get names of their own there, since stores differ
in what their default graph is (Virtuoso's is every graph, Oxigraph's a graph of its own):

* `EVERYTHING_GRAPH`: every triple once, asserted and inferred (the embedded store's default
  graph); every query is sent with it as its default graph.
* `MANIFEST_GRAPH`: the build key and the triples of each graph, written last, so that a
  front end refuses a store that holds another build, or a publication that did not finish.

Blank nodes: SPARQL cannot name a blank node that an earlier answer gave, so the page
look-ups that follow blank nodes (an OWL list, a restriction, a date) read them from a copy
of every statement that has a blank node, fetched in one answer when first needed (one
answer keeps their identities); statements without one are asked for each time (and kept in
a bounded cache: the data is immutable per build).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from ..build.store import ASSERTED_MERGE, BuiltGraph
from ..errors import Code, QueryError
from ..query.catalog import with_values
from ..query.engines import EVERYTHING, DatasetSpec, Engine, make_engine
from ..query.inline import inline
from ..query.portable import PLAIN, PLANNED
from ..query.second_reading import parse_with_rdflib
from ..results import Bindings, Boolean, Result, Triples
from ..settings import Settings
from ..terms import Term
from .client import RESULTS_JSON, TURTLE, StoreClient, StoreError

log = logging.getLogger("s3graph.remote")

EVERYTHING_GRAPH = "urn:s3graph:everything"
MANIFEST_GRAPH = "urn:s3graph:manifest"
MANIFEST = "urn:s3graph:build"
KEY = "urn:s3graph:key"
TRIPLES = "urn:s3graph:triples"  # on a graph: how many triples it holds
ANSWERS = "urn:s3graph:answers"  # on the build: a canned query the store answers as the build does
ANSWERS_PLAIN = "urn:s3graph:answersPlain"  # the same, when sent in the PLAIN form (query.portable)

Subject = ox.NamedNode | ox.BlankNode
Object = ox.NamedNode | ox.BlankNode | ox.Literal
GraphName = ox.NamedNode | ox.DefaultGraph


#: The one place a backend's password is read from (never a settings file or a command line).
PASSWORD_ENV = "S3GRAPH_BACKEND_PASSWORD"


def backend_client(settings: Settings, url: str | None = None) -> StoreClient:
    """The client of the backend store (or of `url`) with the settings' credentials."""
    return StoreClient(url or settings.backend, user=settings.backend_user, auth=settings.backend_auth,
                       password=os.environ.get(PASSWORD_ENV, ""), max_bytes=4 * settings.max_response_bytes)


def query_timeout(settings: Settings) -> float:
    """How long a backend query may take: a little less than the deadline the server
    process enforces, so that the 503 comes from here and the process is not replaced."""
    return max(0.1, settings.query_timeout * 0.95 - 0.05)


def engine_for(settings: Settings, built: BuiltGraph, in_memory: bool = False) -> Engine:
    """The engine the settings call for: the backend store's, or the embedded one."""
    if settings.backend:
        return RemoteEngine(backend_client(settings), query_timeout(settings), settings.base_iri,
                            RemoteStore(backend_client(settings), built, query_timeout(settings)))
    return make_engine(settings.engine, built, settings.base_iri, in_memory=in_memory)


def store_graphs(built: BuiltGraph) -> tuple[str, ...]:
    """Every graph the store holds for a build, as named graphs (the manifest aside)."""
    return (*built.graph_iris(), ASSERTED_MERGE, EVERYTHING_GRAPH)


def _graph_iri(name: str) -> str:
    return EVERYTHING_GRAPH if name == EVERYTHING else name


_LABEL = re.compile(r"[A-Za-z0-9_]+")


def _fit_blank_labels(body: bytes) -> bytes:
    """The answer with every blank-node label one Oxigraph reads: a store may use any string
    (Virtuoso writes `nodeID://b10029`); an answer's labels only need to stay apart."""
    if b'"bnode"' not in body:
        return body

    def fit(value: object) -> object:
        if isinstance(value, dict):
            if value.get("type") == "bnode" and not _LABEL.fullmatch(str(value.get("value", ""))):
                return {**value, "value": "x" + str(value.get("value", "")).encode().hex()}
            return {k: fit(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fit(v) for v in value]
        return value

    try:
        return json.dumps(fit(json.loads(body))).encode()
    except ValueError:
        return body  # the parser below says what is wrong


def _parsed(body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
    try:
        return ox.parse_query_results(_fit_blank_labels(body), format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        log.warning("the store's results cannot be read: %s", exc)
        raise StoreError("the store answered results that cannot be read") from None


def solutions(body: bytes) -> list[ox.QuerySolution]:
    """The rows of a store's JSON answer to one of our own SELECTs."""
    parsed = _parsed(body)
    if not isinstance(parsed, ox.QuerySolutions):
        raise StoreError("the store answered a boolean to a SELECT")
    return _rows(parsed)


def _rows(parsed: ox.QuerySolutions) -> list[ox.QuerySolution]:
    try:
        return list(parsed)
    except (SyntaxError, ValueError) as exc:
        log.warning("the store's results cannot be read: %s", exc)
        raise StoreError("the store answered results that cannot be read") from None


def parse_answer(answer_type: str, body: bytes, max_results: int) -> Result:
    """A store's answer in the result model, cut at max_results."""
    if answer_type == RESULTS_JSON:
        parsed = _parsed(body)
        if isinstance(parsed, ox.QueryBoolean):
            return Boolean(bool(parsed))
        variables = tuple(v.value for v in parsed.variables)
        rows: list[tuple[Term | None, ...]] = []
        for solution in _rows(parsed):
            if len(rows) == max_results:
                return Bindings(variables, tuple(rows), True)
            rows.append(tuple(solution[v] for v in variables))
        return Bindings(variables, tuple(rows))
    if answer_type in (TURTLE, "application/n-triples", "text/plain"):
        triples: list[ox.Triple] = []
        try:
            for quad in ox.parse(body, format=ox.RdfFormat.TURTLE):
                if len(triples) == max_results:
                    return Triples(tuple(triples), True)
                triples.append(quad.triple)
        except SyntaxError as exc:
            log.warning("the store's graph cannot be read: %s", exc)
            raise StoreError("the store answered a graph that cannot be read") from None
        return Triples(tuple(triples))
    raise StoreError(f"the store answered {answer_type or 'no media type'}, which is not what was asked for")


class RemoteEngine:
    """The engine that sends every query to the store (the `Engine` protocol of query.engines).

    Parameters are written into the query as the embedded engine writes them (`query.inline`:
    constants, and a VALUES block at the start of the WHERE group for the columns); where that rewrite
    does not parse (read once per query text and kinds of terms, by rdflib's parser: nothing
    is evaluated), as VALUES blocks (`catalog.with_values`), the same answers as the embedded
    engine's substitution. The whole exchange has a deadline
    a little shorter than the query timeout, so that a query the store is still running
    is the client's 503 from here, and the process answering it is free again (nothing to
    replace: the store's own work is the store's to stop).
    """

    name = "remote"

    def __init__(self, client: StoreClient, timeout: float, base_iri: str | None = None,
                 store: RemoteStore | None = None) -> None:
        self.client = client
        self.timeout = timeout
        self.base_iri = base_iri
        self.store = store  # for the service's internal look-ups, as OxigraphEngine.store
        self._inlines: dict[tuple[str, tuple[tuple[str, str], ...]], bool] = {}

    def execute(self, query: str, dataset: DatasetSpec, bindings: Mapping[str, Term] | None = None,
                max_results: int = 10000) -> Result:
        """Run `query` in the store on `dataset`."""
        text = self._bound(query, bindings) if bindings else query
        if self.base_iri:  # as the embedded engine's base IRI: a BASE of the query's own resolves against it
            text = f"BASE <{self.base_iri}>\n{text}"
        try:
            answer = self.client.query(text, default_graphs=tuple(_graph_iri(g) for g in dataset.default_graphs),
                                       named_graphs=dataset.named_graphs, timeout=self.timeout)
        except StoreError as exc:
            raise QueryError(exc.message, status=exc.status, code=exc.code) from None
        return parse_answer(answer.media_type, answer.body, max_results)

    def _bound(self, query: str, bindings: Mapping[str, Term]) -> str:
        """The query with its parameters written in (inlined where that parses, else VALUES)."""
        shape = (query, tuple(sorted((k, type(v).__name__) for k, v in bindings.items())))
        inlined = inline(query, bindings, values=True)
        if shape not in self._inlines:
            try:
                parse_with_rdflib(inlined)
                self._inlines[shape] = True
            except QueryError:
                self._inlines[shape] = False
        return inlined if self._inlines[shape] else with_values(query, bindings)


class RemoteStore:
    """The parts of a read-only `pyoxigraph.Store` the pages use (`query`, `quads_for_pattern`),
    answered by the store: the default graph is EVERYTHING_GRAPH, and every stored graph,
    ASSERTED_MERGE too, is a named graph, as in the embedded store."""

    def __init__(self, client: StoreClient, built: BuiltGraph, timeout: float = 30.0,
                 cache_entries: int = 4096) -> None:
        self.client = client
        self.timeout = timeout
        self.named = (*built.graph_iris(), ASSERTED_MERGE)
        self._blank: ox.Store | None = None
        self._cache: OrderedDict[tuple[str, ...], list[ox.Quad]] = OrderedDict()
        self._cache_entries = cache_entries
        self._lock = threading.Lock()

    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean:
        """A SELECT or ASK over the default graph, every stored graph named."""
        answer = self.client.query(sparql, default_graphs=(EVERYTHING_GRAPH,), named_graphs=self.named,
                                   timeout=self.timeout)
        if answer.media_type != RESULTS_JSON:
            raise StoreError(f"the store answered {answer.media_type} to a SELECT")
        return _parsed(answer.body)

    def _blank_statements(self) -> ox.Store:
        """Every statement with a blank node (subject or object), from one answer."""
        with self._lock:
            if self._blank is None:
                found = ox.Store()
                answer = self.client.query(
                    "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }",
                    named_graphs=(*self.named, EVERYTHING_GRAPH), timeout=self.timeout)
                for row in solutions(answer.body):
                    graph = row["g"]
                    name = ox.DefaultGraph() if graph == ox.NamedNode(EVERYTHING_GRAPH) else graph
                    found.add(ox.Quad(row["s"], row["p"], row["o"], name))
                self._blank = found
            return self._blank

    def quads_for_pattern(self, subject: Subject | None, predicate: ox.NamedNode | None, obj: Object | None,
                          graph_name: GraphName | None = None) -> Iterator[ox.Quad]:
        """The quads matching the pattern (None matches anything; a graph of None, every graph)."""
        blank = self._blank_statements()
        local = list(blank.quads_for_pattern(subject, predicate, obj, graph_name))
        if isinstance(subject, ox.BlankNode) or isinstance(obj, ox.BlankNode):
            return iter(local)  # every statement of a blank node is in the copy
        return iter(self._without_blank(subject, predicate, obj, graph_name) + local)

    def _without_blank(self, subject: Subject | None, predicate: ox.NamedNode | None, obj: Object | None,
                       graph_name: GraphName | None) -> list[ox.Quad]:
        key = tuple(str(t) if t is not None else "" for t in (subject, predicate, obj, graph_name))
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        terms = [str(t) if t is not None else v for t, v in ((subject, "?s"), (predicate, "?p"), (obj, "?o"))]
        named: tuple[str, ...]
        if isinstance(graph_name, ox.DefaultGraph):
            where, named = f"GRAPH <{EVERYTHING_GRAPH}>", (EVERYTHING_GRAPH,)
        elif graph_name is None:
            where, named = "GRAPH ?g", (*self.named, EVERYTHING_GRAPH)
        else:
            where, named = f"GRAPH {graph_name}", (graph_name.value,)
        filters = " && ".join(f"!isBlank({v})" for t, v in ((subject, "?s"), (obj, "?o")) if t is None)
        pattern = " ".join(terms) + (f" FILTER({filters})" if filters else "")
        answer = self.client.query(f"SELECT * WHERE {{ {where} {{ {pattern} }} }}", named_graphs=named,
                                   timeout=self.timeout)
        quads = list(_quads(answer.body, (subject, predicate, obj), graph_name))
        with self._lock:
            if len(quads) <= 10000:
                self._cache[key] = quads
                while len(self._cache) > self._cache_entries:
                    self._cache.popitem(last=False)
        return quads

    def __len__(self) -> int:
        solutions = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert isinstance(solutions, ox.QuerySolutions)
        return int(next(iter(solutions))["n"].value)


def _quads(body: bytes, fixed: tuple[Subject | None, ox.NamedNode | None, Object | None],
           graph_name: GraphName | None) -> Iterable[ox.Quad]:
    everything = ox.NamedNode(EVERYTHING_GRAPH)
    for row in solutions(body):
        s = fixed[0] or row["s"]
        p = fixed[1] or row["p"]
        o = fixed[2] or row["o"]
        if graph_name is None:
            g = row["g"]
            name: GraphName = ox.DefaultGraph() if g == everything else g
        else:
            name = graph_name
        yield ox.Quad(s, p, o, name)


@dataclass(frozen=True)
class Manifest:
    """What a publication says the store holds: the build, each graph's triples, and the canned
    queries the store answers as the build does (`verify`)."""

    key: str
    triples: dict[str, int]
    answers: dict[str, str]  # slug: the form the store answers it in (query.portable.FORMS)


def read_manifest(client: StoreClient, timeout: float = 30.0) -> Manifest | None:
    """The store's manifest; None when nothing was published there (or a publication did not finish)."""
    answer = client.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ ?s ?p ?o }} }}",
                          named_graphs=(MANIFEST_GRAPH,), timeout=timeout)
    key: str | None = None
    triples: dict[str, int] = {}
    answers: dict[str, str] = {}
    for row in solutions(answer.body):
        s, p, o = row["s"], row["p"], row["o"]
        if p == ox.NamedNode(KEY) and s == ox.NamedNode(MANIFEST):
            key = o.value
        elif p == ox.NamedNode(TRIPLES):
            triples[s.value] = int(o.value)
        elif p == ox.NamedNode(ANSWERS):
            answers.setdefault(o.value, PLANNED)
        elif p == ox.NamedNode(ANSWERS_PLAIN):
            answers[o.value] = PLAIN
    return Manifest(key, triples, answers) if key is not None else None


def check_backend(client: StoreClient, built: BuiltGraph, timeout: float = 30.0) -> None:
    """Refuse a store that does not hold this build, naming what is wrong."""
    manifest = read_manifest(client, timeout)
    if manifest is None:
        raise StoreError(f"the store at {client.url} holds no s3graph build (run `s3graph publish --to ...` first)",
                         code=Code.BACKEND_FAILED)
    if manifest.key != built.key:
        raise StoreError(f"the store at {client.url} holds build {manifest.key}, not this one ({built.key}): "
                         "publish this build to it first", code=Code.BACKEND_FAILED)
