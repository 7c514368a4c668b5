"""Format negotiation: explicit format=, then Accept with q-values, then the form's default."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import S3GraphError

#: Media types per result kind, each mapped to a renderer name; "html" is the page for people.
MEDIA_TYPES: dict[str, dict[str, str]] = {
    "bindings": {
        "application/sparql-results+json": "json",
        "application/json": "json",
        "application/sparql-results+xml": "xml",
        "application/xml": "xml",
        "text/xml": "xml",
        "text/csv": "csv",
        "text/tab-separated-values": "tsv",
        "text/html": "html",
    },
    "graph": {
        "text/turtle": "ttl",
        "application/x-turtle": "ttl",
        "application/ld+json": "jsonld",
        "application/json": "jsonld",
        "application/n-triples": "nt",
        "text/plain": "nt",
        "application/rdf+xml": "xml",
        "application/xml": "xml",
        "application/trig": "trig",
        "application/n-quads": "nq",
        "text/html": "html",
    },
}

#: Names accepted in format= (besides the media types themselves).
ALIASES: dict[str, dict[str, str]] = {
    "bindings": {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv",
                 "tsv": "tsv", "html": "html"},
    "graph": {"ttl": "ttl", "turtle": "ttl", "jsonld": "jsonld", "json-ld": "jsonld",
              "json": "jsonld", "nt": "nt", "ntriples": "nt", "n-triples": "nt", "xml": "xml",
              "rdfxml": "xml", "rdf": "xml", "trig": "trig", "nq": "nq", "nquads": "nq",
              "n-quads": "nq", "html": "html"},
}

DEFAULTS = {"bindings": "json", "graph": "ttl"}

#: Which renderer wins a tie (e.g. for text/* or */*), best first.
PREFERENCE = {"bindings": ("json", "csv", "tsv", "xml", "html"),
              "graph": ("ttl", "jsonld", "nt", "xml", "trig", "nq", "html")}


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float
    order: int

    @property
    def specificity(self) -> int:
        """2 for type/subtype, 1 for type/*, 0 for */*."""
        return 0 if self.type == "*" else 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        """True when this range covers `media_type`."""
        main, _, sub = media_type.partition("/")
        return self.type in ("*", main) and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header; malformed entries are skipped, q defaults to 1."""
    ranges = []
    for order, part in enumerate((header or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        main, _, sub = media.partition("/")
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(main.strip(), sub.strip(), q, order))
    return ranges


def prefers_html(accept: str | None) -> bool:
    """True when an Accept header prefers HTML (a browser) over the RDF and JSON formats."""
    if not accept or "html" not in accept.lower():
        return False
    ranges = parse_accept(accept)
    html = max((r.q for r in ranges if r.type == "text" and r.subtype == "html"), default=0.0)
    other = max((r.q for r in ranges if not (r.type == "text" and r.subtype == "html")
                 and r.specificity == 2), default=0.0)
    return html > 0 and html >= other


def _quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q of the most specific range matching `media_type` (0 when none does)."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    return 0.0 if best is None else best.q


def negotiate(kind: str, format_param: str | None, accept: str | None,
              html: bool = True) -> str:
    """The renderer name for a result of `kind` ("bindings" or "graph").

    `format_param` (a name or a media type) wins; then Accept by q-value, ties broken by
    the order of the header; no Accept (or */* alone) gives the default for the kind.
    Raises a 406 listing what is supported when nothing fits.
    """
    offered = dict(MEDIA_TYPES[kind])
    if not html:
        offered.pop("text/html", None)
    if format_param:
        wanted = format_param.strip().lower()
        name = ALIASES[kind].get(wanted) or offered.get(wanted.split(";")[0].strip())
        if name is None or (name == "html" and not html):
            raise not_acceptable(kind, html, f"format {format_param!r} is not supported")
        return name
    ranges = parse_accept(accept)
    if not ranges:
        return DEFAULTS[kind]
    scored = []
    for media_type, name in offered.items():
        q = _quality(ranges, media_type)
        if q > 0:
            explicit = min((r.order for r in ranges if r.matches(media_type) and r.specificity == 2),
                           default=len(ranges))
            scored.append((q, -explicit, -PREFERENCE[kind].index(name), name))
    if not scored:
        raise not_acceptable(kind, html, "nothing in the Accept header can be produced")
    return max(scored)[3]


def supported(kind: str, html: bool = True) -> list[str]:
    """The canonical media types offered for a kind (one per renderer)."""
    seen: dict[str, str] = {}
    for media_type, name in MEDIA_TYPES[kind].items():
        if name == "html" and not html:
            continue
        seen.setdefault(name, media_type)
    return list(seen.values())


def not_acceptable(kind: str, html: bool, reason: str) -> S3GraphError:
    """A 406 error that lists the media types on offer."""
    return S3GraphError(f"{reason}; supported: {', '.join(supported(kind, html))}",
                        status=406, code="not-acceptable")
