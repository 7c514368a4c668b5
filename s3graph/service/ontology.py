"""The ontology for people: an overview (metadata, class and property trees) and a page per term.

Read from the ontology's own named graph (what the ontology says) and from the default
graph (how much the data uses each term).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..build.store import BuiltGraph
from .names import Name, Namer
from .resources import RDF_TYPE, Group, Resources

OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
RDF_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
RDF_REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
CLASS_TYPES = (OWL + "Class", RDFS + "Class")
PROPERTY_TYPES = (OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
                  RDF_TYPE[:-4] + "Property")
CHARACTERISTICS = ("TransitiveProperty", "SymmetricProperty", "FunctionalProperty", "InverseFunctionalProperty")
#: How many example resources a term page shows.
EXAMPLES = 10


@dataclass
class Node:
    """A term in a tree, with the terms under it."""

    name: Name
    children: list[Node]


@dataclass
class Term:
    """Everything a term page shows."""

    name: Name
    kind: str  # "class", "property" or "individual"
    labels: list[tuple[str, str]]
    definition: str
    comment: str
    types: list[Name]
    supers: list[Name]
    subs: list[Name]
    domain: list[Name]
    range: list[Name]
    inverse: list[Name]
    chains: list[list[Name]]
    characteristics: list[str]
    uses: int  # instances of a class, statements with a property, statements naming an individual
    examples: list[Name]


@dataclass
class Overview:
    """The ontology's page: its metadata and its terms as trees."""

    iri: str
    groups: list[Group]  # the ontology's own statements, as on a resource page
    classes: list[Node]
    properties: list[Node]
    individuals: list[Name]
    namespace: str


