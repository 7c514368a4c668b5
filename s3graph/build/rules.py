"""A fast OWL-RL reasoner for the axioms the ontology uses, compiled once, evaluated semi-naively.

owlrl applies every OWL 2 RL rule to every triple again and again until nothing changes,
in pure Python over an rdflib graph: about 1,800 triples a second. This reasoner reads the
schema first and compiles it into lookup tables (super-classes, super-properties, domains,
ranges, inverses, transitive and symmetric properties, property chains), then derives the
instance triples with a work list: each new triple is looked at once, by the rules its
predicate can fire, and joins go through in-memory indexes.

The rules (names from the OWL 2 RL profile, section 4.3):

- schema: scm-sco, scm-spo (transitive sub-class and sub-property), scm-eqc1/2 and
  scm-eqp1/2 (equivalence as sub-class/property both ways, and back), scm-dom1/2,
  scm-rng1/2 (domains and ranges along both hierarchies);
- instances: cax-sco, cax-eqc1/2, prp-spo1, prp-eqp1/2, prp-dom, prp-rng, prp-inv1/2,
  prp-symp, prp-trp, prp-spo2 (property chains of any length).

What it does not implement it refuses rather than gets wrong: an asserted owl:sameAs
between different resources, two values of a functional property (prp-fp would equate
them), and any class constructor or property characteristic outside the list above (a
restriction, a union, a key, disjointness, ...) raise `Unsupported`, and the `rules`
reasoner then falls back to owlrl for that graph and logs why. The output is the same set of
triples as owlrl's after the noise filter of `reasoners.is_noise`; tests/test_inference.py
checks that on the bundled data.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

Triple = tuple[Node, Node, Node]

log = logging.getLogger(__name__)

#: Vocabulary whose presence means an axiom this reasoner does not implement.
UNSUPPORTED = frozenset({
    OWL.Restriction, OWL.intersectionOf, OWL.unionOf, OWL.complementOf, OWL.oneOf, OWL.hasKey,
    OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.maxCardinality, OWL.maxQualifiedCardinality,
    OWL.disjointWith, OWL.AllDisjointClasses, OWL.propertyDisjointWith, OWL.AllDisjointProperties,
    OWL.InverseFunctionalProperty, OWL.IrreflexiveProperty, OWL.AsymmetricProperty, OWL.ReflexiveProperty,
    OWL.NegativePropertyAssertion, OWL.sourceIndividual, OWL.AllDifferent, OWL.differentFrom,
    OWL.members, OWL.distinctMembers, OWL.cardinality, OWL.minCardinality,
})


class Unsupported(Exception):
    """The input uses an axiom (or needs a rule) this reasoner does not implement."""


def _closure(edges: dict[Node, set[Node]]) -> dict[Node, set[Node]]:
    """The transitive closure of a relation given as node -> direct successors (no self unless a cycle)."""
    closed: dict[Node, set[Node]] = {}
    for start in edges:
        seen: set[Node] = set()
        todo = list(edges[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(edges.get(node, ()))
        closed[start] = seen
    return closed


class Schema:
    """The ontology's axioms as lookup tables, with the schema triples OWL-RL infers."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        sub_class: dict[Node, set[Node]] = defaultdict(set)
        sub_prop: dict[Node, set[Node]] = defaultdict(set)
        domain: dict[Node, set[Node]] = defaultdict(set)
        range_: dict[Node, set[Node]] = defaultdict(set)
        self.inverse: dict[Node, set[Node]] = defaultdict(set)
        self.transitive: set[Node] = set()
        self.symmetric: set[Node] = set()
        self.functional: set[Node] = set()
        chains: list[tuple[Node, Node]] = []
        graph = Graph()
        for s, p, o in triples:
            if p in UNSUPPORTED or o in UNSUPPORTED:
                term = str(p if p in UNSUPPORTED else o).replace(str(OWL), "owl:")
                raise Unsupported(f"{term} (on {s})")
            if p == OWL.sameAs and s != o:
                raise Unsupported(f"owl:sameAs ({s} = {o})")
            if p == RDFS.subClassOf:
                sub_class[s].add(o)
            elif p == OWL.equivalentClass:
                sub_class[s].add(o)
                sub_class[o].add(s)
            elif p == RDFS.subPropertyOf:
                sub_prop[s].add(o)
            elif p == OWL.equivalentProperty:
                sub_prop[s].add(o)
                sub_prop[o].add(s)
            elif p == RDFS.domain:
                domain[s].add(o)
            elif p == RDFS.range:
                range_[s].add(o)
            elif p == OWL.inverseOf:
                self.inverse[s].add(o)
                self.inverse[o].add(s)
            elif p == RDF.type and o == OWL.TransitiveProperty:
                self.transitive.add(s)
            elif p == RDF.type and o == OWL.SymmetricProperty:
                self.symmetric.add(s)
            elif p == RDF.type and o in (OWL.FunctionalProperty,):
                self.functional.add(s)
            elif p == OWL.propertyChainAxiom:
                chains.append((s, o))
            if p == OWL.propertyChainAxiom or p in (RDF.first, RDF.rest):
                graph.add((s, p, o))
        self.super_classes = _closure(sub_class)
        self.super_props = _closure(sub_prop)
        # prp-spo2: each chain as the list of its properties, and the property it implies.
        self.chains: list[tuple[tuple[Node, ...], Node]] = []
        for prop, head in chains:
            links = tuple(Collection(graph, head)) if isinstance(head, BNode | URIRef) else ()
            if len(links) < 2:
                raise Unsupported(f"a property chain of {len(links)} properties ({prop})")
            self.chains.append((links, prop))
        self.chain_positions: dict[Node, list[tuple[int, int]]] = defaultdict(list)
        for index, (links, _) in enumerate(self.chains):
            for position, link in enumerate(links):
                self.chain_positions[link].append((index, position))
        # Domains and ranges along both hierarchies (scm-dom1/2, scm-rng1/2).
        self.domains = self._along(domain)
        self.ranges = self._along(range_)

    def _along(self, declared: dict[Node, set[Node]]) -> dict[Node, set[Node]]:
        found: dict[Node, set[Node]] = defaultdict(set)
        props = set(declared) | set(self.super_props)
        for prop in props:
            for owner in {prop} | self.super_props.get(prop, set()):
                for cls in declared.get(owner, ()):
                    found[prop].add(cls)
                    found[prop] |= self.super_classes.get(cls, set())
        return found

    def schema_triples(self) -> set[Triple]:
        """The schema triples OWL-RL infers: closed hierarchies, equivalences, domains, ranges."""
        out: set[Triple] = set()
        for cls, supers in self.super_classes.items():
            for sup in supers:
                out.add((cls, RDFS.subClassOf, sup))
                if cls in self.super_classes.get(sup, set()):  # scm-eqc2: each under the other
                    out.add((cls, OWL.equivalentClass, sup))
        for prop, supers in self.super_props.items():
            for sup in supers:
                out.add((prop, RDFS.subPropertyOf, sup))
                if prop in self.super_props.get(sup, set()):
                    out.add((prop, OWL.equivalentProperty, sup))
        for prop, classes in self.domains.items():
            out.update((prop, RDFS.domain, cls) for cls in classes)
        for prop, classes in self.ranges.items():
            out.update((prop, RDFS.range, cls) for cls in classes)
        return out


