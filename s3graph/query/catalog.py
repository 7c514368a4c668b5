"""Canned queries: SPARQL files with a header of metadata and typed parameters.

A file `queries/<slug>.rq` starts with comment lines of the form `# key: value`:

    # title: Swedish members of the S3 Platform
    # description: One sentence or more (repeat the key to continue it).
    # param: region region default=SE312 -- NUTS code, ISO 3166-2 code or name
    # param: lang language default=en allowed=en,sv -- label language
    # param: topic iri optional -- only this topic (all when not given)
    # choices: topic SELECT ?value ?label WHERE { ?value a <http://www.w3.org/2004/02/skos/core#Concept> ... }
    # inference: required | optional | none
    # federation: https://query.wikidata.org/sparql

Parameter values are converted to RDF terms and bound to the query's variable of the same
name; they are never put into the query text.

A parameter is `optional` when it has no default and leaving it out (or empty) means "not
filtered"; an empty value of any other parameter is its default, or a 400 when it has none.

A parameter's choices are its allowed values, or the answer of its `# choices:` query: the
rest of that line, a SELECT of `?value` and `?label` (full IRIs, no prefixes), which the
service runs once on the asserted triples. The forms offer them; an `iri` parameter with
choices takes no other value (a region's choices are suggestions: the resolver limits it).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from ..errors import CatalogError, Code, QueryError
from ..terms import Term
from .guard import describe_syntax_error, tokens
from .second_reading import parse_with_rdflib

PARAM_TYPES = ("iri", "region", "string", "integer", "year", "date", "language")
INFERENCE = ("required", "optional", "none")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_HEADER = re.compile(r"^#\s*([a-z]+)\s*:\s*(.*)$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_IRI = re.compile(r"^https?://[^\s<>\"{}|^`\\]+$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_INT = re.compile(r"^[+-]?[0-9]{1,12}$")
MAX_STRING = 200

#: Turns a region value (NUTS code, ISO code or name) into the territory's IRI, or None.
RegionResolver = Callable[[str], str | None]
#: A parameter's choices: (value, label) pairs, values as strings (IRIs for IRIs), in the order offered.
Choices = tuple[tuple[str, str], ...]


def _choice_named(name: str, choices: Choices) -> str | None:
    """The choice whose label, or whose IRI's last segment, is `name` (without regard to case):
    `topic=energy` for https://w3id.org/s3graph/id/topic/energy."""
    wanted = name.casefold()
    for value, label in choices:
        if wanted in (label.casefold(), re.split(r"[/#]", value)[-1].casefold()):
            return value
    return None


@dataclass(frozen=True)
class Parameter:
    """A typed parameter of a canned query, bound to the variable of the same name."""

    name: str
    type: str
    default: str | None = None
    allowed: tuple[str, ...] = ()
    help: str = ""
    optional: bool = False  # no default, and absent (or empty) means "not filtered"
    choices_query: str | None = None  # the SELECT of ?value ?label of its `# choices:` line

    def signature(self) -> str:
        """A short text such as `region: region = SE312` (or `subject: iri, optional`)."""
        text = f"{self.name}: {self.type}"
        return text + (f" = {self.default}" if self.default is not None else ", optional" if self.optional else "")

    @property
    def restricted(self) -> bool:
        """True when its choices are the only values it takes (allowed values; an IRI with choices)."""
        return bool(self.allowed) or (self.type == "iri" and self.choices_query is not None)

    def convert(self, raw: str, resolve_region: RegionResolver | None, choices: Choices = ()) -> Term:
        """The RDF term for `raw`; a value of the wrong type is a 400 naming the parameter, and
        so is an IRI that is not one of the `choices` (when there are any)."""
        value = raw.strip()
        if self.allowed:  # without regard to case: Confirmed is confirmed
            chosen = next((a for a in self.allowed if a.casefold() == value.casefold()), None)
            if chosen is None:
                raise self._bad(raw, "one of " + ", ".join(self.allowed))
            value = chosen
        if self.type == "iri":
            if choices and not _IRI.match(value):  # a choice by its label or its IRI's last part
                value = _choice_named(value, choices) or value
            if not _IRI.match(value):
                raise self._bad(raw, "an absolute http(s) IRI, or the label or last part of one of its "
                                     "choices" if choices else "an absolute http(s) IRI")
            try:  # the pattern lets through what only the IRI grammar refuses (control characters, ...)
                node = ox.NamedNode(value)
            except ValueError:
                raise self._bad(raw, "an absolute http(s) IRI") from None
            if choices and all(value != v for v, _ in choices):
                raise self._bad(raw, "one of its choices (see /queries)")
            return node
        if self.type in ("integer", "year"):
            if not _INT.match(value) or (self.type == "year" and not 1000 <= int(value) <= 2999):
                raise self._bad(raw, "a year such as 2018" if self.type == "year" else "an integer")
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(_XSD + "integer"))
        if self.type == "date":
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                raise self._bad(raw, "a date such as 2018-01-31") from None
            return ox.Literal(value, datatype=ox.NamedNode(_XSD + "date"))
        if self.type == "language":
            if not _LANG.match(value):
                raise self._bad(raw, "a language tag such as en or sv")
            return ox.Literal(value.lower())
        if self.type == "region":
            iri = resolve_region(value) if resolve_region and value else None
            if iri is None:
                raise self._bad(raw, "a NUTS code, an ISO 3166-2 code or the name of a region in the graph")
            return ox.NamedNode(iri)
        if not value or len(value) > MAX_STRING:
            raise self._bad(raw, f"a non-empty string of at most {MAX_STRING} characters")
        return ox.Literal(value)

    def _bad(self, raw: str, expected: str) -> QueryError:
        shown = raw if len(raw) <= 60 else raw[:57] + "..."
        return QueryError(f"parameter {self.name}: {shown!r} is not {expected}", code=Code.BAD_PARAMETER)


