"""A resource as people and programs read it: its statements, asserted and inferred told apart.

Everything is read with the store's pattern look-ups (no SPARQL text is built from an IRI).
The store's named graphs say where a statement comes from: an asserted graph (a source's
facts, the ontology, the claims) or the inferred graph (the OWL-RL closure); a statement
in both is asserted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..build.store import ASSERTED_MERGE, BuiltGraph
from .names import Name, Namer

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"
S3 = "https://w3id.org/s3graph/ontology#"
ORG = "http://www.w3.org/ns/org#"
DCT_SOURCE = "http://purl.org/dc/terms/source"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
#: Predicates whose values are the resource's names (shown in the heading, not the table).
NAME_PREDICATES = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel")
#: Shown first, in this order; the rest by their label.
FIRST = (RDF_TYPE, *NAME_PREDICATES, "http://www.w3.org/2004/02/skos/core#altLabel",
         "http://www.w3.org/2004/02/skos/core#definition", "http://www.w3.org/2000/01/rdf-schema#comment")
Subject = ox.NamedNode | ox.BlankNode


@dataclass(frozen=True)
class Value:
    """One value of a property on a page: a linked name, a literal, or a blank node's statements."""

    name: Name | None  # for an IRI
    text: str  # a literal's text, a blank node's summary
    lang: str = ""
    datatype: str = ""  # a literal's datatype as a prefixed name (empty for strings and tagged text)
    inferred: bool = False
    graphs: tuple[Name, ...] = ()  # the asserted graphs that state it
    status: Name | None = None  # the claim status a claim gives this very statement


@dataclass
class Group:
    """A property and its values on one resource."""

    predicate: Name
    values: list[Value] = field(default_factory=list)
    more: int = 0  # values past the page's limit (all of them are in the resource's RDF)


@dataclass(frozen=True)
class Participation:
    """A row of the participations table: who, in what, role, when, source, claim status."""

    node: Name
    member: Name | None
    organization: Name | None
    role: Name | None
    when: str
    sources: tuple[Name, ...]
    status: Name | None


@dataclass
class View:
    """Everything a resource page shows."""

    iri: str
    name: Name
    labels: list[tuple[str, str]]  # (text, language) of every label
    types: list[Value]
    groups: list[Group]
    incoming: list[Group]  # grouped by predicate; the values are the subjects
    participations: list[Participation]
    sources: list[Name]
    graphs: list[Name]
    statuses: list[Name]  # the status of each claim about the resource as a whole


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def named(text: str) -> ox.NamedNode | None:
    """The IRI in a client's text (a path, a parameter), or None when it is not a valid IRI."""
    try:
        return ox.NamedNode(text)
    except ValueError:
        return None


