"""Result renderers in a registry keyed by format name: SPARQL results and RDF serialisations."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from .engine import Bindings, Boolean, Result, Triples
from .terms import Term, is_plain_string


@dataclass(frozen=True)
class Format:
    """An output format: its name (for format= and the CLI), media type and result kind."""

    name: str
    media_type: str
    kind: str  # "bindings" (SELECT and ASK) or "graph" (CONSTRUCT and DESCRIBE)
    render: Callable[[Result], bytes]


# --- SPARQL results --------------------------------------------------------------------

def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif not is_plain_string(term):
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def render_json(result: Result) -> bytes:
    """SPARQL 1.1 Query Results JSON."""
    if isinstance(result, Boolean):
        return json.dumps({"head": {}, "boolean": result.value}).encode()
    assert isinstance(result, Bindings)
    rows = [{v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows]
    body = {"head": {"vars": list(result.variables)}, "results": {"bindings": rows}}
    return json.dumps(body, ensure_ascii=False).encode()


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if not is_plain_string(term):
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def render_xml(result: Result) -> bytes:
    """SPARQL Query Results XML."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n']
    if isinstance(result, Boolean):
        out.append(f"<head/>\n<boolean>{'true' if result.value else 'false'}</boolean>\n</sparql>\n")
        return "".join(out).encode()
    assert isinstance(result, Bindings)
    out.append("<head>")
    out.extend(f"<variable name={quoteattr(v)}/>" for v in result.variables)
    out.append("</head>\n<results>\n")
    for row in result.rows:
        out.append("<result>")
        for v, t in zip(result.variables, row, strict=True):
            if t is not None:
                out.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
        out.append("</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out).encode()


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


def render_csv(result: Result) -> bytes:
    """SPARQL 1.1 Query Results CSV (an ASK result is one column, "boolean")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if isinstance(result, Boolean):
        writer.writerows([["boolean"], ["true" if result.value else "false"]])
        return buffer.getvalue().encode()
    assert isinstance(result, Bindings)
    writer.writerow(result.variables)
    writer.writerows([_csv_value(t) for t in row] for row in result.rows)
    return buffer.getvalue().encode()


def _tsv_value(term: Term | None) -> str:
    if term is None:
        return ""
    text = str(term)  # pyoxigraph prints terms in N-Triples / Turtle syntax
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def render_tsv(result: Result) -> bytes:
    """SPARQL 1.1 Query Results TSV (an ASK result is one column, "?boolean")."""
    if isinstance(result, Boolean):
        return f"?boolean\n{'true' if result.value else 'false'}\n".encode()
    assert isinstance(result, Bindings)
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines.extend("\t".join(_tsv_value(t) for t in row) for row in result.rows)
    return ("\n".join(lines) + "\n").encode()


# --- RDF -------------------------------------------------------------------------------

PREFIXES = {
    "s3": "https://w3id.org/s3graph/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def _rdf_renderer(rdf_format: ox.RdfFormat, quads: bool = False,
                  prefixes: bool = False) -> Callable[[Result], bytes]:
    def render(result: Result) -> bytes:
        assert isinstance(result, Triples)
        items: list[ox.Triple] | list[ox.Quad] = list(result.triples)
        if quads:
            items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in result.triples]
        out = ox.serialize(items, format=rdf_format, prefixes=PREFIXES if prefixes else None)
        assert out is not None
        return out
    return render


@dataclass(frozen=True)
class RdfFormat:
    """An RDF serialisation: name, media type, pyoxigraph format, whether it holds graphs."""

    name: str
    media_type: str
    rdf_format: ox.RdfFormat
    dataset: bool


RDF_FORMATS = {
    "ttl": RdfFormat("ttl", "text/turtle", ox.RdfFormat.TURTLE, False),
    "nt": RdfFormat("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, False),
    "jsonld": RdfFormat("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, True),
    "xml": RdfFormat("xml", "application/rdf+xml", ox.RdfFormat.RDF_XML, False),
    "trig": RdfFormat("trig", "application/trig", ox.RdfFormat.TRIG, True),
    "nq": RdfFormat("nq", "application/n-quads", ox.RdfFormat.N_QUADS, True),
}

#: Every format, per result kind; the first of each kind is its default.
FORMATS: dict[str, dict[str, Format]] = {
    "bindings": {
        "json": Format("json", "application/sparql-results+json", "bindings", render_json),
        "xml": Format("xml", "application/sparql-results+xml", "bindings", render_xml),
        "csv": Format("csv", "text/csv", "bindings", render_csv),
        "tsv": Format("tsv", "text/tab-separated-values", "bindings", render_tsv),
    },
    "graph": {
        name: Format(name, f.media_type, "graph",
                     _rdf_renderer(f.rdf_format, quads=name in ("trig", "nq"),
                                   prefixes=name in ("ttl", "trig")))
        for name, f in RDF_FORMATS.items()
    },
}


def result_kind(result: Result) -> str:
    """The kind of a result: "bindings" for SELECT and ASK, "graph" otherwise."""
    return "graph" if isinstance(result, Triples) else "bindings"


def render(result: Result, name: str) -> tuple[str, bytes]:
    """Render `result` in the format called `name`; returns (media type, body)."""
    fmt = FORMATS[result_kind(result)][name]
    return fmt.media_type, fmt.render(result)