#: Query-string names of /queries/<slug> that are not parameters of the query.
RESERVED = ("format", "infer")


@dataclass(frozen=True)
class CannedQuery:
    """A canned query: slug, metadata, typed parameters and SPARQL text."""

    slug: str
    title: str
    description: str
    sparql: str
    parameters: tuple[Parameter, ...] = ()
    inference: str = "optional"
    federation: tuple[str, ...] = ()
    path: str = ""

    @property
    def needs_inference(self) -> bool:
        """True when the query's answer depends on inferred triples."""
        return self.inference == "required"

    def bind(self, values: Mapping[str, str], resolve_region: RegionResolver | None = None,
             choices: Mapping[str, Choices] | None = None) -> dict[str, Term]:
        """Convert the given values (defaults for the rest) into bindings; unknown names are a 400.
        A given IRI must be one of its parameter's `choices`, when it has some (a default is
        taken as the query's author wrote it)."""
        known = {p.name: p for p in self.parameters}
        for name in values:
            if name not in known:
                raise QueryError(f"unknown parameter {name!r} for canned query {self.slug}; "
                                 f"it takes: {', '.join(known) or 'none'}", code=Code.BAD_PARAMETER)
        bindings: dict[str, Term] = {}
        for p in self.parameters:
            raw = values.get(p.name)
            if raw is not None and not raw.strip():  # empty: the default, if there is one, or not given
                if p.default is None and not p.optional:
                    raise QueryError(f"parameter {p.name} is empty; give a value or leave it out",
                                     code=Code.BAD_PARAMETER)
                raw = None
            if raw is not None:
                bindings[p.name] = p.convert(raw, resolve_region, (choices or {}).get(p.name, ()))
            elif p.default is not None:
                bindings[p.name] = p.convert(p.default, resolve_region)
        return bindings


def with_values(sparql: str, bindings: Mapping[str, Term]) -> str:
    """The query with its bindings written into it, for people to read and edit: a VALUES block
    at the start of every group (so that a filter deep in an OPTIONAL sees the value too, as
    with the engine's substitution), but not in a VALUES data block, a CONSTRUCT template or
    before a sub-SELECT. The terms are written by Oxigraph in N-Triples syntax, which is
    SPARQL syntax too."""
    if not bindings:
        return sparql
    names = sorted(bindings)
    block = (f" VALUES ({' '.join('?' + n for n in names)}) "
             f"{{ ({' '.join(str(bindings[n]) for n in names)}) }}")
    found = list(tokens(sparql))
    offsets, skip = [], False
    for index, token in enumerate(found):
        word = token.text.upper()
        if word in ("VALUES", "CONSTRUCT"):
            skip = True  # the next brace opens data or a template, not a group
        elif token.text == "{":
            following = found[index + 1].text.upper() if index + 1 < len(found) else ""
            if not skip and following not in ("SELECT", "WHERE"):
                offsets.append(token.offset + 1)
            skip = False
    for offset in reversed(offsets):
        sparql = sparql[:offset] + block + sparql[offset:]
    return sparql


@dataclass(frozen=True)
class Catalog:
    """Every canned query, in slug order."""

    queries: tuple[CannedQuery, ...] = field(default_factory=tuple)

    def get(self, slug: str) -> CannedQuery:
        """The query called `slug`; an unknown slug is a 404."""
        for query in self.queries:
            if query.slug == slug:
                return query
        raise QueryError(f"no canned query called {slug!r}", status=404, code=Code.NOT_FOUND)


def _param(text: str, where: str) -> Parameter:
    spec, _, help_text = text.partition("--")
    words = spec.split()
    if len(words) < 2 or not _NAME.match(words[0]) or words[1] not in PARAM_TYPES:
        raise CatalogError(f"{where}: a param line is `NAME TYPE [default=V] [allowed=A,B] [optional] -- help`"
                           f" with TYPE one of {', '.join(PARAM_TYPES)}")
    options: dict[str, str] = {}
    optional = False
    for word in words[2:]:
        key, sep, value = word.partition("=")
        if word == "optional":
            optional = True
        elif not sep or key not in ("default", "allowed"):
            raise CatalogError(f"{where}: unknown param option {word!r}")
        else:
            options[key] = value
    if optional and "default" in options:
        raise CatalogError(f"{where}: parameter {words[0]} is optional and has a default; give one or the other")
    allowed = tuple(v for v in options.get("allowed", "").split(",") if v)
    return Parameter(words[0], words[1], options.get("default"), allowed, help_text.strip(), optional)


