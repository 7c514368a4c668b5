"""What the query editor and the canned-query pages show: the query, its answer or its error.

A query error on a page is shown beside the query, which stays in the editor, with the line
and column the guard or the engine named; the page carries the error's status.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..errors import S3GraphError
from ..formats.rdf import PREFIXES
from ..query.catalog import CannedQuery, RegionResolver, with_values
from .names import Namer

#: The query shown on an empty query page.
EXAMPLE_QUERY = ("PREFIX s3: <https://w3id.org/s3graph/ontology#>\n"
                 "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                 "SELECT ?region ?collaboration WHERE {\n"
                 "  ?region a s3:County ; s3:participatesIn ?c .\n"
                 "  ?c rdfs:label ?collaboration . FILTER(LANG(?collaboration) = \"en\")\n"
                 "} ORDER BY ?region ?collaboration")
#: The data's own prefixes (the kinds of resource under the base's id/), besides PREFIXES.
KINDS = ("territory", "authority", "collaboration", "participation", "role", "topic", "source", "claim",
         "interval", "instant", "selection", "organisation")
_POSITION = re.compile(r"line (\d+), column (\d+)")


def prefixes(base_iri: str) -> list[tuple[str, str]]:
    """Every prefix the editor knows: the vocabularies', then the data's kinds of resource."""
    return [*PREFIXES.items(), *((kind, f"{base_iri}id/{kind}/") for kind in KINDS)]


def error_info(error: S3GraphError) -> dict[str, Any]:
    """An error as the page shows it, with the line and column when the message names them."""
    found = _POSITION.search(error.message)
    return {"status": error.status, "code": str(error.code), "message": error.message,
            "line": int(found.group(1)) if found else None, "column": int(found.group(2)) if found else None}


def examples(queries: Iterable[CannedQuery], resolve_region: RegionResolver) -> list[dict[str, str]]:
    """The canned queries as example queries for the editor, their defaults bound (VALUES)."""
    return [{"title": q.title, "slug": q.slug, "sparql": with_values(q.sparql, q.bind({}, resolve_region))}
            for q in queries]


def result_names(result: dict[str, Any] | None, namer: Namer) -> dict[str, Any]:
    """IRI -> Name for every IRI in a SPARQL JSON result (how the table shows and links it)."""
    if not result or "results" not in result:
        return {}
    iris = {cell["value"] for row in result["results"]["bindings"] for cell in row.values() if cell["type"] == "uri"}
    return namer.names(sorted(iris))
