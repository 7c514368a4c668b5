"""RDF terms as the query results carry them (pyoxigraph's), and conversions from rdflib's."""

from __future__ import annotations

from typing import TypeAlias

import pyoxigraph as ox
import rdflib

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def from_rdflib(term: rdflib.term.Node) -> Term:
    """Convert an rdflib term to the pyoxigraph term the renderers take."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype and str(term.datatype) != _XSD_STRING:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: Term) -> rdflib.term.Identifier:
    """Convert a pyoxigraph term to rdflib (for the rdflib engine's bindings)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if is_plain_string(term):
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"not convertible to rdflib: {term!r}")


def text(term: Term | None) -> str:
    """The lexical value of a term: an IRI, a blank node label or a literal's text."""
    if term is None:
        return ""
    return str(term) if isinstance(term, ox.Triple) else term.value


def is_plain_string(literal: ox.Literal) -> bool:
    """True for a literal of type xsd:string without a language tag."""
    return not literal.language and literal.datatype.value == _XSD_STRING
