"""Export the built dataset (asserted, inferred or all graphs) in an RDF format."""

from __future__ import annotations

import pyoxigraph as ox

from ..build.store import BuiltGraph
from ..errors import Code, S3GraphError
from ..formats.rdf import serialize
from ..formats.registry import dump_formats


def export(built: BuiltGraph, name: str, graphs: str = "all") -> bytes:
    """Serialise the chosen graphs (all, asserted, inferred or one named graph's IRI); dataset
    formats keep graph names, others merge them."""
    fmt = dump_formats().get(name)
    if fmt is None or fmt.rdf_format is None:
        raise S3GraphError(f"cannot export as {name!r}; use one of {', '.join(dump_formats())}",
                           code=Code.BAD_FORMAT)
    if graphs == "asserted":
        chosen = built.asserted_graphs
    elif graphs == "inferred":
        chosen = (built.inferred_graph,)
    elif graphs == "all":
        chosen = built.graph_iris()
    elif graphs in built.graph_iris():
        chosen = (graphs,)
    else:
        raise S3GraphError(f"no graph {graphs!r}; use all, asserted, inferred or a named graph's IRI",
                           code=Code.BAD_REQUEST)
    store = built.open_store()
    quads = [q for g in chosen for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))]
    # Dataset formats keep each quad; the others get the union of the graphs, without duplicates.
    if fmt.rdf_format.supports_datasets:
        return serialize(quads, fmt.rdf_format)
    return serialize(list(dict.fromkeys(q.triple for q in quads)), fmt.rdf_format)
