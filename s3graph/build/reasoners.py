"""Reasoners in a registry: each turns the asserted triples into the triples it infers.

`rules` (the default) compiles the ontology's axioms into rules and evaluates them
semi-naively (s3graph/build/rules.py): the same triples as owlrl, over 200 times faster;
`owlrl` computes the OWL-RL closure with owlrl; both drop the noise a user never wants;
`none` infers nothing (for benchmarks).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable
from typing import Any

import owlrl
import pyoxigraph as ox
import rdflib
from rdflib import OWL, RDF, RDFS, XSD, BNode, Literal, URIRef
from rdflib.namespace import SKOS

from ..registry import Registry
from ..terms import from_rdflib, to_rdflib

Triple = tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]

_BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))
_REFLEXIVE_NOISE = frozenset({
    OWL.sameAs, SKOS.exactMatch, RDFS.subClassOf, RDFS.subPropertyOf,
    OWL.equivalentClass, OWL.equivalentProperty,
})
_LITERAL_PREFIX = "urn:s3graph:literal:"


def _is_builtin(node: rdflib.term.Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(_BUILTIN_NAMESPACES)


def is_noise(triple: Triple) -> bool:
    """True for inferred triples that carry nothing for a user of this graph."""
    s, p, o = triple
    if isinstance(s, Literal) or isinstance(p, (Literal, BNode)):
        return True
    if s == o and p in _REFLEXIVE_NOISE:
        return True
    if o == OWL.Thing or s == OWL.Nothing:
        return True
    # Axiomatic triples about RDF/RDFS/OWL/XSD built-ins (owl:sameAs a owl:SymmetricProperty...).
    if _is_builtin(s):
        return True
    return p == RDF.type and o == RDFS.Resource


def closure(asserted: Iterable[Triple]) -> set[Triple]:
    """The triples OWL-RL adds to `asserted` (asserted ones and noise left out).

    Literals are swapped for placeholder IRIs while owlrl runs: none of the ontology's axioms
    reason over literal values, and owlrl's own literal handling is what makes it slow and
    what produces triples with literal subjects.
    """
    to_iri: dict[Literal, URIRef] = {}
    to_literal: dict[URIRef, Literal] = {}
    work = rdflib.Graph()
    base: set[Triple] = set()
    for s, p, o in asserted:
        base.add((s, p, o))
        if isinstance(o, Literal):
            iri = to_iri.get(o)
            if iri is None:
                iri = URIRef(f"{_LITERAL_PREFIX}{len(to_iri)}")
                to_iri[o] = iri
                to_literal[iri] = o
            o = iri
        work.add((s, p, o))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(work)
    inferred: set[Triple] = set()
    for s, p, o in work:
        s2 = to_literal.get(s, s) if isinstance(s, URIRef) else s
        o2 = to_literal.get(o, o) if isinstance(o, URIRef) else o
        triple = (s2, p, o2)
        if triple in base or is_noise(triple):
            continue
        if isinstance(o2, URIRef) and str(o2).startswith(_LITERAL_PREFIX):
            continue
        inferred.add(triple)
    return inferred


def closure_of(asserted: Iterable[tuple[Hashable, Hashable, Hashable]]) -> set[tuple[Hashable, Hashable, Hashable]]:
    """owlrl's closure of triples in rdflib's terms or pyoxigraph's, answered in the same kind
    (the build speaks pyoxigraph's: they go to rdflib and back)."""
    triples = list(asserted)
    if not triples or not isinstance(triples[0][1], ox.NamedNode):
        return closure(triples)  # type: ignore[arg-type,return-value]
    found = closure((to_rdflib(s), to_rdflib(p), to_rdflib(o)) for s, p, o in triples)  # type: ignore[arg-type]
    return {(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in found}


def nothing(asserted: Iterable[Triple]) -> set[Triple]:
    """No inference: the inferred graph stays empty."""
    return set()


#: A reasoner takes the asserted triples (pyoxigraph's terms in the build) and returns what it
#: infers, in the same terms, each triple once (asserted ones left out).
Reasoner = Callable[[Iterable[Any]], Collection[Any]]

def _rules(asserted: Iterable[Any]) -> Collection[Any]:
    from .rules import closure_list

    return closure_list(asserted)


REASONERS: Registry[Reasoner] = Registry("reasoner", {"rules": _rules, "owlrl": closure_of, "none": nothing})
