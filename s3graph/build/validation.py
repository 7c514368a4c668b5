"""Check the asserted data against the SHACL shapes (s3graph's validator, or pySHACL) and report readably."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import pyshacl
import rdflib
from rdflib.namespace import SH

from ..terms import to_rdflib
from .loader import SourceFile, Triples, parse_file
from .shacl import Unsupported, Validator

log = logging.getLogger("s3graph.build")


@dataclass(frozen=True)
class Violation:
    """One result of the SHACL report: which node, which path, what is wrong."""

    focus: str
    path: str
    message: str
    severity: str


@dataclass(frozen=True)
class Report:
    """The outcome of validation: whether the data conforms and every violation found."""

    conforms: bool
    violations: tuple[Violation, ...]

    def text(self) -> str:
        """A readable report, one line a violation."""
        if self.conforms:
            return "The data conforms to the shapes."
        lines = [f"{len(self.violations)} violation(s) of the shapes:"]
        for v in self.violations:
            where = f" (path {v.path})" if v.path else ""
            lines.append(f"  {v.severity}: {v.focus}{where}: {v.message}")
        return "\n".join(lines)


def _short(node: rdflib.term.Node | None) -> str:
    if node is None:
        return ""
    return node.n3() if not isinstance(node, rdflib.BNode) else "[blank node]"


def _rdflib_graph(graphs: Iterable[Triples]) -> rdflib.Graph:
    union = rdflib.Graph()
    for graph in graphs:
        for s, p, o in graph:
            union.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return union


def _report(violations: list[Violation]) -> Report:
    violations.sort(key=lambda v: (v.focus, v.path, v.message))
    return Report(not violations, tuple(violations))


def validate_with_pyshacl(graphs: Iterable[Triples], shapes: SourceFile) -> Report:
    """Validate with pySHACL (the reference, and the fallback for shapes `shacl` does not implement)."""
    union = _rdflib_graph(graphs)
    shapes_graph = _rdflib_graph([parse_file(shapes)])
    conforms, results, _ = pyshacl.validate(union, shacl_graph=shapes_graph, inference="none",
                                            advanced=True, allow_warnings=False)
    violations = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        violations.append(Violation(
            focus=_short(results.value(result, SH.focusNode)),
            path=_short(results.value(result, SH.resultPath)),
            message=str(results.value(result, SH.resultMessage) or "violates a shape"),
            severity=_short(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1].rstrip(">"),
        ))
    report = _report(violations)
    assert report.conforms == bool(conforms), "pySHACL's verdict and its results disagree"
    return report


def validate(graphs: Iterable[Triples], shapes: SourceFile) -> Report:
    """Validate the union of `graphs` (data and ontology) against the shapes file: with
    s3graph's own validator (s3graph/build/shacl.py), or pySHACL where the shapes use what it
    does not implement (logged)."""
    shapes_triples = parse_file(shapes)
    try:
        validator = Validator(shapes_triples)
    except Unsupported as why:
        log.warning("the SHACL validator does not implement %s (in %s); using pySHACL", why, shapes.path)
        return validate_with_pyshacl(graphs, shapes)
    results = validator.validate(t for graph in graphs for t in graph)
    return _report([Violation(_written(r.focus), _written(r.path), r.message, r.severity) for r in results])


def _written(term: object) -> str:
    """A term as the report writes it (rdflib's N3 form, as pySHACL's report gives it)."""
    return _short(to_rdflib(term)) if term is not None else ""  # type: ignore[arg-type]
