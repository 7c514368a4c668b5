"""Provenance that means what it says: each source's graph holds what that source states.

The source document's graph is checked against a list of what it may contain and, word for
word, against a copy of the document (tests/source-document.txt, the web page's text as it was
read; its link markers, "External link, opens in new window.", are not part of the text).
The other graphs are checked for the leaks the issue found: a resource defined in one graph
and silently relied on by another, a graph that mixes sources, a contradicting source with no
statements of its own, a claim that judges more than it says.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from s3graph.query.engines import DatasetSpec, Engine
from tests import expected
from tests.helpers import column, rows

GRAPH = "https://w3id.org/s3graph/graph/"
SWEDEN = GRAPH + "sweden"
SRC = "https://w3id.org/s3graph/id/source/"
S3 = "https://w3id.org/s3graph/ontology#"
ORG = "http://www.w3.org/ns/org#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
TIME = "http://www.w3.org/2006/time#"

#: The link markers of the web page, and the space a link left before a full stop.
_MARKER = " External link, opens in new window."


def document_text() -> str:
    """The source document as one line of running text: markers out, whitespace collapsed."""
    raw = (Path(__file__).parent / "source-document.txt").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", raw.replace(_MARKER, ""))
    return unicodedata.normalize("NFC", text.replace(" .", "."))


# What the source document's graph may say, predicate by predicate; nothing else is allowed.
SWEDEN_MAY_SAY = {
    RDF + "type", S3 + "sourceText", S3 + "nameInSource", RDFS + "label", DCTERMS + "source",
    ORG + "member", ORG + "organization", ORG + "memberDuring", S3 + "componentOf", S3 + "launchedBy",
    S3 + "selectedOn", S3 + "selectedIn", S3 + "selectionFor", S3 + "numberSelected", DCTERMS + "date",
    TIME + "hasBeginning", TIME + "hasEnd", TIME + "inXSDgYear",
    PROV + "wasDerivedFrom", PROV + "wasAttributedTo",  # of the graph itself
}
# The classes it may give: the ones the document names ("platform", "project", "pilot", ...).
SWEDEN_MAY_TYPE = {S3 + name for name in (
    "RegionalAuthority", "Platform", "ThematicPlatform", "Collaboration", "Initiative", "PolicyPilot",
    "InterregProject", "Participation", "SelectionRound")} | {
    "http://www.w3.org/ns/org#Organization", TIME + "Interval", TIME + "ProperInterval", TIME + "Instant",
    PROV + "Entity"}


@pytest.fixture(scope="module")
def sweden(engine: Engine, asserted: DatasetSpec) -> list[tuple[str | None, ...]]:
    """Every triple of the source document's graph, objects with their language."""
    return rows(engine, asserted, f"""
        SELECT ?s ?p ?o (LANG(?o) AS ?lang) WHERE {{ GRAPH <{SWEDEN}> {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o""")


def test_the_source_documents_graph_says_only_what_it_may(sweden: list[tuple[str | None, ...]]) -> None:
    assert {p for _, p, _, _ in sweden} <= SWEDEN_MAY_SAY
    assert {o for _, p, o, _ in sweden if p == RDF + "type"} <= SWEDEN_MAY_TYPE
    # Only the document as a source, no editorial modelling, no translations, no summaries.
    assert {o for _, p, o, _ in sweden if p == DCTERMS + "source"} == {SRC + "smart-specialisation-sweden"}
    labels = [(s, o, lang) for s, p, o, lang in sweden if p == RDFS + "label" and s != SWEDEN]
    assert labels and all(lang == "en" for _, _, lang in labels)
    for forbidden in (S3 + "governs", S3 + "topic", ORG + "role", DCTERMS + "description"):
        assert not [row for row in sweden if row[1] == forbidden], forbidden


def test_every_quotation_and_name_in_the_source_documents_graph_is_word_for_word(
        sweden: list[tuple[str | None, ...]]) -> None:
    text = document_text()
    checked = 0
    for subject, predicate, obj, _ in sweden:
        if predicate in (S3 + "sourceText", S3 + "nameInSource") or (predicate == RDFS + "label" and subject != SWEDEN):
            assert obj is not None and unicodedata.normalize("NFC", obj) in text, (subject, predicate, obj)
            checked += 1
    assert checked == 95


@pytest.mark.parametrize(("quotation", "why"), [
    ("Leading EU-regions collaborate – Vanguard Initiative", "the heading's dash is an en dash"),
    ("The LARS project - Learning among regions on Smart Specialisation is a project that the Region of "
     "Västerbotten participates in aimed at developing regions in leading Smart Specialisation processes.",
     "the whole sentence, not a shortened one"),
])
def test_the_quotations_once_wrong_are_verbatim(engine: Engine, asserted: DatasetSpec, quotation: str,
                                                 why: str) -> None:
    assert quotation in document_text(), why
    assert column(engine, asserted, f"""
        SELECT ?s WHERE {{ GRAPH <{SWEDEN}> {{ ?s s3:sourceText ?q }} FILTER(STR(?q) = {quotation!r}) }}""")


