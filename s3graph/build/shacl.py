"""A SHACL Core validator for the constraints the shapes use, over pyoxigraph's terms.

pySHACL validates an rdflib graph: at 10^6 triples the graph alone takes gigabytes and the
validation more than a minute. This validator compiles the shapes graph once into small
checks and runs them over an index of just the predicates the shapes name (their paths,
`rdf:type` and `rdfs:subClassOf` for class targets and `sh:class`), each focus node once.

It implements (SHACL, W3C Recommendation 2017, section 4; section 2.1.3 for targets):

- targets: `sh:targetClass` (instances of the class or of a sub-class), `sh:targetNode`,
  `sh:targetSubjectsOf`, `sh:targetObjectsOf`;
- shapes: node shapes, and property shapes whose `sh:path` is one IRI (no path expressions);
- value type: `sh:class`, `sh:datatype`, `sh:nodeKind`; cardinality: `sh:minCount`,
  `sh:maxCount`; value range: `sh:minInclusive`, `sh:maxInclusive`, `sh:minExclusive`,
  `sh:maxExclusive`; string: `sh:pattern` (with `sh:flags`), `sh:languageIn`; logic:
  `sh:not`, `sh:and`, `sh:or`, `sh:xone`; shape: `sh:property`, `sh:node`,
  `sh:qualifiedValueShape` with `sh:qualifiedMinCount`/`sh:qualifiedMaxCount`; other:
  `sh:in`, `sh:hasValue`; and `sh:message`, `sh:severity`, `sh:deactivated`.

Anything else in the shapes graph (a path expression, SPARQL-based constraints, a shape
whose results would carry no `sh:message`, a datatype it does not know the lexical space of,
...) raises `Unsupported` and `validation.validate` hands the graph to pySHACL instead,
saying why. The report is pySHACL's (one result per focus node, or per value node for the
per-value constraints, the shape's own message); tests/test_validation.py compares the two
on the bundled data and on data a property-based test breaks at random.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import partial

import pyoxigraph as ox
import rdflib

from ..terms import to_rdflib

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDF_FIRST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#first")
RDF_REST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
RDF_NIL = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil")
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SUB_CLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS_LITERAL = "http://www.w3.org/2000/01/rdf-schema#Literal"


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


#: What each datatype's literals turn into in rdflib when their lexical form is well formed:
#: pySHACL's test of sh:datatype, which this one gives the same answers as.
_VALUE_TYPES: dict[str, type | tuple[type, ...]] = {
    XSD + "string": (str, bytes), RDF_LANG_STRING: (str, bytes), XSD + "integer": int,
    XSD + "decimal": Decimal, XSD + "float": float, XSD + "double": float, XSD + "boolean": bool,
    XSD + "date": date, XSD + "dateTime": datetime, XSD + "time": time,
}
#: Datatypes whose rdflib value (`Literal.value`) pySHACL does not look at: only not ill-typed.
_OPAQUE = frozenset(XSD + name for name in ("gYear", "gYearMonth", "anyURI", "nonNegativeInteger",
                                             "positiveInteger", "int", "long"))

_NODE_KINDS: dict[str, Callable[[object], bool]] = {
    "IRI": lambda v: isinstance(v, ox.NamedNode),
    "BlankNode": lambda v: isinstance(v, ox.BlankNode),
    "Literal": lambda v: isinstance(v, ox.Literal),
    "BlankNodeOrIRI": lambda v: isinstance(v, ox.NamedNode | ox.BlankNode),
    "BlankNodeOrLiteral": lambda v: isinstance(v, ox.BlankNode | ox.Literal),
    "IRIOrLiteral": lambda v: isinstance(v, ox.NamedNode | ox.Literal),
}

#: The shapes-graph predicates this validator reads; any other sh: predicate is unsupported.
_KNOWN = frozenset(SH + name for name in (
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "property", "path", "class",
    "datatype", "nodeKind", "minCount", "maxCount", "minInclusive", "maxInclusive", "minExclusive",
    "maxExclusive", "pattern", "flags", "languageIn", "not", "and", "or", "xone", "node",
    "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "in", "hasValue", "message",
    "severity", "deactivated", "name", "description", "order", "group", "defaultValue",
))
_NON_VALIDATING = frozenset(SH + name for name in ("name", "description", "order", "group", "defaultValue"))


class Unsupported(Exception):
    """The shapes use a part of SHACL this validator does not implement."""


@dataclass(frozen=True)
class Result:
    """One validation result: focus node, path (None for a node shape), message, severity."""

    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    path: ox.NamedNode | None
    message: str
    severity: str


class _ShapesGraph:
    """The shapes graph as subject -> predicate -> objects, with RDF lists read out."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.about: dict[object, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            self.about[t.subject][t.predicate.value].append(t.object)

    def objects(self, node: object, name: str) -> list[object]:
        return self.about.get(node, {}).get(name, [])

    def one(self, node: object, name: str) -> object | None:
        found = self.objects(node, name)
        if len(found) > 1:
            raise Unsupported(f"{len(found)} values of sh:{name.removeprefix(SH)} on one shape")
        return found[0] if found else None

    def items(self, head: object) -> list[object]:
        out: list[object] = []
        node = head
        while node != RDF_NIL:
            first = self.objects(node, RDF_FIRST.value)
            if len(first) != 1 or len(out) > 10_000:
                raise Unsupported("a malformed RDF list in the shapes")
            out.append(first[0])
            rest = self.objects(node, RDF_REST.value)
            node = rest[0] if len(rest) == 1 else None
            if node is None:
                raise Unsupported("a malformed RDF list in the shapes")
        return out