class Ontology:
    """The ontology's terms, read from its graph in the store."""

    def __init__(self, built: BuiltGraph, store: ox.Store, base_iri: str) -> None:
        self.store = store
        self.iri = base_iri + "ontology"
        self.namespace = self.iri + "#"
        self.graph = ox.NamedNode(next(g.iri for g in built.graphs if g.role == "ontology"))
        self.resources = Resources(built, store)

    @property
    def version(self) -> str | None:
        """The last segment of the ontology's version IRI (`1.0.0`): that path serves it too."""
        found = self._objects(ox.NamedNode(self.iri), OWL + "versionIRI")
        return found[0].value.rsplit("/", 1)[-1] if found else None

    def _objects(self, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> list[ox.NamedNode | ox.BlankNode
                                                                                      | ox.Literal]:
        found = {q.object for q in self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None, self.graph)}
        return sorted(found, key=str)  # type: ignore[arg-type]

    def _subjects(self, predicate: str, obj: ox.NamedNode) -> list[ox.NamedNode]:
        found = {q.subject for q in self.store.quads_for_pattern(None, ox.NamedNode(predicate), obj, self.graph)}
        return sorted((s for s in found if isinstance(s, ox.NamedNode)), key=str)

    def _ours(self, iris: list[ox.NamedNode]) -> list[ox.NamedNode]:
        return [i for i in iris if i.value.startswith(self.namespace)]

    def terms(self, types: tuple[str, ...]) -> list[ox.NamedNode]:
        """The ontology's own terms of the given types."""
        found: set[ox.NamedNode] = set()
        for t in types:
            found.update(self._ours(self._subjects(RDF_TYPE, ox.NamedNode(t))))
        return sorted(found, key=str)

    def kind(self, iri: str) -> str | None:
        """"class", "property" or "individual" for a term the ontology defines, else None."""
        if not iri.startswith(self.namespace):
            return None
        types = {t.value for t in self._objects(ox.NamedNode(iri), RDF_TYPE) if isinstance(t, ox.NamedNode)}
        if types & set(CLASS_TYPES):
            return "class"
        if types & set(PROPERTY_TYPES):
            return "property"
        return "individual" if types else None

    def _tree(self, terms: list[ox.NamedNode], parent: str, namer: Namer) -> list[Node]:
        """Terms as a forest: a term sits under each of its own terms it is a sub-term of."""
        inside = set(terms)

        def parents(term: ox.NamedNode) -> list[ox.NamedNode]:
            return [p for p in self._objects(term, parent) if isinstance(p, ox.NamedNode) and p in inside]

        def build(term: ox.NamedNode, path: frozenset[ox.NamedNode]) -> Node:
            children = [t for t in terms if term in parents(t) and t not in path]
            return Node(namer.name(term.value), [build(c, path | {c}) for c in _by_text(children, namer)])

        roots = [t for t in terms if not parents(t)]
        return [build(r, frozenset({r})) for r in _by_text(roots, namer)]

    def overview(self, namer: Namer) -> Overview:
        """The ontology page."""
        view = self.resources.view(self.iri, namer)
        individuals: list[ox.NamedNode] = []
        for cls in self.terms(CLASS_TYPES):
            individuals += self._ours(self._subjects(RDF_TYPE, cls))
        return Overview(self.iri, view.groups, self._tree(self.terms(CLASS_TYPES), RDFS + "subClassOf", namer),
                        self._tree(self.terms(PROPERTY_TYPES), RDFS + "subPropertyOf", namer),
                        [namer.name(i.value) for i in _by_text(list(dict.fromkeys(individuals)), namer)],
                        self.namespace)

    def _list(self, head: ox.NamedNode | ox.BlankNode | ox.Literal) -> list[ox.NamedNode]:
        """The members of an RDF list (a property chain)."""
        out: list[ox.NamedNode] = []
        while isinstance(head, ox.BlankNode):
            first = self._objects(head, RDF_FIRST)
            out += [f for f in first if isinstance(f, ox.NamedNode)]
            rest = self._objects(head, RDF_REST)
            head = rest[0] if rest else ox.NamedNode(RDF_TYPE)
        return out

    def term(self, iri: str, namer: Namer) -> Term | None:
        """The page of one term, or None when the ontology does not define it."""
        kind = self.kind(iri)
        if kind is None:
            return None
        node = ox.NamedNode(iri)

        def names(values: list) -> list[Name]:
            return [namer.name(v.value) for v in values if isinstance(v, ox.NamedNode)]

        def text(predicate: str) -> str:
            values = [v for v in self._objects(node, predicate) if isinstance(v, ox.Literal)]
            english = [v for v in values if v.language in ("en", None, "")]
            return (english or values)[0].value if values else ""

        labels = sorted({(v.value, v.language or "") for v in self._objects(node, RDFS + "label")
                         if isinstance(v, ox.Literal)}, key=lambda pair: (pair[1], pair[0]))
        sub_of = RDFS + ("subClassOf" if kind == "class" else "subPropertyOf")
        types = [t for t in self._objects(node, RDF_TYPE) if isinstance(t, ox.NamedNode)]
        uses, examples = self._usage(node, kind)
        inverse = names(self._objects(node, OWL + "inverseOf")) + names(self._subjects(OWL + "inverseOf", node))
        return Term(namer.name(iri), kind, labels, text(SKOS + "definition"), text(RDFS + "comment"), names(types),
                    names(self._objects(node, sub_of)), names(self._subjects(sub_of, node)),
                    names(self._objects(node, RDFS + "domain")), names(self._objects(node, RDFS + "range")),
                    list(dict.fromkeys(inverse)),
                    [[namer.name(p.value) for p in self._list(c)]
                     for c in self._objects(node, OWL + "propertyChainAxiom")],
                    [c.removesuffix("Property") for c in CHARACTERISTICS if ox.NamedNode(OWL + c) in types],
                    uses, [namer.name(e.value) for e in examples])

    def _usage(self, node: ox.NamedNode, kind: str) -> tuple[int, list[ox.NamedNode]]:
        """How many resources (or statements) use the term in the data, and a few of them."""
        if kind == "class":
            quads = self.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), node, ox.DefaultGraph())
            found = sorted({q.subject for q in quads if isinstance(q.subject, ox.NamedNode)}, key=str)
        elif kind == "property":
            quads = self.store.quads_for_pattern(None, node, None, ox.DefaultGraph())
            counted = [q.subject for q in quads]
            found = sorted({s for s in counted if isinstance(s, ox.NamedNode)}, key=str)
            return len(counted), found[:EXAMPLES]
        else:
            quads = self.store.quads_for_pattern(None, None, node, ox.DefaultGraph())
            found = sorted({q.subject for q in quads if isinstance(q.subject, ox.NamedNode)}, key=str)
        return len(found), found[:EXAMPLES]

    def term_triples(self, iri: str) -> list[ox.Triple]:
        """A term's statements in the ontology, with the blank nodes (chains) they lead to."""
        out: list[ox.Triple] = []
        todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
        seen: set[ox.NamedNode | ox.BlankNode] = set()
        while todo:
            subject = todo.pop()
            if subject in seen:
                continue
            seen.add(subject)
            for quad in self.store.quads_for_pattern(subject, None, None, self.graph):
                out.append(quad.triple)
                if isinstance(quad.object, ox.BlankNode):
                    todo.append(quad.object)
        return out

    def triples(self) -> list[ox.Triple]:
        """The whole ontology."""
        return [q.triple for q in self.store.quads_for_pattern(None, None, None, self.graph)]


def _by_text(terms: list[ox.NamedNode], namer: Namer) -> list[ox.NamedNode]:
    return sorted(terms, key=lambda t: namer.name(t.value).text.lower())
