"""A fast OWL-RL reasoner for the axioms the ontology uses, compiled once, evaluated semi-naively.

owlrl applies every OWL 2 RL rule to every triple again and again until nothing changes,
in pure Python over an rdflib graph: about 1,800 triples a second. This reasoner turns every
term into a small int first, reads the schema and compiles it into lookup tables
(super-classes, super-properties, domains, ranges, inverses, transitive and symmetric
properties, property chains), then derives the instance triples with a work list: each new
triple is looked at once, by the rules its predicate can fire, and the only joins (chains,
transitivity) go through in-memory indexes of just the predicates they need.

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

It takes rdflib's terms or pyoxigraph's (the build passes pyoxigraph's) and answers in the
kind it was given.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import SKOS

Term = Hashable
Triple = tuple[Term, Term, Term]
Ids = tuple[int, int, int]

log = logging.getLogger(__name__)

#: Vocabulary whose presence means an axiom this reasoner does not implement.
UNSUPPORTED = (
    OWL.Restriction, OWL.intersectionOf, OWL.unionOf, OWL.complementOf, OWL.oneOf, OWL.hasKey,
    OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.maxCardinality, OWL.maxQualifiedCardinality,
    OWL.disjointWith, OWL.AllDisjointClasses, OWL.propertyDisjointWith, OWL.AllDisjointProperties,
    OWL.InverseFunctionalProperty, OWL.IrreflexiveProperty, OWL.AsymmetricProperty, OWL.ReflexiveProperty,
    OWL.NegativePropertyAssertion, OWL.sourceIndividual, OWL.AllDifferent, OWL.differentFrom,
    OWL.members, OWL.distinctMembers, OWL.cardinality, OWL.minCardinality,
)

#: The IRIs the rules and the noise filter look for, by the name the code uses.
_VOCABULARY = {
    "type": RDF.type, "first": RDF.first, "rest": RDF.rest, "nil": RDF.nil,
    "subClassOf": RDFS.subClassOf, "subPropertyOf": RDFS.subPropertyOf, "domain": RDFS.domain,
    "range": RDFS.range, "Resource": RDFS.Resource, "equivalentClass": OWL.equivalentClass,
    "equivalentProperty": OWL.equivalentProperty, "inverseOf": OWL.inverseOf, "sameAs": OWL.sameAs,
    "TransitiveProperty": OWL.TransitiveProperty, "SymmetricProperty": OWL.SymmetricProperty,
    "FunctionalProperty": OWL.FunctionalProperty, "propertyChainAxiom": OWL.propertyChainAxiom,
    "Thing": OWL.Thing, "Nothing": OWL.Nothing, "exactMatch": SKOS.exactMatch,
}
_BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))


class Unsupported(Exception):
    """The input uses an axiom (or needs a rule) this reasoner does not implement."""


class _Terms:
    """Every term of one run as a small int: the rules hash and compare ints, not terms.

    A run speaks rdflib's terms or pyoxigraph's; `iri` makes the vocabulary's IRIs in the
    same kind, so that they meet the data's own.
    """

    def __init__(self, iri: Callable[[str], Term]) -> None:
        self.ids: dict[Term, int] = {}
        self.terms: list[Term] = []
        self.v = {name: self.intern(iri(str(term))) for name, term in _VOCABULARY.items()}
        self.unsupported = {self.intern(iri(str(term))) for term in UNSUPPORTED}

    def intern(self, term: Term) -> int:
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return found

    def encode(self, triples: Iterable[Triple]) -> list[Ids]:
        ids, terms = self.ids, self.terms
        out: list[Ids] = []
        for triple in triples:
            row = []
            for term in triple:
                found = ids.get(term)
                if found is None:
                    found = ids[term] = len(terms)
                    terms.append(term)
                row.append(found)
            out.append((row[0], row[1], row[2]))
        return out

    def iri_of(self, term_id: int) -> str | None:
        term = self.terms[term_id]
        if isinstance(term, ox.NamedNode):
            return term.value
        return str(term) if isinstance(term, URIRef) else None

    def name(self, term_id: int) -> str:
        """A term for a message: its IRI, vocabulary shortened, or its written form."""
        return (self.iri_of(term_id) or str(self.terms[term_id])).replace(str(OWL), "owl:")

    def literals(self) -> bytearray:
        """1 for the ids of literals, 0 for the others."""
        return bytearray(isinstance(t, ox.Literal | Literal) for t in self.terms)


def _closure(edges: dict[int, set[int]]) -> dict[int, set[int]]:
    """The transitive closure of a relation given as node -> direct successors (no self unless a cycle)."""
    closed: dict[int, set[int]] = {}
    for start in edges:
        seen: set[int] = set()
        todo = list(edges[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(edges.get(node, ()))
        closed[start] = seen
    return closed


class Schema:
    """The ontology's axioms as lookup tables (ids), with the schema triples OWL-RL infers."""

    def __init__(self, triples: list[Ids], terms: _Terms) -> None:
        v = terms.v
        sub_class: dict[int, set[int]] = defaultdict(set)
        sub_prop: dict[int, set[int]] = defaultdict(set)
        domain: dict[int, set[int]] = defaultdict(set)
        range_: dict[int, set[int]] = defaultdict(set)
        self.inverse: dict[int, set[int]] = defaultdict(set)
        self.transitive: set[int] = set()
        self.symmetric: set[int] = set()
        self.functional: set[int] = set()
        chains: list[tuple[int, int]] = []
        first: dict[int, int] = {}
        rest: dict[int, int] = {}
        schema_predicates = {v[name] for name in ("subClassOf", "equivalentClass", "subPropertyOf",
                                                  "equivalentProperty", "domain", "range", "inverseOf",
                                                  "propertyChainAxiom", "first", "rest", "sameAs")}
        unsupported = terms.unsupported
        kinds = {v["TransitiveProperty"], v["SymmetricProperty"], v["FunctionalProperty"]}
        for s, p, o in triples:
            if p in unsupported or o in unsupported:
                raise Unsupported(f"{terms.name(p if p in unsupported else o)} (on {terms.name(s)})")
            if p == v["type"]:
                if o not in kinds:
                    continue
            elif p not in schema_predicates:
                continue
            if p == v["sameAs"] and s != o:
                raise Unsupported(f"owl:sameAs ({terms.name(s)} = {terms.name(o)})")
            if p == v["subClassOf"]:
                sub_class[s].add(o)
            elif p == v["equivalentClass"]:
                sub_class[s].add(o)
                sub_class[o].add(s)
            elif p == v["subPropertyOf"]:
                sub_prop[s].add(o)
            elif p == v["equivalentProperty"]:
                sub_prop[s].add(o)
                sub_prop[o].add(s)
            elif p == v["domain"]:
                domain[s].add(o)
            elif p == v["range"]:
                range_[s].add(o)
            elif p == v["inverseOf"]:
                self.inverse[s].add(o)
                self.inverse[o].add(s)
            elif p == v["type"] and o == v["TransitiveProperty"]:
                self.transitive.add(s)
            elif p == v["type"] and o == v["SymmetricProperty"]:
                self.symmetric.add(s)
            elif p == v["type"] and o == v["FunctionalProperty"]:
                self.functional.add(s)
            elif p == v["propertyChainAxiom"]:
                chains.append((s, o))
            elif p == v["first"]:
                first[s] = o
            elif p == v["rest"]:
                rest[s] = o
        self.super_classes = _closure(sub_class)
        self.super_props = _closure(sub_prop)
        # prp-spo2: each chain as the list of its properties, and the property it implies.
        self.chains: list[tuple[tuple[int, ...], int]] = []
        for prop, head in chains:
            links: list[int] = []
            node = head
            while node in first and len(links) <= len(first):
                links.append(first[node])
                node = rest.get(node, v["nil"])
            if len(links) < 2 or node != v["nil"]:
                raise Unsupported(f"a property chain of {len(links)} properties ({terms.name(prop)})")
            self.chains.append((tuple(links), prop))
        self.chain_positions: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for index, (chain, _) in enumerate(self.chains):
            for position, link in enumerate(chain):
                self.chain_positions[link].append((index, position))
        # Domains and ranges along both hierarchies (scm-dom1/2, scm-rng1/2).
        self.domains = self._along(domain)
        self.ranges = self._along(range_)
        self.v = v

    def _along(self, declared: dict[int, set[int]]) -> dict[int, set[int]]:
        found: dict[int, set[int]] = defaultdict(set)
        for prop in set(declared) | set(self.super_props):
            for owner in {prop} | self.super_props.get(prop, set()):
                for cls in declared.get(owner, ()):
                    found[prop].add(cls)
                    found[prop] |= self.super_classes.get(cls, set())
        return found

    def schema_triples(self) -> set[Ids]:
        """The schema triples OWL-RL infers: closed hierarchies, equivalences, domains, ranges."""
        v = self.v
        out: set[Ids] = set()
        for cls, supers in self.super_classes.items():
            for sup in supers:
                out.add((cls, v["subClassOf"], sup))
                if cls in self.super_classes.get(sup, set()):  # scm-eqc2: each under the other
                    out.add((cls, v["equivalentClass"], sup))
        for prop, supers in self.super_props.items():
            for sup in supers:
                out.add((prop, v["subPropertyOf"], sup))
                if prop in self.super_props.get(sup, set()):
                    out.add((prop, v["equivalentProperty"], sup))
        for prop, classes in self.domains.items():
            out.update((prop, v["domain"], cls) for cls in classes)
        for prop, classes in self.ranges.items():
            out.update((prop, v["range"], cls) for cls in classes)
        return out


