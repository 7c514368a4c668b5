"""Every output format in one table: name, aliases, media types, service-description IRI, renderer.

Negotiation, the renderers, the service description, the dumps and the command line all
read this table; nothing else lists formats.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

import pyoxigraph as ox

from ..errors import Code, S3GraphError
from ..results import Result, Triples
from . import rdf, results

#: The result kinds: "bindings" for SELECT and ASK, "graph" for CONSTRUCT and DESCRIBE.
KINDS = ("bindings", "graph")
FORMATS_NS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    """One output format of one result kind."""

    name: str  # for format= and the command line
    kind: str  # "bindings" or "graph"
    media_types: tuple[str, ...]  # the first is the one sent as Content-Type
    aliases: tuple[str, ...] = ()  # other names accepted in format=
    rank: int = 0  # server preference when Accept ties (lower wins)
    sd_name: str | None = None  # the format's IRI is FORMATS_NS + sd_name
    render: Callable[[Result], bytes] | None = None  # None: a page, rendered by the web layer
    rdf_format: ox.RdfFormat | None = None  # RDF serialisations only
    dump: bool = False  # offered by `s3graph export` (and the dumps)
    results_format: ox.QueryResultsFormat | None = None  # query results formats Oxigraph writes itself

    @property
    def media_type(self) -> str:
        """The media type sent as Content-Type."""
        return self.media_types[0]

    @property
    def is_page(self) -> bool:
        """True for the HTML page (rendered by the web layer, not here)."""
        return self.render is None


def _rdf(name: str, media_types: tuple[str, ...], aliases: tuple[str, ...], rank: int, sd_name: str,
         rdf_format: ox.RdfFormat, dump: bool = True) -> Format:
    return Format(name, "graph", media_types, aliases, rank, sd_name, rdf.renderer(rdf_format), rdf_format, dump)


#: The table, in the order formats are offered (links, lists); per kind the first is the default.
FORMATS: tuple[Format, ...] = (
    Format("json", "bindings", ("application/sparql-results+json", "application/json"), ("srj",), 0,
           "SPARQL_Results_JSON", results.render_json, results_format=ox.QueryResultsFormat.JSON),
    Format("xml", "bindings", ("application/sparql-results+xml", "application/xml", "text/xml"), ("srx",), 3,
           "SPARQL_Results_XML", results.render_xml, results_format=ox.QueryResultsFormat.XML),
    Format("csv", "bindings", ("text/csv",), (), 1, "SPARQL_Results_CSV", results.render_csv,
           results_format=ox.QueryResultsFormat.CSV),
    Format("tsv", "bindings", ("text/tab-separated-values",), (), 2, "SPARQL_Results_TSV", results.render_tsv,
           results_format=ox.QueryResultsFormat.TSV),
    Format("html", "bindings", ("text/html",), (), 4),
    # Turtle is a subset of N3 (every Turtle document is an N3 document with the same triples),
    # so a client asking for N3 can read our Turtle: the N3 names and types are Turtle's aliases.
    _rdf("ttl", ("text/turtle", "application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3",
                 "application/n3"), ("turtle", "n3"), 0, "Turtle", ox.RdfFormat.TURTLE),
    _rdf("jsonld", ("application/ld+json", "application/json", "application/x-json+ld"), ("json-ld", "json"), 1,
         "JSON-LD", ox.RdfFormat.JSON_LD),
    _rdf("nt", ("application/n-triples", "text/plain"), ("ntriples", "n-triples"), 2, "N-Triples",
         ox.RdfFormat.N_TRIPLES),
    _rdf("xml", ("application/rdf+xml", "application/xml"), ("rdfxml", "rdf+xml", "rdf"), 3, "RDF_XML",
         ox.RdfFormat.RDF_XML, dump=False),
    _rdf("trig", ("application/trig",), (), 4, "TriG", ox.RdfFormat.TRIG),
    _rdf("nq", ("application/n-quads",), ("nquads", "n-quads"), 5, "N-Quads", ox.RdfFormat.N_QUADS),
    Format("html", "graph", ("text/html",), (), 6),
)


@cache
def of_kind(kind: str, pages: bool = False) -> Mapping[str, Format]:
    """The formats of one result kind by name, in table order (pages only when asked for)."""
    return MappingProxyType({f.name: f for f in FORMATS if f.kind == kind and (pages or not f.is_page)})


@cache
def dump_formats() -> Mapping[str, Format]:
    """The formats a whole dataset can be written in."""
    return MappingProxyType({f.name: f for f in FORMATS if f.dump})


def result_kind(result: Result) -> str:
    """The kind of a result: "bindings" for SELECT and ASK, "graph" otherwise."""
    return "graph" if isinstance(result, Triples) else "bindings"


def render(result: Result, name: str) -> tuple[str, bytes]:
    """Render `result` in the format called `name`; returns (media type, body)."""
    kind = result_kind(result)
    fmt = of_kind(kind).get(name)
    if fmt is None or fmt.render is None:
        raise S3GraphError(f"format {name!r} does not fit a {kind} result; use one of "
                           + ", ".join(of_kind(kind)), code=Code.BAD_FORMAT)
    return fmt.media_type, fmt.render(result)
