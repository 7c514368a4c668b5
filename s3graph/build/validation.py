"""Check the asserted data against the SHACL shapes with pySHACL and report readably."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyshacl
import rdflib
from rdflib.namespace import SH

from ..terms import to_rdflib
from .loader import SourceFile, Triples, parse_file


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


def validate(graphs: Iterable[Triples], shapes: SourceFile) -> Report:
    """Validate the union of `graphs` (data and ontology) against the shapes file."""
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
    violations.sort(key=lambda v: (v.focus, v.path, v.message))
    return Report(bool(conforms), tuple(violations))