def _walk(out: dict[int, dict[int, set[int]]], into: dict[int, dict[int, set[int]]], start: int,
          links: tuple[int, ...], forward: bool) -> set[int]:
    """The nodes reached from `start` along `links` (in order forward, reversed backward)."""
    frontier = {start}
    table = out if forward else into
    for link in (links if forward else tuple(reversed(links))):
        step = table.get(link, {})
        frontier = {nxt for node in frontier for nxt in step.get(node, ())}
        if not frontier:
            break
    return frontier


def _derive(triples: list[Ids], schema: Schema, literal: bytearray, terms: _Terms) -> list[Ids]:
    """The semi-naive fixpoint: every triple the rules add, in the order found."""
    v = schema.v
    seen: set[Ids] = set(triples)
    # Joins need indexes only for the predicates of chains and of transitive properties.
    joined = set(schema.chain_positions) | schema.transitive
    out: dict[int, dict[int, set[int]]] = {p: defaultdict(set) for p in joined}
    into: dict[int, dict[int, set[int]]] = {p: defaultdict(set) for p in joined}
    functional_values: dict[tuple[int, int], set[int]] = defaultdict(set)
    for s, p, o in seen:
        if p in joined:
            out[p][s].add(o)
            into[p][o].add(s)
    new: list[Ids] = []
    todo: list[Ids] = list(seen)
    for triple in schema.schema_triples():
        if triple not in seen:
            seen.add(triple)
            new.append(triple)
            todo.append(triple)
    type_ = v["type"]
    super_classes, super_props = schema.super_classes, schema.super_props
    domains, ranges, inverse = schema.domains, schema.ranges, schema.inverse
    symmetric, transitive, functional = schema.symmetric, schema.transitive, schema.functional
    chain_positions, chains = schema.chain_positions, schema.chains
    empty: tuple[int, ...] = ()
    no_positions: list[tuple[int, int]] = []

    def derive(triple: Ids) -> None:
        if triple not in seen:
            seen.add(triple)
            new.append(triple)
            todo.append(triple)
            p = triple[1]
            if p in joined:
                out[p][triple[0]].add(triple[2])
                into[p][triple[2]].add(triple[0])

    while todo:
        s, p, o = todo.pop()
        if p == type_:
            for sup in super_classes.get(o, empty):  # cax-sco, cax-eqc
                derive((s, type_, sup))
            continue
        for sup in super_props.get(p, empty):  # prp-spo1, prp-eqp
            derive((s, sup, o))
        for cls in domains.get(p, empty):  # prp-dom (with scm-dom1/2)
            derive((s, type_, cls))
        if literal[o]:
            continue  # prp-rng, inverses and chains give literals no triples (owlrl's are noise)
        for cls in ranges.get(p, empty):  # prp-rng
            derive((o, type_, cls))
        for inv in inverse.get(p, empty):  # prp-inv1/2
            derive((o, inv, s))
        if p in symmetric:  # prp-symp
            derive((o, p, s))
        if p in transitive:  # prp-trp, both ways from the new edge
            for after in list(out[p].get(o, empty)):
                derive((s, p, after))
            for before in list(into[p].get(s, empty)):
                derive((before, p, o))
        if p in functional:  # prp-fp would equate two values: not implemented
            values = functional_values[(s, p)]
            values.add(o)
            if len(values) > 1:
                names = sorted(terms.name(value) for value in values)
                raise Unsupported(f"two values of the functional property {terms.name(p)} on {terms.name(s)}: {names}")
        for chain_index, position in chain_positions.get(p, no_positions):  # prp-spo2
            links, implied = chains[chain_index]
            starts = _walk(out, into, s, links[:position], forward=False)
            ends = _walk(out, into, o, links[position + 1:], forward=True)
            for start in starts:
                for end in ends:
                    derive((start, implied, end))
    return new


