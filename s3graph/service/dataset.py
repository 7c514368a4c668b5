"""The dataset description at /.well-known/void: a DCAT-AP 3.0 catalogue and VoID, as triples.

DCAT-AP: catalogue, dataset, a distribution per "all" dump and one for the endpoint, the SPARQL
data service (IRI: the endpoint's, as in the service description), publisher, contact point,
with the EU authority tables' values. VoID, on the same dataset: endpoint, dumps, URI space,
examples, vocabularies, counts, class and property partitions, a subset per named graph, and
linksets. Identities (catalogue, dataset) are under base_iri, what the site serves under
public_url. Every count is a SPARQL query over the store's default graph (every triple once).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import cast

import pyoxigraph as ox

from ..build.store import BuiltGraph
from ..formats.rdf import PREFIXES
from ..formats.registry import FORMATS_NS
from ..settings import Settings
from .dumps import Dump, dumps

#: The licence of the data, the description and the pages: its deed, and its short name.
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NAME = "CC BY 4.0"
#: The same licence in the EU licence authority table (what DCAT-AP portals resolve); the
#: pages and the ontology use LICENCE_URL, its deed; the description links the two (seeAlso).
LICENCE_AUTHORITY = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
#: Where the description is served (VoID's well-known location).
VOID_PATH = "/.well-known/void"
PUBLISHER_NAME = "The s3graph developers"  # the ontology's dcterms:creator

RDF, RDFS, DCT, DCAT = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["dcterms"], PREFIXES["dcat"]
VOID, SKOS, S3, TIME = PREFIXES["void"], PREFIXES["skos"], PREFIXES["s3"], PREFIXES["time"]
FOAF, VCARD = "http://xmlns.com/foaf/0.1/", "http://www.w3.org/2006/vcard/ns#"
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
REGI = EU + "data-theme/REGI"
#: EU file-type codes of the dump formats, checked against the authority table.
FILE_TYPES = {"ttl": "RDF_TURTLE", "jsonld": "JSON_LD", "nt": "RDF_N_TRIPLES", "trig": "RDF_TRIG",
              "nq": "RDF_N_QUADS", "xml": "RDF_XML"}
#: EU language codes of the language tags in the data (a tag not listed is not stated).
LANGUAGES = {"en": "ENG", "sv": "SWE", "de": "DEU", "fr": "FRA", "it": "ITA", "es": "SPA", "fi": "FIN",
             "nl": "NLD"}
KEYWORDS = ("smart specialisation", "S3", "regional innovation", "Interreg", "Vanguard Initiative", "NUTS",
            "Sweden", "linked data")
EXAMPLE_CLASSES = ("Territory", "Collaboration", "Participation")
EU_SPARQL = "https://publications.europa.eu/webapi/rdf/sparql"
#: The datasets the graph links to: fragment, linking property, title, URI space, SPARQL
#: endpoint, home page (None where the sources name none).
LINK_TARGETS = (
    ("nuts", S3 + "nutsConcept", "NUTS 2021 regions in the EU's linked data", "http://data.europa.eu/nuts/code/",
     EU_SPARQL, None),
    ("wikidata", S3 + "wikidataItem", "Wikidata", "http://www.wikidata.org/entity/",
     "https://query.wikidata.org/sparql", "https://www.wikidata.org/"),
    ("eu-country", S3 + "euCountryAuthority", "EU Vocabularies: Countries and territories authority table",
     EU + "country/", EU_SPARQL, None),
)

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Value = Term | str | Sequence[Term | str] | None  # a str is an IRI; a sequence, several objects


def site_url(settings: Settings, path: str) -> str:
    """A URL on the site: public_url followed by `path`."""
    return settings.public_url.rstrip("/") + path


def endpoint_url(settings: Settings) -> str:
    """The public URL of the SPARQL endpoint."""
    return site_url(settings, "/sparql")


def dataset_iri(settings: Settings) -> str:
    """The dataset's identity (its dcat:Dataset, void:Dataset and the endpoint's sd:Dataset)."""
    return settings.base_iri + "dataset"


def en(text: str) -> ox.Literal:
    """An English literal."""
    return ox.Literal(text, language="en")


def integer(value: int) -> ox.Literal:
    """An xsd:integer literal."""
    return ox.Literal(str(value), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))


def rows(store: ox.Store, sparql: str) -> list[list[Term]]:
    """The solutions of a SELECT over the store's default graph (unbound values are None)."""
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    return [[cast(Term, s[v]) for v in result.variables] for s in result]