def test_every_data_graph_has_one_source_and_its_facts_cite_that_source(engine: Engine,
                                                                         asserted: DatasetSpec) -> None:
    found = rows(engine, asserted, """
        SELECT ?g (COUNT(DISTINCT ?source) AS ?n) (SAMPLE(?source) AS ?one) WHERE {
          GRAPH ?g { ?g prov:wasDerivedFrom ?source }
        } GROUP BY ?g ORDER BY ?g""")
    # The claims graph rests on every source it judges by; every other graph on one source.
    assert [g for g, n, _ in found if n != "1"] == [GRAPH + "claims"]
    cited = column(engine, asserted, """
        SELECT DISTINCT ?source WHERE {
          GRAPH <https://w3id.org/s3graph/graph/claims> { ?claim s3:statedBy|s3:confirmedBy|s3:contradictedBy ?source }
        } ORDER BY ?source""")
    assert column(engine, asserted, """
        SELECT ?source WHERE { GRAPH <https://w3id.org/s3graph/graph/claims> {
          <https://w3id.org/s3graph/graph/claims> prov:wasDerivedFrom ?source } } ORDER BY ?source""") == cited
    assert {g for g, _, _ in found} >= {GRAPH + name for name in (
        "sweden", "editorial", "authorities", "lars-alternative-dates", "bsr-stars-earlier-text",
        "vanguard-nano-news", "adma-swedish-material", "s3-agrifood-consumer-involvement")}
    # No fact in a graph cites a source other than the graph's own.
    assert rows(engine, asserted, """
        SELECT ?g ?s ?cited WHERE {
          GRAPH ?g { ?s dcterms:source ?cited . ?g prov:wasDerivedFrom ?own }
          FILTER NOT EXISTS { GRAPH ?g { ?g prov:wasDerivedFrom ?cited } }
        }""") == []
    # The editorial decisions are a source of their own, and the vocabularies are among them.
    sources = dict((g, one) for g, _, one in found)
    assert sources[GRAPH + "editorial"] == sources[GRAPH + "vocabularies"] == SRC + "s3graph-editorial"


def test_no_graph_relies_on_an_interval_an_instant_or_a_selection_another_graph_defines(
        engine: Engine, asserted: DatasetSpec) -> None:
    # Whatever a graph dates a fact by is described, with its date, in that same graph.
    assert rows(engine, asserted, """
        SELECT ?g ?used WHERE {
          GRAPH ?g { ?s s3:activeDuring|org:memberDuring|time:hasBeginning|time:hasEnd|s3:selectedIn ?used }
          FILTER NOT EXISTS { GRAPH ?g { ?used a ?type } }
        }""") == []
    assert rows(engine, asserted, """
        SELECT ?g ?instant WHERE {
          GRAPH ?g { ?interval time:hasBeginning|time:hasEnd ?instant }
          FILTER NOT EXISTS { GRAPH ?g { ?instant time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?date } }
        }""") == []
    # The Commission's graph alone gives the five regions their years of support.
    assert column(engine, asserted, """
        SELECT DISTINCT ?year WHERE { GRAPH <https://w3id.org/s3graph/graph/industrial-transition-pilot> {
          ?p org:organization collab:industrial-transition-pilot ; org:memberDuring/time:hasEnd/time:inXSDgYear ?y
        } BIND(STR(?y) AS ?year) } ORDER BY ?year""") == ["2019"]


def test_each_contradicting_source_states_its_side_in_a_graph_of_its_own(engine: Engine,
                                                                           asserted: DatasetSpec) -> None:
    # Every source a claim says states or contradicts something has a graph holding it.
    assert rows(engine, asserted, """
        SELECT DISTINCT ?source WHERE {
          ?claim s3:statedBy|s3:contradictedBy ?source .
          FILTER NOT EXISTS { GRAPH ?g { ?g prov:wasDerivedFrom ?source } }
        }""") == []
    # Both sides of the two contradictions, side by side.
    assert rows(engine, asserted, """
        SELECT ?source ?end WHERE {
          GRAPH ?g { collab:lars s3:activeDuring/time:hasEnd/time:inXSDgYearMonth ?e }
          ?g prov:wasDerivedFrom ?source . BIND(STR(?e) AS ?end)
        } ORDER BY ?end""") == [(SRC + "interreg-bsr-projects", "2020-09"), (SRC + "lars-alternative-dates", "2021-03")]
    assert rows(engine, asserted, """
        SELECT ?source ?member WHERE {
          GRAPH ?g { ?p org:organization collab:bsr-stars-s3 ; org:member ?m }
          ?g prov:wasDerivedFrom ?source . ?m s3:governs/s3:nutsCode ?member .
        } ORDER BY ?source""") == [(SRC + "bsr-stars-earlier-text", "SE224"), (SRC + "interreg-bsr-projects", "SE311"),
                                   (SRC + "smart-specialisation-sweden", "SE311")]


