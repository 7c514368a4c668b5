"""The dataset description (/.well-known/void): DCAT-AP 3.0 mandatory properties, VoID counts,
partitions, subsets, linksets, dumps and the link from the service description.

Every count is checked against one computed here from the build's N-Quads file (the named
graphs, not SPARQL), and the ones that are facts of the data against exact numbers.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib import RDF, RDFS, Literal, URIRef

from s3graph.build.store import ASSERTED_MERGE, BuiltGraph
from s3graph.query.catalog import Catalog
from s3graph.service.dataset import (
    LICENCE_AUTHORITY,
    LICENCE_URL,
    VOID_PATH,
    describe_dataset,
    namespace,
)
from s3graph.service.description import describe_service
from s3graph.service.dumps import dumps
from s3graph.settings import Settings

SHAPES = Path(__file__).with_name("dcat_ap_3_mandatory.ttl")
ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology" / "s3.ttl"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.DCTERMS
FORMAT = URIRef("http://purl.org/dc/terms/format")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
S3 = rdflib.Namespace("https://w3id.org/s3graph/ontology#")
EU = "http://publications.europa.eu/resource/authority/"
SITE = "http://127.0.0.1:8000"
DATASET = URIRef("https://w3id.org/s3graph/dataset")
CATALOGUE = URIRef("https://w3id.org/s3graph/catalogue")
ENDPOINT = URIRef(SITE + "/sparql")
SPACE = "https://w3id.org/s3graph/id/"


def to_rdflib(triples: list[ox.Triple]) -> rdflib.Graph:
    """Serialise with pyoxigraph as Turtle and parse the text with rdflib (the "it parses" check)."""
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE)
    assert text is not None
    return rdflib.Graph().parse(data=text.decode(), format="turtle")


@pytest.fixture(scope="module")
def store(built: BuiltGraph) -> ox.Store:
    """The built store, opened read-only."""
    return built.open_store()


@pytest.fixture(scope="module")
def triples(settings: Settings, built: BuiltGraph, store: ox.Store) -> list[ox.Triple]:
    """The description as pyoxigraph triples."""
    return describe_dataset(settings, built, store)


@pytest.fixture(scope="module")
def graph(triples: list[ox.Triple]) -> rdflib.Graph:
    """The description as rdflib read it from Turtle."""
    return to_rdflib(triples)


@pytest.fixture(scope="module")
def everything(built: BuiltGraph) -> set[ox.Triple]:
    """Every triple of the named graphs, once, read from the N-Quads file."""
    named = {ox.NamedNode(iri) for iri in built.graph_iris()}
    return {q.triple for q in ox.parse(path=built.nquads_path, format=ox.RdfFormat.N_QUADS) if q.graph_name in named}


def count_of(graph: rdflib.Graph, node: rdflib.term.Node, prop: URIRef) -> int:
    """The one integer `node` has for `prop`."""
    values = list(graph.objects(node, prop))
    assert len(values) == 1, (node, prop, values)
    return int(values[0])  # type: ignore[call-overload]


def validate(graph: rdflib.Graph) -> tuple[bool, rdflib.Graph]:
    """Run the DCAT-AP 3.0 mandatory shapes; (conforms, results graph)."""
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    conforms, results, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    return bool(conforms), results


def test_it_parses_and_meets_the_dcat_ap_3_mandatory_properties(graph: rdflib.Graph) -> None:
    conforms, results = validate(graph)
    assert conforms, results.serialize(format="turtle")
    assert list(graph.subjects(RDF.type, DCAT.Catalog)) == [CATALOGUE]
    assert list(graph.subjects(RDF.type, DCAT.Dataset)) == [DATASET]
    assert list(graph.subjects(RDF.type, DCAT.DataService)) == [ENDPOINT]
    assert len(set(graph.subjects(RDF.type, DCAT.Distribution))) == 11  # 5 formats, plain and gzipped, + SPARQL


@pytest.mark.parametrize(("subject", "path"), [
    (URIRef(SITE + VOID_PATH + "#dump-all.ttl.gz"), DCAT.accessURL),
    (CATALOGUE, DCT.publisher),
    (DATASET, DCT.title),
    (ENDPOINT, DCAT.endpointURL),
    (URIRef("https://w3id.org/s3graph/id/organisation/s3graph"), rdflib.FOAF.name),
])
def test_the_shapes_fail_without_a_mandatory_property(graph: rdflib.Graph, subject: URIRef, path: URIRef) -> None:
    broken = rdflib.Graph()
    for t in graph:
        broken.add(t)
    assert (subject, path, None) in broken
    broken.remove((subject, path, None))
    conforms, results = validate(broken)
    assert not conforms
    failures = {(r[SH.focusNode], r[SH.resultPath]) for r in
                ({p: results.value(n, p) for p in (SH.focusNode, SH.resultPath)}
                 for n in results.subjects(RDF.type, SH.ValidationResult))}
    assert failures == {(subject, path)}


def test_the_shapes_fail_on_a_value_outside_the_eu_vocabulary(graph: rdflib.Graph) -> None:
    broken = rdflib.Graph()
    for t in graph:
        broken.add(t)
    broken.set((DATASET, DCT.accrualPeriodicity, URIRef("http://example.org/yearly")))
    conforms, results = validate(broken)
    assert not conforms
    assert set(results.objects(None, SH.resultPath)) == {DCT.accrualPeriodicity}


def test_the_dataset_counts_are_right(graph: rdflib.Graph, everything: set[ox.Triple]) -> None:
    rdf_type = ox.NamedNode(str(RDF.type))
    expected = {
        VOID.triples: len(everything),
        VOID.distinctSubjects: len({t.subject for t in everything}),
        VOID.distinctObjects: len({t.object for t in everything}),
        VOID.properties: len({t.predicate for t in everything}),
        VOID.classes: len({t.object for t in everything if t.predicate == rdf_type}),
        VOID.entities: len({t.subject for t in everything
                            if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(SPACE)}),
    }
    assert {p: count_of(graph, DATASET, p) for p in expected} == expected
    assert expected[VOID.triples] > 3000 and expected[VOID.entities] > 200  # the bundled data, not an empty build


def test_class_and_property_partitions_count_every_class_and_property(graph: rdflib.Graph,
                                                                    everything: set[ox.Triple]) -> None:
    rdf_type = ox.NamedNode(str(RDF.type))
    instances: dict[str, set[ox.NamedNode | ox.BlankNode | ox.Triple]] = {}
    for t in everything:
        if t.predicate == rdf_type and isinstance(t.object, ox.NamedNode):
            instances.setdefault(t.object.value, set()).add(t.subject)
    classes = {str(graph.value(p, VOID["class"])): (count_of(graph, p, VOID.entities),
                                                     count_of(graph, p, VOID.distinctSubjects))
               for p in graph.objects(DATASET, VOID.classPartition)}
    assert classes == {c: (sum(isinstance(s, ox.NamedNode) for s in found), len(found))
                       for c, found in instances.items()}
    assert classes[str(S3.County)] == (21, 21) and classes[str(S3.Participation)] == (40, 40)
    assert classes[str(S3.Territory)] == (41, 41) and classes[str(S3.Country)] == (5, 5)
    # five named instants (instant:2017-09-29, instant:2018, instant:2019, interval:lars-end,
    # interval:lars-alternative-end) and 11 blank nodes (the other begins and ends)
    assert classes["http://www.w3.org/2006/time#Instant"] == (5, 16)
    properties = {str(graph.value(p, VOID.property)): count_of(graph, p, VOID.triples)
                  for p in graph.objects(DATASET, VOID.propertyPartition)}
    assert properties == dict(Counter(t.predicate.value for t in everything))
    assert properties[str(S3.nutsConcept)] == 41 and properties[str(S3.wikidataItem)] == 25


def test_the_vocabularies_are_those_of_every_class_and_property(graph: rdflib.Graph,
                                                                everything: set[ox.Triple]) -> None:
    terms = {t.predicate.value for t in everything} | {t.object.value for t in everything
                                                       if t.predicate.value == str(RDF.type)
                                                       and isinstance(t.object, ox.NamedNode)}
    assert {str(v) for v in graph.objects(DATASET, VOID.vocabulary)} == {namespace(t) for t in terms}
    assert {str(S3), "http://www.w3.org/ns/org#", str(rdflib.SKOS)} <= {str(v) for v in
                                                                       graph.objects(DATASET, VOID.vocabulary)}


@pytest.mark.parametrize(("name", "predicate", "space", "links"), [
    ("nuts", S3.nutsConcept, "http://data.europa.eu/nuts/code/", 41),
    ("wikidata", S3.wikidataItem, "http://www.wikidata.org/entity/", 25),
    ("eu-country", S3.euCountryAuthority, EU + "country/", 5),
])
def test_a_linkset_counts_its_links(graph: rdflib.Graph, everything: set[ox.Triple], name: str,
                                    predicate: URIRef, space: str, links: int) -> None:
    linkset = URIRef(f"{SITE}{VOID_PATH}#links-{name}")
    stated = [t for t in everything if t.predicate.value == str(predicate)]
    assert (DATASET, VOID.subset, linkset) in graph and (linkset, RDF.type, VOID.Linkset) in graph
    assert graph.value(linkset, VOID.linkPredicate) == predicate
    assert graph.value(linkset, VOID.subjectsTarget) == DATASET
    assert count_of(graph, linkset, VOID.triples) == len(stated) == links
    target = graph.value(linkset, VOID.objectsTarget)
    assert str(graph.value(target, VOID.uriSpace)) == space
    assert graph.value(target, DCT.title) is not None
    assert all(isinstance(t.object, ox.NamedNode) and t.object.value.startswith(space) for t in stated)


def test_a_subset_per_named_graph_with_its_triples_and_dumps(graph: rdflib.Graph, built: BuiltGraph,
                                                             everything: set[ox.Triple]) -> None:
    subsets = set(graph.objects(DATASET, VOID.subset)) - set(graph.subjects(RDF.type, VOID.Linkset))
    asserted = URIRef(f"{SITE}{VOID_PATH}#asserted")
    assert subsets == {URIRef(info.iri) for info in built.graphs} | {asserted}
    assert URIRef(ASSERTED_MERGE) not in set(graph.all_nodes())
    for info in built.graphs:
        assert count_of(graph, URIRef(info.iri), VOID.triples) == info.triples
        name = "inferred" if info.role == "inferred" else info.iri.rsplit("/", 1)[-1]
        assert {str(d) for d in graph.objects(URIRef(info.iri), VOID.dataDump)} == \
            {SITE + d.path for d in dumps(built) if d.selection.name == name}
    named = {ox.NamedNode(iri) for iri in built.asserted_graphs}
    quads = ox.parse(path=built.nquads_path, format=ox.RdfFormat.N_QUADS)
    assert count_of(graph, asserted, VOID.triples) == len({q.triple for q in quads if q.graph_name in named})
    assert str(graph.value(URIRef("https://w3id.org/s3graph/graph/nuts"), DCT.title)) == "NUTS 2021 regions"


def test_access_urls_endpoint_and_uri_space(graph: rdflib.Graph, built: BuiltGraph,
                                            everything: set[ox.Triple]) -> None:
    offered = {SITE + d.path for d in dumps(built)}
    listed = {str(o) for o in graph.objects(None, VOID.dataDump)}
    assert listed == offered  # every dump, each at the URL the site serves it
    assert {str(o) for o in graph.objects(DATASET, VOID.dataDump)} == \
        {SITE + d.path for d in dumps(built) if d.selection.name == "all"}
    assert list(graph.objects(DATASET, VOID.sparqlEndpoint)) == [URIRef("http://127.0.0.1:8000/sparql")]
    assert list(graph.objects(DATASET, VOID.uriSpace)) == [Literal("https://w3id.org/s3graph/id/")]
    for distribution in graph.objects(DATASET, DCAT.distribution):
        url = str(graph.value(distribution, DCAT.accessURL))
        assert url in offered or url == str(ENDPOINT)
    examples = {str(o) for o in graph.objects(DATASET, VOID.exampleResource)}  # the first of each class
    assert examples == {"https://w3id.org/s3graph/id/territory/BE",
                        "https://w3id.org/s3graph/id/collaboration/beyond-edp",
                        "https://w3id.org/s3graph/id/participation/adma-dalarna"}
    assert all(ox.NamedNode(e) in {t.subject for t in everything} for e in examples)
    iris = [str(n) for n in graph.all_nodes() if isinstance(n, URIRef)]
    assert not any(isinstance(n, rdflib.BNode) for n in graph.all_nodes())
    assert all(i.startswith(("http://", "https://")) for i in iris)


def test_the_dcat_values_come_from_the_authority_tables(graph: rdflib.Graph) -> None:
    formats = {str(graph.value(d, DCAT.downloadURL)).rsplit("/", 1)[-1]: str(graph.value(d, FORMAT))
               for d in graph.subjects(RDF.type, DCAT.Distribution) if graph.value(d, DCAT.downloadURL)}
    assert {f: code.removeprefix(EU + "file-type/") for f, code in formats.items() if "." in f and
            not f.endswith(".gz")} == {"all.ttl": "RDF_TURTLE", "all.jsonld": "JSON_LD", "all.nt": "RDF_N_TRIPLES",
                                       "all.trig": "RDF_TRIG", "all.nq": "RDF_N_QUADS"}
    gzipped = URIRef(f"{SITE}{VOID_PATH}#dump-all.nt.gz")
    assert str(graph.value(gzipped, DCAT.compressFormat)) == "https://www.iana.org/assignments/media-types/application/gzip"
    assert str(graph.value(gzipped, DCAT.mediaType)) == "https://www.iana.org/assignments/media-types/application/n-triples"
    assert set(graph.objects(DATASET, DCAT.theme)) == {URIRef(EU + "data-theme/REGI")}
    assert graph.value(DATASET, DCT.accrualPeriodicity) == URIRef(EU + "frequency/IRREG")
    assert {str(s) for s in graph.objects(DATASET, DCT.spatial)} == {
        EU + "country/" + c for c in ("SWE", "ITA", "DEU", "BEL", "FRA")} | {EU + "continent/EUROPE"}
    assert {str(s).rsplit("/", 1)[-1] for s in graph.objects(DATASET, DCT.language)} == {
        "ENG", "SWE", "DEU", "FRA", "ITA", "SPA", "FIN", "NLD"}  # NLD: "België"@nl
    assert graph.value(DATASET, DCT.conformsTo) == URIRef("https://w3id.org/s3graph/ontology")
    assert graph.value(ENDPOINT, DCT.conformsTo) == URIRef("https://www.w3.org/TR/sparql11-protocol/")
    assert graph.value(ENDPOINT, DCAT.endpointDescription) == ENDPOINT
    assert graph.value(ENDPOINT, DCAT.servesDataset) == DATASET
    assert Literal("SPARQL", lang="en") in set(graph.objects(ENDPOINT, DCAT.keyword))
    assert graph.value(CATALOGUE, DCAT.dataset) == DATASET  # recommended in DCAT-AP 3.0.0
    assert graph.value(CATALOGUE, DCAT.service) == ENDPOINT


def test_one_licence_everywhere_and_the_ontology_dates(graph: rdflib.Graph) -> None:
    licensed = set(graph.subjects(DCT.license, None))
    described = {CATALOGUE, DATASET, ENDPOINT, *graph.subjects(RDF.type, DCAT.Distribution)}
    assert described <= licensed
    assert set(graph.objects(None, DCT.license)) == {URIRef(LICENCE_AUTHORITY)}
    assert LICENCE_AUTHORITY == EU + "licence/CC_BY_4_0"
    assert graph.value(URIRef(LICENCE_AUTHORITY), RDFS.seeAlso) == URIRef(LICENCE_URL)
    ontology = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    iri = URIRef("https://w3id.org/s3graph/ontology")
    assert str(ontology.value(iri, DCT.license)) == LICENCE_URL
    for node in (CATALOGUE, DATASET):
        assert graph.value(node, DCT.issued) == ontology.value(iri, DCT.created)
        assert graph.value(node, DCT.modified) == ontology.value(iri, DCT.modified)
    publisher = graph.value(DATASET, DCT.publisher)
    assert str(graph.value(publisher, rdflib.FOAF.name)) == str(ontology.value(iri, DCT.creator))
    period = graph.value(DATASET, DCT.temporal)
    assert graph.value(period, DCAT.startDate) == Literal("2016", datatype=rdflib.XSD.gYear)
    assert graph.value(period, DCAT.endDate) is None  # some collaborations have no end in the data


def test_the_service_description_links_to_the_dataset(settings: Settings, built: BuiltGraph, catalog: Catalog,
                                                      default_graph_size: int) -> None:
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = to_rdflib(describe_service(settings, built, catalog, default_graph_size))
    assert service.value(ENDPOINT, sd.defaultDataset) == DATASET
    assert (DATASET, RDF.type, sd.Dataset) in service and (DATASET, RDF.type, VOID.Dataset) in service
    assert service.value(DATASET, RDFS.seeAlso) == URIRef(SITE + VOID_PATH)
    assert service.value(DATASET, VOID.sparqlEndpoint) == ENDPOINT
    assert service.value(ENDPOINT, DCT.license) == URIRef(LICENCE_AUTHORITY)


def test_the_description_is_stable_and_follows_the_settings(settings: Settings, built: BuiltGraph,
                                                            store: ox.Store, triples: list[ox.Triple]) -> None:
    assert describe_dataset(settings, built, store) == triples
    moved = to_rdflib(describe_dataset(settings.replace(public_url="https://s3graph.example.org/"), built, store))
    assert moved.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://s3graph.example.org/sparql")
    assert URIRef("https://s3graph.example.org/dumps/all.ttl") in set(moved.objects(DATASET, VOID.dataDump))
    assert not any(str(n).startswith(SITE) for n in moved.all_nodes())
