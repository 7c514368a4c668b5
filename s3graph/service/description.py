"""The SPARQL service description (and the canned queries in it) as RDF triples."""

from __future__ import annotations

import pyoxigraph as ox

from ..build.store import BuiltGraph
from ..formats.registry import FORMATS, FORMATS_NS
from ..query.catalog import Catalog
from ..settings import Settings
from .dataset import LICENCE_AUTHORITY, VOID_PATH, dataset_iri, endpoint_url, site_url

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
SH = "http://www.w3.org/ns/shacl#"
RDFS_SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = ox.NamedNode(RDF + "type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def describe_service(settings: Settings, built: BuiltGraph, catalog: Catalog,
                     default_graph_triples: int) -> list[ox.Triple]:
    """The sd:Service description of the endpoint: formats, features, regime, graphs, queries."""
    service = _n(endpoint_url(settings))
    t: list[ox.Triple] = []

    def add(s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        t.append(ox.Triple(s, _n(p), o))

    add(service, RDF_TYPE.value, _n(SD + "Service"))
    add(service, SD + "endpoint", service)
    add(service, DCT + "title", ox.Literal("s3graph SPARQL endpoint", language="en"))
    add(service, DCT + "description", ox.Literal(
        "Read-only SPARQL 1.1 endpoint over the s3graph knowledge graph of EU Smart Specialisation "
        "cooperation. The default graph is the union of the asserted graphs and the OWL-RL inferred "
        "graph (infer=false leaves the inferred graph out).", language="en"))
    add(service, SD + "supportedLanguage", _n(SD + "SPARQL11Query"))
    for fmt in FORMATS:
        if fmt.sd_name:
            add(service, SD + "resultFormat", _n(FORMATS_NS + fmt.sd_name))
    if settings.federation_allowlist:
        add(service, SD + "feature", _n(SD + "BasicFederatedQuery"))
    add(service, SD + "defaultEntailmentRegime", _n("http://www.w3.org/ns/entailment/OWL-RDF-Based"))
    add(service, SD + "defaultSupportedEntailmentProfile", _n("http://www.w3.org/ns/owl-profile/RL"))
    for url in settings.federation_allowlist:
        add(service, DCT + "relation", _n(url))
    add(service, DCT + "license", _n(LICENCE_AUTHORITY))

    # The default dataset is the VoID/DCAT dataset itself (one IRI): its full description,
    # with counts, dumps and licence, is the document at VOID_PATH.
    dataset = _n(dataset_iri(settings))
    add(service, SD + "defaultDataset", dataset)
    add(dataset, RDF_TYPE.value, _n(SD + "Dataset"))
    add(dataset, RDF_TYPE.value, _n(VOID + "Dataset"))
    add(dataset, DCT + "license", _n(LICENCE_AUTHORITY))
    add(dataset, VOID + "sparqlEndpoint", service)
    add(dataset, RDFS_SEE_ALSO, _n(site_url(settings, VOID_PATH)))
    default = ox.BlankNode("defaultGraph")
    add(dataset, SD + "defaultGraph", default)
    add(default, RDF_TYPE.value, _n(SD + "Graph"))
    add(default, VOID + "triples", _int(default_graph_triples))
    for info in built.graphs:
        named = ox.BlankNode(f"named-{info.iri.rsplit('/', 1)[-1]}")
        graph = ox.BlankNode(f"graph-{info.iri.rsplit('/', 1)[-1]}")
        add(dataset, SD + "namedGraph", named)
        add(named, RDF_TYPE.value, _n(SD + "NamedGraph"))
        add(named, SD + "name", _n(info.iri))
        add(named, SD + "graph", graph)
        add(graph, RDF_TYPE.value, _n(SD + "Graph"))
        add(graph, VOID + "triples", _int(info.triples))
        add(graph, DCT + "type", ox.Literal(info.role))

    base = site_url(settings, "")
    for canned in catalog.queries:
        node = _n(f"{base}/queries/{canned.slug}")
        add(service, DCT + "hasPart", node)
        add(node, RDF_TYPE.value, _n(DCAT + "DataService"))
        add(node, RDF_TYPE.value, _n(SH + "SPARQLSelectExecutable"))
        add(node, DCT + "title", ox.Literal(canned.title, language="en"))
        add(node, DCT + "description", ox.Literal(canned.description, language="en"))
        add(node, DCAT + "endpointURL", node)
        add(node, SH + "select", ox.Literal(canned.sparql))
        for p in canned.parameters:
            param = ox.BlankNode(f"param-{canned.slug}-{p.name}")
            add(node, SH + "parameter", param)
            add(param, SH + "name", ox.Literal(p.name))
            allowed = f" (one of {', '.join(p.allowed)})" if p.allowed else ""
            add(param, SH + "description", ox.Literal(f"{p.type}{allowed}: {p.help}", language="en"))
            if p.default is not None:
                add(param, SH + "defaultValue", ox.Literal(p.default))
            if p.optional:
                add(param, SH + "optional", ox.Literal("true", datatype=XSD_BOOLEAN))
            if p.allowed:  # sh:in: an RDF list of the allowed values
                cells = [ox.BlankNode(f"param-{canned.slug}-{p.name}-in-{i}") for i in range(len(p.allowed))]
                add(param, SH + "in", cells[0])
                for i, (cell, allowed_value) in enumerate(zip(cells, p.allowed, strict=True)):
                    add(cell, RDF + "first", ox.Literal(allowed_value))
                    add(cell, RDF + "rest", cells[i + 1] if i + 1 < len(cells) else _n(RDF + "nil"))
    return t