def _choices(value: str, where: str, params: Mapping[str, Parameter], base_iri: str | None) -> tuple[str, str]:
    """A `# choices: NAME SELECT ...` line as (NAME, query): NAME a parameter of the header, the
    query a SELECT projecting ?value and ?label that calls no other endpoint."""
    name, _, query = value.strip().partition(" ")
    query = query.strip()
    if not _NAME.match(name) or not query:
        raise CatalogError(f"{where}: a choices line is `NAME SELECT ?value ?label WHERE {{ ... }}`")
    found = params.get(name)
    if found is None:
        raise CatalogError(f"{where}: choices for {name}, which is not a parameter of the query "
                           f"(it takes: {', '.join(params) or 'none'})")
    if found.allowed:
        raise CatalogError(f"{where}: parameter {name} has allowed values, which are its choices")
    if found.choices_query is not None:
        raise CatalogError(f"{where}: parameter {name} has a choices line already")
    try:
        calls_out = any(t.kind == "name" and t.text.upper() == "SERVICE" for t in tokens(query))
    except QueryError as exc:
        raise CatalogError(f"{where}: the choices query: {exc.message}") from None
    if calls_out:
        raise CatalogError(f"{where}: the choices query may not call another endpoint (SERVICE)")
    projected = _projected(query, f"{where}: the choices query", base_iri)
    if projected is None or not {"value", "label"} <= projected:
        raise CatalogError(f"{where}: the choices query must be a SELECT of ?value and ?label")
    return name, query


def parse_canned(path: Path, base_iri: str | None = None) -> CannedQuery:
    """Read one .rq file; a malformed header or query raises CatalogError naming file and line."""
    slug = path.stem
    if not _SLUG.match(slug):
        raise CatalogError(f"{path}: the file name must be a kebab-case slug")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read ({exc})") from None
    meta: dict[str, list[str]] = {}
    params: dict[str, Parameter] = {}
    choices: list[tuple[str, str]] = []  # (value, where): read once every parameter is known
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match is None:
            continue  # a plain comment
        key, value = match.groups()
        where = f"{path}:{number}"
        if key == "param":
            param = _param(value, where)
            if param.name in params:
                raise CatalogError(f"{where}: parameter {param.name} is declared twice")
            params[param.name] = param
        elif key == "choices":
            choices.append((value, where))
        elif key in ("title", "description", "inference", "federation"):
            meta.setdefault(key, []).append(value.strip())
        else:
            raise CatalogError(f"{where}: unknown header key {key!r}")
    for value, where in choices:
        name, query = _choices(value, where, params, base_iri)
        params[name] = replace(params[name], choices_query=query)
    if not meta.get("title"):
        raise CatalogError(f"{path}:1: the header has no `# title:` line")
    inference = (meta.get("inference") or ["optional"])[0]
    if inference not in INFERENCE:
        raise CatalogError(f"{path}: inference must be one of {', '.join(INFERENCE)}")
    projected = _projected(text, path, base_iri)
    if params:
        # Oxigraph binds only projected variables (SPARQL SEP-0007), so each must be selected.
        if projected is None:
            raise CatalogError(f"{path}: only SELECT queries can take parameters")
        for p in params.values():
            if p.name not in projected:
                raise CatalogError(f"{path}: parameter {p.name} must be a selected variable "
                                   f"(?{p.name} in the SELECT clause)")
    return CannedQuery(slug, meta["title"][0], " ".join(meta.get("description", [])), text,
                       tuple(params.values()), inference, tuple(meta.get("federation", [])), str(path))


def _projected(text: str, path: Path | str, base_iri: str | None) -> set[str] | None:
    """Parse the query (a syntax error names the file); the variables a SELECT projects, else None.

    Oxigraph parses in well under a millisecond, rdflib in about a tenth of a second. On an
    empty store nothing is evaluated before the solutions are read, except for ASK, which
    rdflib parses instead (so that no SERVICE is ever called while loading).
    """
    form = next((t.text.upper() for t in tokens(text)
                 if t.kind == "name" and t.text.upper() in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")), None)
    try:
        if form == "ASK":
            parse_with_rdflib(text)
            return None
        parsed = ox.Store().query(text, base_iri=base_iri)
    except QueryError as exc:
        raise CatalogError(f"{path}: {exc.message}") from None
    except SyntaxError as exc:
        raise CatalogError(f"{path}: {describe_syntax_error(exc)}") from None
    return {v.value for v in parsed.variables} if isinstance(parsed, ox.QuerySolutions) else None


def load_catalog(folder: str, base_iri: str | None = None) -> Catalog:
    """Read every canned query in `folder` (sorted by slug); relative IRIs resolve against `base_iri`."""
    directory = Path(folder)
    if not directory.is_dir():
        raise CatalogError(f"{directory}: canned-query folder not found")
    return Catalog(tuple(parse_canned(p, base_iri) for p in sorted(directory.glob("*.rq"))))