class Resources:
    """Reads resources out of the built store."""

    def __init__(self, built: BuiltGraph, store: ox.Store) -> None:
        self.built = built
        self.store = store
        self.inferred = _n(built.inferred_graph)
        self.asserted = {_n(g) for g in built.asserted_graphs}

    def exists(self, iri: str) -> bool:
        """True when the IRI is a subject, an object or a graph name of the dataset."""
        node = _n(iri)
        if next(iter(self.store.quads_for_pattern(node, None, None)), None) is not None:
            return True
        if next(iter(self.store.quads_for_pattern(None, None, node)), None) is not None:
            return True
        return iri in self.built.graph_iris()

    def triples(self, iri: str, infer: bool = True) -> list[ox.Triple]:
        """The resource's description as RDF: its statements (with the blank nodes they lead
        to, followed to the end), and the statements that point at it."""
        graph: ox.NamedNode | ox.DefaultGraph = ox.DefaultGraph() if infer else _n(ASSERTED_MERGE)
        node = _n(iri)
        out: list[ox.Triple] = []
        seen: set[Subject] = set()
        todo: list[Subject] = [node]
        while todo:
            subject = todo.pop()
            if subject in seen:
                continue
            seen.add(subject)
            for quad in self.store.quads_for_pattern(subject, None, None, graph):
                out.append(quad.triple)
                if isinstance(quad.object, ox.BlankNode):
                    todo.append(quad.object)
        out.extend(q.triple for q in self.store.quads_for_pattern(None, None, node, graph)
                   if q.subject != node)
        return out

    def graph_triples(self, iri: str) -> list[ox.Triple]:
        """The contents of one named graph."""
        return [q.triple for q in self.store.quads_for_pattern(None, None, None, _n(iri))]

    def _where(self, subject: Subject, predicate: ox.NamedNode | None = None,
               obj: ox.NamedNode | ox.BlankNode | ox.Literal | None = None) -> dict[ox.Triple, set[ox.NamedNode]]:
        """Each matching statement and the named graphs holding it."""
        found: dict[ox.Triple, set[ox.NamedNode]] = {}
        for quad in self.store.quads_for_pattern(subject, predicate, obj):
            if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value != ASSERTED_MERGE:
                found.setdefault(quad.triple, set()).add(quad.graph_name)
        return found

    def objects(self, subject: Subject, predicate: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        """The values of one property (every graph, asserted and inferred), in a stable order."""
        values = {q.object for q in self.store.quads_for_pattern(subject, _n(predicate), None, ox.DefaultGraph())}
        return sorted(values, key=str)  # type: ignore[arg-type]

    def subjects(self, predicate: str, obj: ox.NamedNode) -> list[ox.NamedNode | ox.BlankNode]:
        """The subjects with one value of one property, in a stable order."""
        found = {q.subject for q in self.store.quads_for_pattern(None, _n(predicate), obj, ox.DefaultGraph())}
        return sorted(found, key=str)  # type: ignore[arg-type]

    def view(self, iri: str, namer: Namer) -> View:
        """The page of one resource."""
        node = _n(iri)
        statements = self._where(node)
        claims = self._triple_claims(node, namer)
        labels = sorted({(t.object.value, t.object.language or "") for t in statements
                         if t.predicate.value in NAME_PREDICATES and isinstance(t.object, ox.Literal)},
                        key=lambda pair: (pair[1], pair[0]))
        groups: dict[str, Group] = {}
        for triple, graphs in sorted(statements.items(), key=lambda item: str(item[0].object)):
            if triple.predicate.value in NAME_PREDICATES:
                continue
            group = groups.setdefault(triple.predicate.value, Group(namer.name(triple.predicate.value)))
            group.values.append(self.value(triple.object, graphs, namer,
                                            claims.get((triple.predicate.value, str(triple.object)))))
        types = groups.pop(RDF_TYPE).values if RDF_TYPE in groups else []
        incoming: dict[str, Group] = {}
        for triple, graphs in sorted(self._incoming(node).items(), key=lambda item: str(item[0].subject)):
            group = incoming.setdefault(triple.predicate.value, Group(namer.name(triple.predicate.value)))
            group.values.append(self.value(triple.subject, graphs, namer))
        asserted_graphs = sorted({g.value for gs in statements.values() for g in gs if g in self.asserted})
        return View(iri, namer.name(iri), labels, types, _ordered(groups), _ordered(incoming),
                    self.participations(node, namer), self._sources(node, asserted_graphs, namer),
                    [namer.name(g) for g in asserted_graphs], self._statuses(node, namer))

    def _incoming(self, node: ox.NamedNode) -> dict[ox.Triple, set[ox.NamedNode]]:
        found: dict[ox.Triple, set[ox.NamedNode]] = {}
        for quad in self.store.quads_for_pattern(None, None, node):
            if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value != ASSERTED_MERGE \
                    and quad.subject != node and quad.predicate.value != RDF + "object":
                found.setdefault(quad.triple, set()).add(quad.graph_name)
        return found

    def value(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, graphs: set[ox.NamedNode],
               namer: Namer, status: Name | None = None) -> Value:
        """How a page shows one term, told inferred when no asserted graph among `graphs` holds it."""
        inferred = not (graphs & self.asserted)
        where = tuple(namer.name(g.value) for g in sorted(graphs & self.asserted, key=str))
        if isinstance(term, ox.NamedNode):
            return Value(namer.name(term.value), "", inferred=inferred, graphs=where, status=status)
        if isinstance(term, ox.Literal):
            datatype = ""
            if not term.language and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
                datatype = namer.prefixed(term.datatype.value) or term.datatype.value
            return Value(None, term.value, term.language or "", datatype, inferred, where, status)
        if isinstance(term, ox.BlankNode):
            return Value(None, self._summary(term, namer), inferred=inferred, graphs=where, status=status)
        return Value(None, str(term), inferred=inferred, graphs=where)

    def _summary(self, node: ox.BlankNode, namer: Namer) -> str:
        """A blank node's statements in one line (`time:inXSDDate 2017-09-29`)."""
        parts = []
        for quad in self.store.quads_for_pattern(node, None, None, ox.DefaultGraph()):
            if quad.predicate.value == RDF_TYPE:
                continue
            shown = quad.object.value if isinstance(quad.object, ox.Literal | ox.NamedNode) else "…"
            parts.append(f"{namer.prefixed(quad.predicate.value) or quad.predicate.value} {shown}")
        return "; ".join(sorted(parts)) or "(a blank node)"

    def _triple_claims(self, node: ox.NamedNode, namer: Namer) -> dict[tuple[str, str], Name]:
        """(predicate, object) -> the status a claim gives that statement of `node`."""
        found = {}
        for claim in self.subjects(RDF + "subject", node):
            predicates, objects = self.objects(claim, RDF + "predicate"), self.objects(claim, RDF + "object")
            status = self.objects(claim, S3 + "claimStatus")
            if predicates and objects and status and isinstance(status[0], ox.NamedNode):
                found[(predicates[0].value, str(objects[0]))] = namer.name(status[0].value)
        return found

    def _statuses(self, node: ox.NamedNode, namer: Namer) -> list[Name]:
        """The status of each claim about the resource as a whole (`s3:about`)."""
        out: list[Name] = []
        for claim in self.subjects(S3 + "about", node):
            out.extend(namer.name(s.value) for s in self.objects(claim, S3 + "claimStatus")
                       if isinstance(s, ox.NamedNode))
        return out

    def _sources(self, node: ox.NamedNode, graphs: Iterable[str], namer: Namer) -> list[Name]:
        """The sources cited: the resource's own `dcterms:source`, then its graphs' sources."""
        found = [o.value for o in self.objects(node, DCT_SOURCE) if isinstance(o, ox.NamedNode)]
        for graph in graphs:
            found += [o.value for o in self.objects(_n(graph), PROV_DERIVED) if isinstance(o, ox.NamedNode)]
        return [namer.name(iri) for iri in dict.fromkeys(found)]

    def participations(self, node: ox.NamedNode, namer: Namer) -> list[Participation]:
        """The participations the resource is, takes part in, hosts, or takes part in through
        the authority acting for it (a territory's)."""
        nodes: list[ox.NamedNode | ox.BlankNode] = []
        if _n(S3 + "Participation") in self.objects(node, RDF_TYPE):
            nodes.append(node)
        actors = [node, *[a for a in self.objects(node, S3 + "governedBy") if isinstance(a, ox.NamedNode)]]
        for actor in actors:
            nodes += self.subjects(ORG + "member", actor)
        nodes += self.subjects(ORG + "organization", node)
        return [self._participation(p, namer) for p in dict.fromkeys(nodes) if isinstance(p, ox.NamedNode)]

    def _participation(self, part: ox.NamedNode, namer: Namer) -> Participation:
        def one(predicate: str) -> Name | None:
            values = [v for v in self.objects(part, predicate) if isinstance(v, ox.NamedNode)]
            return namer.name(values[0].value) if values else None

        when = [namer.label(v.value) or v.value for v in self.objects(part, ORG + "memberDuring")
                if isinstance(v, ox.NamedNode)]
        selected = [v.value for v in self.objects(part, S3 + "selectedOn") if isinstance(v, ox.Literal)]
        if selected:
            when.append("selected " + ", ".join(selected))
        sources = tuple(namer.name(s.value) for s in self.objects(part, DCT_SOURCE) if isinstance(s, ox.NamedNode))
        statuses = self._statuses(part, namer)
        return Participation(namer.name(part.value), one(ORG + "member"), one(ORG + "organization"),
                             one(ORG + "role"), "; ".join(when), sources, statuses[0] if statuses else None)


#: The most values of one property a page lists (a hub at EU scale has thousands).
PAGE_VALUES = 200


def _ordered(groups: dict[str, Group]) -> list[Group]:
    """The FIRST predicates in their order, then the others by the text shown; each cut to
    PAGE_VALUES values."""
    for group in groups.values():
        if len(group.values) > PAGE_VALUES:
            group.more, group.values = len(group.values) - PAGE_VALUES, group.values[:PAGE_VALUES]
    def key(item: tuple[str, Group]) -> tuple[int, str]:
        predicate, group = item
        return (FIRST.index(predicate) if predicate in FIRST else len(FIRST), group.predicate.text.lower())
    return [g for _, g in sorted(groups.items(), key=key)]