def _noise(terms: _Terms, literal: bytearray) -> Callable[[Ids], bool]:
    """`reasoners.is_noise` for ids: what carries nothing for a user of the graph."""
    v = terms.v
    reflexive = {v[name] for name in ("sameAs", "exactMatch", "subClassOf", "subPropertyOf",
                                      "equivalentClass", "equivalentProperty")}
    builtin: dict[int, bool] = {}

    def is_builtin(term_id: int) -> bool:
        found = builtin.get(term_id)
        if found is None:
            iri = terms.iri_of(term_id)
            found = builtin[term_id] = iri is not None and iri.startswith(_BUILTIN_NAMESPACES)
        return found

    def is_noise(triple: Ids) -> bool:
        s, p, o = triple
        if literal[s] or terms.iri_of(p) is None:
            return True
        if s == o and p in reflexive:
            return True
        if o == v["Thing"] or s == v["Nothing"]:
            return True
        if is_builtin(s):
            return True
        return p == v["type"] and o == v["Resource"]

    return is_noise


def _prepare(asserted: Iterable[Triple]) -> tuple[_Terms, list[Ids]] | None:
    triples = asserted if isinstance(asserted, list) else list(asserted)
    if not triples:
        return None
    iri: Callable[[str], Term] = ox.NamedNode if isinstance(triples[0][1], ox.NamedNode) else URIRef
    terms = _Terms(iri)
    return terms, terms.encode(triples)


