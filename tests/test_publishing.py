"""Linked-data publishing: every IRI resolves by negotiation (rdflib reads it over HTTP), unknown
IRIs are 404, the ontology and its terms, named graphs, dumps, browsing, caching."""

from __future__ import annotations

import gzip
import re
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import rdflib
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s3graph.build.store import BuiltGraph
from s3graph.query.catalog import Catalog
from s3graph.query.engines import DatasetSpec, Engine
from s3graph.service.exporting import export

from .helpers import PREFIXES, rows

BASE = "https://w3id.org/s3graph/"
SE312 = BASE + "id/territory/SE312"
S3 = rdflib.Namespace(BASE + "ontology#")
HTML = {"Accept": "text/html"}
FORMATS = [("text/turtle", "text/turtle", "turtle"), ("application/ld+json", "application/ld+json", "json-ld"),
           ("application/n-triples", "application/n-triples", "nt"),
           ("application/rdf+xml", "application/rdf+xml", "xml")]


def about(engine: Engine, dataset: DatasetSpec, iri: str) -> int:
    """The statements about `iri` and pointing at it, counted by SPARQL (not by the code under test)."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> FILTER(?s != <{iri}>) }} }}"
    return int(rows(engine, dataset, query)[0][0] or 0)


@pytest.mark.parametrize("path", ["/id/territory/SE312", "/id/collaboration/vanguard-initiative",
                                  "/id/participation/s3-platform-dalarna", "/ontology", "/ontology#County",
                                  "/ontology/1.0.0", "/graph/vanguard"])
def test_rdflib_reads_every_kind_of_iri_over_http(live_url: str, path: str) -> None:
    graph = rdflib.Graph().parse(live_url + path)
    assert len(graph) > 0
    if path.startswith("/ontology"):
        assert (rdflib.URIRef(BASE + "ontology"), rdflib.RDF.type, rdflib.OWL.Ontology) in graph
        assert (S3.County, rdflib.RDFS.subClassOf, S3.Territory) in graph
    elif path.startswith("/id/"):
        assert len(list(graph.predicate_objects(rdflib.URIRef(BASE + path[1:])))) > 0


def test_a_resource_is_all_its_statements_and_those_pointing_at_it(client: FlaskClient, engine: Engine,
                                                                   inferred: DatasetSpec) -> None:
    response = client.get("/id/territory/SE312", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    assert len(graph) == about(engine, inferred, SE312) == 43
    assert graph.value(rdflib.URIRef(SE312), S3.nutsCode) == rdflib.Literal("SE312")
    assert (rdflib.URIRef(BASE + "id/authority/region-dalarna"), S3.governs, rdflib.URIRef(SE312)) in graph


def test_asserted_only_leaves_the_inferred_statements_out(client: FlaskClient, engine: Engine,
                                                          asserted: DatasetSpec) -> None:
    response = client.get("/id/territory/SE312?infer=false", headers={"Accept": "application/n-triples"})
    graph = rdflib.Graph().parse(data=response.data, format="nt")
    assert len(graph) == about(engine, asserted, SE312)
    assert graph.value(rdflib.URIRef(SE312), S3.participatesIn) is None


@pytest.mark.parametrize(("accept", "media_type", "parser"), FORMATS)
def test_negotiated_by_accept_and_linked_to_every_alternate(client: FlaskClient, accept: str, media_type: str,
                                                            parser: str) -> None:
    response = client.get("/id/territory/SE312", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media_type
    assert len(rdflib.Graph().parse(data=response.data, format=parser)) == 43
    links = response.headers["Link"]
    for fmt, media in [("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
                       ("xml", "application/rdf+xml"), ("html", "text/html")]:
        assert f'</id/territory/SE312?format={fmt}>; rel="alternate"; type="{media}"' in links
    assert '<https://creativecommons.org/licenses/by/4.0/>; rel="license"' in links
    assert response.headers["Vary"] == "Accept, Accept-Language"


def test_format_parameter_wins_and_names_the_representation(client: FlaskClient) -> None:
    response = client.get("/id/territory/SE312?format=nt", headers=HTML)
    assert response.mimetype == "application/n-triples"
    assert response.headers["Content-Location"] == "/id/territory/SE312?format=nt"
    page = client.get("/id/territory/SE312", headers=HTML)
    assert page.mimetype == "text/html"
    assert page.headers["Content-Location"] == "/id/territory/SE312?format=html&lang=en"
    assert client.get("/id/territory/SE312").mimetype == "text/turtle"  # no Accept: Turtle


@pytest.mark.parametrize("path", ["/id/foo", "/id/territory/SE999", "/graph/nothing", "/ontology/Nothing",
                                  "/id/territory/SE312%3E", "/dumps/all.rdf", "/classes?class=urn:none",
                                  "/id/territory/SE312%C2%A0", "/id/%FF%FE", "/id/", "/graph/a%09", "/ontology/%20",
                                  "/ontology/County%23x", "/ontology/%C2%A0", "/classes?class=%C2%A0",
                                  "/classes?class=", "/classes?class=%20x", "/id/a%00b", "/dumps/%2e%2e%2fx"])
def test_unknown_iris_are_404_as_a_page_or_plain(client: FlaskClient, path: str) -> None:
    plain = client.get(path, headers={"Accept": "text/turtle"})
    assert plain.status_code == 404 and plain.json is not None and plain.json["error"] == "not-found"
    page = client.get(path, headers=HTML)
    assert page.status_code == 404 and page.mimetype == "text/html" and b"Error 404" in page.data


def only_inferred(built: BuiltGraph, iri: str) -> int:
    """Statements about or pointing at `iri` (not its labels) that only the inferred graph holds, by SPARQL."""
    graphs = ", ".join(f"<{g}>" for g in built.asserted_graphs)
    query = f"""SELECT (COUNT(*) AS ?n) WHERE {{
      {{ GRAPH <{built.inferred_graph}> {{ <{iri}> ?p ?o }} FILTER(?p NOT IN (rdfs:label, skos:prefLabel))
         FILTER NOT EXISTS {{ GRAPH ?g {{ <{iri}> ?p ?o }} FILTER(?g IN ({graphs})) }} }}
      UNION
      {{ GRAPH <{built.inferred_graph}> {{ ?o ?p <{iri}> }} FILTER(?o != <{iri}>)
         FILTER NOT EXISTS {{ GRAPH ?g {{ ?o ?p <{iri}> }} FILTER(?g IN ({graphs})) }} }}
    }}"""
    solutions = built.open_store().query(PREFIXES + query)
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))[0].value)


def test_resource_page_groups_labels_and_tells_inferred_from_asserted(client: FlaskClient, built: BuiltGraph) -> None:
    page = client.get("/id/territory/SE312", headers=HTML).get_data(as_text=True)
    assert "<h2>Dalarna County" in page
    assert "Dalarnas län" in page  # the other languages' labels
    assert '<dt><a href="/ontology/nutsCode" title="https://w3id.org/s3graph/ontology#nutsCode">NUTS code</a></dt>' \
        in page
    # an outside IRI is a link out, by its prefixed name
    assert '<a href="http://www.wikidata.org/entity/Q103732" title="http://www.wikidata.org/entity/Q103732" ' \
           'class="external" rel="noopener">wd:Q103732</a>' in page
    assert page.count('class="value inferred"') == only_inferred(built, SE312) == 29
    # the participations of the authority acting for the county, with their sources and status
    table = page[page.index("<h3>Participations</h3>"):page.index("<h3>Pointing here</h3>")]
    assert table.count("<tr>") == 4  # a header and three rows
    assert table.count("status-unverified") == 2 and table.count("status-confirmed") == 1
    assert "Vanguard Initiative" in table and "Region Dalarna" in table
    sources = page[page.index("<h3>Sources</h3>"):]
    assert "Wikidata" in sources and "NUTS 2021" in sources


@pytest.mark.parametrize(("headers", "query", "heading"), [
    ({}, "", "Dalarna County"), ({}, "?lang=sv", "Dalarnas län"),
    ({"Accept-Language": "sv-SE,sv;q=0.9"}, "", "Dalarnas län"),
    ({"Accept-Language": "sv;q=0.2, en;q=0.8"}, "", "Dalarna County"),
    ({"Accept-Language": "fi"}, "", "Dalarna County"), ({"Accept-Language": "*"}, "", "Dalarna County"),
    ({"Accept-Language": "en;q=0, sv;q=0.1"}, "", "Dalarnas län"),
    ({"Accept-Language": "sv"}, "?lang=en", "Dalarna County"), ({}, "?lang=xx", "Dalarna County"),
    ({"Accept-Language": "en;q=0, *"}, "", "Dalarnas län"), ({"Accept-Language": "sv;q=0, *"}, "", "Dalarna County"),
    ({"Accept-Language": "de, sv;q=0.5"}, "", "Dalarnas län"),
    ({"Accept-Language": "sv;q=abc, en"}, "", "Dalarna County"),
    ({"Accept-Language": "sv, en"}, "", "Dalarnas län"), ({"Accept-Language": "en, sv"}, "", "Dalarna County")])
def test_labels_in_the_language_asked_for(client: FlaskClient, headers: dict[str, str], query: str,
                                          heading: str) -> None:
    page = client.get("/id/territory/SE312" + query, headers={**HTML, **headers}).get_data(as_text=True)
    assert f"<h2>{heading}" in page


def test_ontology_overview_trees_and_term_pages(client: FlaskClient) -> None:
    page = client.get("/ontology", headers=HTML).get_data(as_text=True)
    classes = page[page.index('<h3 id="classes">'):page.index('<h3 id="properties">')]
    # NUTS-3 region sits under NUTS region, under territory
    assert re.search(r"territory</a>.*?<ul class=\"tree\">.*?NUTS region</a>.*?<ul class=\"tree\">.*?NUTS-3 region",
                     classes, re.S)
    term = client.get("/ontology/participatesThroughAuthority", headers=HTML).get_data(as_text=True)
    assert "deltar genom sin region i" in term  # the Swedish label
    assert re.search(r"represented by</a> ∘ <a [^>]*>participates in</a> ⊑", term)
    # the 34 county participations of tests/test_engines.py but the 3 through SE31 (the pilot)
    assert "in 31 statement(s)" in term
    county = client.get("/ontology/County", headers=HTML).get_data(as_text=True)
    assert "21 instance(s)" in county and ">territory</a>" in county and "län" in county


def test_ontology_and_term_as_rdf(client: FlaskClient, built: BuiltGraph) -> None:
    whole = rdflib.Graph().parse(data=client.get("/ontology", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert len(whole) == next(g.triples for g in built.graphs if g.role == "ontology")
    term = rdflib.Graph().parse(data=client.get("/ontology/participatesThroughAuthority?format=ttl").data,
                                format="turtle")
    chain = term.value(S3.participatesThroughAuthority, rdflib.OWL.propertyChainAxiom)
    assert chain is not None
    assert list(rdflib.collection.Collection(term, chain)) == [S3.governedBy, S3.participatesIn]


def test_a_named_graph_is_its_contents(client: FlaskClient, built: BuiltGraph) -> None:
    info = next(g for g in built.graphs if g.iri == BASE + "graph/vanguard")
    graph = rdflib.Graph().parse(data=client.get("/graph/vanguard", headers={"Accept": "text/turtle"}).data,
                                 format="turtle")
    assert len(graph) == info.triples
    page = client.get("/graph/vanguard", headers=HTML).get_data(as_text=True)
    assert f"<p>{info.triples} statements" in page and 'href="/dumps/vanguard.ttl.gz"' in page


def test_dumps_are_the_export_in_every_format_plain_and_gzipped(client: FlaskClient, built: BuiltGraph) -> None:
    page = client.get("/dumps").get_data(as_text=True)
    selections = ["all", "asserted", "inferred"] + [g.iri.rsplit("/", 1)[-1] for g in built.graphs
                                                    if g.role != "inferred"]
    for name in selections:
        for fmt in ("ttl", "nt", "nq", "trig", "jsonld"):
            assert f'href="/dumps/{name}.{fmt}"' in page and f'href="/dumps/{name}.{fmt}.gz"' in page
    for fmt in ("ttl", "nt", "nq", "trig", "jsonld"):
        plain = client.get(f"/dumps/all.{fmt}")
        assert plain.status_code == 200 and plain.data == export(built, fmt, "all")
        zipped = client.get(f"/dumps/all.{fmt}.gz")
        assert zipped.mimetype == "application/gzip" and gzip.decompress(zipped.data) == plain.data
        assert plain.headers["Content-Disposition"] == f'attachment; filename="s3graph-all.{fmt}"'
    quads = ox.Dataset(ox.parse(client.get("/dumps/asserted.nq").data, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == sum(g.triples for g in built.graphs if g.role != "inferred")
    one = rdflib.Graph().parse(data=client.get("/dumps/vanguard.nt").data, format="nt")
    assert len(one) == next(g.triples for g in built.graphs if g.iri.endswith("/vanguard"))


@pytest.mark.parametrize("path", ["/dumps/all.ttl", "/id/territory/SE312", "/ontology", "/ontology/County", "/",
                                  "/dumps", "/classes", "/graph/vanguard", "/queries/region-profile?region=SE-W",
                                  "/sparql?query=ASK%20%7B%7D", "/.well-known/void"])
def test_conditional_get_gives_304_for_the_same_build(client: FlaskClient, path: str) -> None:
    first = client.get(path, headers=HTML)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get(path, headers={**HTML, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get(path, headers={**HTML, "If-None-Match": '"other"'}).status_code == 200
    if path in ("/id/territory/SE312", "/ontology", "/ontology/County", "/graph/vanguard"):
        # another representation of the same IRI has another tag
        assert client.get(path, headers={"Accept": "text/turtle"}).headers["ETag"] != etag


def test_dumps_say_when_they_were_made(client: FlaskClient) -> None:
    first = client.get("/dumps/all.nq")
    modified = first.headers["Last-Modified"]
    assert modified.endswith(" GMT")
    assert client.get("/dumps/all.nq", headers={"If-Modified-Since": modified}).status_code == 304


def test_browse_by_class(client: FlaskClient) -> None:
    page = client.get("/classes", headers=HTML).get_data(as_text=True)
    assert re.search(r'>county</a></td><td>21</td>', page)
    members = client.get("/classes?class=https://w3id.org/s3graph/ontology%23County").get_data(as_text=True)
    assert "21 instance(s)" in members and members.count('<li><a href="/id/territory/SE') == 21


def test_landing_page_figures_and_matrix(client: FlaskClient, engine: Engine, inferred: DatasetSpec,
                                         default_graph_size: int) -> None:
    page = client.get("/", headers=HTML).get_data(as_text=True)
    assert f"{default_graph_size} triples" in page
    pairs = rows(engine, inferred, PREFIXES + "SELECT DISTINCT ?c ?k WHERE { ?c a s3:County ; s3:participatesIn ?k }")
    cells = re.findall(r'<rect class="(on|off)"', page)
    assert len(cells) == len(pairs)
    assert 'href="/id/participation/s3-platform-dalarna"><rect class="on"' in page
    for target in ("/classes", "/queries", "/sparql", "/ontology", "/dumps", "/.well-known/void"):
        assert f'href="{target}"' in page
    assert 'href="/graph/vanguard"' in page  # the graphs are links


@pytest.mark.parametrize("path", ["/.well-known/void", "/dataset", "/catalogue"])
def test_the_dataset_description_resolves_and_counts_right(live_url: str, path: str, default_graph_size: int) -> None:
    graph = rdflib.Graph().parse(live_url + path)
    dataset = rdflib.URIRef(BASE + "dataset")
    assert (dataset, rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/dcat#Dataset")) in graph
    assert graph.value(dataset, rdflib.URIRef("http://rdfs.org/ns/void#triples")) == rdflib.Literal(default_graph_size)


def test_the_landing_page_and_service_description_link_to_the_dataset_description(client: FlaskClient) -> None:
    assert 'href="/.well-known/void"' in client.get("/", headers=HTML).get_data(as_text=True)
    described = rdflib.Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data,
                                     format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert described.value(rdflib.URIRef("http://127.0.0.1:8000/sparql"), sd.defaultDataset) == \
        rdflib.URIRef(BASE + "dataset")


def test_every_iri_under_the_base_resolves(client: FlaskClient, built: BuiltGraph) -> None:
    """Every IRI the dataset uses under the base (subjects, objects, graph names, terms) answers
    200 at its local path, with its statements."""
    store = built.open_store()
    iris = {t.value for q in store.quads_for_pattern(None, None, None) for t in (q.subject, q.object, q.graph_name)
            if isinstance(t, ox.NamedNode) and t.value.startswith(BASE)}
    assert len(iris) > 250  # resources, graphs, the ontology and its terms
    for iri in sorted(iris):
        path = "/" + iri[len(BASE):].replace("ontology#", "ontology/")
        response = client.get(path, headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, path
        if iri in built.graph_iris():  # a named graph: its contents
            assert len(response.data.decode().splitlines()) == next(g.triples for g in built.graphs if g.iri == iri)
        elif path.startswith("/id/"):  # a resource: its statements
            mentioned = {t for line in response.data.decode().splitlines() for t in re.findall(r"<([^>]*)>", line)}
            assert iri in mentioned, path


def test_every_link_on_the_pages_leads_somewhere(client: FlaskClient, catalog: Catalog) -> None:
    """Crawl the site's own links from the landing page (pages, resources, terms, graphs, dumps):
    none is broken (the federated canned queries need the internet: left out)."""
    seen = {f"/queries/{q.slug}" for q in catalog.queries if q.federation}
    todo = ["/"]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, headers=HTML)
        assert response.status_code == 200, path
        if response.mimetype != "text/html" or path.startswith(("/sparql", "/queries/")):
            continue  # data, or query results (their links are resources, crawled from the pages)
        for href in re.findall(r'href="(/[^"#]*)"', response.get_data(as_text=True)):
            href = href.replace("&amp;", "&")
            # (the dumps are files, fetched by the dump tests; the static files by the browser tests)
            if not href.startswith(("/static/", "/dumps/")) and "format=" not in href and "lang=" not in href:
                todo.append(href)
    assert len([p for p in seen if p.startswith("/id/")]) > 150
    assert {"/ontology", "/dumps", "/classes", "/.well-known/void"} <= seen


def test_a_long_list_of_values_is_cut_on_the_page_not_in_the_data(client: FlaskClient,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("s3graph.service.resources.PAGE_VALUES", 2)
    page = client.get("/id/territory/SE312", headers=HTML).get_data(as_text=True)
    within = page[page.index('title="https://w3id.org/s3graph/ontology#within"'):]
    within = within[:within.index("</dd>")]
    assert within.count('class="value') == 2 and "… and 1 more" in within  # 3 larger territories
    data = rdflib.Graph().parse(data=client.get("/id/territory/SE312?format=ttl").data, format="turtle")
    assert len(list(data.objects(rdflib.URIRef(SE312), S3.within))) == 3


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=0, max_size=40), prefix=st.sampled_from(["/id/", "/graph/", "/ontology/", "/dumps/",
                                                                      "/classes?class=", "/id/territory/SE312?lang="]),
       accept=st.sampled_from(["text/html", "text/turtle", "*/*", ""]))
def test_no_path_or_parameter_makes_a_server_error(client: FlaskClient, text: str, prefix: str, accept: str) -> None:
    path = prefix + quote(text, safe="")
    language = "".join(c for c in text if " " <= c <= "~")  # what a header can carry
    response = client.get(path, headers={"Accept": accept, "Accept-Language": language})
    assert response.status_code in (200, 404), (path, response.status_code, response.data[:200])


def test_content_location_and_alternates_name_exactly_what_they_serve(client: FlaskClient) -> None:
    asserted = client.get("/id/territory/SE312?infer=false", headers={"Accept": "text/turtle"})
    assert asserted.headers["Content-Location"] == "/id/territory/SE312?infer=false&format=ttl"
    assert '</id/territory/SE312?infer=false&format=nt>; rel="alternate"' in asserted.headers["Link"]
    again = client.get(asserted.headers["Content-Location"], headers={"Accept": "text/turtle"})
    assert again.data == asserted.data
    swedish = client.get("/id/territory/SE312", headers={**HTML, "Accept-Language": "sv"})
    assert swedish.headers["Content-Location"] == "/id/territory/SE312?format=html&lang=sv"
    assert '<html lang="sv">' in swedish.get_data(as_text=True)
    assert client.get("/id/territory/SE312?infer=maybe").status_code == 400


def test_the_rdf_etag_does_not_change_with_the_label_language(client: FlaskClient) -> None:
    english = client.get("/id/territory/SE312", headers={"Accept": "text/turtle", "Accept-Language": "en"})
    swedish = client.get("/id/territory/SE312", headers={"Accept": "text/turtle", "Accept-Language": "sv"})
    assert english.data == swedish.data and english.headers["ETag"] == swedish.headers["ETag"]
    pages = [client.get("/id/territory/SE312", headers={**HTML, "Accept-Language": lang}) for lang in ("en", "sv")]
    assert pages[0].headers["ETag"] != pages[1].headers["ETag"]


@pytest.mark.parametrize("fmt", ["nq", "trig"])
def test_a_named_graph_in_a_dataset_format_names_the_graph(client: FlaskClient, fmt: str) -> None:
    body = client.get(f"/graph/vanguard?format={fmt}").data
    dataset = ox.Dataset(ox.parse(body, format=ox.RdfFormat.N_QUADS if fmt == "nq" else ox.RdfFormat.TRIG))
    assert {q.graph_name for q in dataset} == {ox.NamedNode(BASE + "graph/vanguard")}
    assert body == client.get(f"/dumps/vanguard.{fmt}").data


@pytest.mark.parametrize(("since", "status"), [("Fri, 01 Jan 2100 00:00:00 GMT", 304),
                                               ("Thu, 01 Jan 1970 00:00:00 GMT", 200), ("yesterday", 200),
                                               ("", 200)])
def test_if_modified_since_compares_dates(client: FlaskClient, since: str, status: int) -> None:
    assert client.get("/dumps/all.nt", headers={"If-Modified-Since": since}).status_code == status


def test_the_class_list_and_the_class_page_count_alike(client: FlaskClient) -> None:
    listing = client.get("/classes", headers=HTML).get_data(as_text=True)
    found = re.search(r'title="http://www.w3.org/2006/time#Instant"[^>]*>[^<]*</a></td><td>(\d+)</td>', listing)
    assert found is not None
    page = client.get("/classes?class=http://www.w3.org/2006/time%23Instant", headers=HTML).get_data(as_text=True)
    listed = page[page.index('<ul class="columns">'):].split("</ul>")[0].count("<li>")
    blank = re.search(r"(\d+) instance\(s\), of which (\d+) blank node\(s\)", page)
    assert blank is not None and int(blank.group(1)) == int(found.group(1)) == listed + int(blank.group(2))


def test_the_dataset_description_page_reads_its_figures_from_the_description(client: FlaskClient,
                                                                            default_graph_size: int) -> None:
    page = client.get("/.well-known/void", headers=HTML).get_data(as_text=True)
    assert f"<tr><td>triples</td><td>{default_graph_size}</td></tr>" in page
    assert re.search(r"<tr><td>Wikidata</td><td>25</td><td><a href=\"/ontology/wikidataItem\"", page)
    assert "<details><summary>The whole description (Turtle)</summary>" in page


def test_a_large_class_is_listed_page_by_page(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("s3graph.service.publishing.CLASS_PAGE", 5)
    county = "/classes?class=https://w3id.org/s3graph/ontology%23County"
    first = client.get(county, headers=HTML).get_data(as_text=True)
    assert "21 instance(s)" in first and "Page 1 of 5 (in IRI order)" in first and 'rel="prev"' not in first
    listed = [first[first.index('<ul class="columns">'):].split("</ul>")[0].count("<li>")]
    for number in range(2, 6):
        page = client.get(f"{county}&page={number}", headers=HTML).get_data(as_text=True)
        assert f"Page {number} of 5" in page and 'rel="prev"' in page and ('rel="next"' in page) == (number < 5)
        listed.append(page[page.index('<ul class="columns">'):].split("</ul>")[0].count("<li>"))
    assert listed == [5, 5, 5, 5, 1]
    for bad in ("6", "0", "abc", "-1"):
        assert client.get(f"{county}&page={bad}", headers=HTML).status_code == 404


def test_the_builds_own_counts_are_those_of_a_pass_over_the_store(built, settings) -> None:  # type: ignore[no-untyped-def]
    """The landing page's figures come from the build (BuiltGraph.figures, in meta.json):
    the same numbers as counting the store's default graph, which at 10^6 triples takes
    20 s in every process."""
    from s3graph.service.overview import Overview
    from s3graph.service.resources import Resources

    store = built.open_store()
    resources = Resources(built, store)
    counted, live = Overview(settings.base_iri, store, resources, built.figures), \
        Overview(settings.base_iri, store, resources)
    assert set(built.figures) == {"triples", "resources", "classes"}
    assert counted.figures() == live.figures()
    assert counted.class_counts() == live.class_counts()
    assert counted.figures()["triples"] == sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
