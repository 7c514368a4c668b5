"""Resolve a region given by NUTS code, ISO 3166-2 code or name to its territory IRI.

The look-up reads the store's triples directly (no SPARQL text, nothing user-supplied is
ever parsed): exact codes first, then names of territories and of the authorities acting
for them. Answers are cached; the graph is read-only.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable

import pyoxigraph as ox

from ..terms import Term, text
from .catalog import RegionResolver

S3 = "https://w3id.org/s3graph/ontology#"
NUTS_CODE, ISO_CODE = ox.NamedNode(S3 + "nutsCode"), ox.NamedNode(S3 + "isoCode")
NUTS_LEVEL, GOVERNED_BY = ox.NamedNode(S3 + "nutsLevel"), ox.NamedNode(S3 + "governedBy")
NAMES = tuple(ox.NamedNode(iri) for iri in (
    "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2004/02/skos/core#prefLabel", S3 + "nameInSource"))
_CACHE_SIZE = 4096


def _level(store: ox.Store, territory: ox.NamedNode) -> int | None:
    for quad in store.quads_for_pattern(territory, NUTS_LEVEL, None, ox.DefaultGraph()):
        return int(text(quad.object))
    return None


def _best(store: ox.Store, candidates: Iterable[Term]) -> str | None:
    """The most detailed territory (counties before larger regions), then the first IRI."""
    found = []
    for candidate in candidates:
        if isinstance(candidate, ox.NamedNode):
            level = _level(store, candidate)
            if level is not None:  # only territories have a NUTS level
                found.append((-level, candidate.value))
    return min(found)[1] if found else None


def _by_iri(store: ox.Store, iri: str) -> str | None:
    """A territory's own IRI, when the graph has it as a territory (it has a NUTS level)."""
    if any(c in iri for c in '<>"{}|^`\\ '):
        return None
    try:
        node = ox.NamedNode(iri)
    except ValueError:  # not an IRI at all
        return None
    return iri if next(iter(store.quads_for_pattern(node, NUTS_LEVEL, None, ox.DefaultGraph())), None) else None


def _by_code(store: ox.Store, code: str) -> str | None:
    literal = ox.Literal(code.upper())
    subjects = [q.subject for p in (NUTS_CODE, ISO_CODE)
                for q in store.quads_for_pattern(None, p, literal, ox.DefaultGraph())]
    return _best(store, subjects)


def folded(name: str) -> str:
    """A name as it is looked up: without regard to case or diacritics (`Skåne` = `skane`)."""
    decomposed = unicodedata.normalize("NFKD", name.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_index(store: ox.Store) -> dict[str, list[str]]:
    """Folded name -> territories, counties first: their own names, then their authorities'."""
    direct: dict[str, set[str]] = {}
    through: dict[str, set[str]] = {}
    for quad in store.quads_for_pattern(None, NUTS_LEVEL, None, ox.DefaultGraph()):
        territory = quad.subject
        if not isinstance(territory, ox.NamedNode):
            continue
        for p in NAMES:
            for q in store.quads_for_pattern(territory, p, None, ox.DefaultGraph()):
                direct.setdefault(folded(text(q.object)), set()).add(territory.value)
        for gov in store.quads_for_pattern(territory, GOVERNED_BY, None, ox.DefaultGraph()):
            if isinstance(gov.object, ox.NamedNode):
                for p in NAMES[:2]:
                    for q in store.quads_for_pattern(gov.object, p, None, ox.DefaultGraph()):
                        through.setdefault(folded(text(q.object)), set()).add(territory.value)
    index: dict[str, list[str]] = {}
    for names in (direct, through):
        for name, iris in names.items():
            ranked = sorted(iris, key=lambda iri: (-(_level(store, ox.NamedNode(iri)) or 0), iri))
            index.setdefault(name, ranked)
    return index


def region_resolver(store: ox.Store) -> RegionResolver:
    """A cached resolver over `store` (its default graph: asserted and inferred triples)."""
    cache: dict[str, str | None] = {}
    names: list[dict[str, list[str]]] = []  # built on the first look-up by name
    lock = threading.Lock()

    def resolve(value: str) -> str | None:
        key = value.strip()
        with lock:
            if key in cache:
                return cache[key]
        found = _by_iri(store, key) if key.startswith(("http://", "https://")) else _by_code(store, key)
        if found is None and not key.startswith(("http://", "https://")):
            with lock:
                if not names:
                    names.append(name_index(store))
            found = next(iter(names[0].get(folded(key), [])), None)
        with lock:
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[key] = found
        return found

    return resolve