def count(store: ox.Store, sparql: str) -> int:
    """The one number a counting SELECT answers."""
    return int(rows(store, sparql)[0][0].value)


def key(iri: str) -> str:
    """A stable fragment naming a term's partition: `s3-County`, or a digest of the IRI."""
    for prefix, namespace in PREFIXES.items():
        rest = iri.removeprefix(namespace)
        if rest != iri and rest.replace("_", "").replace("-", "").isalnum():
            return f"{prefix}-{rest}"
    return hashlib.sha256(iri.encode()).hexdigest()[:12]


def namespace(iri: str) -> str:
    """The vocabulary a term belongs to: its IRI up to the last `#`, or else the last `/`."""
    return iri[:(iri.rfind("#") if "#" in iri else iri.rfind("/")) + 1]


def describe_dataset(settings: Settings, built: BuiltGraph, store: ox.Store) -> list[ox.Triple]:
    """The dataset description: DCAT-AP catalogue, dataset, distributions, service, and VoID."""
    description = Description(settings, built, store)
    for part in (description.dcat, description.dataset_, description.distributions, description.statistics,
                 description.partitions, description.subsets, description.linksets):
        part()
    first: dict[str, int] = {}  # each subject's statements together (readable Turtle), in the order of first mention
    for t in description.triples:
        first.setdefault(str(t.subject), len(first))
    return sorted(description.triples, key=lambda t: first[str(t.subject)])


