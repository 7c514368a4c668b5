"""SPARQLWrapper, a real client, against the real app on 127.0.0.1: every return format gets what it asks for.

What SPARQLWrapper 2.0 sends (observed with a recording server): format=, output= and
results= all set to its return format's name, then for TSV, JSON-LD and RDF/XML a second
value of each, the media type (or empty when its Accept is */*); and an Accept of
  SELECT/ASK: JSON "application/sparql-results+json,application/json,text/javascript,
  application/javascript", XML "application/sparql-results+xml", CSV "text/csv", TSV
  "text/tab-separated-values", any other "*/*";
  CONSTRUCT/DESCRIBE: TURTLE "application/turtle,text/turtle", N3 that plus "text/rdf+n3,
  application/n-triples,application/n3,text/n3", XML and RDFXML "application/rdf+xml",
  JSONLD "application/ld+json,application/x-json+ld", any other (JSON, RDF, CSV, TSV) "*/*".
GET puts the parameters in the query string, POST in a form body; both are run here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.dom.minidom import Document

import pytest
import rdflib
import SPARQLWrapper as sw

from tests.expected import COUNTIES

pytestmark = [
    # SPARQLWrapper's own notes: it has no media type for JSON or RDF on a graph, so it sends */*
    # (relying on format=), and rdflib's graph class it converts into is deprecated.
    pytest.mark.filterwarnings("ignore:Sending Accept header:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

S3 = "https://w3id.org/s3graph/ontology#"
TERRITORY = "https://w3id.org/s3graph/id/territory/"
PREFIXES = f"PREFIX s3: <{S3}>\nPREFIX territory: <{TERRITORY}>\n"
QUERIES = {
    "SELECT": "SELECT ?code WHERE { ?c a s3:County ; s3:nutsCode ?code } ORDER BY ?code",
    "ASK": 'ASK { territory:SE312 s3:nutsCode "SE312" }',
    "CONSTRUCT": "CONSTRUCT { ?c s3:nutsCode ?code } WHERE { ?c a s3:County ; s3:nutsCode ?code }",
    "DESCRIBE": "DESCRIBE territory:SE312",
}
CODES = sorted(c.nuts for c in COUNTIES)
SE312 = rdflib.URIRef(TERRITORY + "SE312")


@pytest.fixture(scope="module")
def endpoint(live_url: str) -> str:
    """The endpoint of the app served over HTTP on 127.0.0.1 (the session's `live_url`)."""
    return live_url + "/sparql"


def run(endpoint: str, form: str, return_format: str, method: str = sw.GET) -> tuple[str, Any]:
    """Run the query of `form` through SPARQLWrapper: (media type received, converted answer)."""
    wrapper = sw.SPARQLWrapper(endpoint)
    wrapper.setQuery(PREFIXES + QUERIES[form])
    wrapper.setReturnFormat(return_format)
    wrapper.setMethod(method)
    result = wrapper.query()
    return result.info()["content-type"].split(";")[0].strip(), result.convert()


def codes_of_json(answer: dict[str, Any]) -> None:
    """SPARQL JSON holding every county's NUTS code, in order."""
    assert [b["code"]["value"] for b in answer["results"]["bindings"]] == CODES


def codes_of_xml(answer: Document) -> None:
    """SPARQL XML (parsed by minidom) holding every county's NUTS code, in order."""
    assert [node.firstChild.data for node in answer.getElementsByTagName("literal")] == CODES  # type: ignore[union-attr]


def codes_of_csv(answer: bytes) -> None:
    """SPARQL CSV: the header, then every county's NUTS code, in order."""
    assert answer.decode().split("\r\n") == ["code", *CODES, ""]


def codes_of_tsv(answer: bytes) -> None:
    """SPARQL TSV: the header, then every county's NUTS code (a quoted literal), in order."""
    assert answer.decode().split("\n") == ["?code", *(f'"{c}"' for c in CODES), ""]


def equals(expected: object) -> Callable[[Any], None]:
    """A check that the answer is `expected`."""
    def check(answer: Any) -> None:
        assert answer == expected
    return check


def true_of_xml(answer: Document) -> None:
    """SPARQL XML holding the boolean true."""
    assert [node.firstChild.data for node in answer.getElementsByTagName("boolean")] == ["true"]  # type: ignore[union-attr]


def graph_of(answer: rdflib.Graph | bytes) -> rdflib.Graph:
    """The answer as a graph: SPARQLWrapper converts every RDF format but Turtle and N3 (bytes)."""
    return rdflib.Graph().parse(data=answer.decode(), format="turtle") if isinstance(answer, bytes) else answer


def county_codes(answer: rdflib.Graph | bytes) -> None:
    """The CONSTRUCT's graph: one s3:nutsCode triple per county, nothing else."""
    graph = graph_of(answer)
    assert len(graph) == len(COUNTIES)
    assert set(graph) == {(rdflib.URIRef(TERRITORY + c.nuts), rdflib.URIRef(S3 + "nutsCode"), rdflib.Literal(c.nuts))
                          for c in COUNTIES}


def dalarna(answer: rdflib.Graph | bytes) -> None:
    """The DESCRIBE's graph: triples about Dalarna (SE312) only, its codes among them."""
    graph = graph_of(answer)
    assert graph.value(SE312, rdflib.URIRef(S3 + "nutsCode")) == rdflib.Literal("SE312")
    assert graph.value(SE312, rdflib.URIRef(S3 + "isoCode")) == rdflib.Literal("SE-W")
    assert set(graph.subjects()) == {SE312}


JSON = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
GRAPH_FORMATS = [(sw.JSON, "application/ld+json"), (sw.JSONLD, "application/ld+json"), (sw.XML, "application/rdf+xml"),
                 (sw.RDF, "application/rdf+xml"), (sw.RDFXML, "application/rdf+xml"), (sw.TURTLE, "text/turtle"),
                 (sw.N3, "text/turtle")]
CASES: list[tuple[str, str, str, Callable[[Any], None]]] = [
    ("SELECT", sw.JSON, JSON, codes_of_json),
    ("SELECT", sw.XML, SRX, codes_of_xml),
    ("SELECT", sw.CSV, "text/csv", codes_of_csv),
    ("SELECT", sw.TSV, "text/tab-separated-values", codes_of_tsv),
    ("ASK", sw.JSON, JSON, equals({"head": {}, "boolean": True})),
    ("ASK", sw.XML, SRX, true_of_xml),
    ("ASK", sw.CSV, "text/csv", equals(b"boolean\r\ntrue\r\n")),
    ("ASK", sw.TSV, "text/tab-separated-values", equals(b"?boolean\ntrue\n")),
    *(("CONSTRUCT", fmt, media, county_codes) for fmt, media in GRAPH_FORMATS),
    *(("DESCRIBE", fmt, media, dalarna) for fmt, media in GRAPH_FORMATS),
]


@pytest.mark.parametrize("method", [sw.GET, sw.POST])
@pytest.mark.parametrize(("form", "return_format", "media_type", "check"), CASES)
def test_each_return_format_gets_what_it_asked_for(endpoint: str, method: str, form: str, return_format: str,
                                                   media_type: str, check: Callable[[Any], None]) -> None:
    received, answer = run(endpoint, form, return_format, method)
    assert received == media_type
    check(answer)


def test_describe_holds_every_triple_about_the_resource(endpoint: str) -> None:
    wrapper = sw.SPARQLWrapper(endpoint)
    wrapper.setQuery(PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { territory:SE312 ?p ?o }")
    wrapper.setReturnFormat(sw.JSON)
    answer: Any = wrapper.queryAndConvert()
    count = int(answer["results"]["bindings"][0]["n"]["value"])
    for fmt, _ in GRAPH_FORMATS:
        assert len(graph_of(run(endpoint, "DESCRIBE", fmt)[1])) == count > 20


@pytest.mark.parametrize(("form", "return_format", "media_type"), [
    *(("SELECT", fmt, JSON) for fmt in (sw.N3, sw.TURTLE, sw.JSONLD, sw.RDF, sw.RDFXML)),
    *(("ASK", fmt, JSON) for fmt in (sw.N3, sw.TURTLE, sw.JSONLD, sw.RDF, sw.RDFXML)),
    *(("CONSTRUCT", fmt, "text/turtle") for fmt in (sw.CSV, sw.TSV)),
])
def test_a_format_that_does_not_fit_the_query_gets_the_default_not_a_406(endpoint: str, form: str,
                                                                         return_format: str, media_type: str) -> None:
    with pytest.warns(RuntimeWarning, match=re.escape(f"Format requested was {return_format.upper()}, but")):
        received, answer = run(endpoint, form, return_format)
    assert received == media_type
    if form == "SELECT":
        codes_of_json(answer)
    elif form == "ASK":
        assert answer == {"head": {}, "boolean": True}
    else:
        county_codes(answer)
