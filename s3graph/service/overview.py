"""The graph at a glance: its figures, its classes, and a matrix of counties × collaborations.

The matrix is an SVG drawn here (no script, no outside asset): a row per county, a column
per collaboration any county takes part in; a dark cell is a participation stated in the
data (linked to it), a light one a participation inferred (through the authority acting for
the county, a larger territory or a component), linked to the participation it rests on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import pyoxigraph as ox

from .names import Name, Namer
from .resources import ORG, RDF_TYPE, S3, Resources, named

SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SHORT = 28  # characters a column's label may have before its shortest alternative is shown
CELL = 22  # px
LEFT = 190  # room for the row labels
TOP = 170  # room for the slanted column labels


@dataclass(frozen=True)
class Cell:
    """One cell of the matrix."""

    x: int
    y: int
    href: str
    title: str
    stated: bool  # a participation stated in the data, not only inferred


@dataclass(frozen=True)
class Matrix:
    """The matrix as the template draws it."""

    rows: list[tuple[Name, int]]  # (county, y)
    columns: list[tuple[Name, int]]  # (collaboration, x)
    cells: list[Cell]
    width: int
    height: int


class Overview:
    """Figures and pictures of the whole graph, computed once per process (the build is frozen)."""

    def __init__(self, base_iri: str, store: ox.Store, resources: Resources,
                 counted: Mapping[str, Any] | None = None) -> None:
        self.base = base_iri
        self.store = store
        self.resources = resources
        #: the build's own counts (BuiltGraph.figures): at 10^6 triples a pass over the store
        #: in Python takes 20 s, on the first view of the landing page in every process
        self.counted = counted or {}

    def _count(self, cls: str) -> int:
        return len(self.resources.subjects(RDF_TYPE, ox.NamedNode(S3 + cls)))

    @cached_property
    def _figures(self) -> dict[str, int]:
        if "triples" in self.counted and "resources" in self.counted:
            triples, resources = int(self.counted["triples"]), int(self.counted["resources"])
        else:
            triples, subjects, space = 0, set(), self.base + "id/"
            for quad in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph()):  # one pass
                triples += 1
                if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(space):
                    subjects.add(quad.subject)
            resources = len(subjects)
        return {"triples": triples, "resources": resources, "counties": self._count("County"),
                "collaborations": self._count("Collaboration"), "participations": self._count("Participation"),
                "claims": self._count("Claim"), "sources": self._count("Source")}

    def figures(self) -> dict[str, int]:
        """Triples (asserted and inferred), resources under the base, and some classes' sizes."""
        return self._figures

    @cached_property
    def _class_counts(self) -> list[tuple[str, int]]:
        if isinstance(self.counted.get("classes"), dict):
            sizes = {str(c): int(n) for c, n in self.counted["classes"].items()}
        else:
            counts: dict[str, set[ox.NamedNode | ox.BlankNode | ox.Triple]] = {}
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, ox.DefaultGraph()):
                if isinstance(quad.object, ox.NamedNode):
                    counts.setdefault(quad.object.value, set()).add(quad.subject)
            sizes = {c: len(s) for c, s in counts.items()}
        return sorted(sizes.items(), key=lambda item: (-item[1], item[0]))

    def class_counts(self) -> list[tuple[str, int]]:
        """Every class used, with its number of instances (inferred types included), largest first."""
        return self._class_counts

    def instances(self, cls: str) -> tuple[list[str], int] | None:
        """The IRIs of the instances of a class and how many are blank nodes (None when it has none)."""
        node = named(cls)
        if node is None or any(c in cls for c in '<>"{}|^`\\ '):
            return None
        found = self.resources.subjects(RDF_TYPE, node)
        iris = [s.value for s in found if isinstance(s, ox.NamedNode)]
        return (iris, len(found) - len(iris)) if found else None

    def matrix(self, namer: Namer) -> Matrix:
        """Counties × the collaborations they take part in."""
        r = self.resources
        counties = [c for c in r.subjects(RDF_TYPE, ox.NamedNode(S3 + "County")) if isinstance(c, ox.NamedNode)]
        counties.sort(key=lambda c: namer.name(c.value).text)
        taking_part = {c: [o for o in r.objects(c, S3 + "participatesIn") if isinstance(o, ox.NamedNode)]
                       for c in counties}
        collabs = sorted({o for os in taking_part.values() for o in os}, key=lambda o: namer.name(o.value).text)
        xs = {c: LEFT + i * CELL for i, c in enumerate(collabs)}
        cells = []
        for row, county in enumerate(counties):
            y = TOP + row * CELL
            for collab in taking_part[county]:
                part, stated = self._grounds(county, collab)
                title = f"{namer.name(county.value).text} — {namer.name(collab.value).text}" + \
                    ("" if stated else " (inferred)")
                href = namer.name(part.value).href if part is not None else namer.name(county.value).href
                cells.append(Cell(xs[collab], y, href, title, stated))
        return Matrix([(namer.name(c.value), TOP + i * CELL) for i, c in enumerate(counties)],
                      [(self._short(c, namer), xs[c]) for c in collabs], cells,
                      LEFT + len(collabs) * CELL + 130, TOP + len(counties) * CELL + 10)  # room for the slanted labels

    def _short(self, collab: ox.NamedNode, namer: Namer) -> Name:
        """A column's name: the label, or its shortest alternative label when the label is too long
        to tell the columns apart (three platforms start "Smart Specialisation Platform ...")."""
        name = namer.name(collab.value)
        if len(name.text) <= SHORT:
            return name
        others = [o.value for o in self.resources.objects(collab, SKOS_ALT)
                  if isinstance(o, ox.Literal) and o.language in (namer.lang, "en")]
        shortest = min(others, key=len, default=name.text)
        return replace(name, text=shortest) if len(shortest) < len(name.text) else name

    def _grounds(self, county: ox.NamedNode, collab: ox.NamedNode) -> tuple[ox.NamedNode | None, bool]:
        """The participation a county's taking part rests on, and whether it is the county's
        own (stated for it or its authority) rather than a larger territory's or a component's."""
        r = self.resources
        own = [county, *[a for a in r.objects(county, S3 + "governedBy") if isinstance(a, ox.NamedNode)]]
        larger = [t for t in r.objects(county, S3 + "within") if isinstance(t, ox.NamedNode)]
        larger += [a for t in larger for a in r.objects(t, S3 + "governedBy") if isinstance(a, ox.NamedNode)]
        inside = [collab, *[c for c in r.subjects(S3 + "componentOf", collab) if isinstance(c, ox.NamedNode)]]
        # The county's own participation in the collaboration itself first, then in one of its
        # components, then a larger territory's.
        for members, targets, stated in ((own, [collab], True), (own, inside, False), (larger, inside, False)):
            for member in members:
                for part in r.subjects(ORG + "member", member):
                    organizations = r.objects(part, ORG + "organization")
                    if isinstance(part, ox.NamedNode) and any(o in targets for o in organizations):
                        return part, stated
        return None, False
