"""The query editor rendered by the server (what works without JavaScript): the query stays,
its error is beside it with the line and column, examples are the canned queries with their
defaults bound, every download is data whatever a browser's Accept says."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient

from s3graph.query.catalog import Catalog

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CONSTRUCT = "CONSTRUCT { ?t <urn:code> ?c } WHERE { ?t <https://w3id.org/s3graph/ontology#nutsCode> ?c } LIMIT 3"


def test_a_syntax_error_keeps_the_query_and_marks_its_line(client: FlaskClient) -> None:
    query = "PREFIX s3: <https://w3id.org/s3graph/ontology#>\nSELECT * WHERE {\n  ?s ?p }"
    response = client.get("/sparql", query_string={"query": query}, headers=HTML)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert 'name="query"' in page and html.escape(query, quote=False) in page
    found = re.search(r'<div id="error"[^>]*data-line="(\d+)" data-column="(\d+)"', page)
    assert found is not None and found.group(1) == "3"
    assert f"line 3, column {found.group(2)}:" in page  # where the engine's own message says
    assert "syntax-error" in page


@pytest.mark.parametrize(("fmt", "media_type"), [("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                                                 ("nt", "application/n-triples"), ("xml", "application/rdf+xml")])
def test_downloads_of_a_graph_are_data_even_for_a_browser(client: FlaskClient, fmt: str, media_type: str) -> None:
    response = client.get("/sparql", query_string={"query": CONSTRUCT, "format": fmt}, headers=HTML)
    assert response.status_code == 200 and response.mimetype == media_type


def test_the_page_of_a_graph_result_lists_its_downloads(client: FlaskClient) -> None:
    page = client.get("/sparql", query_string={"query": CONSTRUCT}, headers=HTML).get_data(as_text=True)
    assert "3 row(s)" in page
    for fmt in ("ttl", "jsonld", "nt", "xml", "trig", "nq"):
        assert re.search(rf'href="/sparql\?query=CONSTRUCT[^"]*&amp;format={fmt}"', page), fmt


def test_examples_are_the_canned_queries_with_their_defaults(client: FlaskClient, catalog: Catalog) -> None:
    page = client.get("/sparql", headers=HTML).get_data(as_text=True)
    links = [html.unescape(h) for h in re.findall(r'<a href="(/sparql\?query=[^"]*)" data-slug="', page)]
    slugs = re.findall(r'<a href="/sparql\?query=[^"]*" data-slug="([^"]+)"', page)
    assert slugs == [q.slug for q in catalog.queries]
    for slug, href in zip(slugs, links, strict=True):
        if catalog.get(slug).federation:
            continue  # needs the internet
        canned = client.get(f"/queries/{slug}", query_string={"format": "json"}).json
        example = client.get(href + "&format=json").json
        assert canned is not None and example is not None
        # a SELECT * shows the VALUES variables too; the canned answer's columns are the same
        columns = canned["head"]["vars"]
        shown = [{k: v for k, v in row.items() if k in columns} for row in example["results"]["bindings"]]
        assert [as_sets(row) for row in shown] == [as_sets(row) for row in canned["results"]["bindings"]], slug
        assert len(shown) > 0, slug


def as_sets(row: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """A result row with its `sources` cell read as the set it is: the space-separated IRIs come
    from a GROUP_CONCAT, whose order SPARQL leaves undefined (the canned run and the editor's
    VALUES form of the same query list the same sources in different orders)."""
    if "sources" not in row:
        return row
    return {**row, "sources": {**row["sources"], "value": " ".join(sorted(row["sources"]["value"].split()))}}


def test_a_query_page_is_cached_by_its_etag(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string={"query": CONSTRUCT}, headers=HTML)
    again = client.get("/sparql", query_string={"query": CONSTRUCT},
                       headers={**HTML, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
