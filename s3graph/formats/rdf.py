"""RDF serialisations (Turtle, JSON-LD, N-Triples, RDF/XML, TriG, N-Quads) with Oxigraph."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

from ..results import Result, Triples

#: Prefixes written by the formats that abbreviate IRIs (Turtle, TriG).
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
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
}


def serialize(items: Iterable[ox.Triple] | Iterable[ox.Quad], rdf_format: ox.RdfFormat) -> bytes:
    """Triples or quads in `rdf_format`, with PREFIXES where the format abbreviates IRIs."""
    abbreviates = rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)
    out = ox.serialize(items, format=rdf_format, prefixes=PREFIXES if abbreviates else None)
    assert out is not None
    # Every document ends its last line (Oxigraph's JSON-LD ends at the closing bracket).
    return out if not out or out.endswith(b"\n") else out + b"\n"


def renderer(rdf_format: ox.RdfFormat) -> Callable[[Result], bytes]:
    """The renderer of CONSTRUCT and DESCRIBE results in `rdf_format`."""
    def render(result: Result) -> bytes:
        assert isinstance(result, Triples)
        return serialize(result.triples, rdf_format)
    return render
