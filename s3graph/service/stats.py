"""Figures about a built dataset: triples per graph, classes, territories, inference, timings."""

from __future__ import annotations

from ..build.store import BuiltGraph
from ..query.engines import Bindings, Engine, select_dataset
from ..terms import text

_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class }
GROUP BY ?class ORDER BY ?class
"""

_TERRITORIES = """
PREFIX s3: <https://w3id.org/s3graph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?country ?level (COUNT(DISTINCT ?t) AS ?n) WHERE {
  ?t s3:nutsLevel ?level ; s3:country ?c .
  ?c s3:nutsCode ?country .
} GROUP BY ?country ?level ORDER BY ?country ?level
"""

S3 = "https://w3id.org/s3graph/ontology#"


def class_counts(built: BuiltGraph, engine: Engine, infer: bool) -> dict[str, int]:
    """Instances per class of the s3graph ontology, with or without inference."""
    result = engine.execute(_CLASSES, select_dataset(built, infer=infer))
    assert isinstance(result, Bindings)
    counts = {}
    for cls, n in result.rows:
        if text(cls).startswith(S3):
            counts["s3:" + text(cls)[len(S3):]] = int(text(n))
    return counts


def stats_text(built: BuiltGraph, engine: Engine, seconds: float) -> str:
    """The report `s3graph stats` prints."""
    lines = ["Graphs (triples):"]
    width = max(len(g.iri) for g in built.graphs)
    for g in built.graphs:
        lines.append(f"  {g.iri:<{width}}  {g.triples:>7}  {g.role}")
    asserted = sum(g.triples for g in built.graphs if g.role != "inferred")
    inferred = sum(g.triples for g in built.graphs if g.role == "inferred")
    lines.append(f"  asserted: {asserted}, inferred: {inferred}, total: {asserted + inferred}")

    lines.append("")
    lines.append("Classes (instances asserted / with inference):")
    plain, full = class_counts(built, engine, False), class_counts(built, engine, True)
    for name in sorted(full):
        lines.append(f"  {name:<28} {plain.get(name, 0):>5} / {full[name]:>5}")

    lines.append("")
    lines.append("Territories by country and NUTS level:")
    result = engine.execute(_TERRITORIES, select_dataset(built, infer=False))
    assert isinstance(result, Bindings)
    for country, level, n in result.rows:
        count, plural = text(n), "" if text(n) == "1" else "s"
        what = f"NUTS-{text(level)} region{plural}" if text(level) in ("1", "2", "3") else f"at level {text(level)}"
        counties = " (counties in SE)" if text(level) == "3" and text(country) == "SE" else ""
        lines.append(f"  {text(country)}: {count} {what}{counties}")

    lines.append("")
    timings = ", ".join(f"{k} {v:.2f} s" for k, v in built.timings.items())
    origin = "reused from the cache" if built.from_cache else "built now"
    lines.append(f"Build: {origin} ({built.directory}); first build took {timings}")
    lines.append(f"This run: {seconds:.2f} s")
    return "\n".join(lines)
