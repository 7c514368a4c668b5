"""Resolve a region given by NUTS code, ISO 3166-2 code or name to its territory IRI."""

from __future__ import annotations

import pyoxigraph as ox

from .catalog import RegionResolver
from .engine import Bindings, DatasetSpec, Engine

_LOOKUP = """
PREFIX s3: <https://w3id.org/s3graph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?territory ?rank ?code ?lower WHERE {
  {
    { ?territory s3:nutsCode ?code } UNION { ?territory s3:isoCode ?code }
    BIND(0 AS ?rank)
  } UNION {
    ?territory rdfs:label|skos:altLabel|skos:prefLabel|s3:nameInSource ?name .
    FILTER(LCASE(STR(?name)) = ?lower)
    BIND(1 AS ?rank)
  } UNION {
    ?authority s3:governs ?territory ; rdfs:label|skos:altLabel ?name .
    FILTER(LCASE(STR(?name)) = ?lower)
    BIND(2 AS ?rank)
  }
  ?territory s3:nutsLevel ?level .
}
ORDER BY ?rank DESC(?level) STR(?territory)
LIMIT 1
"""


def region_resolver(engine: Engine, dataset: DatasetSpec) -> RegionResolver:
    """A resolver that looks regions up in the graph (codes first, then names; counties first)."""

    def resolve(value: str) -> str | None:
        bindings = {"code": ox.Literal(value.strip().upper()), "lower": ox.Literal(value.strip().lower())}
        result = engine.execute(_LOOKUP, dataset, bindings, max_results=1)
        assert isinstance(result, Bindings)
        if not result.rows or result.rows[0][0] is None:
            return None
        term = result.rows[0][0]
        return term.value if isinstance(term, ox.NamedNode) else None

    return resolve