def _integer(value: object, what: str) -> int:
    if isinstance(value, ox.Literal) and value.datatype.value == XSD + "integer" and re.fullmatch(r"\d+", value.value):
        return int(value.value)
    raise Unsupported(f"sh:{what} is not a non-negative integer")


def _rdflib_value(term: object) -> object:
    """The term as rdflib reads it (pySHACL's view of literals: value, ill-typedness)."""
    return to_rdflib(term)  # type: ignore[arg-type]


@dataclass
class Shape:
    """One compiled shape: its path (property shapes), the checks on its value nodes, the
    message and severity of its results."""

    node: object
    path: ox.NamedNode | None
    message: str | None
    severity: str
    #: checks of each value node on its own: (name, test) - one result per failing value
    per_value: list[tuple[str, Callable[[object], bool]]] = field(default_factory=list)
    #: checks of all value nodes together: (name, test(values)) - one result when it fails
    on_all: list[tuple[str, Callable[[list[object]], bool]]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    targets: list[tuple[str, object]] = field(default_factory=list)
    deactivated: bool = False


class Validator:
    """The shapes compiled once; `validate` runs them over a data graph's triples."""

    def __init__(self, shapes: Iterable[ox.Triple]) -> None:
        self.graph = _ShapesGraph(shapes)
        self.predicates: set[ox.NamedNode] = {RDF_TYPE, SUB_CLASS_OF}
        self.compiled: dict[object, Shape] = {}
        self._data: _Data | None = None
        for about in list(self.graph.about.values()):
            for name in about:
                if name.startswith(SH) and name not in _KNOWN:
                    raise Unsupported(f"sh:{name.removeprefix(SH)}")
        shape_nodes = [node for node, about in self.graph.about.items()
                       if any(name in about for name in (SH + "targetClass", SH + "targetNode",
                                                         SH + "targetSubjectsOf", SH + "targetObjectsOf"))]
        for node in self.graph.about:
            types = self.graph.objects(node, RDF_TYPE.value)
            if any(t.value in ("http://www.w3.org/2000/01/rdf-schema#Class", "http://www.w3.org/2002/07/owl#Class")
                   for t in types if isinstance(t, ox.NamedNode)) and (_sh("NodeShape") in types):
                raise Unsupported("an implicit class target (a shape that is also a class)")
        self.top = [self._compile(node, top=True) for node in shape_nodes]

    # --- compiling ----------------------------------------------------------------------

    def _compile(self, node: object, top: bool = False, inner: bool = False) -> Shape:
        if node in self.compiled:
            return self.compiled[node]
        g = self.graph
        path = g.one(node, SH + "path")
        if path is not None and not isinstance(path, ox.NamedNode):
            raise Unsupported("a property path expression (only a single IRI is implemented)")
        if path is not None:
            self.predicates.add(path)
        message = g.one(node, SH + "message")
        if message is not None and not isinstance(message, ox.Literal):
            raise Unsupported("an sh:message that is not a literal")
        severity = g.one(node, SH + "severity")
        deactivated = g.one(node, SH + "deactivated")
        shape = Shape(node, path, message.value if isinstance(message, ox.Literal) else None,
                      severity.value.removeprefix(SH) if isinstance(severity, ox.NamedNode) else "Violation",
                      deactivated=isinstance(deactivated, ox.Literal) and deactivated.value == "true")
        self.compiled[node] = shape
        for kind in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
            for target in g.objects(node, SH + kind):
                if kind in ("targetSubjectsOf", "targetObjectsOf"):
                    if not isinstance(target, ox.NamedNode):
                        raise Unsupported(f"sh:{kind} that is not an IRI")
                    self.predicates.add(target)
                shape.targets.append((kind, target))
        self._constraints(shape)
        for prop in g.objects(node, SH + "property"):
            child = self._compile(prop, inner=inner)
            if child.path is None:
                raise Unsupported("an sh:property without sh:path")
            shape.properties.append(child)
        if not inner and (shape.per_value or shape.on_all) and shape.message is None:
            raise Unsupported("a shape without sh:message (its results would carry pySHACL's own wording)")
        return shape

    def _constraints(self, shape: Shape) -> None:
        g, node = self.graph, shape.node
        per, whole = shape.per_value.append, shape.on_all.append
        for cls in g.objects(node, SH + "class"):
            per(("class", partial(self._is_instance, cls=cls)))
        for dtype in g.objects(node, SH + "datatype"):
            if not isinstance(dtype, ox.NamedNode):
                raise Unsupported("an sh:datatype that is not an IRI")
            if dtype.value.startswith(XSD) and dtype.value not in _VALUE_TYPES and dtype.value not in _OPAQUE:
                raise Unsupported(f"sh:datatype {dtype.value}")
            per(("datatype", partial(_has_datatype, datatype=dtype.value)))
        for kind in g.objects(node, SH + "nodeKind"):
            test = _NODE_KINDS.get(kind.value.removeprefix(SH)) if isinstance(kind, ox.NamedNode) else None
            if test is None:
                raise Unsupported(f"sh:nodeKind {kind}")
            per(("nodeKind", test))
        for name in ("minCount", "maxCount"):
            for value in g.objects(node, SH + name):
                if shape.path is None:
                    raise Unsupported(f"sh:{name} on a node shape")
                whole((name, partial(_count, low=_integer(value, name) if name == "minCount" else None,
                                     high=_integer(value, name) if name == "maxCount" else None)))
        for name in _ORDER:
            for limit in g.objects(node, SH + name):
                if not isinstance(limit, ox.Literal):
                    raise Unsupported(f"sh:{name} that is not a literal")
                per((name, partial(_in_range, limit=_rdflib_value(limit), accept=_ORDER[name])))
        flags = g.one(node, SH + "flags")
        for pattern in g.objects(node, SH + "pattern"):
            if not isinstance(pattern, ox.Literal):
                raise Unsupported("an sh:pattern that is not a literal")
            compiled = _regex(pattern.value, flags.value if isinstance(flags, ox.Literal) else "")
            per(("pattern", partial(_matches, pattern=compiled)))
        for head in g.objects(node, SH + "languageIn"):
            wanted = set()
            for tag in g.items(head):
                if not isinstance(tag, ox.Literal) or tag.language or tag.datatype.value != XSD + "string":
                    raise Unsupported("an sh:languageIn item that is not a string")
                wanted.add(tag.value.lower())
            per(("languageIn", partial(_language_in, wanted=frozenset(wanted))))
        for head in g.objects(node, SH + "in"):
            per(("in", frozenset(g.items(head)).__contains__))
        for value in g.objects(node, SH + "hasValue"):
            whole(("hasValue", partial(_contains, value=value)))
        for inner in g.objects(node, SH + "not"):
            per(("not", partial(self._count_conforming, shapes=[self._compile(inner, inner=True)], want="none")))
        for inner in g.objects(node, SH + "node"):
            per(("node", partial(self._count_conforming, shapes=[self._compile(inner, inner=True)], want="all")))
        for name, want in (("and", "all"), ("or", "some"), ("xone", "one")):
            for head in g.objects(node, SH + name):
                members = [self._compile(item, inner=True) for item in g.items(head)]
                per((name, partial(self._count_conforming, shapes=members, want=want)))
        qualified = g.objects(node, SH + "qualifiedValueShape")
        if qualified:
            if len(qualified) > 1 or shape.path is None:
                raise Unsupported("more than one sh:qualifiedValueShape, or one on a node shape")
            if g.objects(node, SH + "qualifiedValueShapesDisjoint"):
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            other = self._compile(qualified[0], inner=True)
            for name in ("qualifiedMinCount", "qualifiedMaxCount"):
                for value in g.objects(node, SH + name):
                    n = _integer(value, name)
                    whole((name, partial(self._qualified, shape=other, low=n if name == "qualifiedMinCount" else None,
                                         high=n if name == "qualifiedMaxCount" else None)))

    def _is_instance(self, value: object, cls: object) -> bool:
        return self._data_or_fail().is_instance(value, cls)

    def _count_conforming(self, value: object, shapes: list[Shape], want: str) -> bool:
        n = sum(1 for shape in shapes if self.conforms(value, shape))
        return {"none": n == 0, "all": n == len(shapes), "some": n >= 1, "one": n == 1}[want]

    def _qualified(self, values: list[object], shape: Shape, low: int | None, high: int | None) -> bool:
        return _count([v for v in values if self.conforms(v, shape)], low, high)

    # --- validating ---------------------------------------------------------------------

    def _data_or_fail(self) -> _Data:
        assert self._data is not None, "validate() sets the data first"
        return self._data

    def conforms(self, focus: object, shape: Shape) -> bool:
        """True when `focus` gives no result against `shape` (its property shapes included)."""
        return not any(True for _ in self._check(focus, shape))

    def _check(self, focus: object, shape: Shape) -> Iterable[Result]:
        if shape.deactivated:
            return
        data = self._data_or_fail()
        values = [focus] if shape.path is None else data.values(focus, shape.path)
        for _name, test in shape.on_all:
            if not test(values):
                yield Result(focus, shape.path, shape.message or "", shape.severity)  # type: ignore[arg-type]
        for _name, per in shape.per_value:
            for value in values:
                if not per(value):
                    yield Result(focus, shape.path, shape.message or "", shape.severity)  # type: ignore[arg-type]
        for child in shape.properties:
            yield from self._check(focus, child)

    def validate(self, triples: Iterable[ox.Triple]) -> list[Result]:
        """Every result of every target of every shape, over the set of `triples`."""
        self._data = _Data(triples, self.predicates)
        try:
            out: list[Result] = []
            for shape in self.top:
                if shape.deactivated:
                    continue
                for focus in self._data.focus_nodes(shape.targets):
                    out.extend(self._check(focus, shape))
            return out
        finally:
            self._data = None


class _Data:
    """The data graph's triples of the predicates the shapes look at, by subject."""

    def __init__(self, triples: Iterable[ox.Triple], predicates: set[ox.NamedNode]) -> None:
        self.by: dict[ox.NamedNode, dict[object, set[object]]] = {p: defaultdict(set) for p in predicates}
        by = self.by
        for t in triples:
            table = by.get(t.predicate)
            if table is not None:
                table[t.subject].add(t.object)
        self._supers: dict[object, set[object]] = {}

    def values(self, focus: object, path: ox.NamedNode) -> list[object]:
        return list(self.by[path].get(focus, ()))

    def _super_classes(self, cls: object) -> set[object]:
        """`cls` and everything it is a sub-class of, in the data graph (rdfs:subClassOf*)."""
        found = self._supers.get(cls)
        if found is None:
            found, todo = set(), [cls]
            sub = self.by[SUB_CLASS_OF]
            while todo:
                node = todo.pop()
                if node not in found:
                    found.add(node)
                    todo.extend(sub.get(node, ()))
            self._supers[cls] = found
        return found

    def is_instance(self, node: object, cls: object) -> bool:
        return any(cls in self._super_classes(t) for t in self.by[RDF_TYPE].get(node, ()))

    def focus_nodes(self, targets: list[tuple[str, object]]) -> list[object]:
        found: dict[object, None] = {}
        types = self.by[RDF_TYPE]
        for kind, target in targets:
            if kind == "targetNode":
                found[target] = None
            elif kind == "targetClass":
                for node, classes in types.items():
                    if any(target in self._super_classes(c) for c in classes):
                        found[node] = None
            elif kind == "targetSubjectsOf":
                for node in self.by[target]:  # type: ignore[index]
                    found[node] = None
            else:
                for objects in self.by[target].values():  # type: ignore[index]
                    for node in objects:
                        found[node] = None
        return list(found)


def _count(values: list[object], low: int | None, high: int | None) -> bool:
    return (low is None or len(values) >= low) and (high is None or len(values) <= high)


def _contains(values: list[object], value: object) -> bool:
    return value in values


#: The value-range components, and which outcomes of comparing value with limit each accepts.
_ORDER: dict[str, Callable[[int], bool]] = {
    "minInclusive": lambda c: c >= 0, "maxInclusive": lambda c: c <= 0,
    "minExclusive": lambda c: c > 0, "maxExclusive": lambda c: c < 0,
}


def _has_datatype(value: object, datatype: str) -> bool:
    if not isinstance(value, ox.Literal):
        return False
    if datatype == RDFS_LITERAL:
        return True
    actual = RDF_LANG_STRING if value.language else value.datatype.value
    if actual != datatype:
        return False
    read = _rdflib_value(value)
    assert isinstance(read, rdflib.Literal)
    if getattr(read, "ill_typed", None) is True:
        return False
    expected = _VALUE_TYPES.get(datatype)
    if expected is None:
        return True
    return isinstance(read.value, expected) and not (expected is int and isinstance(read.value, bool))


def _in_range(value: object, limit: object, accept: Callable[[int], bool]) -> bool:
    """The value compared with the limit as SPARQL's operators compare them; incomparable fails."""
    if not isinstance(value, ox.Literal) or not isinstance(limit, rdflib.Literal):
        return False
    read = _rdflib_value(value)
    assert isinstance(read, rdflib.Literal)
    a, b = read.value, limit.value
    numbers = (int, float, Decimal)
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    if isinstance(a, numbers) and isinstance(b, numbers):
        if isinstance(a, float) != isinstance(b, float):
            a, b = float(a), float(b)
    elif isinstance(a, str) and isinstance(b, str):
        if read.language != limit.language:
            return False
    elif not (type(a) is type(b) and isinstance(a, date | datetime | time)):
        return False
    try:
        return accept((a > b) - (a < b))
    except TypeError:  # e.g. a date with a time zone against one without
        return False


def _regex(pattern: str, flags: str) -> re.Pattern[str]:
    bits = 0
    for flag in flags:
        bit = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}.get(flag)
        if bit is None:
            raise Unsupported(f"sh:flags {flags!r}")
        bits |= bit
    try:
        return re.compile(pattern, bits)
    except re.error as exc:
        raise Unsupported(f"sh:pattern {pattern!r} ({exc})") from None


def _matches(value: object, pattern: re.Pattern[str]) -> bool:
    if isinstance(value, ox.BlankNode):
        return False
    if isinstance(value, ox.Literal):
        read = _rdflib_value(value)
        assert isinstance(read, rdflib.Literal)
        plain = value.language or value.datatype.value == XSD + "string"
        text = str(read.value) if plain and read.value is not None else str(read)
    elif isinstance(value, ox.NamedNode):
        text = value.value
    else:
        return False
    return pattern.search(text) is not None


def _language_in(value: object, wanted: frozenset[str]) -> bool:
    if not isinstance(value, ox.Literal) or not value.language:
        return False
    tag = value.language.lower()
    return "*" in wanted or tag in wanted or tag.split("-")[0] in wanted