def infer(asserted: Iterable[Triple]) -> set[Triple]:
    """Everything the rules add to `asserted` (the asserted triples left out), noise included:
    the caller filters it as it filters owlrl's."""
    prepared = _prepare(asserted)
    if prepared is None:
        return set()
    terms, triples = prepared
    found = _derive(triples, Schema(triples, terms), terms.literals(), terms)
    back = terms.terms
    return {(back[s], back[p], back[o]) for s, p, o in found}


def closure(asserted: Iterable[Triple]) -> set[Triple]:
    """The `rules` reasoner: these rules where they suffice, owlrl (logged) where they do not.

    Noise (`reasoners.is_noise`) is left out, as from owlrl's closure."""
    return set(closure_list(asserted))


def closure_list(asserted: Iterable[Triple]) -> list[Triple]:
    """`closure`, as a list of distinct triples (pyoxigraph's `Triple`s for pyoxigraph's terms):
    what the build stores, without a set of two million triples in between."""
    from .reasoners import closure_of

    prepared = _prepare(asserted)
    if prepared is None:
        return []
    terms, triples = prepared
    literal = terms.literals()
    try:
        found = _derive(triples, Schema(triples, terms), literal, terms)
    except Unsupported as why:
        log.warning("the rules reasoner does not implement %s; using owlrl for this graph", why)
        back = terms.terms
        return list(closure_of([(back[s], back[p], back[o]) for s, p, o in triples]))
    is_noise = _noise(terms, literal)
    back = terms.terms
    make: Any = ox.Triple if isinstance(back[terms.v["type"]], ox.NamedNode) else _tuple
    return [make(back[s], back[p], back[o]) for s, p, o in found if not is_noise((s, p, o))]


def _tuple(s: Term, p: Term, o: Term) -> Triple:
    return (s, p, o)