class _Index:
    """The triples so far, by predicate, both ways."""

    def __init__(self) -> None:
        self.all: set[Triple] = set()
        self.out: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self.into: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))

    def add(self, triple: Triple) -> bool:
        if triple in self.all:
            return False
        self.all.add(triple)
        s, p, o = triple
        self.out[p][s].add(o)
        self.into[p][o].add(s)
        return True


def _walk(index: _Index, start: Node, links: tuple[Node, ...], forward: bool) -> set[Node]:
    """The nodes reached from `start` along `links` (in order forward, reversed backward)."""
    frontier = {start}
    table = index.out if forward else index.into
    for link in (links if forward else tuple(reversed(links))):
        step = table.get(link, {})
        frontier = {nxt for node in frontier for nxt in step.get(node, ())}
        if not frontier:
            break
    return frontier


def infer(asserted: Iterable[Triple]) -> set[Triple]:
    """Everything the rules add to `asserted` (the asserted triples left out), noise included:
    the caller filters it as it filters owlrl's."""
    triples = list(asserted)
    schema = Schema(triples)
    index = _Index()
    todo: list[Triple] = []
    for triple in triples:
        if index.add(triple):
            todo.append(triple)
    base = set(index.all)
    for triple in schema.schema_triples():
        if index.add(triple):
            todo.append(triple)

    def derive(triple: Triple) -> None:
        if index.add(triple):
            todo.append(triple)

    while todo:
        s, p, o = todo.pop()
        if p == RDF.type:
            for sup in schema.super_classes.get(o, ()):  # cax-sco, cax-eqc
                derive((s, RDF.type, sup))
            continue
        resource = not isinstance(o, Literal)
        for sup in schema.super_props.get(p, ()):  # prp-spo1, prp-eqp
            derive((s, sup, o))
        for cls in schema.domains.get(p, ()):  # prp-dom (with scm-dom1/2)
            derive((s, RDF.type, cls))
        if not resource:
            continue  # prp-rng, inverses and chains give literals no triples (owlrl's are noise)
        for cls in schema.ranges.get(p, ()):  # prp-rng
            derive((o, RDF.type, cls))
        for inverse in schema.inverse.get(p, ()):  # prp-inv1/2
            derive((o, inverse, s))
        if p in schema.symmetric:  # prp-symp
            derive((o, p, s))
        if p in schema.transitive:  # prp-trp, both ways from the new edge
            for after in list(index.out[p].get(o, ())):
                derive((s, p, after))
            for before in list(index.into[p].get(s, ())):
                derive((before, p, o))
        if p in schema.functional:  # prp-fp would equate two values: not implemented
            values = index.out[p].get(s, set())
            if len(values) > 1:
                raise Unsupported(f"two values of the functional property {p} on {s}: {sorted(map(str, values))}")
        for chain_index, position in schema.chain_positions.get(p, ()):  # prp-spo2
            links, implied = schema.chains[chain_index]
            starts = _walk(index, s, links[:position], forward=False)
            ends = _walk(index, o, links[position + 1:], forward=True)
            for start in starts:
                for end in ends:
                    derive((start, implied, end))
    return index.all - base


def closure(asserted: Iterable[Triple]) -> set[Triple]:
    """The `rules` reasoner: these rules where they suffice, owlrl (logged) where they do not."""
    from .reasoners import closure as owlrl_closure
    from .reasoners import is_noise

    triples = list(asserted)
    try:
        found = infer(triples)
    except Unsupported as why:
        log.warning("the rules reasoner does not implement %s; using owlrl for this graph", why)
        return owlrl_closure(triples)
    return {t for t in found if not is_noise(t)}
