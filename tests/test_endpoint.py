"""The SPARQL 1.1 Protocol at /sparql: methods, formats, dataset parameters, errors, CORS."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import rdflib

PREFIXES = "PREFIX s3: <https://w3id.org/s3graph/ontology#>\n"
NUTS2 = PREFIXES + "SELECT ?code WHERE { ?r a s3:NUTS2Region ; s3:country ?c ; s3:nutsCode ?code . " \
    "?c s3:nutsCode \"SE\" } ORDER BY ?code"
NUTS2_CODES = ["SE11", "SE12", "SE21", "SE22", "SE23", "SE31", "SE32", "SE33"]
PILOT_COUNTIES = PREFIXES + ("SELECT ?code WHERE { ?t s3:participatesIn "
                             "<https://w3id.org/s3graph/id/collaboration/industrial-transition-pilot> ; "
                             "a s3:County ; s3:nutsCode ?code } ORDER BY ?code")
CONSTRUCT = PREFIXES + ("CONSTRUCT { ?r s3:nutsCode ?code } WHERE { ?r a s3:NUTS1Region ; s3:nutsCode ?code ; "
                        "s3:country <https://w3id.org/s3graph/id/territory/SE> }")
GRAPH = "https://w3id.org/s3graph/graph/"


def codes(response) -> list[str]:  # type: ignore[no-untyped-def]
    body = json.loads(response.data)
    return [b["code"]["value"] for b in body["results"]["bindings"]]


def test_get_query_answers_sparql_json(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": NUTS2})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert response.headers["Vary"] == "Accept"
    assert codes(response) == NUTS2_CODES


def test_post_form_and_direct_post_give_the_same_answer(client) -> None:  # type: ignore[no-untyped-def]
    form = client.post("/sparql", data={"query": NUTS2})
    direct = client.post("/sparql", data=NUTS2.encode(), content_type="application/sparql-query")
    charset = client.post("/sparql", data=NUTS2.encode(),
                          content_type="application/sparql-query; charset=UTF-8")
    assert codes(form) == codes(direct) == codes(charset) == NUTS2_CODES


def test_select_in_xml_csv_tsv(client) -> None:  # type: ignore[no-untyped-def]
    xml = client.get("/sparql", query_string={"query": NUTS2},
                     headers={"Accept": "application/sparql-results+xml"})
    assert xml.mimetype == "application/sparql-results+xml"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    values = [e.text for e in ET.fromstring(xml.data).findall(".//r:binding/r:literal", ns)]
    assert values == NUTS2_CODES
    text = client.get("/sparql", query_string={"query": NUTS2}, headers={"Accept": "text/csv"})
    assert text.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(text.data.decode()))) == [["code"]] + [[c] for c in NUTS2_CODES]
    tsv = client.get("/sparql", query_string={"query": NUTS2, "format": "tsv"})
    assert tsv.mimetype == "text/tab-separated-values"
    assert tsv.data.decode().splitlines() == ["?code"] + [f'"{c}"' for c in NUTS2_CODES]


def test_ask_in_json_and_xml(client) -> None:  # type: ignore[no-untyped-def]
    query = PREFIXES + "ASK { <https://w3id.org/s3graph/id/territory/SE312> s3:nutsCode \"SE312\" }"
    assert json.loads(client.get("/sparql", query_string={"query": query}).data) == {"head": {}, "boolean": True}
    xml = client.get("/sparql", query_string={"query": query, "format": "xml"}).data.decode()
    assert "<boolean>true</boolean>" in xml


@pytest.mark.parametrize(("accept", "media", "rdflib_format"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/trig", "application/trig", "trig"),
    ("application/n-quads", "application/n-quads", "nquads"),
])
def test_construct_in_every_rdf_format(  # type: ignore[no-untyped-def]
        client, accept: str, media: str, rdflib_format: str) -> None:
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media
    graph = rdflib.Dataset() if rdflib_format in ("trig", "nquads") else rdflib.Graph()
    graph.parse(data=response.data.decode(), format=rdflib_format)
    got = sorted(str(o) for _, _, o, *_ in (graph.quads() if isinstance(graph, rdflib.Dataset) else graph))
    assert got == ["SE1", "SE2", "SE3"]


def test_describe_returns_the_resource(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={
        "query": "DESCRIBE <https://w3id.org/s3graph/id/territory/SE312>", "format": "nt"})
    graph = rdflib.Graph().parse(data=response.data.decode(), format="nt")
    code = rdflib.URIRef("https://w3id.org/s3graph/ontology#nutsCode")
    assert graph.value(rdflib.URIRef("https://w3id.org/s3graph/id/territory/SE312"), code) == \
        rdflib.Literal("SE312")


def test_infer_false_leaves_the_inferred_graph_out(client) -> None:  # type: ignore[no-untyped-def]
    assert codes(client.get("/sparql", query_string={"query": PILOT_COUNTIES})) == ["SE311", "SE312", "SE313"]
    assert codes(client.get("/sparql", query_string={"query": PILOT_COUNTIES, "infer": "false"})) == []
    bad = client.get("/sparql", query_string={"query": PILOT_COUNTIES, "infer": "maybe"})
    assert bad.status_code == 400


def test_inferred_triples_are_also_a_named_graph(client) -> None:  # type: ignore[no-untyped-def]
    pilot = "<https://w3id.org/s3graph/id/collaboration/industrial-transition-pilot>"
    query = PREFIXES + f"""SELECT ?code WHERE {{ GRAPH <{GRAPH}inferred> {{
        ?t s3:participatesThroughLargerTerritory {pilot} }} ?t s3:nutsCode ?code }} ORDER BY ?code"""
    assert codes(client.get("/sparql", query_string={"query": query, "infer": "false"})) == \
        ["SE311", "SE312", "SE313"]


def test_default_graph_uri_selects_stored_graphs(client) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    one = client.get("/sparql", query_string={"query": query, "default-graph-uri": GRAPH + "eu-country-authority"})
    assert json.loads(one.data)["results"]["bindings"][0]["n"]["value"] == "20"  # 5 links, 10 names, 5 on the graph
    unknown = client.get("/sparql", query_string={"query": query, "default-graph-uri": "http://example.org/nope"})
    assert unknown.status_code == 400
    assert json.loads(unknown.data)["error"] == "unknown-graph"


def test_named_graph_uri_limits_graph_patterns(client) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    response = client.get("/sparql", query_string=[("query", query),
                                                    ("named-graph-uri", GRAPH + "nuts"),
                                                    ("named-graph-uri", GRAPH + "wikidata")])
    graphs = [b["g"]["value"] for b in json.loads(response.data)["results"]["bindings"]]
    assert graphs == [GRAPH + "nuts", GRAPH + "wikidata"]


def test_from_clause_uses_stored_graph_and_unknown_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    query = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}eu-country-authority> WHERE {{ ?s ?p ?o }}"
    assert json.loads(client.get("/sparql", query_string={"query": query}).data)[
        "results"]["bindings"][0]["n"]["value"] == "20"  # 5 links, 10 country names, 5 about the graph
    for iri in ("file:///etc/passwd", "http://127.0.0.1:1/data.ttl"):
        response = client.get("/sparql", query_string={"query": f"SELECT * FROM <{iri}> WHERE {{ ?s ?p ?o }}"})
        assert response.status_code == 400
        assert json.loads(response.data)["error"] == "unknown-graph"


def test_bare_get_answers_the_service_description(client, built) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=response.data.decode(), format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = rdflib.URIRef("http://127.0.0.1:8000/sparql")
    assert (service, rdflib.RDF.type, sd.Service) in graph
    assert graph.value(service, sd.endpoint) == service
    assert graph.value(service, sd.defaultEntailmentRegime) == \
        rdflib.URIRef("http://www.w3.org/ns/entailment/OWL-RDF-Based")
    formats = set(graph.objects(service, sd.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert len(formats) == 10
    names = {str(graph.value(n, sd.name)): int(str(graph.value(graph.value(n, sd.graph),
                                                                   rdflib.URIRef("http://rdfs.org/ns/void#triples"))))
             for n in graph.objects(None, sd.namedGraph)}
    assert names == {info.iri: info.triples for info in built.graphs}


def test_bare_get_from_a_browser_is_the_query_page(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert re.search(rb'<textarea id="query" name="query"[^>]*>PREFIX s3:', response.data)


def test_browser_gets_an_html_table_with_links(client) -> None:  # type: ignore[no-untyped-def]
    query = PREFIXES + "SELECT ?r WHERE { ?r s3:nutsCode \"SE312\" }"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    page = response.data.decode()
    assert "1 row(s)" in page
    assert '<a href="/id/territory/SE312" title="https://w3id.org/s3graph/id/territory/SE312">' \
           'Dalarna County</a>' in page


def test_a_format_that_does_not_fit_falls_back_to_accept(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": NUTS2, "format": "ttl"}, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"


@pytest.mark.parametrize(("accept", "fmt"), [("image/png", None), ("image/png", "ttl")])
def test_406_lists_the_formats(client, accept: str, fmt: str | None) -> None:  # type: ignore[no-untyped-def]
    params = {"query": NUTS2} | ({"format": fmt} if fmt else {})
    response = client.get("/sparql", query_string=params, headers={"Accept": accept})
    assert response.status_code == 406
    assert "application/sparql-results+json" in json.loads(response.data)["message"]


def test_415_for_other_content_types_and_non_utf8(client) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/sparql", data=NUTS2, content_type="text/plain").status_code == 415
    assert client.post("/sparql", data=NUTS2).status_code == 415  # no Content-Type at all
    latin1 = "SELECT * WHERE { ?s ?p \"Gävle\" }".encode("latin-1")
    assert client.post("/sparql", data=latin1, content_type="application/sparql-query").status_code == 415
    assert client.post("/sparql", data=NUTS2.encode(),
                       content_type="application/sparql-query; charset=latin-1").status_code == 415


def test_405_with_allow_for_other_methods(client) -> None:  # type: ignore[no-untyped-def]
    for method in ("put", "delete", "patch"):
        response = getattr(client, method)("/sparql")
        assert response.status_code == 405
        assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_400_with_position_for_a_syntax_error(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n  ?s ?p \n}"})
    assert response.status_code == 400
    body = json.loads(response.data)
    assert body["error"] == "syntax-error"
    assert body["message"].startswith("syntax error at line 3, column 2: ")
    unknown = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s nope:p ?o }"})
    assert json.loads(unknown.data)["message"] == \
        "syntax error at line 1, column 21: unknown prefix nope: (declare it with PREFIX)"


def test_400_for_two_queries(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string=[("query", NUTS2), ("query", NUTS2)])
    assert response.status_code == 400
    assert json.loads(response.data)["error"] == "two-queries"


def test_errors_carry_message_and_request_id_but_no_traceback(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": "SELECT"})
    body = json.loads(response.data)
    assert set(body) == {"error", "status", "message", "request_id"}
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert "Traceback" not in response.data.decode() and "/work" not in response.data.decode()
    html = client.get("/sparql", query_string={"query": "SELECT"}, headers={"Accept": "text/html"})
    # a browser gets the query page back with the error beside the query, never a traceback
    assert html.status_code == 400 and b'id="error"' in html.data and b"Traceback" not in html.data
    assert b'<textarea id="query" name="query"' in html.data


def test_cors_allows_any_origin_without_credentials(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": NUTS2}, headers={"Origin": "https://evil.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options("/sparql", headers={
        "Origin": "https://x.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_result_cap_is_signalled(make_app) -> None:  # type: ignore[no-untyped-def]
    small = make_app(max_results=5).test_client()
    response = small.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "csv"})
    assert response.status_code == 200
    assert response.headers["X-S3Graph-Truncated"] == "true"
    assert len(response.data.decode().splitlines()) == 6
    whole = small.get("/sparql", query_string={"query": NUTS2.replace("ORDER BY ?code", "LIMIT 5")})
    assert "X-S3Graph-Truncated" not in whole.headers


def test_home_page_lists_the_graphs(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/").data.decode()
    assert "https://w3id.org/s3graph/graph/sweden" in page and "canned queries" in page


def test_oxigraph_terms_round_trip_in_tsv(client) -> None:  # type: ignore[no-untyped-def]
    query = 'SELECT ?x WHERE { VALUES ?x { "tab\\there"@en 42 <http://example.org/a> } }'
    body = client.get("/sparql", query_string={"query": query, "format": "tsv"}).data
    # Turtle's forms (SPARQL 1.1 TSV, section 4): an integer may be written bare
    assert body.decode().splitlines() == ["?x", '"tab\\there"@en', "42", "<http://example.org/a>"]
    read = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    assert [row[0] for row in read] == [  # type: ignore[union-attr]
        ox.Literal("tab\there", language="en"),
        ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.NamedNode("http://example.org/a")]


def test_resource_iris_resolve_to_their_description(client) -> None:  # type: ignore[no-untyped-def]
    described = client.get("/id/territory/SE312", headers={"Accept": "application/n-triples"})
    assert described.status_code == 200  # at the IRI itself: no 303
    graph = rdflib.Graph().parse(data=described.data.decode(), format="nt")
    assert graph.value(rdflib.URIRef("https://w3id.org/s3graph/id/territory/SE312"),
                       rdflib.URIRef("https://w3id.org/s3graph/ontology#isoCode")) == rdflib.Literal("SE-W")


def test_the_response_byte_cap_cuts_rows_and_is_signalled(make_app) -> None:  # type: ignore[no-untyped-def]
    small = make_app(max_response_bytes=2000).test_client()
    response = small.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "csv"})
    assert response.status_code == 200
    assert response.headers["X-S3Graph-Truncated"] == "true"
    assert 0 < len(response.data) <= 2000
    rows = response.data.decode().splitlines()[1:]
    assert response.headers["X-S3Graph-Results"] == str(len(rows)) and len(rows) > 5
    graph = small.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert graph.headers["X-S3Graph-Truncated"] == "true" and 0 < len(graph.data) <= 2000
    assert len(graph.data.decode().splitlines()) == int(graph.headers["X-S3Graph-Results"])
