"""Export the built dataset (asserted, inferred or all graphs) in an RDF format."""

from __future__ import annotations

import pyoxigraph as ox

from .build import BuiltGraph
from .errors import S3GraphError
from .renderers import PREFIXES, RDF_FORMATS

EXPORT_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld")


def export(built: BuiltGraph, name: str, graphs: str = "all") -> bytes:
    """Serialise the chosen graphs; dataset formats keep graph names, others merge them."""
    if name not in EXPORT_FORMATS:
        raise S3GraphError(f"cannot export as {name!r}; use one of {', '.join(EXPORT_FORMATS)}",
                           code="bad-format")
    if graphs == "asserted":
        chosen = built.asserted_graphs
    elif graphs == "inferred":
        chosen = (built.inferred_graph,)
    else:
        chosen = built.graph_iris()
    store = built.open_store()
    fmt = RDF_FORMATS[name]
    quads = [q for g in chosen for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))]
    # Dataset formats keep each quad; the others get the union of the graphs, without duplicates.
    items: list[ox.Quad] | list[ox.Triple] = quads if fmt.dataset else list(dict.fromkeys(q.triple for q in quads))
    out = ox.serialize(items, format=fmt.rdf_format,
                       prefixes=PREFIXES if name in ("ttl", "trig") else None)
    assert out is not None
    return out