class Description:
    """The description of one build, written part by part into `triples`."""

    def __init__(self, settings: Settings, built: BuiltGraph, store: ox.Store) -> None:
        self.settings, self.built, self.store = settings, built, store
        self.triples: list[ox.Triple] = []
        self.dataset, self.catalogue = dataset_iri(settings), settings.base_iri + "catalogue"
        self.document, self.endpoint = site_url(settings, VOID_PATH), endpoint_url(settings)
        self.home, self.ontology = site_url(settings, "/"), settings.base_iri + "ontology"
        self.publisher = settings.base_iri + "id/organisation/s3graph"  # the agent of data/sources.ttl
        self.space = settings.base_iri + "id/"
        self.all_dumps = [d for d in dumps(built) if d.selection.name == "all"]

    def node(self, subject: str, properties: dict[str, Value]) -> None:
        """State each property of `subject` (None states nothing)."""
        for predicate, value in properties.items():
            values = [value] if isinstance(value, str | ox.NamedNode | ox.BlankNode | ox.Literal) else value or ()
            self.triples.extend(ox.Triple(ox.NamedNode(subject), ox.NamedNode(predicate),
                                          ox.NamedNode(o) if isinstance(o, str) else o) for o in values)

    def part(self, fragment: str) -> str:
        """A part of the description, named by a fragment of the document's URL."""
        return f"{self.document}#{fragment}"

    def common(self) -> dict[str, Value]:
        """What the catalogue and the dataset share: dates of the ontology, coverage, licence."""
        found = rows(self.store, f"SELECT ?c ?m WHERE {{ OPTIONAL {{ <{self.ontology}> <{DCT}created> ?c }} "
                                 f"OPTIONAL {{ <{self.ontology}> <{DCT}modified> ?m }} }} ORDER BY ?c ?m LIMIT 1")
        countries = [c for (c,) in rows(self.store, f"SELECT DISTINCT ?c WHERE {{ ?t <{S3}euCountryAuthority> ?c }} "
                                                    "ORDER BY ?c")]
        # Europe: s3graph's scope is EU cooperation, and every country in the data is European
        return {DCT + "issued": found[0][0], DCT + "modified": found[0][1],
                DCT + "spatial": [*countries, EU + "continent/EUROPE"] if countries else None,
                DCT + "publisher": self.publisher, DCT + "license": LICENCE_AUTHORITY}

    def dcat(self) -> None:
        """The document, the dcat:Catalog, the dcat:DataService and the resources they name."""
        self.node(self.document, {RDF + "type": VOID + "DatasetDescription", FOAF + "primaryTopic": self.dataset,
                                  DCT + "title": en("Description of the s3graph dataset (DCAT-AP 3.0 and VoID)"),
                                  FOAF + "topic": self.catalogue, DCT + "license": LICENCE_AUTHORITY})
        self.node(self.catalogue, {
            RDF + "type": DCAT + "Catalog", DCT + "title": en("s3graph catalogue"),
            DCT + "description": en("The catalogue of s3graph: its one dataset, the dataset's dumps and its SPARQL "
                                    "endpoint."),
            DCAT + "dataset": self.dataset, DCAT + "service": self.endpoint, FOAF + "homepage": self.home,
            DCT + "language": EU + "language/ENG", DCAT + "themeTaxonomy": EU + "data-theme", **self.common()})
        self.node(self.endpoint, {
            RDF + "type": DCAT + "DataService", DCT + "title": en("s3graph SPARQL endpoint"),
            DCT + "description": en("Read-only SPARQL 1.1 endpoint over the s3graph dataset."),
            DCAT + "endpointURL": self.endpoint, DCAT + "servesDataset": self.dataset,
            DCAT + "endpointDescription": self.endpoint,  # the service description is served there
            DCT + "conformsTo": "https://www.w3.org/TR/sparql11-protocol/", DCT + "format": EU + "file-type/SPARQLQRES",
            DCT + "license": LICENCE_AUTHORITY, DCT + "accessRights": EU + "access-right/PUBLIC",
            DCT + "publisher": self.publisher, DCAT + "contactPoint": self.part("contact"), DCAT + "theme": REGI,
            DCAT + "keyword": [en("SPARQL"), *(en(k) for k in KEYWORDS)], DCAT + "landingPage": self.home})
        self.node(self.publisher, {RDF + "type": FOAF + "Agent", FOAF + "name": en(PUBLISHER_NAME)})
        self.node(self.part("contact"), {RDF + "type": VCARD + "Kind", VCARD + "fn": en(PUBLISHER_NAME),
                                         VCARD + "hasURL": self.home})
        self.node(LICENCE_AUTHORITY, {RDF + "type": DCT + "LicenseDocument", RDFS + "seeAlso": LICENCE_URL,
                                      DCT + "type": "http://purl.org/adms/licencetype/Attribution",
                                      RDFS + "label": en("Creative Commons Attribution 4.0 International")})
        self.node(REGI, {RDF + "type": SKOS + "Concept", SKOS + "prefLabel": en("Regions and cities"),
                         SKOS + "inScheme": EU + "data-theme"})
        self.node(EU + "data-theme", {RDF + "type": SKOS + "ConceptScheme", DCT + "title": en("Data theme")})

    def dataset_(self) -> None:
        """The dcat:Dataset (also the void:Dataset): title, description and the recommended ones."""
        tags = rows(self.store, "SELECT DISTINCT (LCASE(LANG(?o)) AS ?t) WHERE { ?s ?p ?o FILTER(LANG(?o) != '') }")
        codes = sorted({LANGUAGES.get(t.value.split("-")[0], "") for (t,) in tags} - {""})
        self.node(self.dataset, {
            RDF + "type": [DCAT + "Dataset", VOID + "Dataset"],
            DCT + "title": en("s3graph: EU Smart Specialisation cooperation"),
            DCT + "description": en(
                "A knowledge graph of how regions take part in EU Smart Specialisation (S3) cooperation: territories "
                "and the authorities acting for them, platforms, partnerships, initiatives, pilots, Interreg "
                "programmes and projects, each participation with its role, time and source; aligned with NUTS, "
                "ISO 3166-2, Wikidata and the EU authority tables, enriched by OWL-RL inference."),
            DCT + "identifier": ox.Literal(self.dataset), DCT + "creator": self.publisher,
            DCAT + "contactPoint": self.part("contact"), DCAT + "keyword": [en(k) for k in KEYWORDS],
            DCAT + "theme": REGI, DCT + "accrualPeriodicity": EU + "frequency/IRREG",  # rebuilt when sources change
            DCT + "accessRights": EU + "access-right/PUBLIC", DCT + "conformsTo": self.ontology,
            DCAT + "landingPage": self.home, FOAF + "homepage": self.home,
            DCT + "language": [EU + "language/" + c for c in codes], **self.common()})
        self.temporal()

    def temporal(self) -> None:
        """Temporal coverage: from the earliest start of a collaboration's activity to the latest
        end, or open when some activity has no end in the data."""
        def instants(edge: str) -> list[ox.Literal]:
            found = rows(self.store, f"SELECT ?v WHERE {{ ?x <{S3}activeDuring> ?i . ?i <{TIME}{edge}> ?e . "
                                     f"?e ?p ?v FILTER(isLiteral(?v)) }}")
            # lexical order is time order for xsd:date, gYearMonth and gYear values alike
            return sorted((v for (v,) in found if isinstance(v, ox.Literal)), key=lambda v: v.value)
        starts, ends = instants("hasBeginning"), instants("hasEnd")
        open_ended = rows(self.store, f"SELECT ?i WHERE {{ ?x <{S3}activeDuring> ?i "
                                      f"FILTER NOT EXISTS {{ ?i <{TIME}hasEnd> ?e }} }} LIMIT 1")
        if starts:
            self.node(self.dataset, {DCT + "temporal": self.part("temporal")})
            self.node(self.part("temporal"), {RDF + "type": DCT + "PeriodOfTime", DCAT + "startDate": starts[0],
                                              DCAT + "endDate": ends[-1] if ends and not open_ended else None})

    def distributions(self) -> None:
        """A dcat:Distribution per "all" dump, and one for the SPARQL endpoint."""
        for dump in self.all_dumps:
            url, packed, fmt = site_url(self.settings, dump.path), " (gzip)" if dump.gzip else "", dump.format
            self.node(self.dataset, {DCAT + "distribution": self.part("dump-" + dump.filename)})
            self.node(self.part("dump-" + dump.filename), {
                RDF + "type": DCAT + "Distribution", DCT + "title": en(f"Every graph as {fmt.sd_name}{packed}"),
                DCT + "description": en(f"The whole dataset, asserted and inferred triples, as {fmt.media_type}"
                                        f"{packed}."),
                DCAT + "accessURL": url, DCAT + "downloadURL": url, DCAT + "mediaType": IANA + fmt.media_type,
                DCT + "format": EU + "file-type/" + FILE_TYPES[fmt.name] if fmt.name in FILE_TYPES else None,
                DCAT + "compressFormat": IANA + "application/gzip" if dump.gzip else None,
                DCT + "license": LICENCE_AUTHORITY})
        self.node(self.dataset, {DCAT + "distribution": self.part("sparql")})
        self.node(self.part("sparql"), {
            RDF + "type": DCAT + "Distribution", DCT + "title": en("SPARQL endpoint"),
            DCT + "description": en("The dataset through its SPARQL 1.1 endpoint."), DCAT + "accessURL": self.endpoint,
            DCAT + "accessService": self.endpoint, DCT + "format": EU + "file-type/SPARQLQRES",
            DCT + "license": LICENCE_AUTHORITY})

    def statistics(self) -> None:
        """VoID: access, URI space, example resources, features and the dataset's counts."""
        space = str(ox.Literal(self.space))
        examples = [r for name in EXAMPLE_CLASSES for (r,) in rows(
            self.store, f"SELECT ?r WHERE {{ ?r a <{S3}{name}> FILTER(isIRI(?r) && STRSTARTS(STR(?r), {space})) }} "
                        "ORDER BY ?r LIMIT 1")]
        every, typed = "WHERE { ?s ?p ?o }", f"WHERE {{ ?s <{RDF}type> ?o }}"
        entities = f"WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), {space})) }}"
        counts = {"triples": ("*", every), "entities": ("DISTINCT ?s", entities),
                  "distinctSubjects": ("DISTINCT ?s", every), "distinctObjects": ("DISTINCT ?o", every),
                  "properties": ("DISTINCT ?p", every), "classes": ("DISTINCT ?o", typed)}
        self.node(self.dataset, {
            VOID + "sparqlEndpoint": self.endpoint, VOID + "uriSpace": ox.Literal(self.space),
            VOID + "dataDump": [site_url(self.settings, d.path) for d in self.all_dumps],
            VOID + "feature": sorted({FORMATS_NS + d.format.sd_name for d in self.all_dumps if d.format.sd_name}),
            VOID + "exampleResource": examples,
            **{VOID + name: integer(count(self.store, f"SELECT (COUNT({what}) AS ?n) {where}"))
               for name, (what, where) in counts.items()}})

    def partitions(self) -> None:
        """Class partitions (instances: those with IRIs as entities, all as distinct subjects),
        property partitions (triples), and the vocabularies of their terms."""
        classes = rows(self.store, f"SELECT ?c (COUNT(DISTINCT ?e) AS ?iris) (COUNT(DISTINCT ?s) AS ?all) WHERE {{ "
                                   f"?s <{RDF}type> ?c FILTER(isIRI(?c)) BIND(IF(isIRI(?s), ?s, ?none) AS ?e) }} "
                                   "GROUP BY ?c ORDER BY ?c")
        for c, iris, everything in classes:
            self.node(self.dataset, {VOID + "classPartition": self.part("class-" + key(c.value))})
            self.node(self.part("class-" + key(c.value)), {VOID + "class": c, VOID + "entities": iris,
                                                           VOID + "distinctSubjects": everything})
        properties = rows(self.store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p")
        for p, n in properties:
            self.node(self.dataset, {VOID + "propertyPartition": self.part("property-" + key(p.value))})
            self.node(self.part("property-" + key(p.value)), {VOID + "property": p, VOID + "triples": n})
        terms = {row[0].value for row in classes + properties}
        self.node(self.dataset, {VOID + "vocabulary": sorted({namespace(t) for t in terms})})

    def subsets(self) -> None:
        """A void:subset per named graph (its IRI) and one for the asserted graphs: triples, dumps."""
        by_graphs: dict[str, list[Dump]] = {}
        for dump in dumps(self.built):
            by_graphs.setdefault(dump.selection.graphs, []).append(dump)
        asserted = ", ".join(f"<{g}>" for g in self.built.asserted_graphs)
        parts = [(info.iri, by_graphs.get("inferred" if info.role == "inferred" else info.iri, []),
                  f"GRAPH <{info.iri}> {{ ?s ?p ?o }}") for info in self.built.graphs]
        parts.append((self.part("asserted"), by_graphs.get("asserted", []),
                      f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g IN ({asserted}))"))
        for node, found, pattern in parts:
            labels = rows(self.store, f"SELECT ?l WHERE {{ <{node}> <{RDFS}label> ?l "
                                      "FILTER(LANGMATCHES(LANG(?l), 'en')) } ORDER BY ?l LIMIT 1")
            self.node(self.dataset, {VOID + "subset": node})
            self.node(node, {
                RDF + "type": VOID + "Dataset",
                DCT + "title": labels[0][0] if labels else en(found[0].selection.title) if found else None,
                VOID + "triples": integer(count(self.store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                                                            f"WHERE {{ {pattern} }} }}")),
                VOID + "dataDump": [site_url(self.settings, d.path) for d in found]})

    def linksets(self) -> None:
        """A void:Linkset per outside dataset the graph links to, with its exact number of links."""
        for name, predicate, title, uri_space, sparql, homepage in LINK_TARGETS:
            links = count(self.store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{predicate}> ?o }}")
            self.node(self.dataset, {VOID + "subset": self.part("links-" + name)})
            self.node(self.part("links-" + name), {
                RDF + "type": VOID + "Linkset", VOID + "linkPredicate": predicate, VOID + "triples": integer(links),
                VOID + "subjectsTarget": self.dataset, VOID + "objectsTarget": self.part(name)})
            self.node(self.part(name), {RDF + "type": VOID + "Dataset", DCT + "title": en(title),
                                        VOID + "uriSpace": ox.Literal(uri_space), VOID + "sparqlEndpoint": sparql,
                                        FOAF + "homepage": homepage})
