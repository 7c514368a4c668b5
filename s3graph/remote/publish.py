"""`s3graph publish --to URL`: the built dataset written into an existing store with SPARQL 1.1 Update.

Update, not the Graph Store Protocol: the protocol sends one graph per request, and blank
nodes are scoped to a request, so the ontology's lists and restrictions would become other
blank nodes in each graph that mentions them (the inferred graph and the two merges do).
Here every statement with a blank node goes in one request, as the template of an
`INSERT { ... } WHERE { BIND ... }` with one solution (SPARQL 1.1 lets INSERT DATA carry blank
nodes too, but Virtuoso refuses them there); the other statements follow in INSERT DATA requests of `batch` triples.

The order makes a half-done publication harmless: the manifest graph is dropped first and
written last, after the store's counts of every graph were checked against the build's, so a
front end (`serve --backend`) never serves a store that was left half-written.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..build.store import BuiltGraph
from ..query.portable import PLAIN
from .client import StoreClient, StoreError
from .store import (
    ANSWERS,
    ANSWERS_PLAIN,
    EVERYTHING_GRAPH,
    KEY,
    MANIFEST,
    MANIFEST_GRAPH,
    TRIPLES,
    read_manifest,
    solutions,
    store_graphs,
)

DEFAULT_BATCH = 20000


@dataclass(frozen=True)
class Published:
    """What a publication wrote: triples per graph, requests sent, seconds taken."""

    graphs: dict[str, int]
    requests: int
    seconds: float
    #: the canned queries the store answers as the build does, and the form they are sent in
    answers: Mapping[str, str] = field(default_factory=dict)


def _name(quad: ox.Quad) -> str:
    return EVERYTHING_GRAPH if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value


def _triples(triples: list[ox.Triple]) -> str:
    return " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)


def _block(by_graph: dict[str, list[ox.Triple]]) -> str:
    return " ".join(f"GRAPH <{g}> {{ {_triples(triples)} }}" for g, triples in by_graph.items())


def publish(built: BuiltGraph, client: StoreClient, *, query: StoreClient | None = None,
            batch: int = DEFAULT_BATCH, progress: Callable[[str], None] = lambda _: None,
            answers: Callable[[], Mapping[str, str]] = dict) -> Published:
    """Replace the store's copy of every graph of `built` with the build's, then write the manifest.

    `client` is the update endpoint; `query` the query endpoint the counts are read from
    (the same URL when None: Virtuoso's and QLever's endpoints take both). `answers` is called
    once the graphs are in: the canned queries the store answers as the build does, and in
    which form (`verify.agreeing`), which the manifest names.
    """
    started = time.perf_counter()
    reader = query or client
    graphs = store_graphs(built)
    requests = 0

    def send(text: str) -> None:
        nonlocal requests
        client.update(text)
        requests += 1

    send(f"DROP SILENT GRAPH <{MANIFEST_GRAPH}>")
    send(" ; ".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
    counts: dict[str, int] = defaultdict(int)
    blank: dict[str, list[ox.Triple]] = defaultdict(list)
    pending: dict[str, list[ox.Triple]] = defaultdict(list)
    size = 0
    for quad in ox.parse(path=built.nquads_path, format=ox.RdfFormat.N_QUADS):
        name = _name(quad)
        counts[name] += 1
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            blank[name].append(quad.triple)
            continue
        pending[name].append(quad.triple)
        size += 1
        if size >= batch:
            send(f"INSERT DATA {{ {_block(pending)} }}")
            progress(f"{sum(counts.values())} triples read")
            pending.clear()
            size = 0
    if pending:
        send(f"INSERT DATA {{ {_block(pending)} }}")
    if blank:
        # One solution binds every graph's variable: its blank nodes are the same in each graph.
        # (Virtuoso fails on a template naming several graphs as constants, but not on this.)
        names = {g: f"?g{i}" for i, g in enumerate(blank)}
        template = " ".join(f"GRAPH {names[g]} {{ {_triples(ts)} }}" for g, ts in blank.items())
        binds = " ".join(f"BIND(<{g}> AS {v})" for g, v in names.items())
        send(f"INSERT {{ {template} }} WHERE {{ {binds} }}")
    expected = {g: counts.get(g, 0) for g in graphs}
    found = _counts(reader, graphs)
    wrong = {g: (n, found.get(g, 0)) for g, n in expected.items() if found.get(g, 0) != n}
    if wrong:
        listed = "; ".join(f"<{g}> has {got} triples, {n} were sent" for g, (n, got) in sorted(wrong.items()))
        raise StoreError(f"the store at {reader.url} does not hold what was published: {listed}")
    agreed = answers()
    manifest = ox.NamedNode(MANIFEST)
    triples = [ox.Triple(manifest, ox.NamedNode(KEY), ox.Literal(built.key))]
    triples += [ox.Triple(manifest, ox.NamedNode(ANSWERS_PLAIN if form == PLAIN else ANSWERS), ox.Literal(slug))
                for slug, form in agreed.items()]
    triples += [ox.Triple(ox.NamedNode(g), ox.NamedNode(TRIPLES),
                          ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
                for g, n in expected.items()]
    send(f"INSERT DATA {{ {_block({MANIFEST_GRAPH: triples})} }}")
    written = read_manifest(reader)
    if written is None or written.key != built.key:
        raise StoreError(f"the store at {reader.url} does not show the manifest that was written")
    return Published(expected, requests, time.perf_counter() - started, agreed)


def _counts(reader: StoreClient, graphs: tuple[str, ...]) -> dict[str, int]:
    """The triples of each graph, as the store counts them."""
    answer = reader.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                          named_graphs=graphs, timeout=600)
    return {row["g"].value: int(row["n"].value)
            for row in solutions(answer.body)}

