"""OWL-RL inference: the inferred graph holds only new, useful triples."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, XSD, BNode, Literal, URIRef
from rdflib.namespace import SKOS

from s3graph.build import rules
from s3graph.build.pipeline import build
from s3graph.build.reasoners import closure as owlrl_closure
from s3graph.build.reasoners import is_noise
from s3graph.build.store import BuiltGraph
from s3graph.query.catalog import load_catalog
from s3graph.query.engines import Bindings, DatasetSpec, Engine, OxigraphEngine, select_dataset
from s3graph.query.regions import region_resolver
from s3graph.settings import Settings
from tests.helpers import column, rows

EX = rdflib.Namespace("http://example.org/")
INFERRED = "https://w3id.org/s3graph/graph/inferred"

PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def triples(turtle: str) -> set[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]]:
    """The triples of a small Turtle document."""
    graph = rdflib.Graph()
    graph.parse(data=PREFIXES + turtle, format="turtle")
    return set(graph)


# --- The inferred graph of the bundled data ------------------------------------------------

def inferred_count(engine: Engine, dataset: DatasetSpec, condition: str) -> int:
    """How many triples of the inferred graph meet `condition` (a FILTER expression)."""
    found = column(engine, dataset, f"""
        SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} FILTER({condition}) }}""")
    return int(found[0] or 0)


def test_the_inferred_graph_is_not_empty(built: BuiltGraph, engine: Engine, inferred: DatasetSpec) -> None:
    count = next(g.triples for g in built.graphs if g.iri == INFERRED)
    assert count > 0
    assert inferred_count(engine, inferred, "true") == count


def test_no_inferred_triple_has_a_literal_subject(engine: Engine, inferred: DatasetSpec) -> None:
    assert inferred_count(engine, inferred, "isLiteral(?s)") == 0


@pytest.mark.parametrize("predicate", [str(OWL.sameAs), str(SKOS.exactMatch)])
def test_no_inferred_triple_is_a_reflexive_match(engine: Engine, inferred: DatasetSpec, predicate: str) -> None:
    assert inferred_count(engine, inferred, f"?p = <{predicate}> && ?s = ?o") == 0


def test_no_inferred_triple_is_typed_owl_thing(engine: Engine, inferred: DatasetSpec) -> None:
    assert inferred_count(engine, inferred, f"?p = rdf:type && ?o = <{OWL.Thing}>") == 0


@pytest.mark.parametrize("namespace", [str(RDF), str(RDFS), str(OWL), str(XSD)])
def test_no_inferred_triple_is_about_a_builtin(engine: Engine, inferred: DatasetSpec, namespace: str) -> None:
    assert inferred_count(engine, inferred, f'STRSTARTS(STR(?s), "{namespace}")') == 0


def test_no_owl_same_as_is_inferred(engine: Engine, inferred: DatasetSpec) -> None:
    # The data aligns with skos:exactMatch only; nothing should be merged by owl:sameAs.
    assert inferred_count(engine, inferred, f"?p = <{OWL.sameAs}>") == 0


def test_the_inferred_graph_shares_no_triple_with_the_asserted_graphs(
        engine: Engine, inferred: DatasetSpec) -> None:
    found = column(engine, inferred, f"""
        SELECT (COUNT(*) AS ?n) WHERE {{
          GRAPH <{INFERRED}> {{ ?s ?p ?o }}
          GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED}>)
        }}""")
    assert found == ["0"]


def test_inferred_exact_matches_join_nuts_and_wikidata(engine: Engine, inferred: DatasetSpec) -> None:
    found = column(engine, inferred, f"""
        SELECT ?o WHERE {{ GRAPH <{INFERRED}> {{
          <http://data.europa.eu/nuts/code/SE312> skos:exactMatch ?o }} }} ORDER BY ?o""")
    assert found == ["http://www.wikidata.org/entity/Q103732",
                     "https://w3id.org/s3graph/id/territory/SE312"]


def test_topics_are_carried_up_the_topic_hierarchy(engine: Engine, inferred: DatasetSpec) -> None:
    found = column(engine, inferred, f"""
        SELECT ?topic WHERE {{ GRAPH <{INFERRED}> {{ collab:vanguard-3d-printing s3:coversTopic ?topic }} }}
        ORDER BY ?topic""")
    topic = "https://w3id.org/s3graph/id/topic/"
    assert found == [topic + "3d-printing", topic + "advanced-manufacturing",
                     topic + "industrial-modernisation"]


# --- both reasoners on tiny graphs ---------------------------------------------------------

Triples = set[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]]


@pytest.fixture(params=["owlrl", "rules"])
def closure(request: pytest.FixtureRequest) -> object:
    """Each reasoner in turn: every test below holds for both."""
    return owlrl_closure if request.param == "owlrl" else rules.closure


def test_closure_follows_a_property_chain(closure) -> None:  # type: ignore[no-untyped-def]
    data = triples("""
        ex:grandparentOf owl:propertyChainAxiom ( ex:parentOf ex:parentOf ) .
        ex:a ex:parentOf ex:b . ex:b ex:parentOf ex:c .
    """)
    assert closure(data) == {(EX.a, EX.grandparentOf, EX.c)}


def test_closure_follows_a_transitive_property(closure) -> None:  # type: ignore[no-untyped-def]
    data = triples("""
        ex:within a owl:TransitiveProperty .
        ex:a ex:within ex:b . ex:b ex:within ex:c . ex:c ex:within ex:d .
    """)
    assert closure(data) == {
        (EX.a, EX.within, EX.c), (EX.a, EX.within, EX.d), (EX.b, EX.within, EX.d),
    }


def test_closure_chains_through_a_transitive_property(closure) -> None:  # type: ignore[no-untyped-def]
    # The shape of s3:participatesThroughLargerTerritory: ( s3:within s3:participatesIn ).
    data = triples("""
        ex:within a owl:TransitiveProperty .
        ex:viaLarger rdfs:subPropertyOf ex:participatesIn ;
            owl:propertyChainAxiom ( ex:within ex:participatesIn ) .
        ex:county ex:within ex:region . ex:region ex:within ex:country .
        ex:country ex:participatesIn ex:pilot .
    """)
    assert closure(data) == {
        (EX.county, EX.within, EX.country),
        (EX.region, EX.viaLarger, EX.pilot), (EX.region, EX.participatesIn, EX.pilot),
        (EX.county, EX.viaLarger, EX.pilot), (EX.county, EX.participatesIn, EX.pilot),
    }


def test_closure_leaves_out_the_asserted_triples(closure) -> None:  # type: ignore[no-untyped-def]
    data = triples("""
        ex:p owl:inverseOf ex:q .
        ex:a ex:p ex:b . ex:b ex:q ex:a .
    """)
    assert closure(data) == set()


def test_closure_keeps_literal_values_on_the_right_subject(closure) -> None:  # type: ignore[no-untyped-def]
    data = triples("""
        ex:code rdfs:subPropertyOf skos:notation ; rdfs:range xsd:string .
        ex:a ex:code "SE312" ; ex:level 3 .
    """)
    assert closure(data) == {(EX.a, SKOS.notation, Literal("SE312"))}


def test_closure_copies_across_owl_same_as_without_reflexive_noise(closure) -> None:  # type: ignore[no-untyped-def]
    data = triples("""
        ex:a owl:sameAs ex:b .
        ex:a ex:name "A" .
    """)
    assert closure(data) == {(EX.b, OWL.sameAs, EX.a), (EX.b, EX.name, Literal("A"))}


def test_closure_of_symmetric_transitive_exact_match_has_no_reflexive_triples(closure) -> None:  # type: ignore[no-untyped-def]
    data = triples("""
        skos:exactMatch a owl:SymmetricProperty , owl:TransitiveProperty .
        ex:a skos:exactMatch ex:b . ex:b skos:exactMatch ex:c .
    """)
    assert closure(data) == {
        (EX.b, SKOS.exactMatch, EX.a), (EX.c, SKOS.exactMatch, EX.b),
        (EX.a, SKOS.exactMatch, EX.c), (EX.c, SKOS.exactMatch, EX.a),
    }


def test_closure_types_by_range_and_subclass(closure) -> None:  # type: ignore[no-untyped-def]
    data = triples("""
        ex:County rdfs:subClassOf ex:Territory .
        ex:governs rdfs:range ex:County .
        ex:authority ex:governs ex:dalarna .
    """)
    assert closure(data) == {
        (EX.dalarna, RDF.type, EX.County), (EX.dalarna, RDF.type, EX.Territory),
        (EX.governs, RDFS.range, EX.Territory),
    }


# --- is_noise() ----------------------------------------------------------------------------

def _triple_id(triple: tuple[rdflib.term.Node, ...]) -> str:
    """A test id that is the same in every collection (a blank node's label is random)."""
    return " ".join("_:b" if isinstance(node, BNode) else node.n3() for node in triple)


@pytest.mark.parametrize("triple", [
    (Literal("SE312"), RDF.type, XSD.string),
    (EX.a, OWL.sameAs, EX.a),
    (EX.a, SKOS.exactMatch, EX.a),
    (EX.A, RDFS.subClassOf, EX.A),
    (EX.p, RDFS.subPropertyOf, EX.p),
    (EX.a, RDF.type, OWL.Thing),
    (EX.a, RDF.type, RDFS.Resource),
    (OWL.sameAs, RDF.type, OWL.SymmetricProperty),
    (RDF.type, RDFS.domain, RDFS.Resource),
    (RDFS.Class, RDFS.subClassOf, RDFS.Resource),
    (XSD.string, RDF.type, RDFS.Datatype),
    (OWL.Nothing, RDFS.subClassOf, EX.A),
    (EX.a, BNode(), EX.b),
], ids=lambda t: _triple_id(t))
def test_is_noise_drops(triple: tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]) -> None:
    assert is_noise(triple) is True


@pytest.mark.parametrize("triple", [
    (EX.a, OWL.sameAs, EX.b),
    (EX.a, SKOS.exactMatch, EX.b),
    (EX.a, RDF.type, EX.County),
    (EX.a, SKOS.notation, Literal("SE312")),
    (EX.County, RDFS.subClassOf, EX.Territory),
    (BNode("b0"), URIRef("http://www.w3.org/2006/time#inXSDgYear"), Literal("2018", datatype=XSD.gYear)),
], ids=lambda t: _triple_id(t))
def test_is_noise_keeps(triple: tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]) -> None:
    assert is_noise(triple) is False


# --- the rules reasoner: the same answer as owlrl, or owlrl's -----------------------------

def test_the_rules_reasoner_follows_a_chain_of_three_and_equivalences() -> None:
    data = triples("""
        ex:greatGrandparentOf owl:propertyChainAxiom ( ex:parentOf ex:parentOf ex:parentOf ) .
        ex:Person owl:equivalentClass ex:Human . ex:parentOf rdfs:domain ex:Person .
        ex:a ex:parentOf ex:b . ex:b ex:parentOf ex:c . ex:c ex:parentOf ex:d .
    """)
    found = rules.closure(data)
    assert found == owlrl_closure(data)
    assert (EX.a, EX.greatGrandparentOf, EX.d) in found and (EX.c, RDF.type, EX.Human) in found


@pytest.mark.parametrize(("turtle", "why"), [
    ("ex:A owl:unionOf ( ex:B ex:C ) . ex:x a ex:B .", "owl:unionOf"),
    ("ex:A owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:p ; owl:hasValue ex:v ] . ex:x ex:p ex:v .",
     "owl:Restriction|owl:hasValue"),
    ("ex:a owl:sameAs ex:b . ex:a ex:name \"A\" .", "sameAs"),
    ("ex:p a owl:FunctionalProperty . ex:a ex:p ex:b , ex:c .", "functional property"),
])
def test_what_the_rules_do_not_implement_falls_back_to_owlrl_and_says_so(
        turtle: str, why: str, caplog: pytest.LogCaptureFixture) -> None:
    data = triples(turtle)
    with pytest.raises(rules.Unsupported):
        rules.infer(data)
    assert rules.closure(data) == owlrl_closure(data)
    assert "the rules reasoner does not implement" in caplog.text
    assert any(reason in caplog.text for reason in why.split("|")), caplog.text


def test_the_rules_reasoner_infers_what_owlrl_infers_from_the_bundled_data(
        built: BuiltGraph, settings: Settings, tmp_path: Path, engine: Engine, inferred: DatasetSpec) -> None:
    """The equivalence the default rests on: the inferred graph of a build with owlrl is the
    same set of triples, and so every canned query answers the same."""
    assert settings.reasoner == "rules"
    with_owlrl = build(replace(settings, reasoner="owlrl", cache_dir=str(tmp_path)))
    theirs = OxigraphEngine(with_owlrl, settings.base_iri)
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o"
    ours = rows(engine, inferred, query)
    assert len(ours) > 1000 and ours == rows(theirs, select_dataset(with_owlrl, infer=True), query)
    catalog = load_catalog(settings.queries_dir)
    for canned in catalog.queries:
        if canned.federation:
            continue
        bindings = canned.bind({}, region_resolver(built.open_store()))
        mine = engine.execute(canned.sparql, select_dataset(built, infer=True), bindings)
        owlrls = theirs.execute(canned.sparql, select_dataset(with_owlrl, infer=True), bindings)
        assert isinstance(mine, Bindings) and isinstance(owlrls, Bindings)
        assert mine.rows == owlrls.rows, canned.slug