def test_every_participation_is_judged_by_exactly_one_claim(engine: Engine, asserted: DatasetSpec) -> None:
    judged = rows(engine, asserted, """
        SELECT ?p (COUNT(DISTINCT ?claim) AS ?n) WHERE {
          ?p a s3:Participation . OPTIONAL { ?claim s3:about ?p }
        } GROUP BY ?p""")
    assert len(judged) == 40  # 29 from the source document, 11 from other sources
    assert {n for _, n in judged} == {"1"}


def test_the_one_of_five_claim_judges_the_first_selection_and_is_qualified_as_data(
        engine: Engine, asserted: DatasetSpec) -> None:
    assert rows(engine, asserted, """
        SELECT ?status ?n ?date ?more ?total ?when WHERE {
          claim:industrial-transition-one-of-five rdf:subject ?first ; rdf:predicate s3:numberSelected ;
              rdf:object ?n ; s3:claimStatus/skos:prefLabel ?status ; s3:qualifiedBy ?second .
          FILTER(LANG(?status) = "en")
          GRAPH <https://w3id.org/s3graph/graph/industrial-transition-pilot> {
            ?first s3:numberSelected ?n ; dcterms:date ?date .
            ?second s3:selectionFor collab:industrial-transition-pilot ; s3:numberSelected ?more ;
                    s3:totalSelected ?total ; dcterms:date ?when .
          }
        }""") == [("confirmed", "5", "2017-12", "7", "12", "2018-03")]


def test_the_authorities_have_their_official_names_with_the_status_of_each(engine: Engine,
                                                                            asserted: DatasetSpec) -> None:
    found = rows(engine, asserted, """
        SELECT ?code ?name ?status ?by WHERE {
          GRAPH <https://w3id.org/s3graph/graph/authorities> { ?a a s3:RegionalAuthority ; rdfs:label ?name }
          FILTER(LANG(?name) = "sv")
          GRAPH <https://w3id.org/s3graph/graph/editorial> { ?a s3:governs ?county }
          ?county s3:nutsCode ?code .
          ?claim rdf:subject ?a ; rdf:predicate rdfs:label ; rdf:object ?name ; s3:claimStatus/skos:prefLabel ?status .
          FILTER(LANG(?status) = "en")
          OPTIONAL { ?claim s3:confirmedBy ?by }
        } ORDER BY ?code""")
    by = {"site": SRC + "authority-own-sites", "press": SRC + "press-naming-authorities"}
    nuts = {c.name: c.nuts for c in expected.COUNTIES}
    assert found == sorted((nuts[county], name, "confirmed" if how else "unverified", by.get(how or ""))
                           for county, (_, name, how) in expected.AUTHORITIES.items())


def test_labels_are_what_they_say(engine: Engine, asserted: DatasetSpec) -> None:
    # The pilot's label is its official name; the document's words are its name in the source.
    assert rows(engine, asserted, """
        SELECT ?label ?words WHERE { collab:industrial-transition-pilot rdfs:label ?l ; s3:nameInSource ?w .
          FILTER(LANG(?l) = "en") BIND(STR(?l) AS ?label) BIND(STR(?w) AS ?words) }""") == [
        ("Pilot action for regions in industrial transition", "pilot for industrial transformation")]
    # NUTS names are tagged with their own language: no region's NUTS name passes for English.
    assert rows(engine, asserted, """
        SELECT ?t ?label WHERE { GRAPH <https://w3id.org/s3graph/graph/nuts> { ?t rdfs:label ?label ; s3:nutsLevel ?l }
          FILTER(?l > 0 && LANG(?label) = "en") }""") == []
    assert sorted(rows(engine, asserted, """
        SELECT ?code ?en ?sv WHERE { ?t s3:nutsCode ?code ; rdfs:label ?e , ?s .
          FILTER(LANG(?e) = "en" && LANG(?s) = "sv" && ?code IN ("ITC1", "DED", "BE3", "FRE", "SE31"))
          BIND(STR(?e) AS ?en) BIND(STR(?s) AS ?sv) }""")) == [
        ("BE3", "Wallonia", "Vallonien"), ("DED", "Saxony", "Sachsen"), ("FRE", "Hauts-de-France", "Hauts-de-France"),
        ("ITC1", "Piedmont", "Piemonte"), ("SE31", "North-Middle Sweden", "Norra Mellansverige")]
    # Roles are labelled like everything else, and ADMA Energy has its Swedish name.
    assert column(engine, asserted, """
        SELECT ?r WHERE { ?r a s3:Role FILTER NOT EXISTS { ?r rdfs:label ?l FILTER(LANG(?l) = "en") } }""") == []
    assert column(engine, asserted, """
        SELECT ?name WHERE { collab:vanguard-adma-energy rdfs:label ?l FILTER(LANG(?l) = "sv") BIND(STR(?l) AS ?name) }
        """) == ["Avancerad tillverkning inom energirelaterade områden"]
    # Every collaboration and organisation has an English and a Swedish name.
    assert column(engine, asserted, """
        SELECT ?c WHERE { { ?c a/rdfs:subClassOf* s3:Collaboration } UNION { ?c a s3:RegionalAuthority }
          FILTER NOT EXISTS { ?c rdfs:label ?en , ?sv FILTER(LANG(?en) = "en" && LANG(?sv) = "sv") } }""") == []
