"""What people read instead of IRIs: labels in the asked language, prefixed names, local links.

A page never shows a bare IRI when it has a better name: the label in the language asked
for (then English, then any), else a prefixed name (`territory:SE312`, `s3:County`), else
the IRI itself. IRIs under the base are linked to this site's own path; others are links out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from ..formats.rdf import PREFIXES

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
DCT_TITLE = "http://purl.org/dc/terms/title"
#: The languages the data is labelled in, in the order they are preferred when none is asked for.
LANGUAGES = ("en", "sv")
#: Outside namespaces the data links to, by their usual prefixes.
OUTSIDE = {
    "wd": "http://www.wikidata.org/entity/",
    "nuts": "http://data.europa.eu/nuts/code/",
    "country": "http://publications.europa.eu/resource/authority/country/",
}


def language(lang_param: str | None, accept_language: str | None) -> str:
    """The language of the labels: `lang=` if it is one we have, else the best of
    Accept-Language (RFC 9110 §12.5.4: `sv-SE` counts as `sv`, a language named beats `*`,
    q=0 refuses, higher q wins, then the header's order), else English."""
    if lang_param and lang_param.strip().lower() in LANGUAGES:
        return lang_param.strip().lower()
    named: dict[str, tuple[float, int]] = {}
    anything: float | None = None
    for order, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        key, _, value = params.strip().partition("=")
        try:
            q = float(value) if key.strip().lower() == "q" else 1.0
        except ValueError:
            continue  # an unreadable weight: the entry says nothing
        if primary == "*":
            anything = q if anything is None else max(anything, q)
        elif primary in LANGUAGES:
            best = named.get(primary)
            named[primary] = (q, order) if best is None else (max(best[0], q), best[1])
    scored = []
    for rank, candidate in enumerate(LANGUAGES):
        q, order = named.get(candidate, (anything if anything is not None else -1.0, 10**6))
        if q > 0:
            scored.append((-q, order, rank, candidate))
    return min(scored)[3] if scored else LANGUAGES[0]


@dataclass(frozen=True)
class Name:
    """How a page shows one IRI: its text, where it links, and whether the link leaves the site."""

    iri: str
    text: str
    href: str
    external: bool
    labelled: bool  # the text is a label (not a prefixed name or the IRI)


class Namer:
    """Names IRIs for one page: labels in one language from the store, prefixes, local links."""

    def __init__(self, store: ox.Store, base_iri: str, lang: str) -> None:
        self.store = store
        self.base = base_iri
        self.lang = lang
        self.prefixes = {**PREFIXES, **OUTSIDE}
        self._labels: dict[str, str | None] = {}

    def local_path(self, iri: str) -> str | None:
        """The site's own path for an IRI under the base (`/id/territory/SE312`), or None."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base):]
        if rest.startswith("ontology#"):
            return "/ontology/" + rest[len("ontology#"):]
        return "/" + rest

    def prefixed(self, iri: str) -> str | None:
        """`territory:SE312` for IRIs under the base's `id/<kind>/`, `s3:County`, `rdfs:label`, ..."""
        id_base = self.base + "id/"
        if iri.startswith(id_base):
            kind, _, local = iri[len(id_base):].partition("/")
            if local and "/" not in local:
                return f"{kind}:{local}"
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                local = iri[len(namespace):]
                if all(c.isalnum() or c in "-_." for c in local):
                    return f"{prefix}:{local}"
        return None

    def label(self, iri: str) -> str | None:
        """The label in the page's language, then in the preferred languages, then any; None if none."""
        if iri not in self._labels:
            self._labels[iri] = self._find_label(iri)
        return self._labels[iri]

    def _find_label(self, iri: str) -> str | None:
        by_lang: dict[str, str] = {}
        node = ox.NamedNode(iri)
        for predicate in (SKOS_PREF, RDFS_LABEL, DCT_TITLE):
            for quad in self.store.quads_for_pattern(node, ox.NamedNode(predicate), None, ox.DefaultGraph()):
                if isinstance(quad.object, ox.Literal):
                    by_lang.setdefault(quad.object.language or "", quad.object.value)
        for wanted in (self.lang, *LANGUAGES, ""):
            if wanted in by_lang:
                return by_lang[wanted]
        return min(by_lang.values()) if by_lang else None

    def name(self, iri: str) -> Name:
        """How to show `iri`."""
        label = self.label(iri)
        path = self.local_path(iri)
        text_ = label or self.prefixed(iri) or iri
        return Name(iri, text_, path or iri, path is None, label is not None)

    def names(self, iris: Iterable[str]) -> dict[str, Name]:
        """`name` for each IRI."""
        return {iri: self.name(iri) for iri in iris}

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        """IRI -> the text to show (label or prefixed name), for result tables."""
        return {iri: self.name(iri).text for iri in iris}
