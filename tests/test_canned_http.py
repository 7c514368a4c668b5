"""Canned queries over HTTP: the list, one query in every format, parameters, the HTML page."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import rdflib


def test_list_as_json_has_metadata_parameters_url_and_sparql(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/queries", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    queries = {q["slug"]: q for q in json.loads(response.data)["queries"]}
    assert len(queries) >= 15
    profile = queries["region-profile"]
    assert profile["title"] and profile["description"]
    assert profile["url"] == "http://127.0.0.1:8000/queries/region-profile"  # public_url, not the Host header
    region, claims = profile["parameters"]
    # a region's choices are suggestions (territories by their English names), not its only values
    dalarna = {"value": "https://w3id.org/s3graph/id/territory/SE312", "label": "Dalarna County (SE312)"}
    assert isinstance(region["choices"], list) and dalarna in region["choices"]
    assert region == {"name": "region", "type": "region", "default": "SE312", "optional": False, "allowed": [],
                      "choices": region["choices"], "help": "NUTS code, ISO 3166-2 code or name of the territory"}
    assert claims == {"name": "claims", "type": "string", "default": "all", "optional": False,
                      "allowed": ["all", "confirmed"],
                      "choices": [{"value": "all", "label": "all"}, {"value": "confirmed", "label": "confirmed"}],
                      "help": "all rows, or only the rows that rest on no unverified or contradicted claim"}
    assert "SELECT" in profile["sparql"] and profile["inference"] == "required"


def test_list_as_html_links_every_query(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/queries", headers={"Accept": "text/html"}).data.decode()
    assert 'href="/queries/region-profile"' in page and 'href="/queries/s3-platform-members"' in page


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.data.decode())))


def test_region_by_nuts_iso_or_name_gives_the_same_answer(client) -> None:  # type: ignore[no-untyped-def]
    answers = [_csv(client.get("/queries/region-profile", query_string={"region": value, "format": "csv"}))
               for value in ("SE312", "SE-W", "Dalarna", "dalarnas län")]
    assert answers[0] == answers[1] == answers[2] == answers[3]
    collaborations = {row[1] for row in answers[0][1:]}
    assert {"Smart Specialisation Platform", "Vanguard Initiative", "ADMA Energy"} <= collaborations
    assert "Pilot action for regions in industrial transition" in collaborations  # its official name


def test_every_results_format_by_accept_and_format(client) -> None:  # type: ignore[no-untyped-def]
    url = "/queries/s3-platform-members"
    as_json = json.loads(client.get(url).data)
    assert len(as_json["results"]["bindings"]) == 11
    xml = client.get(url, headers={"Accept": "application/sparql-results+xml"})
    assert xml.mimetype == "application/sparql-results+xml" and xml.data.count(b"<result>") == 11
    assert len(_csv(client.get(url, headers={"Accept": "text/csv"}))) == 12
    tsv = client.get(url, query_string={"format": "tsv"})
    assert tsv.mimetype == "text/tab-separated-values" and len(tsv.data.decode().splitlines()) == 12
    assert client.get(url, headers={"Accept": "text/turtle"}).status_code == 406


def test_wrong_types_and_hostile_values_are_400_naming_the_parameter(client) -> None:  # type: ignore[no-untyped-def]
    cases = [("region-profile", {"region": 'x" || true || "'}, "region"),
             ("region-profile", {"region": "SE999"}, "region"),
             ("region-profile", {"nope": "1"}, "nope"),
             ("s3-platform-members", {"lang": "en) } ; DROP ALL #"}, "lang")]
    for slug, params, name in cases:
        response = client.get(f"/queries/{slug}", query_string=params, headers={"Accept": "application/json"})
        assert response.status_code == 400, (slug, params)
        body = json.loads(response.data)
        assert body["error"] == "bad-parameter" and name in body["message"]


def test_unknown_query_is_404(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/queries/no-such-query", headers={"Accept": "application/json"})
    assert response.status_code == 404 and json.loads(response.data)["error"] == "not-found"


def test_html_page_has_form_table_links_sparql_and_editor(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/queries/region-profile", query_string={"region": "SE-W"},
                      headers={"Accept": "text/html"}).data.decode()
    assert '<input name="region" value="SE-W" list="choices-region">' in page
    # the county by its label, linked to its own page
    assert '<a href="/id/territory/SE312" title="https://w3id.org/s3graph/id/territory/SE312">' \
           'Dalarna County</a>' in page
    for name in ("json", "xml", "csv", "tsv"):
        assert f"format={name}" in page
    assert "/sparql?query=" in page and "<h3>SPARQL</h3>" in page


def test_the_editor_gets_the_canned_query_with_its_parameters_bound(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/queries/region-profile", query_string={"region": "SE-W"},
                      headers={"Accept": "text/html"}).data.decode()
    found = re.search(r'href="(/sparql\?query=[^"]*)">open in the query editor', page)
    assert found is not None
    editor = html.unescape(found.group(1))
    query = parse_qs(urlsplit(editor).query)["query"][0]
    assert 'VALUES (?claims ?region) { ("all" <https://w3id.org/s3graph/id/territory/SE312>) }' in query
    canned = client.get("/queries/region-profile", query_string={"region": "SE-W", "format": "json"}).json
    edited = client.get("/sparql", query_string={"query": query, "format": "json"}).json
    assert edited["results"]["bindings"] == canned["results"]["bindings"]
    assert len(canned["results"]["bindings"]) == 5  # SE312's rows, not the 91 of every region (claims=all)


def test_a_wrong_parameter_keeps_the_form_with_the_error(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/queries/region-profile", query_string={"region": "Atlantis"},
                          headers={"Accept": "text/html"})
    page = response.data.decode()
    assert response.status_code == 400
    assert '<input name="region" value="Atlantis" list="choices-region" aria-invalid="true">' in page
    assert "<code>bad-parameter</code>: parameter region: &#39;Atlantis&#39; is not" in page


def test_canned_queries_are_in_the_service_description(client) -> None:  # type: ignore[no-untyped-def]
    graph = rdflib.Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data.decode(),
                                 format="turtle")
    node = rdflib.URIRef("http://127.0.0.1:8000/queries/region-profile")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (rdflib.URIRef("http://127.0.0.1:8000/sparql"), rdflib.DCTERMS.hasPart, node) in graph
    assert "SELECT" in str(graph.value(node, sh.select))
    param = graph.value(node, sh.parameter)
    assert str(graph.value(param, sh.name)) == "region"
    assert str(graph.value(param, sh.defaultValue)) == "SE312"


@pytest.mark.parametrize(("accept", "fmt", "status", "media_type"), [
    ("text/turtle", None, 406, "application/json"), ("*/*", None, 200, "application/json"),
    ("", None, 200, "application/json"), ("text/html,*/*;q=0.8", None, 200, "text/html"),
    ("text/turtle", "json", 200, "application/json"), ("application/json", "html", 200, "text/html"),
    ("application/json;q=0, text/html;q=0.1", None, 200, "text/html"), ("text/html", "nonsense", 200, "text/html")])
def test_the_list_of_canned_queries_is_negotiated(client, accept: str, fmt: str | None, status: int,  # type: ignore[no-untyped-def]
                                                  media_type: str) -> None:
    response = client.get("/queries", query_string={"format": fmt} if fmt else {}, headers={"Accept": accept})
    assert (response.status_code, response.mimetype) == (status, media_type)
